import { OwnerContext, startsPerSession } from './actionPlan';
import { VmServer } from '../../core/report/input';
import { mayRun } from './trust';
import { VSCODE_MCP, vscodeServerId } from './vscodeServerId';
import { t } from './l10n';

/** How Start starts a configured server that is not running: only where MCP Lifeguard can do it honestly. */
export type StartTarget =
  | { kind: 'vscode'; command: typeof VSCODE_MCP.start; serverId: string }
  /** An HTTP server: the `mcp-lifeguard ensure --http ...` command line ensure recorded for its port, run again. */
  | { kind: 'ensure'; argv: string[]; cwd: string; recordedAt: string };

/**
 * Start is offered for a stdio or HTTP server VS Code itself runs from a config (its own start, so
 * the client that owns it owns the process), never in an untrusted workspace for the workspace's
 * servers, never for a disabled one. Every other server is started by its client: see startedBy.
 */
export function startTarget(
  server: VmServer,
  window: OwnerContext,
  trusted: boolean,
  workspaceFolders: readonly string[],
): StartTarget | undefined {
  // One that runs on the other side of a remote window would start there, out of sight: not offered.
  if (server.instances.length > 0 || server.disabled || server.elsewhere) return undefined;
  if (!mayRun('start', server, trusted, workspaceFolders).allowed) return undefined;
  // An HTTP entry is only a URL: VS Code's start would only connect. What serves it is what ensure ran for that port.
  if (server.transport !== 'stdio' && server.recordedLaunch) return { kind: 'ensure', ...server.recordedLaunch };
  const id = vscodeServerId(server, window);
  return id === undefined ? undefined : { kind: 'vscode', command: VSCODE_MCP.start, serverId: id };
}

/** Who starts a server MCP Lifeguard does not start, in the words a not-running row's tooltip uses. */
export function startedBy(server: Pick<VmServer, 'source' | 'transport'>): string {
  const { client, label } = server.source;
  if (server.transport !== 'stdio')
    return t(
      'An HTTP server runs on its own: start it as its documentation says, or with `mcp-lifeguard ensure --http --listen 127.0.0.1:PORT -- COMMAND`, which starts one and keeps it to one instance; once ensure has run it for this port, Start here runs that command again.',
    );
  if (client === 'vscode' || client === 'vscode-insiders')
    return t(
      'VS Code starts it when it is needed, in the window whose workspace or profile defines it (MCP: List Servers, Start Server).',
    );
  if (startsPerSession(client)) return t('{0} starts it at the start of its next session.', label);
  return t('{0} starts it when it starts (or when you reconnect the server there).', label);
}

/** The command line Start runs for an `ensure` target, as the confirmation shows it. */
export function ensureCommandText(argv: readonly string[]): string {
  return ['mcp-lifeguard', ...argv]
    .map((a) => (/^[\w.,:@%+=/-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** Start's question for an HTTP server, saying exactly what will run, where, and with which environment. */
export function ensureStartQuestion(name: string, target: Extract<StartTarget, { kind: 'ensure' }>): string {
  return t(
    "Start {0}? MCP Lifeguard runs the command `mcp-lifeguard ensure` recorded for this port on {1}:\n\n{2}\n\nin {3}, with VS Code's environment (no environment value was recorded). If it already runs, nothing is started.",
    name,
    target.recordedAt,
    ensureCommandText(target.argv),
    target.cwd,
  );
}

/** What Start says once the server's process shows: which pid started. */
export function startedMessage(name: string, pids: readonly number[]): string {
  return pids.length === 0 ? t('{0} started.', name) : t('{0} started: pid {1}.', name, pids.join(', '));
}
