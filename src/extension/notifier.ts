import * as vscode from 'vscode';
import { CommandId } from './commandIds';
import { restartTargets } from './commands/restartAllStale';
import { rollbackServer } from './commands/versionActions';
import { claimEvent, sweepClaims } from './eventClaim';
import { Services } from './services';
import {
  batchUpdates,
  claimed,
  currentTargets,
  decideNotifications,
  eventOver,
  Notification,
  notificationIds,
  OwnAction,
  ownedByAction,
  Toast,
  DOWN_ACTIONS,
  staleActionLabel,
  staleActionOf,
} from './viewModel/notifications';
import { autoRestartCandidates } from './viewModel/autoRestart';
import type { VmSnapshot } from '../core/report/input';

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
    svc.ownActions.onEnding((action) => this.markSaid([action]));
    // Each window start clears the markers of events long past (one is made per event and process).
    sweepClaims(svc.engine.paths.state);
  }

  private async onSnapshot(): Promise<void> {
    if (!this.svc.store.snapshot) return;
    await this.autoRestartGuarded();
    // Decided on the snapshot as it is now, with nothing awaited before the owned ones are set
    // aside: an action that ended meanwhile has marked what its result said.
    const snap = this.svc.store.snapshot;
    if (!snap) return;
    const candidates = this.decide(snap);
    candidates.forEach((n) => notificationIds(n).forEach((id) => this.seen.add(id)));
    const own = this.svc.ownActions.active();
    this.claimSaid(candidates.filter((n) => ownedByAction(n, own)));
    const mine = claimed(
      candidates.filter((n) => !ownedByAction(n, own)),
      (id) => {
        const r = claimEvent(this.svc.engine.paths.state, id, undefined, this.svc.engine.paths.root);
        if (r.kind === 'error')
          this.svc.log.warn(`could not record notification ${id} (${r.message}); showing it here anyway`);
        return r.kind !== 'taken';
      },
    );
    for (const n of batchUpdates(mine)) void this.show(n);
  }

  private decide(snap: VmSnapshot): Notification[] {
    const settings = this.svc.settings();
    const muted = new Set(this.svc.context.globalState.get<string[]>(MUTED_KEY, []));
    return decideNotifications(
      snap,
      { seen: this.seen, muted },
      { onUpgrade: settings.notifyOnUpgrade, onRegistryUpdate: settings.notifyOnRegistryUpdate },
    );
  }

  /** An action is ending: what it made, as the snapshot shows now, was said by its result. */
  private markSaid(actions: readonly OwnAction[]): void {
    const snap = this.svc.store.snapshot;
    if (!snap) return;
    const said = this.decide(snap).filter((n) => ownedByAction(n, actions));
    said.forEach((n) => notificationIds(n).forEach((id) => this.seen.add(id)));
    this.claimSaid(said);
  }

  /** Events an action's result said: claimed across windows, so no other window says them again. */
  private claimSaid(said: readonly Notification[]): void {
    for (const n of said) {
      for (const id of notificationIds(n))
        claimEvent(this.svc.engine.paths.state, id, undefined, this.svc.engine.paths.root);
      this.svc.log.info(`notify: not shown, the action's own result says it: ${n.message}`);
    }
  }

  private async show(n: Toast): Promise<void> {
    this.svc.log.info(`notify: ${n.message}`);
    if (n.kind === 'update' || n.kind === 'updates') {
      void vscode.window.showInformationMessage(n.message);
      return;
    }
    const actions = n.kind === 'down' ? DOWN_ACTIONS.filter((a) => a !== 'Roll Back' || n.rollBack) : n.actions;
    const choice = staleActionOf(await vscode.window.showWarningMessage(n.message, ...actions.map(staleActionLabel)));
    switch (choice) {
      case 'Roll Back':
        await rollbackServer(this.svc, n.serverId);
        break;
      case 'Restart...': {
        if (n.kind !== 'stale') break;
        // The toast may be old: act on what runs the old code now, read afresh, never on the pids it saw.
        await this.svc.refresh.request('manual');
        const targets = currentTargets(this.svc.store.snapshot, n);
        if (targets.length === 0) void vscode.window.showInformationMessage(eventOver(n));
        else await restartTargets(this.svc, targets);
        break;
      }
      case 'Show':
        await vscode.commands.executeCommand(CommandId.showView, n.serverId);
        break;
      default:
        break;
    }
  }

  /** `autoRestartStale: guardedWhenIdle`: restart what the view-model allows, when its guard has nothing in flight. */
  private async autoRestartGuarded(): Promise<void> {
    const snap = this.svc.store.snapshot;
    if (!snap) return;
    for (const c of autoRestartCandidates(
      snap,
      this.svc.settings().autoRestartStale,
      this.svc.window(),
      this.autoRestarted,
    )) {
      this.autoRestarted.add(c.key);
      const [i] = await this.svc.engine.withGuardEndpoints([c.instance]);
      if (!i.lock?.control) continue;
      try {
        const status = await this.svc.engine.guardStatus(i.lock.control);
        if (!status.ok || status.result.inFlight > 0) continue;
        const r = await this.svc.engine.guardRestart(
          i.lock.control,
          this.svc.settings().restartWithoutCheck.includes(i.lock.serverName) ? { check: 'none' } : {},
        );
        this.svc.log.info(
          `auto-restart of stale ${c.server.name} (pid ${i.pid}) through its guard: ${r.ok ? `new pid ${r.result.childPid}` : r.error}`,
        );
      } catch (err) {
        this.svc.log.warn(`auto-restart of ${c.server.name} (pid ${i.pid}) failed: ${(err as Error).message}`);
      }
    }
  }

  dispose(): void {
    this.sub.dispose();
  }
}
