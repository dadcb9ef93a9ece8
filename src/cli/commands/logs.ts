import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostEnv, pathFor } from '../../core/base/hostEnv';
import { liveMachine, currentHostEnv } from '../../core/machine/live';
import type { Instance, ServerStatus, Snapshot } from '../../core/base/model';
import { lifeguardPaths } from '../../core/base/paths';
import { readPrivateTail } from '../../core/machine/privateFs';
import { terminalSafeLines } from '../../core/base/terminalSafe';
import { clientLogOf, clientServerLog, liveClientLogDeps, noClientLogReason } from '../../core/clientLogs';
import { listLocks } from '../../core/locks';
import { serverLogInside, serverLogNamePattern } from '../../core/locks/serverLog';
import { takeSnapshot } from '../../core/snapshot/engine';
import { scanSources } from '../../core/sources/scan';
import { CliIo, UsageError } from '../io';
import { WORKSPACE_OPTION, workspacesOf } from '../workspaces';
import { CommandSpec, parseOptions } from '../options';

/** The most of a log's end `logs` reads: its own logs are 1 MiB, another file may be any size. */
export const MAX_TAIL_BYTES = 16 * 1024 * 1024;

export const LOGS_COMMAND = {
  name: 'logs',
  operands: 'SERVER|PID',
  summary: [
    "The last lines a server wrote to stderr: a guarded server's as `run`",
    'keeps it in the logs folder (live or after it stopped), an unguarded',
    "instance's as its client keeps it (Claude Code, Claude Desktop, Copilot CLI)",
  ],
  options: {
    lines: { type: 'integer', default: 50, min: 1, max: 100000, description: 'How many lines to print from the end' },
    json: {
      type: 'boolean',
      description: 'Print the lines as JSON: { server, logs: [{ source, file, lines, error? }], noLog? }',
    },
    workspace: WORKSPACE_OPTION,
  },
} as const satisfies CommandSpec;

/** One log printed: the guard's copy of a server's stderr, or the log an unguarded instance's client keeps. */
type LogOut =
  | { source: 'guard'; file: string; lines: string[]; error?: string }
  | {
      source: 'client';
      client: string;
      clientName: string;
      pid: number;
      file: string;
      matchedBy: string;
      lines: string[];
      error?: string;
    };

type ClientLogOut = Extract<LogOut, { source: 'client' }>;

/** An instance whose log could not be shown, and why (its client keeps none, or it was not found). */
interface NoLog {
  pid: number;
  client: string;
  reason: string;
}

/**
 * `mcp-lifeguard logs SERVER|PID [--lines N]`: a server's stderr, the end of each log of it. A
 * guarded server's is the guard's copy: a live guard's lock record names its file (taken only inside
 * our logs folder), a stopped one is found by name. An unguarded instance's is the log its client
 * keeps of it (core/clientLogs), found for each instance of SERVER (or the instance PID) in a
 * snapshot, read from its end and masked.
 */
