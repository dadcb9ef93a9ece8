import { hash } from 'node:crypto';
import type { Machine } from '../machine/types';

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

/** This boot's id (Linux, /proc/sys/kernel/random/boot_id): start ticks count from this boot. */
export function linuxBootId(machine: Machine): string {
  return machine.once('linux.bootId', () => {
    const text = machine.fs.readTextSync('/proc/sys/kernel/random/boot_id');
    if (text === undefined) throw new Error('/proc/sys/kernel/random/boot_id is not there');
    return text.trim();
  });
}

/** Parses `btime` (seconds since the epoch) from the text of /proc/stat. */
export function parseProcStatBootTime(text: string): number | undefined {
  const m = /^btime\s+(\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** PF_KTHREAD (include/linux/sched.h): the task is a kernel thread. */
const PF_KTHREAD = 0x00200000;

/**
 * Parses the start time (in clock ticks since boot) and ppid from the text of /proc/<pid>/stat.
 * The command name (field 2) is in parentheses and may itself contain spaces and parentheses, so
 * fields are counted from the last ')'. `kernelThread`: the kernel's own flag (PF_KTHREAD in field
 * 9), not a guess from the parent's pid, which a pid namespace gives any process.
 */
export function parseProcPidStat(text: string):
  | {
      state: string;
      ppid: number;
      startTicks: number;
      rssPages: number;
      cpuTicks: number;
      kernelThread: boolean;
      tty?: boolean;
    }
  | undefined {
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
  // tty_nr (field 7): 0 when the process has no controlling terminal.
  const ttyNr = Number(rest[4]);
  return {
    state: rest[0],
    ppid,
    startTicks,
    rssPages,
    cpuTicks,
    // flags (field 9), an unsigned int: the bit tested is below 2^31, so the int32 `&` is exact.
    kernelThread: (Number(rest[6]) & PF_KTHREAD) !== 0,
    ...(Number.isFinite(ttyNr) ? { tty: ttyNr !== 0 } : {}),
  };
}

/** This boot's time (Linux, `btime` of /proc/stat), seconds since the epoch: read once per Machine. */
export function linuxBootTime(machine: Machine): number {
  return machine.once('linux.bootTime', () => {
    const parsed = parseProcStatBootTime(machine.fs.readTextSync('/proc/stat') ?? '');
    if (parsed === undefined) throw new Error('/proc/stat has no btime line');
    return parsed;
  });
}

/** Converts a Linux start time in ticks since boot to milliseconds since the epoch. */
export function linuxStartTimeMs(bootTimeSeconds: number, startTicks: number): number {
  return bootTimeSeconds * 1000 + Math.round((startTicks * 1000) / LINUX_CLOCK_TICKS);
}

/**
 * Reads the identity of a live process, or `undefined` when there is no such process.
 * Throws when the platform offers no way to learn a start time (the caller reports "unknown").
 */
export async function readProcessIdentity(pid: number, machine: Machine): Promise<ProcessIdentity | undefined> {
  const platform = machine.host.platform;
  if (platform === 'linux') {
    let stat: string | undefined;
    let cmdline: string | undefined;
    let status: string | undefined;
    try {
      [stat, cmdline, status] = await Promise.all([
        machine.fs.readText(`/proc/${pid}/stat`),
        machine.fs.readText(`/proc/${pid}/cmdline`),
        machine.fs.readText(`/proc/${pid}/status`),
      ]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
      throw err;
    }
    if (stat === undefined || cmdline === undefined || status === undefined) return undefined;
    const parsed = parseProcPidStat(stat);
    if (!parsed) return undefined;
    const uidMatch = /^Uid:\s+(\d+)/m.exec(status);
    return {
      pid,
      startTime: linuxStartTimeMs(linuxBootTime(machine), parsed.startTicks),
      commandLine: cmdline
        .split('\0')
        .filter((s) => s.length > 0)
        .join(' '),
      uid: uidMatch ? Number(uidMatch[1]) : undefined,
      linux: { bootId: linuxBootId(machine), startTicks: parsed.startTicks },
      zombie: parsed.state === 'Z' || parsed.state === 'X',
    };
  }
  if (platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd') {
    const out = await machine.run({
      command: 'ps',
      args: ['-o', 'uid=,lstart=,command=', '-p', String(pid)],
      env: PS_ENV,
    });
    // ps exits 1 when the pid does not exist.
    if (out.code === 1) return undefined;
    if (out.code !== 0) throw new Error(`ps could not be run: ${out.error?.message ?? `exit ${out.code}`}`);
    return parsePsLstartLine(pid, out.stdout);
  }
  throw new Error(`reading a process start time is not supported on ${platform}`);
}

/**
 * How `ps` is run for a start time (`lstart`): in the C locale and in UTC, so its date parses the
 * same wherever it is read (on the machine, or in a replay of its capture on another one).
 */
export const PS_ENV = { LC_ALL: 'C', LANG: 'C', TZ: 'UTC' } as const;

/** `ps -o lstart` as printed under PS_ENV ("Mon Nov 16 09:12:03 2026"), ms since the epoch. */
export function parseLstart(text: string): number {
  return Date.parse(`${text.trim().replace(/\s+/g, ' ')} UTC`);
}

/** Parses one line of `ps -o uid=,lstart=,command=` (PS_ENV): "  501 Mon Nov 16 09:12:03 2026 node x.js". */
export function parsePsLstartLine(pid: number, text: string): ProcessIdentity | undefined {
  const m = /^\s*(\d+)\s+(\w{3}\s+\w{3}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+\d{4})\s+(.*)$/m.exec(text);
  if (!m) return undefined;
  const startTime = parseLstart(m[2]);
  if (!Number.isFinite(startTime)) return undefined;
  return { pid, startTime, commandLine: m[3].trim(), uid: Number(m[1]) };
}

/** The hash of a command line that `stop` recomputes from the live process (whitespace-insensitive). */
export function commandHash(argvOrLine: readonly string[] | string): string {
  const line = (typeof argvOrLine === 'string' ? argvOrLine : argvOrLine.join(' ')).replace(/\s+/g, ' ').trim();
  return hash('sha256', line, 'hex').slice(0, 32);
}
