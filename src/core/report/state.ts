import { causeWords, InstanceVerdict, noCauses, RESTART_CAUSES, RestartCause } from './causes';
import { PENDING, VmInstance, VmServer, VmSnapshot, VmVerdict } from './input';
import { CLIENT_NAMES, isClientId } from '../sources/clientNames';

/** What a verdict is read from: an instance's verdicts, or a child process's. */
type Judged = Pick<VmInstance, 'verdicts'>;

/**
 * What the views say about an instance and a server, derived only from the engine's verdicts.
 * "unknown" verdicts never raise a flag: a false alarm trains users to ignore the badge.
 */

/** What is wrong with an instance besides a restart need (restartCauses). */
export type Flag = 'duplicate' | 'orphan' | 'superseded';

/** A verdict that the instance needs a restart, with its cause (core/report/causes.ts). */
export type RestartVerdict = Extract<VmVerdict, { kind: 'restart' }>;

/** The first reason an instance needs a restart: the package's own before its runtime's. */
export function restartVerdict(i: Judged): RestartVerdict | undefined {
  return i.verdicts.find((v): v is RestartVerdict => v.kind === 'restart');
}

/** Every reason an instance needs a restart (its package's, its runtime's). */
export function restartVerdicts(i: Judged): RestartVerdict[] {
  return i.verdicts.filter((v): v is RestartVerdict => v.kind === 'restart');
}

/** Why an instance needs a restart, each cause once, worst first (RESTART_CAUSES' order): its server down, or what its process runs. */
export function restartCauses(i: Judged): RestartCause[] {
  const found = new Set<RestartCause>(restartVerdicts(i).map((v) => v.cause));
  if (downVerdict(i)) found.add('down');
  return RESTART_CAUSES.filter((c) => found.has(c));
}

/** Flags of one instance. A `shared` verdict counts as a duplicate only for single-writer servers; two processes on one data store always do. */
export function instanceFlags(i: Judged): Set<Flag> {
  const flags = new Set<Flag>();
  for (const v of i.verdicts) {
    if (v.kind === 'duplicate') flags.add('duplicate');
    else if (v.kind === 'shared' && v.singleWriter) flags.add('duplicate');
    else if (v.kind === 'sameData') flags.add('duplicate');
    else if (v.kind === 'orphan') flags.add('orphan');
    else if (v.kind === 'superseded') flags.add('superseded');
  }
  return flags;
}

/** Why a guard's server is not running, when it is down (the instance is the guard; no server runs). */
export function downVerdict(i: Judged): Extract<VmVerdict, { kind: 'down' }> | undefined {
  return i.verdicts.find((v): v is Extract<VmVerdict, { kind: 'down' }> => v.kind === 'down');
}

export const isGuarded = (i: VmInstance): boolean => i.lock !== undefined;

/** Why a guard's server is not running for now: it stopped it for idleness (`run --idle-stop`); the next request starts it. */
export function idleVerdict(i: Judged): Extract<VmVerdict, { kind: 'idle' }> | undefined {
  return i.verdicts.find((v): v is Extract<VmVerdict, { kind: 'idle' }> => v.kind === 'idle');
}

/** Whether the engine could not tell what an instance runs: shown as unknown (`?`), never as fine. */
export function versionUnknown(i: Judged): Extract<VmVerdict, { kind: 'unknown' }> | undefined {
  return i.verdicts.find(
    (v): v is Extract<VmVerdict, { kind: 'unknown' }> => v.kind === 'unknown' && v.question === 'stale',
  );
}

/** Which verdict an unknown version is: the first look's `checking`, files still changing (`settling`), or `unknown`. */
export function unknownVersionVerdict(v: Extract<VmVerdict, { kind: 'unknown' }>): 'checking' | 'settling' | 'unknown' {
  return v === PENDING ? 'checking' : v.settling ? 'settling' : 'unknown';
}

/**
 * Whom an instance serves, by the names users know: a shared server's clients (its share host
 * outlives the client that started it), else the client that started it; none when no known client did.
 */
export function ownerNames(i: Pick<VmInstance, 'client' | 'lock'>): string[] {
  const shared = [...new Set((i.lock?.attached ?? []).flatMap((a) => (a.clientName ? [a.clientName] : [])))];
  if (shared.length > 0) return shared;
  if (i.client.id === 'unknown') return [];
  // The client by the one table's name, as its group is labelled: the process's own (`code-server`, `VS Code Server`) would name one window twice.
  return [isClientId(i.client.id) ? CLIENT_NAMES[i.client.id] : i.client.name];
}

