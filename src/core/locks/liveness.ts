import { thisMachine } from '../machine/live';
import type { Machine } from '../machine/types';
import { linuxBootId, linuxBootTime, linuxStartTimeMs, parseLstart, PS_ENV } from '../pids/identity';
import type { ProcessInfo } from '../pids/table';
import { sharedTableRows } from '../pids/tableReads';
import type { HolderState, LinuxProcessIdentity, LockRecord } from './types';

/**
 * Start times are compared with this tolerance: a clock step between the writer's and the reader's
 * reading of the boot time can shift the computed start time a little, while a reused pid belongs to
 * a process that started after the holder died, which is never within one second on any real system.
 */
export const START_TIME_TOLERANCE_MS = 1000;

/** What the OS says about a pid. `unknown`: alive, but this platform cannot tell when it started. */
export type ProcessProbe =
  | { kind: 'gone' }
  | { kind: 'zombie' }
  /**
   * `exactStart`: the OS keeps the start as one fixed value for the process's life (Windows'
   * creation time), so a record's start is compared with it to the millisecond, as Linux's start
   * ticks are.
   */
  | { kind: 'running'; startTime: number; linux?: LinuxProcessIdentity; exactStart?: boolean }
  | { kind: 'unknown-start' };

/** Parses the state letter and start ticks from /proc/<pid>/stat; fields counted from the last ')'. */
export function parseProcStatState(text: string): { state: string; startTicks: number } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const startTicks = Number(rest[19]);
  if (!rest[0] || !Number.isFinite(startTicks)) return undefined;
  return { state: rest[0], startTicks };
}

/** Parses `ps -o stat=,lstart= -p PID` run with PS_ENV (the C locale, UTC): "Ss   Mon Nov 16 09:12:03 2026". */
export function parsePsStatLstart(text: string): { state: string; startTime: number } | undefined {
  const m = /^\s*(\S+)\s+(\w{3}\s+\w{3}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+\d{4})\s*$/m.exec(text);
  if (!m) return undefined;
  const startTime = parseLstart(m[2]);
  return Number.isFinite(startTime) ? { state: m[1], startTime } : undefined;
}

/** A pid as the process table's row says it (Windows): no row is gone; the creation time is exact. */
export function probeOfRow(row: ProcessInfo | undefined): ProcessProbe {
  if (!row) return { kind: 'gone' };
  return row.startTime === undefined
    ? { kind: 'unknown-start' }
    : { kind: 'running', startTime: row.startTime, exactStart: true };
}

/**
 * The probe lock records are judged with: on Windows from the process table, `rows` when the check
 * already read it (a snapshot judges every record on the table it lists the processes from: one
 * query), else one read shared by the questions asked together; elsewhere probeProcess.
 */
export function lockProbe(machine: Machine, rows?: Promise<ProcessInfo[]>): (pid: number) => Promise<ProcessProbe> {
  if (machine.host.platform !== 'win32') return (pid) => probeProcess(pid, machine);
  const read = rows ? () => rows : sharedTableRows(machine);
  return async (pid) => {
    let table: ProcessInfo[];
    try {
      table = await read();
    } catch {
      // No process table (PowerShell missing or blocked by policy; Wine): whether the pid is there
      // is still known, when it started is not, so it is judged by pid alone, and never signalled.
      return machine.pidExists(pid) ? { kind: 'unknown-start' } : { kind: 'gone' };
    }
    return probeOfRow(table.find((p) => p.pid === pid));
  };
}