export async function logsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, LOGS_COMMAND.options, { positionals: true });
  if (positionals.length !== 1) throw new UsageError('logs takes one SERVER name or PID');
  const operand = positionals[0];
  const byPid = /^\d+$/.test(operand) ? Number(operand) : undefined;
  const host = currentHostEnv(io.env);
  const paths = lifeguardPaths(host);
  const workspaces = await workspacesOf(values.workspace, io);

  // The running instances: which are unguarded, and whose client keeps a log of them.
  let unread: string | undefined;
  const snapshot = await takeSnapshot({
    host,
    workspaceFolders: workspaces.folders,
    workspaceFiles: workspaces.files,
    versions: false,
  }).catch((err: Error) => {
    unread = err.message;
    return undefined;
  });
  if (snapshot?.processes.state === 'unavailable')
    unread = `the process table could not be read: ${snapshot.processes.reason}`;
  // Without the running instances, a guard's log is still shown; the clients' logs cannot be looked for.
  if (unread !== undefined)
    io.stderr(`mcp-lifeguard logs: the running instances are not known (${terminalSafeLines(unread)})\n`);
  const running = instancesOf(snapshot, operand, byPid);
  if (byPid !== undefined && running.length === 0)
    return none(io, operand, `no running instance has pid ${byPid}`, [], values.json);
  const name = byPid !== undefined ? running[0].server.name : operand;

  // The guard's copies: for a pid, the one its lock record names; for a name, every guard's of it.
  const guardFiles =
    byPid !== undefined
      ? running.flatMap((r) => {
          const f = serverLogInside(paths.logs, r.instance.lock?.serverLog, pathFor(paths).sep);
          return f ? [f] : [];
        })
      : await guardLogsNamed(name, paths);
  const logs: LogOut[] = [];
  for (const file of guardFiles)
    logs.push({ source: 'guard', file, ...(await readGuardLog(file, values.lines, paths.root, io)) });

  // The clients' own logs of the unguarded instances.
  const noLog: NoLog[] = [];
  const unguarded = running.filter((r) => !r.instance.lock);
  const secrets = unguarded.length
    ? (
        await scanSources({
          host,
          fs: liveMachine(host).fs,
          workspaceFolders: workspaces.folders,
          workspaceFiles: workspaces.files,
        })
      ).secrets
    : new Set<string>();
  for (const { server, instance } of unguarded) {
    const log = await clientLogFor(server, instance, host, values.lines, secrets, io);
    if ('reason' in log) {
      noLog.push(log);
      io.stderr(
        `mcp-lifeguard logs: pid ${instance.pid} (${terminalSafeLines(instance.client.name)}): ${terminalSafeLines(log.reason)}\n`,
      );
      continue;
    }
    logs.push(log);
    if (log.error === undefined)
      io.stderr(
        `mcp-lifeguard logs: ${log.clientName}'s log of pid ${log.pid}, by ${terminalSafeLines(log.matchedBy)}: ${terminalSafeLines(log.file)}\n`,
      );
  }

  if (logs.length === 0) {
    const message =
      noLog.length > 0
        ? `no log of ${byPid !== undefined ? `pid ${byPid}` : `a server named '${name}'`} to show`
        : `no log of a server named '${name}' in ${paths.logs}, and no running instance of it whose client keeps one (a guarded server's log is kept by 'mcp-lifeguard run'; of the clients, Claude Code, Claude Desktop and Copilot CLI keep one)`;
    return none(io, name, message, noLog, values.json);
  }
  const ok = logs.every((l) => l.error === undefined);
  if (values.json) {
    io.stdout(`${JSON.stringify({ server: name, logs, ...(noLog.length ? { noLog } : {}) }, null, 2)}\n`);
    return ok ? 0 : 1;
  }
  const shown = logs.filter((l) => l.error === undefined);
  for (const l of shown) {
    if (shown.length > 1 || logs.length > 1) io.stdout(`==> ${terminalSafeLines(l.file)} <==\n`);
    if (l.lines.length) io.stdout(`${terminalSafeLines(l.lines.join('\n'))}\n`);
  }
  return ok ? 0 : 1;
}

/** Nothing to print: the reason on stderr (and as JSON), exit 1. */
function none(io: CliIo, server: string, message: string, noLog: NoLog[], json: boolean | undefined): number {
  io.stderr(`mcp-lifeguard logs: ${terminalSafeLines(message)}\n`);
  if (json)
    io.stdout(`${JSON.stringify({ server, logs: [], ...(noLog.length ? { noLog } : {}), message }, null, 2)}\n`);
  return 1;
}

/** The running instances of the operand: every instance of a server of that name, or the one with that pid. */
function instancesOf(
  snapshot: Snapshot | undefined,
  name: string,
  pid: number | undefined,
): Array<{ server: ServerStatus; instance: Instance }> {
  const all = (snapshot?.servers ?? []).flatMap((server) => server.instances.map((instance) => ({ server, instance })));
  return pid !== undefined
    ? all.filter((r) => r.instance.pid === pid).slice(0, 1)
    : all.filter((r) => r.server.name === name);
}

