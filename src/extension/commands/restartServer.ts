import { runAction } from '../actions/runAction';
import { Services } from '../services';
import { CommandArg, pickServer } from './pickServer';
import { t } from '../viewModel/l10n';

/** Restart Server...: every running instance of one server, each by its owner's way. */
export async function restartServer(svc: Services, arg?: CommandArg): Promise<void> {
  const server = await pickServer(
    svc,
    arg,
    (s) => s.instances.length > 0,
    t('Restart which MCP server?'),
    t('No MCP server is running.'),
  );
  if (server) await runAction(svc, 'restart', server, server.instances);
}
