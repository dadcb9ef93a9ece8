import * as vscode from 'vscode';
import { runAction } from './actions/runAction';
import { CommandId } from './commandIds';
import { claimEvent } from './eventClaim';
import { Services } from './services';
import { claimed, decideNotifications, Notification } from './viewModel/notifications';
import { instanceKey } from './viewModel/tree';
import { isGuarded, staleInstances } from './viewModel/state';
import { mayRun } from './viewModel/trust';

const MUTED_KEY = 'mcpLifeguard.mutedServers';

/**
 * Upgrade and registry notifications. The view-model decides what is news; this window shows only
 * the events it claims in the user's state dir, so one window notifies, not every window.
 */
export class Notifier implements vscode.Disposable {
  private readonly seen = new Set<string>();
  /** Guarded instances this window already asked its guard to restart (pid@start). */
  private readonly autoRestarted = new Set<string>();
  private readonly sub: vscode.Disposable;

  constructor(private readonly svc: Services) {
    this.sub = svc.store.onDidChange(() => void this.onSnapshot());
  }

  private async onSnapshot(): Promise<void> {
    const snap = this.svc.store.snapshot;
    if (!snap) return;
    const settings = this.svc.settings();
    if (settings.autoRestartStale === 'guardedWhenIdle') await this.autoRestartGuarded();
    const muted = new Set(this.svc.context.globalState.get<string[]>(MUTED_KEY, []));
    const candidates = decideNotifications(snap, { seen: this.seen, muted }, { onUpgrade: settings.notifyOnUpgrade, onRegistryUpdate: settings.notifyOnRegistryUpdate });
    candidates.forEach((n) => this.seen.add(n.eventId));
    const mine = claimed(candidates, (id) => {
      const r = claimEvent(this.svc.engine.paths.state, id);
      if (r.kind === 'error') this.svc.log.warn(`could not record notification ${id} (${r.message}); showing it here anyway`);
      return r.kind !== 'taken';
    });
    for (const n of mine) void this.show(n);
  }

  private async show(n: Notification): Promise<void> {
    this.svc.log.info(`notify: ${n.message}`);
    if (n.kind === 'update') {
      void vscode.window.showInformationMessage(n.message);
      return;
    }
    const choice = await vscode.window.showWarningMessage(n.message, ...n.actions);
    const server = this.svc.store.server(n.serverId);
    switch (choice) {
      case 'Restart':
        if (server) await runAction(this.svc, 'restart', server, staleInstances(server));
        break;
      case 'Show':
        await vscode.commands.executeCommand(CommandId.showView, n.serverId);
        break;
      case "Don't Ask for This Server": {
        const muted = this.svc.context.globalState.get<string[]>(MUTED_KEY, []);
        await this.svc.context.globalState.update(MUTED_KEY, [...new Set([...muted, n.serverId])]);
        break;
      }
      default:
        break;
    }
  }

  /** `autoRestartStale: guardedWhenIdle`: the guard keeps the client's session, so only guarded, idle instances. */
  private async autoRestartGuarded(): Promise<void> {
    const win = this.svc.window();
    for (const server of this.svc.store.snapshot?.servers ?? []) {
      // A guard restart runs the configured command again: never for an untrusted workspace's server.
      if (!mayRun('restart', server, win.trusted, win.workspaceFolders).allowed) continue;
      for (const i of await this.svc.engine.withGuardEndpoints(staleInstances(server))) {
        const key = `${server.id}:${instanceKey(i)}`;
        if (!isGuarded(i) || !i.lock?.control || this.autoRestarted.has(key)) continue;
        this.autoRestarted.add(key);
        try {
          const status = await this.svc.engine.guardStatus(i.lock.control);
          if (!status.ok || status.result.inFlight > 0) continue;
          const r = await this.svc.engine.guardRestart(i.lock.control);
          this.svc.log.info(`auto-restart of stale ${server.name} (pid ${i.pid}) through its guard: ${r.ok ? `new pid ${r.result.childPid}` : r.error}`);
        } catch (err) {
          this.svc.log.warn(`auto-restart of ${server.name} (pid ${i.pid}) failed: ${(err as Error).message}`);
        }
      }
    }
  }

  dispose(): void {
    this.sub.dispose();
  }
}
