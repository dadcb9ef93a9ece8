import { OwnerContext, startsPerSession } from './actionPlan';
import { VmServer } from '../../core/report/input';
import { mayRun } from './trust';
import { VSCODE_MCP, vscodeServerId } from './vscodeServerId';
import { t } from './l10n';
import { shownText } from './format';
import { downVerdict, idleVerdict } from '../../core/report/state';
import { downCause } from '../../core/base/downReason';
import { isGuard } from '../../core/processes/argv';

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
  return startTargetOf(server, window, mayRun('start', server, trusted, workspaceFolders).allowed);
}

/** startTarget with the workspace's trust already asked (`mayStart`: mayRun's answer), as a tree row asks it once. */
export function startTargetOf(server: VmServer, window: OwnerContext, mayStart: boolean): StartTarget | undefined {
  // One that runs on the other side of a remote window would start there, out of sight: not offered.
  if (server.instances.length > 0 || server.disabled || server.elsewhere) return undefined;
  if (!mayStart) return undefined;
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

/** Whether a command line is the guard's own process (`mcp-lifeguard run ...`), not a server. */
const isGuardLine = (commandLine: string | undefined): boolean =>
  commandLine !== undefined && isGuard(commandLine.split(' '));

/**
 * What a look after Start shows of the server: still starting (nothing yet, or only its guard,
 * whose server has not shown), running (its server's pids, and its guard's), or exited right after
 * it started: its guard gave up on it (its reason, the server's last error line, redacted), or the
 * process that showed is gone (`shownBefore`).
 */
export type StartLook =
  | { kind: 'starting' }
  | { kind: 'running'; message: string }
  | { kind: 'exited'; message: string; why: 'guard' | 'gone' };

export function startLook(name: string, server: VmServer | undefined, shownBefore: boolean): StartLook {
  const instances = server?.instances ?? [];
  const down = instances.map(downVerdict).find((v) => v !== undefined);
  if (down)
    return {
      kind: 'exited',
      why: 'guard',
      message: shownText(t('{0} exited right after it started: {1}.', name, downCause(down.reason).replace(/\.$/, ''))),
    };
  // A guard started lazily, or stopped its server already for idleness: it runs, its server comes with the first request.
  const idle = instances.find((i) => idleVerdict(i) !== undefined);
  if (idle)
    return {
      kind: 'running',
      message: t('{0} started: its guard, pid {1}, starts the server at its first request.', name, idle.pid),
    };
  const servers = instances.filter((i) => !isGuardLine(i.commandLine));
  if (servers.length > 0) {
    const pids = servers.map((i) => {
      const guard = i.lock ? (i.launcherChain ?? []).find((l) => isGuardLine(l.commandLine)) : undefined;
      return guard ? t('{0} (its guard: pid {1})', i.pid, guard.pid) : String(i.pid);
    });
    return { kind: 'running', message: t('{0} started: pid {1}.', name, pids.join(', ')) };
  }
  if (instances.length > 0 || !shownBefore) return { kind: 'starting' };
  return {
    kind: 'exited',
    why: 'gone',
    message: t("{0} exited right after it started; VS Code's output for it says why.", name),
  };
}
