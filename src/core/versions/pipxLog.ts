import { pathFor } from '../base/hostEnv';
import type { HostEnv } from '../base/hostEnv';
import { pipxHomeFolders } from '../launch/runnerHomes';
import { envValue, ResolveContext } from './lookup';
import { normalizeName } from './pythonClosure';

/**
 * What pipx's logs tell of a venv: each pipx command writes one log (`cmd_<local time>.log`, the
 * newest PIPX_MAX_LOGS kept, 10 by default) holding the pip runs it made and pip's own output, so
 * an upgrade names the version it replaced ("Found existing installation: pkg 1.0.0") and the one
 * it installed ("Successfully installed ... pkg-1.1.0"). Lines carry the milliseconds since the
 * command began (`   863.0ms (run_subprocess:345): ...`); the log's last write (its mtime) is the
 * end of the command, so each line's time is the mtime less the last line's offset plus its own
 * (the file name's local time is not needed). Checked with pipx 1.18.4: `$PIPX_HOME/logs` when
 * PIPX_HOME is set, else the platform's log folder (`$XDG_STATE_HOME/pipx/log`); older pipx wrote
 * `<home>/logs` always.
 */

/** One pip run of a pipx command into a venv. */
export interface PipxPipRun {
  /** The venv whose interpreter ran pip. */
  venv: string;
  /** ms since the epoch: pip started / its output was logged (it had ended). */
  startedAt: number;
  endedAt: number;
  /** Normalised name -> version pip found installed and replaced. */
  replaced: Record<string, string>;
  /** Normalised name -> version pip installed. */
  installed: Record<string, string>;
}

export interface PipxLog {
  file: string;
  /** ms since the epoch: when the command began and ended. */
  startedAt: number;
  endedAt: number;
  /** The pipx command line, as logged. */
  command?: string;
  runs: PipxPipRun[];
}

const LINE = /^\s*(\d+(?:\.\d+)?)ms \(([^)]*)\): (.*)$/;

/** `name-1.2.3` (pip's "Successfully installed" item) -> name and version: versions hold no dash. */
function nameVersion(item: string): [string, string] | undefined {
  const i = item.lastIndexOf('-');
  return i > 0 && i < item.length - 1 ? [normalizeName(item.slice(0, i)), item.slice(i + 1)] : undefined;
}

/** The venv of `<venv>/bin/python -m pip ...` (or `Scripts\python.exe`), when the line runs pip in one. */
function pipVenv(command: string): string | undefined {
  const m = /^running (\S+?)[\\/](?:bin|Scripts)[\\/]python[\d.]*(?:\.exe)? -m pip\b.*\binstall\b/.exec(command);
  return m?.[1];
}

/**
 * Parses one pipx log. `mtimeMs` is the file's mtime (its last line's time). Lines that are not
 * pipx's own (pip's output, continued from the line before) belong to the line before them.
 */
export function parsePipxLog(file: string, text: string, mtimeMs: number): PipxLog {
  const entries: Array<{ ms: number; where: string; message: string }> = [];
  for (const raw of text.split(/\r?\n/)) {
    const m = LINE.exec(raw);
    if (m) entries.push({ ms: Number(m[1]), where: m[2], message: m[3] });
    else if (entries.length) entries[entries.length - 1].message += `\n${raw}`;
  }
  const last = entries.length ? entries[entries.length - 1].ms : 0;
  const origin = mtimeMs - last;
  const at = (ms: number) => Math.round(origin + ms);
  const command = entries.find((e) => e.where.startsWith('setup:') && /pipx\b.*\.py |pipx /.test(e.message))?.message;
  const runs: PipxPipRun[] = [];
  for (let i = 0; i < entries.length; i++) {
    const venv = pipVenv(entries[i].message);
    if (!venv) continue;
    // pip's output is logged once it has ended, as the next `stdout:` line of run_subprocess.
    const out = entries.slice(i + 1).find((e) => e.message.startsWith('stdout:'));
    const replaced: Record<string, string> = {};
    const installed: Record<string, string> = {};
    for (const line of (out?.message ?? '').split('\n')) {
      const found = /^\s*Found existing installation: (\S+) (\S+)\s*$/.exec(line);
      if (found) replaced[normalizeName(found[1])] = found[2];
      const done = /^\s*Successfully installed (.+?)\s*$/.exec(line);
      if (done)
        for (const item of done[1].split(/\s+/)) {
          const nv = nameVersion(item);
          if (nv) installed[nv[0]] = nv[1];
        }
    }
    runs.push({ venv, startedAt: at(entries[i].ms), endedAt: at(out?.ms ?? entries[i].ms), replaced, installed });
  }
  return {
    file,
    startedAt: at(entries[0]?.ms ?? 0),
    endedAt: mtimeMs,
    ...(command ? { command: command.replace(/^.*?pipx[\\/]__main__\.py /, 'pipx ') } : {}),
    runs,
  };
}

export type PipxLogInference =
  { state: 'inferred'; version: string; evidence: string } | { state: 'none'; reason: string };

