import { HostEnv, pathFor } from '../base/hostEnv';
import type { Machine } from '../machine/types';
import { readTail } from '../base/tail';
import { readProcessIdentity } from '../pids/identity';
import { readEnviron } from '../processes/environ';
import { CLIENT_NAMES, clientName } from '../sources/clientNames';
import {
  claudeCodeCacheDir,
  claudeCodeLogTime,
  claudeDesktopLogDirs,
  claudeDesktopLogName,
  ClientLogFormat,
  clientLogFormat,
  copilotLogDir,
  copilotLogOf,
  isClaudeCodeFolderFor,
} from './locations';
import { openClientLog } from '../machine/clientLogFile';

/** The instance whose client's log is looked for, as a snapshot gives it. */
export interface ClientLogQuery {
  /** Its server's name in the client's config (the client names its log after it). */
  serverName: string;
  /** The instance's client (`instance.client.id`). */
  client: string;
  /** The server is a Claude Desktop extension (its log name was not verified). */
  extension?: boolean;
  pid: number;
  /** The instance's start, ms since the epoch. */
  startTime?: number;
  /** The client's process (`instance.client.pid`). */
  clientPid?: number;
}

/** What the lookup reads, injected for tests (a fixture home, a recorded environment). */
export interface ClientLogDeps {
  /** A folder's entry names; undefined when it cannot be listed. */
  readdir(dir: string): string[] | undefined;
  /** A file's modification time (ms), without following a link; undefined when missing or not a file. */
  mtime(file: string): number | undefined;
  /** A process's environment (Linux), undefined where it cannot be read. */
  environ(pid: number): ReadonlyMap<string, string> | undefined;
  /** A process's start (ms), undefined when unknown. */
  startTime(pid: number): Promise<number | undefined>;
  /** Whether the last `maxBytes` of a file under `root` (opened as every client log is) hold `needle`. */
  holds(root: string, file: string, needle: string, maxBytes: number): Promise<boolean>;
}

export type ClientLogLookup =
  | {
      found: true;
      format: ClientLogFormat;
      /** "Claude Code", "Claude Desktop", "Copilot CLI". */
      clientName: string;
      /** The client's log folder: the file is read only as a regular file under it. */
      root: string;
      file: string;
      /** Only the lines naming the server belong to it (a log of the whole client process). */
      linesOf?: string;
      /** How the file was told to be this instance's, in words ("its session ...", "its client's process, pid N"). */
      matchedBy: string;
    }
  | { found: false; reason: string };

/** Most entries of a log folder looked at: a folder of millions of files costs what this many cost. */
const MAX_ENTRIES = 10_000;
/** Clock slack between a log's name and a process's start (macOS gives starts to the second). */
const SLACK_MS = 2_000;
/** How much of a Claude Code log's end is searched for the session's id. */
const SESSION_SEARCH_BYTES = 4 * 1024 * 1024;

export function liveClientLogDeps(machine: Machine): ClientLogDeps {
  const platform = machine.host.platform;
  const quiet = <T>(read: () => T | undefined): T | undefined => {
    try {
      return read();
    } catch {
      return undefined;
    }
  };
  return {
    readdir: (dir) => quiet(() => machine.fs.readdirSync(dir))?.slice(0, MAX_ENTRIES),
    mtime: (file) => {
      const st = quiet(() => machine.fs.lstatSync(file));
      return st?.kind === 'file' ? st.mtimeMs : undefined;
    },
    environ: (pid) => readEnviron(pid, machine),
    startTime: async (pid) => {
      try {
        return (await readProcessIdentity(pid, machine))?.startTime;
      } catch {
        return undefined;
      }
    },
    holds: async (root, file, needle, maxBytes) => {
      let opened;
      try {
        opened = await openClientLog(root, file, { platform });
      } catch {
        return false;
      }
      if (!opened) return false;
      try {
        return (await readTail(opened.handle, opened.size, 1, maxBytes, (l) => l.includes(needle))).lines.length > 0;
      } finally {
        await opened.handle.close();
      }
    },
  };
}

