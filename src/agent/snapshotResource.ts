import { createHash } from 'node:crypto';

/**
 * `lifeguard://snapshot` for clients that subscribe: while anyone is subscribed (a 2025 era
 * `resources/subscribe`, or an open 2026 era `subscriptions/listen` stream that names it), the
 * snapshot is looked at every `intervalMs` and `resources/updated` is sent when what it says
 * changed (the verdicts, pids, versions and problems; not the time it was taken or a process's
 * memory). Nothing runs while nobody is subscribed.
 */

export const SNAPSHOT_URI = 'lifeguard://snapshot';

export interface SnapshotWatchOptions {
  intervalMs: number;
  /** What the snapshot says now, as the key compared between looks. */
  look(): Promise<unknown>;
  updated(uri: string): Promise<void>;
  log(line: string): void;
}

export class SnapshotWatch {
  /** Who is subscribed: the URI of a 2025 era subscription, a key per 2026 era listen stream. */
  private readonly subscribed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private looking = false;

  constructor(private readonly o: SnapshotWatchOptions) {}

  subscribe(key: string): void {
    this.subscribed.add(key);
    if (!this.timer) {
      this.last = undefined;
      void this.tick();
      this.timer = setInterval(() => void this.tick(), this.o.intervalMs);
      this.timer.unref();
    }
  }

  unsubscribe(key: string): void {
    this.subscribed.delete(key);
    if (!this.subscribed.size) this.close();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    // A slow look (a loaded machine) is not overlapped by the next one.
    if (this.looking) return;
    this.looking = true;
    try {
      const key = createHash('sha256')
        .update(JSON.stringify(await this.o.look()))
        .digest('hex');
      const changed = this.last !== undefined && key !== this.last;
      this.last = key;
      if (changed && this.subscribed.size) await this.o.updated(SNAPSHOT_URI);
    } catch (err) {
      this.o.log(`looking at the snapshot failed: ${(err as Error).message}`);
    } finally {
      this.looking = false;
    }
  }
}
