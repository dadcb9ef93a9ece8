import * as vscode from 'vscode';
import { stopSucceeded } from '../../core/actions/stop';
import { runAction } from '../actions/runAction';
import { Services } from '../services';
import { stopConfirmation, unconfiguredStopSteps } from '../viewModel/actionPlan';
import { findInstance } from '../viewModel/tree';
import { TreeNode } from '../viewModel/treeModel';
import { t } from '../viewModel/l10n';

type InstanceTarget = Extract<TreeNode, { kind: 'instance' }>;

/** A row of the tree, or a tooltip link's (server id, instanceKey), read again in the current snapshot. */
function target(
  svc: Services,
  arg: TreeNode | string | undefined,
  key: unknown,
): InstanceTarget | TreeNode | undefined {
  if (typeof arg !== 'string') return arg;
  const found = typeof key === 'string' ? findInstance(svc.store.snapshot, arg, key) : undefined;
  if (!found) {
    void vscode.window.showInformationMessage(
      t('That instance is no longer running{0}.', typeof key === 'string' ? t(' (pid {0})', key.split('@')[0]) : ''),
    );
    return undefined;
  }
  return { kind: 'instance', id: '', parentId: '', ...found };
}

/** Restart on one instance row (or its tooltip link): that instance only. */
export async function restartInstance(svc: Services, arg?: TreeNode | string, key?: unknown): Promise<void> {
  const node = target(svc, arg, key);
  if (node?.kind !== 'instance') return;
  await runAction(svc, 'restart', node.server, [node.instance], { from: 'instance' });
}

/** Stop on one instance row (or its tooltip link); a not-configured process is stopped directly (it has no owner config). */
export async function stopInstance(svc: Services, arg?: TreeNode | string, key?: unknown): Promise<void> {
  const node = target(svc, arg, key);
  if (node?.kind === 'instance') {
    await runAction(svc, 'stop', node.server, [node.instance], { from: 'instance' });
    return;
  }
  if (node?.kind !== 'unconfigured') return;
  const i = node.instance;
  if (svc.settings().confirmDestructiveActions) {
    const t = stopConfirmation({ name: `pid ${i.pid}` }, unconfiguredStopSteps(i), false);
    if ((await vscode.window.showWarningMessage(t.message, { modal: true, detail: t.detail }, t.button)) !== t.button)
      return;
  }
  const r = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: t('Stopping pid {0}', i.pid) },
    () => svc.engine.stop(i, svc.settings().stopGraceMs),
  );
  svc.log.info(`stop pid ${i.pid}: ${r.message}`);
  void svc.refresh.request('manual');
  const ok = stopSucceeded(r);
  void (ok
    ? vscode.window.showInformationMessage(`pid ${i.pid}: ${r.message}`)
    : vscode.window.showWarningMessage(`pid ${i.pid}: ${r.message}`));
}