/**
 * The log the instance's client keeps of it, found from the client's real layout: Claude Code's
 * `<cache>/<cwd>/mcp-logs-<server>/<time>.jsonl` of the session that started it, Claude Desktop's
 * `mcp-server-<server>.log`, Copilot CLI's `process-<start>-<client pid>.log`. Never a guess: when
 * the file cannot be told to be this instance's, nothing is found and the reason says so.
 */
export async function locateClientLog(q: ClientLogQuery, host: HostEnv, deps: ClientLogDeps): Promise<ClientLogLookup> {
  const format = clientLogFormat(q.client, q.extension);
  if (!format) return { found: false, reason: noClientLogReason(q.client) };
  switch (format) {
    case 'claude-code':
      return claudeCodeLog(q, host, deps);
    case 'claude-desktop':
      return claudeDesktopLog(q, host, deps);
    case 'copilot-cli':
      return copilotLog(q, host, deps);
  }
}

/** Why a client's instances have no log of theirs to show (docs/clients.md says what was verified). */
export function noClientLogReason(client: string): string {
  switch (client) {
    case 'codex':
      return 'Codex keeps no log of its own per server (its log database names a server only by its program)';
    case 'gemini-cli':
      return 'Gemini CLI keeps no log of its servers (it shows their stderr only with --debug, on its own console)';
    case 'claude-desktop':
      return "Claude Desktop's log of an extension is not known to MCP Lifeguard";
    case 'terminal':
    case 'unknown':
      return 'it was started from a terminal or by an unknown client: its stderr went there';
    default:
      return `MCP Lifeguard knows of no log ${clientName(client)} keeps of its servers`;
  }
}

/**
 * Claude Code (2.1.328) logs each server of a session in `<cache>/<cwd>/mcp-logs-<server>/`, one
 * file per Claude Code process named by the time of its first log line, before it starts any server:
 * the file of this instance began no later than the instance (and no earlier than its client, when
 * its start is known). Each line carries the session's id, which Claude Code also gives its servers
 * (CLAUDE_CODE_SESSION_ID): where the instance's environment is readable the file must hold it.
 * Every project's folder is looked at (the session's working directory names it, and a server may
 * run elsewhere); of several files that fit, none is chosen.
 */
async function claudeCodeLog(q: ClientLogQuery, host: HostEnv, deps: ClientLogDeps): Promise<ClientLogLookup> {
  const p = pathFor(host);
  const root = claudeCodeCacheDir(host);
  const folders = (deps.readdir(root) ?? []).flatMap((project) => {
    const names = deps.readdir(p.join(root, project)) ?? [];
    return names
      .filter((n) => isClaudeCodeFolderFor(n, q.serverName, 'mcp-logs-'))
      .map((n) => p.join(root, project, n));
  });
  const earliest = q.clientPid !== undefined ? await deps.startTime(q.clientPid) : undefined;
  const files = folders
    .flatMap((dir) =>
      (deps.readdir(dir) ?? []).flatMap((name) => {
        const time = claudeCodeLogTime(name);
        return time === undefined ? [] : [{ file: p.join(dir, name), time }];
      }),
    )
    .filter((f) => q.startTime === undefined || f.time <= q.startTime + SLACK_MS)
    .filter((f) => earliest === undefined || f.time >= earliest - SLACK_MS)
    .sort((a, b) => b.time - a.time);
  const where = `${p.join(root, '*', `mcp-logs-${q.serverName.replace(/[^a-zA-Z0-9]/g, '-')}`)}`;
  if (files.length === 0)
    return {
      found: false,
      reason: `Claude Code has no log of ${q.serverName} begun before pid ${q.pid} started in ${where}`,
    };
  const session = deps.environ(q.pid)?.get('CLAUDE_CODE_SESSION_ID');
  if (session && /^[\w-]+$/.test(session)) {
    const needle = `"sessionId":${JSON.stringify(session)}`;
    for (const f of files)
      if (await deps.holds(root, f.file, needle, SESSION_SEARCH_BYTES))
        return found('claude-code', root, f.file, `its session ${session} (CLAUDE_CODE_SESSION_ID)`);
    return {
      found: false,
      reason: `no log of Claude Code in ${where} is of the session that started pid ${q.pid} (${session})`,
    };
  }
  if (earliest === undefined)
    return {
      found: false,
      reason: `which of Claude Code's logs in ${where} is pid ${q.pid}'s cannot be told: neither its session nor its client's start is known`,
    };
  if (files.length > 1)
    return {
      found: false,
      reason: `${files.length} of Claude Code's logs in ${where} began between the start of its client (pid ${q.clientPid}) and of pid ${q.pid}: which is its own cannot be told`,
    };
  return found('claude-code', root, files[0].file, `time: the one log begun between its client's start and its own`);
}

