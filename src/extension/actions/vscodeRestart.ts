import type { VmServer } from '../../core/report/input';
import { Services } from '../services';
import { isThisWindow, type PlanStep } from '../viewModel/actionPlan';
import { t } from '../viewModel/l10n';
import { VSCODE_MCP } from '../viewModel/vscodeServerId';
import { executePlan } from './executePlan';

/** How VS Code's restart went: what the check saw, and the pids this window's instances run as after it. */
export interface VsCodeRestart {
  ok: boolean;
  seen: string;
  pids: number[];
}

/**
 * VS Code's own MCP restart of a server this window runs (only VS Code starts its own servers),
 * verified in the process table as Restart is: what the check saw and the instances' pids after it,
 * for each caller to word.
 */
export async function restartThroughVsCode(
  svc: Services,
  server: VmServer,
  step: Omit<Extract<PlanStep, { kind: 'vscode' }>, 'kind' | 'command'>,
): Promise<VsCodeRestart> {
  const report = await executePlan(svc, 'restart', server, [{ kind: 'vscode', command: VSCODE_MCP.restart, ...step }], {
    report: () => undefined,
  });
  const ctx = svc.window();
  const pids = (svc.store.server(server.id)?.instances ?? []).filter((i) => isThisWindow(i, ctx)).map((i) => i.pid);
  return { ok: report.ok, seen: report.lines.join('; '), pids };
}

/** A VS Code restart that did not happen, and what to do instead. */
export function notRestartedText(name: string, seen: string): string {
  return t('VS Code: {0} was not restarted ({1}); restart it from MCP: List Servers.', name, seen);
}
