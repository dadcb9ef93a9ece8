/**
 * Decides whether a child that exited on its own is restarted: one that exits within `windowMs` of
 * its start `limit` times in a row is broken, and restarting it again would only spin.
 */
export interface CrashLoopOptions {
  windowMs: number;
  limit: number;
  /**
   * How long the try after a quick exit waits for a start that failed (a restart, a wake from
   * idle); doubled for each quick exit in a row, never past half the window. Default BACKOFF_MS.
   */
  backoffMs?: number;
}

/** The rule both guards follow unless told otherwise: 3 exits in a row, each within 10 s of its start. */
export const DEFAULT_CRASH_LOOP: CrashLoopOptions = { windowMs: 10_000, limit: 3 };

/** The first pause after a start that failed: what a predecessor held (a lock, a port) has time to go. */
export const BACKOFF_MS = 1000;

/** `afterMs`: how long a start that failed waits before its next try (0 after a run past the window). */
export type CrashVerdict = { restart: true; afterMs: number } | { restart: false; reason: string };

export class CrashLoopDetector {
  private quickExits = 0;

  constructor(private readonly options: CrashLoopOptions) {}

  /** Records one unexpected exit and says whether to start the server again. */
  recordExit(startedAt: number, exitedAt: number, exitDescription: string): CrashVerdict {
    const quick = exitedAt - startedAt < this.options.windowMs;
    // A child that ran longer than the window broke the streak: count this exit as the first again.
    this.quickExits = quick ? this.quickExits + 1 : 0;
    if (this.quickExits >= this.options.limit) {
      return {
        restart: false,
        reason: `the server exited within ${formatSeconds(this.options.windowMs)} of starting ${this.quickExits} times in a row (last: ${exitDescription}); it is not restarted again`,
      };
    }
    return { restart: true, afterMs: this.backoff() };
  }

  /** The pause before the next try: none after a run past the window, else doubling with each quick exit in a row. */
  private backoff(): number {
    if (this.quickExits === 0) return 0;
    const first = this.options.backoffMs ?? BACKOFF_MS;
    return Math.min(first * 2 ** (this.quickExits - 1), this.options.windowMs / 2);
  }

  /** A restart the user asked for gets a fresh streak. */
  reset(): void {
    this.quickExits = 0;
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
