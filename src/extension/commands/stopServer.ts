import { runAction } from '../actions/runAction';
import { Services } from '../services';
import { CommandArg, pickServer } from './pickServer';
import { t } from '../viewModel/l10n';

/** Stop Server...: every running instance of one server. */
export async function stopServer(svc: Services, arg?: CommandArg): Promise<void> {
  const server = await pickServer(
    svc,
    arg,
    (s) => s.instances.length > 0,
    t('Stop which MCP server?'),
    t('No MCP server is running.'),
  );
  if (server) await runAction(svc, 'stop', server, server.instances);
}
