import type { ClientLogQuery, ClientServerLog } from '../../core/clientLogs';
import { clientLogOf } from '../../core/clientLogs';
import { serverLogInside } from '../../core/locks/serverLog';
import { isThisWindow, OwnerContext } from './actionPlan';
import { VmInstance, VmServer } from '../../core/report/input';
import { VSCODE_MCP, vscodeServerId } from './vscodeServerId';
import { t } from './l10n';

/**
 * Where Show Server Log takes the user: the guard's log file, VS Code's own output for its server,
 * or the log the instance's own client keeps of it (found, read and masked by core/clientLogs).
 */
export type ServerLogTarget =
  | { kind: 'file'; file: string }
  | { kind: 'vscode'; command: typeof VSCODE_MCP.showOutput; serverId: string }
  | {
      kind: 'client';
      /** "Claude Code", "Claude Desktop", "Copilot CLI". */
      clientName: string;
      query: ClientLogQuery;
      /** The entry's env keys: the values the process runs with for them are masked too. */
      envKeys: string[];
    };

/** A guarded instance's log file, only inside MCP Lifeguard's own logs folder (core's one rule). */
function guardLog(i: VmInstance | undefined, logsDir: string | undefined, sep: string): string | undefined {
  return logsDir ? serverLogInside(logsDir, i?.lock?.serverLog, sep) : undefined;
}

/** The client's own log of an unguarded instance (core's one rule). */
function clientLog(server: VmServer, i: VmInstance): ServerLogTarget | undefined {
  const of = clientLogOf(server, i);
  return of && { kind: 'client', ...of };
}

/**
 * What Show Server Log opens for a server or one of its instances: the guard's log of a guarded
 * instance (for a server row, its first guarded instance's); else, for a server VS Code itself runs
 * from a config (and an instance of this window), VS Code's own output for that server; else the
 * log the instance's client keeps of it (a server row: its first instance whose client keeps one):
 * Claude Code, Claude Desktop, Copilot CLI. Undefined when none exists: the action is then not
 * offered (Codex and Gemini CLI keep no log of their servers).
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
  if (id !== undefined && (!instance || isThisWindow(instance, window)))
    return { kind: 'vscode', command: VSCODE_MCP.showOutput, serverId: id };
  if (id !== undefined) return undefined;
  return instance
    ? clientLog(server, instance)
    : server.instances.map((i) => clientLog(server, i)).find((x) => x !== undefined);
}

/** What Show Server Log shows of a client's log: a read-only document, or a message saying why there is none. */
export type ClientLogView = { kind: 'document'; name: string; text: string } | { kind: 'message'; text: string };

/**
 * A client's log of an instance as Show Server Log shows it: a first line naming the client, the
 * server, the pid and the file, then the log's last lines (already masked by core), ending at the
 * bottom where the document is opened. When there is none, or it could not be read, a message.
 */
export function clientLogDocument(server: VmServer, instance: VmInstance, log: ClientServerLog): ClientLogView {
  const who = t('{0} (pid {1})', server.name, instance.pid);
  if (!log.found) return { kind: 'message', text: t('No log of {0} to show: {1}.', who, log.reason) };
  if (log.gone) return { kind: 'message', text: t('No log of {0} to show: {1} is gone.', who, log.file) };
  const head = t("{0}'s log of {1}: {2}", log.clientName, who, log.file);
  const notes: string[] = [];
  if (log.cut) notes.push(t('(only the end of the file was read: {0} bytes in all)', log.size));
  if (log.lines.length === 0 && !log.cut)
    notes.push(
      log.format === 'copilot-cli'
        ? t(
            `(no line of it: Copilot CLI logs a server's stderr only at --log-level debug or all, or with "logLevel": "debug" in its settings)`,
          )
        : t('(the file holds no line yet)'),
    );
  return {
    kind: 'document',
    name: `${server.name}-pid-${instance.pid}-${log.format}`,
    text: `${[head, ...notes, ...log.lines].join('\n')}\n`,
  };
}
