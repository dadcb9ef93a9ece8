import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { Services } from '../services';
import { ActionKind, confirmationText, planAction } from '../viewModel/actionPlan';
import { VmInstance, VmServer } from '../viewModel/input';
import { executePlan } from './executePlan';

/** Asks (unless turned off) and returns whether to go on. The modal names every pid and client. */
export async function confirm(svc: Services, action: ActionKind | 'killDuplicates', server: VmServer, instances: readonly VmInstance[]): Promise<boolean> {
  if (!svc.settings().confirmDestructiveActions) return true;
  const t = confirmationText(action, server, instances);
  return (await vscode.window.showWarningMessage(t.message, { modal: true, detail: t.detail }, t.button)) === t.button;
}

/** Restart or stop instances of one server, by owner, with progress and a result message. */
export async function runAction(svc: Services, action: ActionKind, server: VmServer, instances: readonly VmInstance[], options: { confirmed?: boolean } = {}): Promise<void> {
  const plan = planAction(action, server, await svc.engine.withGuardEndpoints(instances), svc.window());
  if (plan.kind === 'blocked') {
    void vscode.window.showWarningMessage(plan.reason);
    return;
  }
  if (plan.kind === 'nothing') {
    void vscode.window.showInformationMessage(`Nothing to ${action}: ${plan.reason}.`);
    return;
  }
  if (!options.confirmed && !(await confirm(svc, action, server, instances))) return;
  const title = `${action === 'restart' ? 'Restarting' : 'Stopping'} ${server.name}`;
  const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, (progress) => executePlan(svc, action, server, plan.steps, progress));
  void svc.refresh.request('manual');
  const text = `${server.name}: ${[...report.lines, ...report.afterward].join('. ')}`;
  const wrap = report.offerWrap && svc.guardAvailable() ? ['Wrap with Guard'] : [];
  const choice = report.ok ? await vscode.window.showInformationMessage(text, ...wrap) : await vscode.window.showWarningMessage(text, 'Show Log', ...wrap);
  if (choice === 'Wrap with Guard') await vscode.commands.executeCommand(CommandId.wrapWithGuard, server.id);
  if (choice === 'Show Log') svc.log.show();
}