/** Instances flagged duplicate: the older copies. */
export function duplicateInstances(s: VmServer): VmInstance[] {
  return s.instances.filter((i) => i.verdicts.some((v) => v.kind === 'duplicate'));
}

/** What Kill Duplicates stops, as the engine's plan does: older duplicates, orphans, an earlier host's servers. */
export function leftoverInstances(s: VmServer): VmInstance[] {
  return s.instances.filter((i) =>
    i.verdicts.some((v) => v.kind === 'duplicate' || v.kind === 'orphan' || v.kind === 'superseded'),
  );
}

/**
 * Instances whose process needs a restart to run what is installed or configured: every cause but
 * `down` (a down server's instance is its guard, which runs: its server comes back by a restart the
 * user asks for once its cause is fixed).
 */
export function instancesNeedingRestart(s: VmServer): VmInstance[] {
  return s.instances.filter((i) => restartVerdict(i) !== undefined);
}

/** Whether the engine could not decide which entry runs an instance: no bulk action touches it. */
export function ownerUndecided(i: Judged): boolean {
  return i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner');
}

/** What Restart All Stale acts on: instances needing a restart whose entry is decided (one entry's restart never reaches another's process). */
export function bulkRestartTargets(s: VmServer): VmInstance[] {
  return instancesNeedingRestart(s).filter((i) => !ownerUndecided(i));
}

/** A server's overall state, worst first: what its icon and description show. */
export type ServerState =
  /** It runs on another machine than the one watched (a remote window's user server): nothing is known of it here. */
  | { kind: 'elsewhere' }
  | { kind: 'disabled' }
  | { kind: 'notRunning' }
  /** A guard of it runs with its server down (it gave up starting it): `count` such guards, `reason` the first one's. */
  | { kind: 'down'; count: number; reason: string }
  | { kind: 'orphan'; count: number }
  /** Servers an agent host's earlier generation left running (a newer host of its kind runs now). */
  | { kind: 'superseded'; count: number }
  /** Some instance needs a restart (any cause but down): the first one's. */
  | {
      kind: 'stale';
      cause: RestartVerdict['cause'];
      /** The package, or the runtime for `runtime`. */
      package: string;
      running: string;
      installed: string;
      count: number;
    }
  | { kind: 'duplicate'; count: number }
  /** Running, but what some instance runs could not be told. */
  | { kind: 'unknown'; count: number; unknown: number }
  | { kind: 'running'; count: number };

export function serverState(s: VmServer): ServerState {
  if (s.elsewhere) return { kind: 'elsewhere' };
  const n = s.instances.length;
  if (n === 0) return s.disabled ? { kind: 'disabled' } : { kind: 'notRunning' };
  const flags = s.instances.map(instanceFlags);
  const down = s.instances.map(downVerdict).filter((v) => v !== undefined);
  if (down.length > 0) return { kind: 'down', count: down.length, reason: down[0].reason };
  const orphans = flags.filter((f) => f.has('orphan')).length;
  if (orphans > 0) return { kind: 'orphan', count: orphans };
  const superseded = flags.filter((f) => f.has('superseded')).length;
  if (superseded > 0) return { kind: 'superseded', count: superseded };
  const stale = s.instances.map(restartVerdict).filter((v): v is RestartVerdict => v !== undefined);
  if (stale.length > 0)
    return {
      kind: 'stale',
      cause: stale[0].cause,
      package: stale[0].package,
      running: stale[0].running,
      installed: stale[0].installed,
      count: stale.length,
    };
  if (flags.some((f) => f.has('duplicate'))) return { kind: 'duplicate', count: n };
  const unknown = s.instances.filter((i) => versionUnknown(i)).length;
  if (unknown > 0) return { kind: 'unknown', count: n, unknown };
  return { kind: 'running', count: n };
}

export interface Counts {
  /** Configured servers of the machine watched (one that runs on another is not counted: nothing is known of it). */
  servers: number;
  /** Servers with a process up (a guard whose server is down is not one). */
  running: number;
  /** Running instances: a guard whose server is down is counted under `restart.down`, not here. */
  instances: number;
  /**
   * Instances by why they need a restart, each under its first cause (RESTART_CAUSES' order): `down`
   * counts guards whose server is not running, the others running instances.
   */
  restart: Record<RestartCause, number>;
  duplicate: number;
  orphan: number;
  /** Instances an agent host's earlier generation left running. */
  superseded: number;
  /** Instances whose version could not be told: neutral, not a problem, never "fine". */
  unknown: number;
  /** Config files that could not be read or understood (errors and warnings; notes are not counted). */
  problems: number;
}

/** pid + start time: pids are reused, so the pid alone would let a new process inherit a row. */
export function instanceKey(i: VmInstance): string {
  return `${i.pid}@${i.startTime ?? '?'}`;
}

