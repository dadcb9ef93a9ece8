import { thisMachine } from '../machine/live';
import type { Machine } from '../machine/types';
import { ProcessIdentity, readProcessIdentity } from './identity';
import { commandHash } from './identity';
import { tableIdentityReader } from './tableReads';

/**
 * The one rule for naming a process before any signal (docs/lock-protocol.md, "Re-identifying a
 * process"). Pids are reused within milliseconds, so a pid alone names nothing: a recorded process is
 * the live one only when all of these hold:
 *
 * - the pid is a real process of its own (> 1, not this process);
 * - it started at exactly the recorded time: on Linux the start in clock ticks since boot and the
 *   boot id when recorded (lock records always carry them), otherwise the start time to the
 *   millisecond, which on Linux is boot time + ticks and so exact to the tick; on Windows the
 *   creation time to the millisecond; on macOS and the BSDs `ps` gives whole seconds, so there it
 *   is the same second;
 * - it runs the recorded command line (a hash of it, so records keep no secrets);
 * - it belongs to the current user.
 *
 * A record that lacks any of these fields names no process and is never signalled: there is no
 * tolerance and no fallback to "probably the same".
 */
export interface RecordedProcess {
  pid: number;
  /** Milliseconds since the epoch, as readProcessIdentity computes it. */
  startTime?: number;
  /** commandHash() of the full command line, before any redaction. */
  commandHash?: string;
  /** Linux: exact start. Checked whenever recorded. */
  linux?: { bootId: string; startTicks: number };
}

export type ReidentifyRefusal =
  | 'protected-pid' // pid 0 or 1, or not a whole number
  | 'self' // this process
  | 'missing-identity' // the record lacks a field the rule needs
  | 'gone' // no such process any more (or a zombie)
  | 'pid-reused' // same pid, another start: another process took the slot
  | 'other-boot' // recorded before the machine restarted
  | 'command-changed' // same pid and start, another command line
  | 'other-user' // not the current user's
  | 'unverifiable'; // the OS would not say who the process is

export type Reidentified =
  { ok: true; live: ProcessIdentity } | { ok: false; reason: ReidentifyRefusal; detail: string };

/** What the rule asks of the OS; injectable so tests can play another user or a reused pid. */
export interface ReidentifyDeps {
  readIdentity(pid: number): Promise<ProcessIdentity | undefined>;
  getuid(): number | undefined;
  selfPid: number;
}

/**
 * Reads a live process's identity: /proc or ps, and on Windows the CIM process table (creation time
 * to the millisecond and command line), the identities asked together sharing one query.
 */
export function liveIdentityReader(
  machine: Machine = thisMachine(),
): (pid: number) => Promise<ProcessIdentity | undefined> {
  if (machine.host.platform !== 'win32') return (pid) => readProcessIdentity(pid, machine);
  return tableIdentityReader(machine);
}

/** The rule's questions asked of this machine. */
export function liveReidentifyDeps(machine: Machine = thisMachine()): ReidentifyDeps {
  return { readIdentity: liveIdentityReader(machine), getuid: () => machine.uid, selfPid: machine.selfPid };
}

/** The identity fields a record lacks, by name ("startTime", "commandHash"...); empty when complete. */
export function missingIdentityFields(recorded: Partial<RecordedProcess>): string[] {
  const missing: string[] = [];
  if (!Number.isInteger(recorded.pid)) missing.push('pid');
  if (typeof recorded.startTime !== 'number' || !Number.isFinite(recorded.startTime) || recorded.startTime <= 0)
    missing.push('startTime');
  if (typeof recorded.commandHash !== 'string' || recorded.commandHash.length === 0) missing.push('commandHash');
  if (
    recorded.linux !== undefined &&
    (typeof recorded.linux?.bootId !== 'string' || !Number.isInteger(recorded.linux?.startTicks))
  )
    missing.push('linux (bootId, startTicks)');
  return missing;
}