/** Looks a pid up: gone, a zombie (dead, not yet reaped by its parent), or running since when. */
export async function probeProcess(pid: number, machine: Machine = thisMachine()): Promise<ProcessProbe> {
  const platform = machine.host.platform;
  // Windows: the creation time is read from the process table, which also says whether the pid is there.
  if (platform === 'win32') return lockProbe(machine)(pid);
  if (!machine.pidExists(pid)) return { kind: 'gone' };
  if (platform === 'linux') {
    let text: string | undefined;
    try {
      text = machine.fs.readTextSync(`/proc/${pid}/stat`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return { kind: 'gone' };
      throw err;
    }
    if (text === undefined) return { kind: 'gone' };
    const parsed = parseProcStatState(text);
    if (!parsed) throw new Error(`/proc/${pid}/stat could not be parsed`);
    if (parsed.state === 'Z' || parsed.state === 'X') return { kind: 'zombie' };
    return {
      kind: 'running',
      startTime: linuxStartTimeMs(linuxBootTime(machine), parsed.startTicks),
      linux: { bootId: linuxBootId(machine), startTicks: parsed.startTicks },
    };
  }
  if (platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd') {
    const out = await machine.run({ command: 'ps', args: ['-o', 'stat=,lstart=', '-p', String(pid)], env: PS_ENV });
    if (out.code === 1) return { kind: 'gone' }; // ps exits 1 for no such pid
    if (out.code !== 0) throw new Error(`ps could not be run: ${out.error?.message ?? `exit ${out.code}`}`);
    const parsed = parsePsStatLstart(out.stdout);
    if (!parsed) throw new Error(`ps printed no start time for pid ${pid}: ${JSON.stringify(out.stdout)}`);
    if (parsed.state.startsWith('Z')) return { kind: 'zombie' };
    return { kind: 'running', startTime: parsed.startTime };
  }
  return { kind: 'unknown-start' };
}

/**
 * Whether the process that had a pid at `startTime` (ms) has exited: the pid is gone, a zombie, or
 * another process's now (a start outside START_TIME_TOLERANCE_MS, or any other where the OS keeps
 * the exact start). A start the OS cannot tell is never taken for an exit.
 */
export function hasExited(found: ProcessProbe, startTime: number): boolean {
  switch (found.kind) {
    case 'gone':
    case 'zombie':
      return true;
    case 'unknown-start':
      return false;
    case 'running':
      return Math.abs(found.startTime - startTime) > (found.exactStart ? 0 : START_TIME_TOLERANCE_MS);
  }
}

/** The clock-step-proof identity of a live process on Linux, for lock records; undefined elsewhere. */
export async function linuxProcessIdentity(
  pid: number = process.pid,
  machine: Machine = thisMachine(),
): Promise<LinuxProcessIdentity | undefined> {
  if (machine.host.platform !== 'linux') return undefined;
  const probe = await probeProcess(pid, machine);
  return probe.kind === 'running' ? probe.linux : undefined;
}

/** The start time of a live process, as recorded in lock records (ms since the epoch). */
export async function processStartTime(pid: number = process.pid, machine: Machine = thisMachine()): Promise<number> {
  const probe = await probeProcess(pid, machine);
  if (probe.kind === 'running') return probe.startTime;
  if (probe.kind === 'unknown-start') return 0; // no start time on this OS: 0 means "pid only"
  throw new Error(`pid ${pid} is not running`);
}

/**
 * Judges a record: its holder is dead when the pid is gone (or a zombie), or when the pid is alive
 * but started at another time (the pid was reused). On Linux, when both sides know them, the boot id
 * and start ticks decide exactly; on Windows the creation time does, to the millisecond; otherwise
 * startTime does, within START_TIME_TOLERANCE_MS. A record with startTime 0 (written where no start
 * time was read) is judged by pid only.
 */
export async function judgeRecord(
  record: LockRecord,
  probe: (pid: number) => Promise<ProcessProbe> = (pid) => probeProcess(pid),
): Promise<HolderState> {
  const found = await probe(record.pid);
  switch (found.kind) {
    case 'gone':
      return { state: 'dead', record, reason: `pid ${record.pid} is gone` };
    case 'zombie':
      return { state: 'dead', record, reason: `pid ${record.pid} has exited (a zombie not yet reaped by its parent)` };
    case 'unknown-start':
      return { state: 'live', record };
    case 'running': {
      // Same boot: clock ticks since boot are exact and immune to wall-clock steps.
      const mine = found.linux;
      const theirs = validLinuxIdentity(record.linux);
      if (mine && theirs) {
        if (mine.bootId !== theirs.bootId)
          return {
            state: 'dead',
            record,
            reason: `pid ${record.pid} took the lock before the machine restarted (boot ${theirs.bootId}, now ${mine.bootId})`,
          };
        if (mine.startTicks === theirs.startTicks) return { state: 'live', record };
        return {
          state: 'dead',
          record,
          reason: `pid ${record.pid} is alive but started at tick ${mine.startTicks} since boot, not ${theirs.startTicks}: the pid was reused`,
        };
      }
      const tolerance = found.exactStart ? 0 : START_TIME_TOLERANCE_MS;
      if (record.startTime === 0 || Math.abs(found.startTime - record.startTime) <= tolerance)
        return { state: 'live', record };
      return {
        state: 'dead',
        record,
        reason: `pid ${record.pid} is alive but started at ${new Date(found.startTime).toISOString()}, not ${new Date(record.startTime).toISOString()}: the pid was reused`,
      };
    }
  }
}

/** The record's `linux` field when well formed; a malformed one is ignored, not fatal. */
function validLinuxIdentity(value: unknown): LinuxProcessIdentity | undefined {
  const v = value as Partial<LinuxProcessIdentity> | undefined;
  return v && typeof v.bootId === 'string' && Number.isInteger(v.startTicks) ? (v as LinuxProcessIdentity) : undefined;
}
