import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { Services } from '../services';
import {
  ActionKind,
  Confirmation,
  confirmationText,
  planAction,
  restartConfirmation,
  restartRiskConfirmation,
  restartRiskOf,
  stopConfirmation,
} from '../viewModel/actionPlan';
import { VmInstance, VmServer } from '../../core/report/input';
import { executePlan } from './executePlan';
import { ActionResult, actionResult, resultButtonLabel } from '../viewModel/actionResult';
import { t } from '../viewModel/l10n';

/** Asks (unless turned off) and returns whether to go on. The modal names every pid and client. */
export async function confirm(
  svc: Services,
  action: ActionKind | 'killDuplicates',
  server: Pick<VmServer, 'name'>,
  instances: readonly VmInstance[],
): Promise<boolean> {
  if (!svc.settings().confirmDestructiveActions) return true;
  return (await ask(confirmationText(action, server, instances))) === 'go';
}

/** Shows a confirmation: `go` for its main button, `wrap` for Wrap with Guard first, `rollBack` for Roll Back instead. */
async function ask(c: Confirmation): Promise<'go' | 'wrap' | 'rollBack' | undefined> {
  const choice = await vscode.window.showWarningMessage(
    c.message,
    { modal: true, detail: c.detail },
    c.button,
    ...(c.wrapButton ? [c.wrapButton] : []),
    ...(c.rollBackButton ? [c.rollBackButton] : []),
  );
  if (choice === undefined) return undefined;
  if (choice === c.button) return 'go';
  if (choice === c.wrapButton) return 'wrap';
  return choice === c.rollBackButton ? 'rollBack' : undefined;
}

/** What an action came to, for callers that report it on (the API for other extensions). */
export type RunActionResult =
  | { outcome: 'done' | 'failed'; message: string }
  | { outcome: 'cancelled' }
  | { outcome: 'nothing' | 'blocked'; message: string };

/** Restart or stop instances of one server, by owner, with progress and a result message. */
export async function runAction(
  svc: Services,
  action: ActionKind,
  server: VmServer,
  instances: readonly VmInstance[],
  options: { confirmed?: boolean; from?: 'server' | 'instance' } = {},
): Promise<RunActionResult> {
  const plan = planAction(
    action,
    server,
    await svc.engine.withGuardEndpoints(instances),
    svc.window(),
    options.from ?? 'server',
  );
  if (plan.kind === 'blocked') {
    void vscode.window.showWarningMessage(plan.reason);
    return { outcome: 'blocked', message: plan.reason };
  }
  if (plan.kind === 'nothing') {
    void vscode.window.showInformationMessage(t('Nothing to {0}: {1}.', action, plan.reason));
    return { outcome: 'nothing', message: plan.reason };
  }
  let wrapped = false;
  // What is installed will probably not start: asked every time (whatever the setting), and Cancel keeps it serving.
  const risk = action === 'restart' ? restartRiskOf(instances) : undefined;
  if (risk) {
    const answer = await ask(restartRiskConfirmation(server, risk));
    if (answer === 'rollBack') await vscode.commands.executeCommand(CommandId.rollbackServer, server.id);
    if (answer !== 'go') return { outcome: 'cancelled' };
  }
  if (!risk && !options.confirmed && svc.settings().confirmDestructiveActions) {
    // A restart says beforehand which instances it only stops (their client must start them).
    const c =
      action === 'restart'
        ? restartConfirmation(server, plan.steps, svc.guardAvailable())
        : stopConfirmation(server, plan.steps, svc.guardAvailable());
    const answer = await ask(c);
    if (answer === undefined) return { outcome: 'cancelled' };
    // Wrap first (its own diff and confirmation); the client then starts the server through the guard.
    if (answer === 'wrap') {
      wrapped = (await vscode.commands.executeCommand<boolean>(CommandId.wrapWithGuard, server.id)) === true;
      if (!wrapped) return { outcome: 'cancelled' };
    }
  }
  const stopsOnly = plan.steps.every((s) => s.kind === 'terminate');
  const title = action === 'restart' && !stopsOnly ? t('Restarting {0}', server.name) : t('Stopping {0}', server.name);
  // A server that goes down under this restart is said by its result, not by a notification beside it.
  const release = action === 'restart' ? svc.ownActions.hold({ kind: 'restart', serverIds: [server.id] }) : undefined;
  let result: ActionResult;
  try {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title },
      (progress) => executePlan(svc, action, server, plan.steps, progress, risk !== undefined),
    );
    // Read again before the result is said: a server the restart left down is said as down, once.
    if (release) await svc.refresh.request('manual');
    else void svc.refresh.request('manual');
    result = actionResult(
      server.name,
      report,
      release ? svc.store.server(server.id) : undefined,
      report.offerWrap && !wrapped && svc.guardAvailable(),
    );
  } finally {
    release?.();
  }
  // The result is not awaited: a toast stays until dismissed, and several servers' actions (Restart
  // All Stale, a notification's Restart...) must not wait on each other's messages.
  const buttons = result.buttons.map(resultButtonLabel);
  const shown = result.ok
    ? vscode.window.showInformationMessage(result.message, ...buttons)
    : vscode.window.showWarningMessage(result.message, ...buttons);
  void shown.then(async (label) => {
    switch (result.buttons.find((b) => resultButtonLabel(b) === label)) {
      case 'Wrap with Guard':
        await vscode.commands.executeCommand(CommandId.wrapWithGuard, server.id);
        break;
      case 'Show Log':
        svc.log.show();
        break;
      case 'Roll Back':
        await vscode.commands.executeCommand(CommandId.rollbackServer, server.id);
        break;
      case 'Show':
        await vscode.commands.executeCommand(CommandId.showView, server.id);
        break;
      default:
        break;
    }
  });
  return { outcome: result.ok ? 'done' : 'failed', message: result.message };
}