/** Applies the rule to a live pid. Never throws: an OS that will not answer is a refusal. */
export async function reidentify(
  recorded: Partial<RecordedProcess>,
  deps: ReidentifyDeps = liveReidentifyDeps(),
): Promise<Reidentified> {
  const pid = recorded.pid;
  if (!Number.isInteger(pid) || (pid as number) <= 1)
    return { ok: false, reason: 'protected-pid', detail: `pid ${String(pid)} is never signalled` };
  if (pid === deps.selfPid) return { ok: false, reason: 'self', detail: `pid ${pid} is this process` };
  const missing = missingIdentityFields(recorded);
  if (missing.length > 0) {
    return {
      ok: false,
      reason: 'missing-identity',
      detail: `the record of pid ${pid} has no ${missing.join(', no ')}, so pid ${pid} cannot be re-identified and is not signalled`,
    };
  }
  const expected = recorded as RecordedProcess;
  let live: ProcessIdentity | undefined;
  try {
    live = await deps.readIdentity(expected.pid);
  } catch (err) {
    return {
      ok: false,
      reason: 'unverifiable',
      detail: `pid ${pid} could not be re-identified: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  if (!live || live.zombie) return { ok: false, reason: 'gone', detail: `pid ${pid} has exited` };
  const start = sameStart(expected, live);
  if (!start.ok) return start;
  if (commandHash(live.commandLine) !== expected.commandHash) {
    return {
      ok: false,
      reason: 'command-changed',
      detail: `pid ${pid} does not run the recorded command line: it is another process`,
    };
  }
  const uid = deps.getuid();
  if (uid !== undefined && live.uid !== uid) {
    return {
      ok: false,
      reason: 'other-user',
      detail: `pid ${pid} belongs to uid ${live.uid ?? 'unknown'}, not to the current user (uid ${uid})`,
    };
  }
  return { ok: true, live };
}

function sameStart(
  expected: RecordedProcess,
  live: ProcessIdentity,
): { ok: true } | { ok: false; reason: ReidentifyRefusal; detail: string } {
  const pid = expected.pid;
  if (expected.linux && live.linux) {
    // Ticks since boot are exact and do not move when the wall clock is stepped.
    if (expected.linux.bootId !== live.linux.bootId)
      return {
        ok: false,
        reason: 'other-boot',
        detail: `pid ${pid} was recorded before the machine restarted: it is another process`,
      };
    if (expected.linux.startTicks !== live.linux.startTicks) {
      return {
        ok: false,
        reason: 'pid-reused',
        detail: `pid ${pid} started at tick ${live.linux.startTicks} since boot, not ${expected.linux.startTicks} as recorded: it is another process`,
      };
    }
    return { ok: true };
  }
  if (expected.linux && !live.linux)
    return {
      ok: false,
      reason: 'unverifiable',
      detail: `pid ${pid} was recorded with a Linux start tick this system does not report`,
    };
  if (live.startTime !== expected.startTime) {
    return {
      ok: false,
      reason: 'pid-reused',
      detail: `pid ${pid} started at ${new Date(live.startTime).toISOString()}, not ${new Date(expected.startTime!).toISOString()} as recorded: it is another process`,
    };
  }
  return { ok: true };
}

/** A record with every field the rule needs. */
export type ExactProcess = RecordedProcess & { startTime: number; commandHash: string };

/** The identity to record for a live process (e.g. a child just started), or undefined when it is gone. */
export async function recordIdentity(
  pid: number,
  deps: Pick<ReidentifyDeps, 'readIdentity'> = liveReidentifyDeps(),
): Promise<ExactProcess | undefined> {
  const live = await deps.readIdentity(pid);
  if (!live || live.zombie) return undefined;
  return {
    pid,
    startTime: live.startTime,
    commandHash: commandHash(live.commandLine),
    ...(live.linux ? { linux: live.linux } : {}),
  };
}
