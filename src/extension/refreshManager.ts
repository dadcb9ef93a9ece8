import * as path from 'node:path';
import * as vscode from 'vscode';

/** Why a refresh was asked for: automatic ones are debounced, manual ones run at once. */
export type RefreshReason = 'interval' | 'event' | 'config' | 'manual';

const DEBOUNCE_MS = 300;
/** Unfocused windows poll this many times less often: the user is not looking at them. */
const UNFOCUSED_FACTOR = 4;

/**
 * Owns every refresh trigger: the process poll, watchers on every config file the scan looked at
 * (missing ones too, so creating a config shows at once), settings changes and the Refresh command.
 * One load runs at a time; requests during a load coalesce into one more.
 */
export class RefreshManager implements vscode.Disposable {
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private watchers = new Map<string, vscode.Disposable>();
  private polling = false;
  private disposed = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly load: () => Promise<void>,
    private readonly intervalMs: () => number,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      vscode.window.onDidChangeWindowState((s) => {
        // Coming back to a window shows fresh data without waiting for the slow unfocused poll.
        if (s.focused && this.polling) void this.request('interval');
      }),
    );
  }

  /** Manual refreshes resolve when their load is done; automatic ones return at once. */
  request(reason: RefreshReason): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.log.trace(`refresh requested: ${reason}`);
    if (reason === 'manual') return this.runNow();
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.runNow(), DEBOUNCE_MS);
    return Promise.resolve();
  }

  private runNow(): Promise<void> {
    clearTimeout(this.debounce);
    if (this.queued) return this.queued;
    const run = this.chain.then(async () => {
      this.queued = undefined;
      try {
        await this.load();
      } catch (err) {
        this.log.error(`refresh failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      this.schedulePoll();
    });
    this.queued = run;
    this.chain = run;
    return run;
  }

  /** Polling runs only while something is configured: with nothing to watch, the file watchers suffice. */
  setPolling(on: boolean): void {
    this.polling = on;
    if (!on) clearTimeout(this.poll);
  }

  private schedulePoll(): void {
    clearTimeout(this.poll);
    if (!this.polling || this.disposed) return;
    const ms = this.intervalMs() * (vscode.window.state.focused ? 1 : UNFOCUSED_FACTOR);
    this.poll = setTimeout(() => void this.request('interval'), ms);
  }

  /** Watches exactly these files; watchers for files no longer scanned are dropped. */
  watchFiles(files: readonly string[]): void {
    const wanted = new Set(files);
    for (const [file, w] of this.watchers) {
      if (!wanted.has(file)) {
        w.dispose();
        this.watchers.delete(file);
      }
    }
    for (const file of wanted) {
      if (this.watchers.has(file)) continue;
      // A pattern on the parent folder sees the file appear, change and go, even outside the workspace.
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      const fire = () => void this.request('event');
      w.onDidCreate(fire);
      w.onDidChange(fire);
      w.onDidDelete(fire);
      this.watchers.set(file, w);
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.debounce);
    clearTimeout(this.poll);
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
    this.subscriptions.forEach((d) => d.dispose());
  }
}
