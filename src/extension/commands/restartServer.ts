import { Services } from '../services';
import { CommandArg } from './pickServer';
import { runningServerAction } from './runningServerAction';
import { t } from '../viewModel/l10n';

/** Restart Server...: every running instance of one server, each by its owner's way. */
export async function restartServer(svc: Services, arg?: CommandArg): Promise<void> {
  await runningServerAction(svc, arg, 'restart', t('Restart which MCP server?'));
}
