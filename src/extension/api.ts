import * as vscode from 'vscode';
import type { LifeguardSnapshot, McpLifeguardApi, RestartResult, ServerExplanation } from '../../api/mcp-lifeguard';
import { runAction } from './actions/runAction';
import { Services } from './services';
import { explainServer } from './viewModel/explain';

/**
 * What `activate` returns: the small, versioned API other extensions use (api/mcp-lifeguard.d.ts,
 * a file they copy). It reads the store the views read and restarts through the same action as the
 * Restart command, confirmation and trust included.
 */
export function createApi(svc: Services): McpLifeguardApi & vscode.Disposable {
  const emitter = new vscode.EventEmitter<LifeguardSnapshot>();
  const sub = svc.store.onDidChange(() => {
    const raw: LifeguardSnapshot | undefined = svc.store.raw;
    if (raw) emitter.fire(raw);
  });
  return {
    apiVersion: 1,
    snapshot: () => svc.store.raw,
    onDidChangeSnapshot: emitter.event,
    explain(serverId: string): ServerExplanation | undefined {
      const server = svc.store.server(serverId);
      return server && explainServer(server);
    },
    async restart(serverId: string): Promise<RestartResult> {
      const server = svc.store.server(serverId);
      if (!server) return { outcome: 'not-found', message: vscode.l10n.t('No MCP server has the id {0}.', serverId) };
      return runAction(svc, 'restart', server, server.instances);
    },
    dispose() {
      sub.dispose();
      emitter.dispose();
    },
  };
}
