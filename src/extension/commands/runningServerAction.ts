import { runAction } from '../actions/runAction';
import type { ActionKind } from '../viewModel/actionPlan';
import { Services } from '../services';
import { CommandArg, pickServer } from './pickServer';
import { t } from '../viewModel/l10n';

/** Picks a running server (the one the command was given, or asks `question`) and runs `action` on every instance of it. */
export async function runningServerAction(
  svc: Services,
  arg: CommandArg | undefined,
  action: Extract<ActionKind, 'restart' | 'stop'>,
  question: string,
): Promise<void> {
  const server = await pickServer(svc, arg, (s) => s.instances.length > 0, question, t('No MCP server is running.'));
  if (server) await runAction(svc, action, server, server.instances);
}
