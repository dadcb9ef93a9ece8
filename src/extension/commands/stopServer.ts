import { Services } from '../services';
import { CommandArg } from './pickServer';
import { runningServerAction } from './runningServerAction';
import { t } from '../viewModel/l10n';

/** Stop Server...: every running instance of one server. */
export async function stopServer(svc: Services, arg?: CommandArg): Promise<void> {
  await runningServerAction(svc, arg, 'stop', t('Stop which MCP server?'));
}
