import type { VmServer } from '../../core/report/input';
import { Services } from '../services';
import type { PlanStep } from '../viewModel/actionPlan';
import { t } from '../viewModel/l10n';
import { VSCODE_MCP } from '../viewModel/vscodeServerId';
import { executePlan } from './executePlan';

/**
 * VS Code's own MCP restart of a server this window runs (only VS Code starts its own servers),
 * verified in the process table as Restart is; the sentence that says how it went. `restarted`
 * words the success from the server's name and what the check saw.
 */
export async function restartThroughVsCode(
  svc: Services,
  server: VmServer,
  step: Omit<Extract<PlanStep, { kind: 'vscode' }>, 'kind' | 'command'>,
  restarted: (name: string, seen: string) => string,
): Promise<string> {
  const report = await executePlan(svc, 'restart', server, [{ kind: 'vscode', command: VSCODE_MCP.restart, ...step }], {
    report: () => undefined,
  });
  const seen = report.lines.join('; ');
  return report.ok
    ? restarted(server.name, seen)
    : t('VS Code: {0} was not restarted ({1}); restart it from MCP: List Servers.', server.name, seen);
}
