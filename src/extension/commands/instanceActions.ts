import * as vscode from 'vscode';
import { runAction } from '../actions/runAction';
import { Services } from '../services';
import { confirmationText } from '../viewModel/actionPlan';
import { TreeNode } from '../viewModel/tree';

/** Restart on one instance row. */
export async function restartInstance(svc: Services, node?: TreeNode): Promise<void> {
  if (node?.kind !== 'instance') return;
  await runAction(svc, 'restart', node.server, [node.instance]);
}

/** Stop on one instance row; a not-configured process is stopped directly (it has no owner config). */
export async function stopInstance(svc: Services, node?: TreeNode): Promise<void> {
  if (node?.kind === 'instance') return runAction(svc, 'stop', node.server, [node.instance]);
  if (node?.kind !== 'unconfigured') return;
  const i = node.instance;
  if (svc.settings().confirmDestructiveActions) {
    const t = confirmationText('stop', { name: `pid ${i.pid}` }, [i]);
    if ((await vscode.window.showWarningMessage(t.message, { modal: true, detail: t.detail }, t.button)) !== t.button) return;
  }
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Stopping pid ${i.pid}` }, () => svc.engine.stop(i, svc.settings().stopGraceMs));
  svc.log.info(`stop pid ${i.pid}: ${r.message}`);
  void svc.refresh.request('manual');
  const ok = r.outcome === 'stopped' || r.outcome === 'gone';
  void (ok ? vscode.window.showInformationMessage(`pid ${i.pid}: ${r.message}`) : vscode.window.showWarningMessage(`pid ${i.pid}: ${r.message}`));
}