/** How far around the start a pip run is not ordered against it (the start time is coarse). */
export const PIPX_START_SLACK_MS = 2_000;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The version a process started at `processStart` loaded from `venv`, told by the first pip run
 * into that venv after the start that changed the package: the version it found installed and
 * replaced. Holds when every pipx command since the start is still logged (a log that ended
 * begun before the start is kept: pipx deletes the oldest first) and nothing but pipx wrote the venv
 * (a `<venv>/bin/pip install` by hand is in no log). `none` otherwise: when a run that changed the
 * version was too close to the start to order against it, or the first run after it recreated the
 * venv (`pipx reinstall`, `install --force`: nothing replaced is named).
 */
export function inferFromPipxLogs(
  logs: readonly PipxLog[],
  facts: { venv: string; name: string; processStart: number },
): PipxLogInference {
  const { venv, processStart } = facts;
  const name = normalizeName(facts.name);
  const started = `the process started at ${iso(processStart)}`;
  // pipx deletes its oldest logs first: one begun before the start, still kept, means every later one is.
  if (!logs.some((l) => l.startedAt <= processStart))
    return {
      state: 'none',
      reason: `pipx kept no log begun before ${started}: a command run since may have been deleted with the oldest logs`,
    };
  const runs = logs
    .flatMap((log) => log.runs.map((run) => ({ log, run })))
    .filter(({ run }) => run.venv === venv && (run.replaced[name] !== undefined || run.installed[name] !== undefined))
    .sort((a, b) => a.run.startedAt - b.run.startedAt);
  const describe = (log: PipxLog) => `${log.file}${log.command ? ` (${log.command})` : ''}`;
  // A run around the start may have changed the package before or after it: unordered unless it
  // replaced nothing (a fresh venv: the process cannot have started on what was not there) or
  // put back the version it found.
  for (const { log, run } of runs) {
    if (run.startedAt > processStart + PIPX_START_SLACK_MS || run.endedAt <= processStart - PIPX_START_SLACK_MS)
      continue;
    const was = run.replaced[name];
    if (was !== undefined && was !== run.installed[name])
      return {
        state: 'none',
        reason: `pipx's log ${describe(log)} replaced ${name} ${was} in ${venv} from ${iso(run.startedAt)} to ${iso(run.endedAt)}, too close to ${started} to order them`,
      };
  }
  const first = runs.find(({ run }) => run.startedAt > processStart + PIPX_START_SLACK_MS);
  if (!first) return { state: 'none', reason: `pipx logged no change of ${name} in ${venv} since ${started}` };
  const { log, run } = first;
  const what = describe(log);
  const from = run.replaced[name];
  if (from === undefined)
    return {
      state: 'none',
      reason: `pipx's log ${what} installed ${name} into ${venv} at ${iso(run.startedAt)}, after ${started}, replacing no logged version`,
    };
  const to = run.installed[name];
  return {
    state: 'inferred',
    version: from,
    evidence: `pipx's log ${what} replaced ${name} ${from}${to ? ` with ${to}` : ''} in ${venv} at ${iso(run.endedAt)}, the first change of it after ${started}`,
  };
}

/** Where pipx writes its logs for these homes: `<home>/logs`, and the platform's log folder when PIPX_HOME is not set. */
export function pipxLogDirs(host: HostEnv): string[] {
  const p = pathFor(host);
  const dirs = pipxHomeFolders(host).map((h) => p.join(h, 'logs'));
  if (!envValue(host, 'PIPX_HOME')) {
    if (host.platform === 'darwin') dirs.push(p.join(host.home, 'Library', 'Logs', 'pipx'));
    else if (host.platform === 'win32')
      dirs.push(
        p.join(envValue(host, 'LOCALAPPDATA') || p.join(host.home, 'AppData', 'Local'), 'pipx', 'pipx', 'Logs'),
      );
    else dirs.push(p.join(envValue(host, 'XDG_STATE_HOME') || p.join(host.home, '.local', 'state'), 'pipx', 'log'));
  }
  return [...new Set(dirs)];
}

/** A log is a few KB to a few hundred; more than this is not one pipx wrote for an install. */
const MAX_LOG_BYTES = 4 * 1024 * 1024;
/** pipx keeps 10 by default; PIPX_MAX_LOGS may keep more: the newest this many are read. */
const MAX_LOGS = 50;

/** The pipx logs of this host, newest first (the newest MAX_LOGS of each folder). */
export async function readPipxLogs(ctx: ResolveContext): Promise<PipxLog[]> {
  const p = pathFor(ctx.host);
  const out: PipxLog[] = [];
  for (const dir of pipxLogDirs(ctx.host)) {
    const names = ((await ctx.fs.readdir(dir)) ?? [])
      .filter((n) => /^cmd_.*\.log$/.test(n))
      .sort()
      .reverse()
      .slice(0, MAX_LOGS);
    for (const n of names) {
      const file = p.join(dir, n);
      const st = await ctx.fs.stat(file);
      if (st?.kind !== 'file' || st.size > MAX_LOG_BYTES) continue;
      const text = await ctx.fs.readText(file);
      if (text === undefined) continue;
      out.push(parsePipxLog(file, text, st.mtimeMs));
    }
  }
  // Logs that never touch the venv still date the coverage (one from before the start), so all are kept.
  return out.sort((a, b) => b.endedAt - a.endedAt);
}
