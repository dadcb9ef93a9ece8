import * as vscode from 'vscode';
import type { Snapshot } from '../core/base/model';
import { LoadState } from './viewModel/statusBar';
import { filterSources } from './viewModel/sourcesFilter';
import { toViewInput, VmServer, VmSnapshot } from '../core/report/input';
import { keepIdleInstalled } from '../core/snapshot/idleInstalled';

/** The latest snapshot, as the engine gave it and as the views read it; one change event for all. */
export class SnapshotStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<LoadState>();
  readonly onDidChange = this.emitter.event;
  private _state: LoadState = { state: 'loading' };
  private _raw: Snapshot | undefined;

  get state(): LoadState {
    return this._state;
  }

  /** The engine's snapshot (for core actions that take it, e.g. the kill-duplicates plan). */
  get raw(): Snapshot | undefined {
    return this._raw;
  }

  get snapshot(): VmSnapshot | undefined {
    return this._state.state === 'ready' ? this._state.snapshot : undefined;
  }

  server(id: string): VmServer | undefined {
    return this.snapshot?.servers.find((s) => s.id === id);
  }

  setSnapshot(raw: Snapshot, sources: readonly string[], options: { versionsPending?: boolean } = {}): void {
    // An idle guard's server keeps the version it last ran from (and so Upgrade and its row's actions).
    raw = keepIdleInstalled(this._raw, raw);
    this._raw = raw;
    this._state = { state: 'ready', snapshot: filterSources(toViewInput(raw, options), sources) };
    this.emitter.fire(this._state);
  }

  setFailed(message: string): void {
    // A failed refresh after a good one keeps showing the last good data; the log says why.
    if (this._state.state === 'ready') return;
    this._state = { state: 'failed', message };
    this.emitter.fire(this._state);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
