import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * A process as it can be re-identified later: pids are reused, so pid + start time is the identity,
 * and the command line and owner guard against acting on something that merely looks the same.
 */
export interface ProcessIdentity {
  pid: number;
  /** Milliseconds since the epoch. On Linux: boot time + the `starttime` field of /proc/<pid>/stat. */
  startTime: number;
  /** NUL-separated argv joined with spaces (not redacted: never print it as is). */
  commandLine: string;
  uid?: number;
  /** Linux: the boot and the start in clock ticks since boot, exact and immune to wall-clock steps. */
  linux?: { bootId: string; startTicks: number };
  /** Exited but not yet reaped by its parent: it holds nothing and cannot be signalled usefully. */
  zombie?: boolean;
}

/** Linux clock ticks per second (`getconf CLK_TCK`); 100 on every Linux architecture Node runs on. */
export const LINUX_CLOCK_TICKS = 100;

let bootTimeCache: number | undefined;
let bootIdCache: string | undefined;

/** This boot's id (Linux, /proc/sys/kernel/random/boot_id): start ticks count from this boot. */
export function linuxBootId(): string {
  bootIdCache ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  return bootIdCache;
}

/** Parses `btime` (seconds since the epoch) from the text of /proc/stat. */
export function parseProcStatBootTime(text: string): number | undefined {
  const m = /^btime\s+(\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Parses the start time (in clock ticks since boot) and ppid from the text of /proc/<pid>/stat.
 * The command name (field 2) is in parentheses and may itself contain spaces and parentheses, so
 * fields are counted from the last ')'.
 */
export function parseProcPidStat(
  text: string,
): { state: string; ppid: number; startTicks: number; rssPages: number; cpuTicks: number } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  const rssPages = Number(rest[21]);
  // utime and stime (fields 14 and 15): the CPU time the process has used, in clock ticks.
  const cpuTicks = Number(rest[11]) + Number(rest[12]);
  if (!Number.isFinite(ppid) || !Number.isFinite(startTicks)) return undefined;
  return { state: rest[0], ppid, startTicks, rssPages, cpuTicks };
}

export async function linuxBootTime(): Promise<number> {
  if (bootTimeCache === undefined) {
    const parsed = parseProcStatBootTime(await readFile('/proc/stat', 'utf8'));
    if (parsed === undefined) throw new Error('/proc/stat has no btime line');
    bootTimeCache = parsed;
  }
  return bootTimeCache;
}

/** Converts a Linux start time in ticks since boot to milliseconds since the epoch. */
export function linuxStartTimeMs(bootTimeSeconds: number, startTicks: number): number {
  return bootTimeSeconds * 1000 + Math.round((startTicks * 1000) / LINUX_CLOCK_TICKS);
}

/**
 * Reads the identity of a live process, or `undefined` when there is no such process.
 * Throws when the platform offers no way to learn a start time (the caller reports "unknown").
 */
export async function readProcessIdentity(
  pid: number,
  platform: NodeJS.Platform = process.platform,
): Promise<ProcessIdentity | undefined> {
  if (platform === 'linux') {
    let stat: string;
    let cmdline: string;
    let status: string;
    try {
      [stat, cmdline, status] = await Promise.all([
        readFile(`/proc/${pid}/stat`, 'utf8'),
        readFile(`/proc/${pid}/cmdline`, 'utf8'),
        readFile(`/proc/${pid}/status`, 'utf8'),
      ]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH')
        return undefined;
      throw err;
    }
    const parsed = parseProcPidStat(stat);
    if (!parsed) return undefined;
    const uidMatch = /^Uid:\s+(\d+)/m.exec(status);
    return {
      pid,
      startTime: linuxStartTimeMs(await linuxBootTime(), parsed.startTicks),
      commandLine: cmdline
        .split('\0')
        .filter((s) => s.length > 0)
        .join(' '),
      uid: uidMatch ? Number(uidMatch[1]) : undefined,
      linux: { bootId: linuxBootId(), startTicks: parsed.startTicks },
      zombie: parsed.state === 'Z' || parsed.state === 'X',
    };
  }
  if (platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd') {
    try {
      const { stdout } = await execFileAsync('ps', ['-o', 'uid=,lstart=,command=', '-p', String(pid)], {
        env: { ...process.env, LC_ALL: 'C' },
      });
      return parsePsLstartLine(pid, stdout);
    } catch (err) {
      // ps exits 1 when the pid does not exist.
      if ((err as { code?: unknown }).code === 1) return undefined;
      throw err;
    }
  }
  throw new Error(`reading a process start time is not supported on ${platform}`);
}

/** Parses one line of `ps -o uid=,lstart=,command=` (LC_ALL=C): "  501 Mon Nov 16 09:12:03 2026 node x.js". */
export function parsePsLstartLine(pid: number, text: string): ProcessIdentity | undefined {
  const m = /^\s*(\d+)\s+(\w{3}\s+\w{3}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+\d{4})\s+(.*)$/m.exec(text);
  if (!m) return undefined;
  const startTime = Date.parse(m[2]);
  if (!Number.isFinite(startTime)) return undefined;
  return { pid, startTime, commandLine: m[3].trim(), uid: Number(m[1]) };
}

/** The hash of a command line that `stop` recomputes from the live process (whitespace-insensitive). */
export function commandHash(argvOrLine: readonly string[] | string): string {
  const line = (typeof argvOrLine === 'string' ? argvOrLine : argvOrLine.join(' ')).replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(line).digest('hex').slice(0, 32);
}