/** The guard logs of a server name: the live guards' (their lock records name them), else the stopped ones' by name. */
async function guardLogsNamed(name: string, paths: ReturnType<typeof lifeguardPaths>): Promise<string[]> {
  const live = (await listLocks(paths.locks).catch(() => [])).flatMap((l) =>
    l.state === 'live' && l.record.serverName === name ? [l.record] : [],
  );
  const named = live
    .map((r) => serverLogInside(paths.logs, r.serverLog, pathFor(paths).sep))
    .filter((f): f is string => f !== undefined);
  const pattern = serverLogNamePattern(name);
  return [
    ...new Set(
      named.length
        ? named
        : listing(paths.logs)
            .filter((f) => pattern.test(f))
            .map((f) => path.join(paths.logs, f)),
    ),
  ];
}

/** The end of a guard's log (a log may be any size), with what went wrong said. */
async function readGuardLog(
  file: string,
  lines: number,
  root: string,
  io: CliIo,
): Promise<{ lines: string[]; error?: string }> {
  let tail;
  try {
    tail = await readPrivateTail(file, lines, MAX_TAIL_BYTES, { root });
  } catch (err) {
    io.stderr(
      `mcp-lifeguard logs: cannot read ${terminalSafeLines(file)}: ${terminalSafeLines((err as Error).message)}\n`,
    );
    return { lines: [], error: (err as Error).message };
  }
  if (!tail) {
    io.stderr(
      `mcp-lifeguard logs: ${terminalSafeLines(file)} is gone (its guard may have just rotated or removed it)\n`,
    );
    return { lines: [], error: 'the file is gone (its guard may have just rotated or removed it)' };
  }
  if (tail.cut)
    io.stderr(
      `mcp-lifeguard logs: only the last ${MAX_TAIL_BYTES / (1024 * 1024)} MiB of ${terminalSafeLines(file)} (${tail.size} bytes) were read: ${tail.lines.length} line${tail.lines.length === 1 ? '' : 's'}\n`,
    );
  return { lines: tail.lines };
}

/** The log an unguarded instance's client keeps of it, or why there is none to show. */
async function clientLogFor(
  server: ServerStatus,
  instance: Instance,
  host: HostEnv,
  lines: number,
  secrets: ReadonlySet<string>,
  io: CliIo,
): Promise<ClientLogOut | NoLog> {
  const client = instance.client.id;
  const of = clientLogOf(server, instance);
  if (!of)
    return {
      pid: instance.pid,
      client,
      reason:
        server.source.client !== client
          ? `its client is ${instance.client.name}, not the ${server.source.label} entry's`
          : noClientLogReason(client),
    };
  let log;
  try {
    log = await clientServerLog(of.query, host, {
      lines,
      maxBytes: MAX_TAIL_BYTES,
      secrets,
      envKeys: of.envKeys,
      deps: liveClientLogDeps(liveMachine(host)),
    });
  } catch (err) {
    return { pid: instance.pid, client, reason: `its log cannot be read: ${(err as Error).message}` };
  }
  if (!log.found) return { pid: instance.pid, client, reason: log.reason };
  const out: ClientLogOut = {
    source: 'client',
    client,
    clientName: log.clientName,
    pid: instance.pid,
    file: log.file,
    matchedBy: log.matchedBy,
    lines: log.lines,
  };
  if (log.gone) return { ...out, error: 'the file is gone (its client may have just removed it)' };
  if (log.cut)
    io.stderr(
      `mcp-lifeguard logs: only the last ${MAX_TAIL_BYTES / (1024 * 1024)} MiB of ${terminalSafeLines(log.file)} (${log.size} bytes) were read: ${log.lines.length} line${log.lines.length === 1 ? '' : 's'}\n`,
    );
  if (log.lines.length === 0 && !log.cut)
    io.stderr(
      log.format === 'copilot-cli'
        ? `mcp-lifeguard logs: ${terminalSafeLines(log.file)} holds no line of ${terminalSafeLines(server.name)}: Copilot CLI logs a server's stderr only at --log-level debug or all, or with "logLevel": "debug" in its settings\n`
        : `mcp-lifeguard logs: ${terminalSafeLines(log.file)} holds no line yet\n`,
    );
  return out;
}

function listing(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}
