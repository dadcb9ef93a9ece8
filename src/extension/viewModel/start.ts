import { OwnerContext, startsPerSession } from './actionPlan';
import { VmServer } from '../../core/report/input';
import { mayRun } from './trust';
import { VSCODE_MCP, vscodeServerId } from './vscodeServerId';

/** How Start starts a configured server that is not running: only where MCP Lifeguard can do it honestly. */
export type StartTarget = { kind: 'vscode'; command: typeof VSCODE_MCP.start; serverId: string };

/**
 * Start is offered for a stdio or HTTP server VS Code itself runs from a config (its own start, so
 * the client that owns it owns the process), never in an untrusted workspace for the workspace's
 * servers, never for a disabled one. Every other server is started by its client: see startedBy.
 */
export function startTarget(server: VmServer, window: OwnerContext, trusted: boolean, workspaceFolders: readonly string[]): StartTarget | undefined {
  if (server.instances.length > 0 || server.disabled) return undefined;
  if (!mayRun('start', server, trusted, workspaceFolders).allowed) return undefined;
  const id = vscodeServerId(server, window);
  return id === undefined ? undefined : { kind: 'vscode', command: VSCODE_MCP.start, serverId: id };
}

/** Who starts a server MCP Lifeguard does not start, in the words a not-running row's tooltip uses. */
export function startedBy(server: Pick<VmServer, 'source' | 'transport'>): string {
  const { client, label } = server.source;
  if (server.transport !== 'stdio') return 'An HTTP server runs on its own: start it as its documentation says; `mcp-lifeguard ensure --http --listen 127.0.0.1:PORT -- COMMAND` starts one and keeps it to one instance.';
  if (client === 'vscode' || client === 'vscode-insiders') return 'VS Code starts it when it is needed, in the window whose workspace or profile defines it (MCP: List Servers, Start Server).';
  if (startsPerSession(client)) return `${label} starts it at the start of its next session.`;
  return `${label} starts it when it starts (or when you reconnect the server there).`;
}
