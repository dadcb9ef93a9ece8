import { serverLogInside } from '../../core/locks/serverLog';
import { isThisWindow, OwnerContext } from './actionPlan';
import { VmInstance, VmServer } from '../../core/report/input';
import { VSCODE_MCP, vscodeServerId } from './vscodeServerId';

/** Where Show Server Log takes the user: the guard's log file, or VS Code's own output for its server. */
export type ServerLogTarget =
  { kind: 'file'; file: string } | { kind: 'vscode'; command: typeof VSCODE_MCP.showOutput; serverId: string };

/** A guarded instance's log file, only inside MCP Lifeguard's own logs folder (core's one rule). */
function guardLog(i: VmInstance | undefined, logsDir: string | undefined, sep: string): string | undefined {
  return logsDir ? serverLogInside(logsDir, i?.lock?.serverLog, sep) : undefined;
}

/**
 * What Show Server Log opens for a server or one of its instances: the guard's log of a guarded
 * instance (for a server row, its first guarded instance's), else, for a server VS Code itself runs
 * from a config (and an instance of this window), VS Code's own output for that server. Undefined
 * when neither exists: the action is then not offered.
 */
export function serverLogTarget(
  server: VmServer,
  instance: VmInstance | undefined,
  window: OwnerContext,
  logsDir: string | undefined,
  sep = '/',
): ServerLogTarget | undefined {
  const file = instance
    ? guardLog(instance, logsDir, sep)
    : server.instances.map((i) => guardLog(i, logsDir, sep)).find((f) => f !== undefined);
  if (file) return { kind: 'file', file };
  const id = vscodeServerId(server, window);
  if (id === undefined || (instance && !isThisWindow(instance, window))) return undefined;
  return { kind: 'vscode', command: VSCODE_MCP.showOutput, serverId: id };
}