/**
 * Claude Desktop logs each server it runs in `mcp-server-<name>.log` of its logs folder (one file
 * per server name, appended to across its restarts). Of the folders it may use, the file most
 * recently written.
 */
async function claudeDesktopLog(q: ClientLogQuery, host: HostEnv, deps: ClientLogDeps): Promise<ClientLogLookup> {
  const name = claudeDesktopLogName(q.serverName);
  const dirs = claudeDesktopLogDirs(host);
  if (!name) return { found: false, reason: `Claude Desktop names no log file after ${JSON.stringify(q.serverName)}` };
  const p = pathFor(host);
  const files = dirs
    .map((root) => ({ root, file: p.join(root, name), mtime: deps.mtime(p.join(root, name)) }))
    .filter((f): f is { root: string; file: string; mtime: number } => f.mtime !== undefined)
    .sort((a, b) => b.mtime - a.mtime);
  if (files.length === 0) return { found: false, reason: `Claude Desktop has no ${name} in ${dirs.join(' or ')}` };
  return found(
    'claude-desktop',
    files[0].root,
    files[0].file,
    "the server's name (Claude Desktop keeps one log per server name)",
  );
}

/**
 * Copilot CLI (1.0.102) logs each of its processes in `<copilot home>/logs/process-<start>-<pid>.log`,
 * a server's stderr as lines naming it (at --log-level debug or all, or the `logLevel` setting: by
 * default it writes none). The file is its client's, by pid, begun before the instance.
 */
async function copilotLog(q: ClientLogQuery, host: HostEnv, deps: ClientLogDeps): Promise<ClientLogLookup> {
  const root = copilotLogDir(host);
  if (q.clientPid === undefined)
    return { found: false, reason: `the Copilot CLI process of pid ${q.pid} is not known` };
  const earliest = await deps.startTime(q.clientPid);
  const files = (deps.readdir(root) ?? [])
    .flatMap((name) => {
      const of = copilotLogOf(name);
      return of && of.pid === q.clientPid && of.part === undefined ? [{ name, ...of }] : [];
    })
    .filter((f) => q.startTime === undefined || f.startMs <= q.startTime + SLACK_MS)
    .filter((f) => earliest === undefined || f.startMs >= earliest - SLACK_MS)
    .sort((a, b) => b.startMs - a.startMs);
  if (files.length === 0)
    return {
      found: false,
      reason: `Copilot CLI has no log of its process ${q.clientPid} in ${root} (a --log-dir elsewhere is not looked in)`,
    };
  return {
    ...found('copilot-cli', root, pathFor(host).join(root, files[0].name), `its client's process, pid ${q.clientPid}`),
    linesOf: q.serverName,
  };
}

function found(
  format: ClientLogFormat,
  root: string,
  file: string,
  matchedBy: string,
): Extract<ClientLogLookup, { found: true }> {
  return { found: true, format, clientName: CLIENT_NAMES[format], root, file, matchedBy };
}
