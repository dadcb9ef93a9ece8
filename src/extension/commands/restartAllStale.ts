import * as vscode from 'vscode';
import { runAction } from '../actions/runAction';
import { Services } from '../services';
import { bulkRestartConfirmation } from '../viewModel/actionPlan';
import { VmInstance, VmServer } from '../../core/report/input';
import { bulkRestartTargets } from '../../core/report/state';
import { t } from '../viewModel/l10n';

export type RestartTarget = { server: VmServer; instances: VmInstance[] };

/** Restart or Stop Stale Servers: one confirmation for all (naming what is only stopped), then each server by its owners' ways. */
export async function restartAllStale(svc: Services): Promise<void> {
  const targets = (svc.store.snapshot?.servers ?? [])
    .map((server) => ({ server, instances: bulkRestartTargets(server) }))
    .filter((t) => t.instances.length > 0);
  if (targets.length === 0) {
    void vscode.window.showInformationMessage(t('No MCP server is running replaced code.'));
    return;
  }
  await restartTargets(svc, targets);
}

/** One confirmation for several servers' instances, then each server's plan (also a notification's Restart...). */
export async function restartTargets(svc: Services, targets: readonly RestartTarget[]): Promise<void> {
  if (svc.settings().confirmDestructiveActions) {
    const t = bulkRestartConfirmation(targets, svc.window());
    if ((await vscode.window.showWarningMessage(t.message, { modal: true, detail: t.detail }, t.button)) !== t.button)
      return;
  }
  for (const t of targets) await runAction(svc, 'restart', t.server, t.instances, { confirmed: true });
}
