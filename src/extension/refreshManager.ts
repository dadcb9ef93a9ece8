import * as vscode from 'vscode';
import { RefreshQueue } from './refreshQueue';
import { SETTLING_RECHECK_MS } from '../core/snapshot/settle';
import { nextPollInMs, pollDelayMs } from './viewModel/pollDelay';

/** Why a refresh was asked for: automatic ones are debounced, manual ones run at once. */
export type RefreshReason = 'interval' | 'event' | 'config' | 'manual';

/** What a file watcher looks at: a folder and a glob pattern inside it (not recursive). */
export interface WatchTarget {
  base: string;
  pattern: string;
}

const DEBOUNCE_MS = 300;

/**
 * Owns every refresh trigger: the process poll (its pace from viewModel/pollDelay.ts: slower while no
 * view of the tree is visible or the window is not focused), watchers on every config file the scan
 * looked at (missing ones too, so creating a config shows at once) and on installed package folders
 * (an upgrade shows without waiting for the poll), settings changes and the Refresh command.
 */
export class RefreshManager implements vscode.Disposable {
  private readonly queue: RefreshQueue;
  private poll: NodeJS.Timeout | undefined;
  private watchers = new Map<string, vscode.Disposable>();
  private polling = false;
  private settling = false;
  private viewVisible = false;
  /** When the last load ended: the poll counts from there, whatever changed its pace since. */
  private lastLoadEnd = 0;
  private disposed = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    load: () => Promise<void>,
    private readonly intervalMs: () => number,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.queue = new RefreshQueue(
      async () => {
        try {
          await load();
        } finally {
          this.lastLoadEnd = Date.now();
          this.schedulePoll();
        }
      },
      (err) => this.log.error(`refresh failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
      DEBOUNCE_MS,
    );
    this.subscriptions.push(
      // Coming back to a window shows fresh data without waiting for the slow unfocused poll.
      vscode.window.onDidChangeWindowState(() => this.schedulePoll()),
    );
  }

  /** Manual refreshes resolve when their load is done; automatic ones return at once. */
  request(reason: RefreshReason): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.log.trace(`refresh requested: ${reason}`);
    if (reason === 'manual') return this.queue.now();
    this.queue.soon();
    return Promise.resolve();
  }

  /** Polling runs only while something is configured: with nothing to watch, the file watchers suffice. */
  setPolling(on: boolean): void {
    this.polling = on;
    if (!on) clearTimeout(this.poll);
  }

  /**
   * While a verdict waits for an install (settling), the next look comes soon: the wait ends when
   * the installer has exited, which no file event announces.
   */
  setSettling(on: boolean): void {
    this.settling = on;
  }

  /** Whether any view of the tree is visible: showing one brings a look that is due at once. */
  setViewVisible(visible: boolean): void {
    if (visible === this.viewVisible) return;
    this.viewVisible = visible;
    this.schedulePoll();
  }

  private schedulePoll(): void {
    clearTimeout(this.poll);
    if ((!this.polling && !this.settling) || this.disposed) return;
    const delay = pollDelayMs(
      {
        intervalMs: this.intervalMs(),
        focused: vscode.window.state.focused,
        viewVisible: this.viewVisible,
        settling: this.settling,
      },
      SETTLING_RECHECK_MS,
    );
    this.poll = setTimeout(() => this.request('interval'), nextPollInMs(this.lastLoadEnd, Date.now(), delay));
  }

  /** Watches exactly these targets; watchers no longer wanted are dropped. */
  watch(targets: readonly WatchTarget[]): void {
    const wanted = new Map(targets.map((t) => [`${t.base}\0${t.pattern}`, t]));
    for (const [key, w] of this.watchers) {
      if (!wanted.has(key)) {
        w.dispose();
        this.watchers.delete(key);
      }
    }
    for (const [key, t] of wanted) {
      if (this.watchers.has(key)) continue;
      // A pattern on the parent folder sees the file appear, change and go, even outside the workspace.
      const w = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.file(t.base), t.pattern),
      );
      const fire = () => void this.request('event');
      w.onDidCreate(fire);
      w.onDidChange(fire);
      w.onDidDelete(fire);
      this.watchers.set(key, w);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.queue.close();
    clearTimeout(this.poll);
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
    this.subscriptions.forEach((d) => d.dispose());
  }
}