/**
 * Each running process once, with the first server that lists it: a process several entries claim
 * is listed under each of them, but it is one process (counted once, notified once).
 */
export function* distinctInstances(
  servers: readonly VmServer[],
): Generator<{ server: VmServer; instance: VmInstance }> {
  const seen = new Set<string>();
  for (const server of servers) {
    for (const instance of server.instances) {
      const key = instanceKey(instance);
      if (seen.has(key)) continue;
      seen.add(key);
      yield { server, instance };
    }
  }
}

/**
 * Diagnostics of one file at one position merged into one, their messages joined: one typo (`,,`)
 * is one problem, though the parser reports two errors there ("property name expected", "value expected").
 */
export function problemsByPosition<
  D extends { file: string; line?: number; column?: number; severity: string; message: string },
>(diagnostics: readonly D[]): D[] {
  const byPlace = new Map<string, D>();
  for (const d of diagnostics) {
    const key =
      d.line === undefined
        ? `${d.file}\0${d.severity}\0${d.message}`
        : `${d.file}\0${d.line}\0${d.column ?? 0}\0${d.severity}`;
    const seen = byPlace.get(key);
    if (!seen) byPlace.set(key, d);
    else if (!seen.message.split('; ').includes(d.message))
      byPlace.set(key, { ...seen, message: `${seen.message}; ${d.message}` });
  }
  return [...byPlace.values()];
}

/** Counts over configured servers' instances (not-configured processes are listed, never counted as problems). */
export function counts(snapshot: VmSnapshot): Counts {
  const problems = problemsByPosition(snapshot.diagnostics).filter((d) => d.severity !== 'info').length;
  const c: Counts = {
    servers: snapshot.servers.filter((s) => !s.elsewhere).length,
    running: 0,
    instances: 0,
    restart: noCauses(),
    duplicate: 0,
    orphan: 0,
    superseded: 0,
    unknown: 0,
    problems,
  };
  // An entry runs for its client: not with its guard's server down, nor with only an orphan (the client
  // that started it is gone; the client's own list says stopped). The orphan is still a running instance.
  c.running = snapshot.servers.filter((s) =>
    s.instances.some((i) => !downVerdict(i) && !instanceFlags(i).has('orphan')),
  ).length;
  for (const { instance: i } of distinctInstances(snapshot.servers)) {
    const f = instanceFlags(i);
    const [cause] = restartCauses(i);
    if (cause) c.restart[cause]++;
    // A guard whose server is down runs nothing: not a running instance.
    if (cause === 'down') continue;
    c.instances++;
    if (!cause && !f.size && versionUnknown(i)) c.unknown++;
    if (f.has('duplicate')) c.duplicate++;
    if (f.has('orphan')) c.orphan++;
    if (f.has('superseded')) c.superseded++;
  }
  return c;
}

/** Instances that need a restart, whatever the cause. */
const needingRestart = (c: Counts): number => RESTART_CAUSES.reduce((sum, cause) => sum + c.restart[cause], 0);

export const hasProblems = (c: Counts): boolean =>
  needingRestart(c) + c.duplicate + c.orphan + c.superseded + c.problems > 0;

/**
 * An instance's verdicts, worst first: `ok` only when nothing is flagged and its version is known.
 * An unknown version is never ok; the first cheap look says `checking` until versions are resolved.
 */
export function instanceVerdicts(i: Judged): InstanceVerdict[] {
  const flags = instanceFlags(i);
  const causes = restartCauses(i);
  const unknown = versionUnknown(i);
  const out: InstanceVerdict[] = [];
  // Nothing runs: said before what else is wrong with the guard's process.
  if (causes.includes('down')) out.push(causeWords('down').verdict);
  if (flags.has('orphan')) out.push('orphan');
  if (flags.has('superseded')) out.push('superseded');
  for (const cause of causes) if (cause !== 'down') out.push(causeWords(cause).verdict);
  if (flags.has('duplicate')) out.push('duplicate');
  const idle = idleVerdict(i);
  // Stopped for idleness: no server runs, so there is no version to be unsure of.
  if (!restartVerdict(i) && unknown && !idle) out.push(unknownVersionVerdict(unknown));
  // Claimed by several entries: the tooltip names them; bulk actions leave it alone.
  if (ownerUndecided(i)) out.push('owner-undecided');
  if (idle) out.push('idle');
  if (out.length) return out;
  // Current, but it loads code by computed names: fine only as far as a reader of its files can tell.
  return i.verdicts.some((v) => v.kind === 'partly-read') ? ['partly-known'] : ['ok'];
}
