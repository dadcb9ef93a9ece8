import { PENDING, VmInstance, VmServer, VmSnapshot, VmVerdict } from './input';

/** What a verdict is read from: an instance's verdicts, or a child process's. */
type Judged = Pick<VmInstance, 'verdicts'>;

/**
 * What the views say about an instance and a server, derived only from the engine's verdicts.
 * "unknown" verdicts never raise a flag: a false alarm trains users to ignore the badge.
 */

export type Flag = 'down' | 'stale' | 'duplicate' | 'orphan' | 'superseded';

export type StaleVerdict = Extract<VmVerdict, { kind: 'stale' }>;

/** The short word for why a restart is needed, for badges and tables: `stale`, `changed since start`, `config changed`, `runtime replaced`. */
export function causeLabel(v: StaleVerdict): string {
  return VERDICT_LABELS[causeVerdict(v.cause)];
}

/** The instance verdict a restart cause is named by. */
export function causeVerdict(cause: StaleVerdict['cause']): InstanceVerdict {
  switch (cause) {
    case 'changed':
      return 'changed-since-start';
    case 'config':
      return 'config-changed';
    case 'runtime':
      return 'runtime-replaced';
    case 'version':
      return 'stale';
  }
}

/** The first reason an instance needs a restart: the package's own before its runtime's. */
export function staleVerdict(i: Judged): StaleVerdict | undefined {
  return i.verdicts.find((v): v is StaleVerdict => v.kind === 'stale');
}

/** Every reason an instance needs a restart (its package's, its runtime's). */
export function staleVerdicts(i: Judged): StaleVerdict[] {
  return i.verdicts.filter((v): v is StaleVerdict => v.kind === 'stale');
}

/** Flags of one instance. A `shared` verdict counts as a duplicate only for single-writer servers. */
export function instanceFlags(i: Judged): Set<Flag> {
  const flags = new Set<Flag>();
  for (const v of i.verdicts) {
    if (v.kind === 'stale') flags.add('stale');
    else if (v.kind === 'duplicate') flags.add('duplicate');
    else if (v.kind === 'shared' && v.singleWriter) flags.add('duplicate');
    else if (v.kind === 'orphan') flags.add('orphan');
    else if (v.kind === 'superseded') flags.add('superseded');
    else if (v.kind === 'down') flags.add('down');
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

export function staleInstances(s: VmServer): VmInstance[] {
  return s.instances.filter((i) => staleVerdict(i) !== undefined);
}

/** Whether the engine could not decide which entry runs an instance: no bulk action touches it. */
export function ownerUndecided(i: Judged): boolean {
  return i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner');
}

/** What Restart All Stale acts on: stale instances whose entry is decided (one entry's restart never reaches another's process). */
export function bulkRestartTargets(s: VmServer): VmInstance[] {
  return staleInstances(s).filter((i) => !ownerUndecided(i));
}

/** A server's overall state, worst first: what its icon and description show. */
export type ServerState =
  | { kind: 'disabled' }
  | { kind: 'notRunning' }
  /** A guard of it runs with its server down (it gave up starting it): `count` such guards, `reason` the first one's. */
  | { kind: 'down'; count: number; reason: string }
  | { kind: 'orphan'; count: number }
  /** Servers an agent host's earlier generation left running (a newer host of its kind runs now). */
  | { kind: 'superseded'; count: number }
  | {
      kind: 'stale';
      cause: StaleVerdict['cause'];
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
  const n = s.instances.length;
  if (n === 0) return s.disabled ? { kind: 'disabled' } : { kind: 'notRunning' };
  const flags = s.instances.map(instanceFlags);
  const down = s.instances.map(downVerdict).filter((v) => v !== undefined);
  if (down.length > 0) return { kind: 'down', count: down.length, reason: down[0].reason };
  const orphans = flags.filter((f) => f.has('orphan')).length;
  if (orphans > 0) return { kind: 'orphan', count: orphans };
  const superseded = flags.filter((f) => f.has('superseded')).length;
  if (superseded > 0) return { kind: 'superseded', count: superseded };
  const stale = s.instances.map(staleVerdict).filter((v): v is StaleVerdict => v !== undefined);
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
  servers: number;
  /** Servers with a process up (a guard whose server is down is not one). */
  running: number;
  /** Running instances: a guard whose server is down is counted as `down`, not here. */
  instances: number;
  /** Guards whose server is not running (they gave up starting it): a server that is down. */
  down: number;
  /** Instances that need a restart (stale, changed since start, config changed, or on a replaced runtime). */
  stale: number;
  /** Of those, the ones changed since start (no version evidence either way). */
  changed: number;
  /** Of those, the ones whose only reason is a replaced runtime (node, python3.x upgraded under them). */
  runtime: number;
  /** Of those, the ones started before their entry's launch changed (the configuration now runs another version). */
  config: number;
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
    servers: snapshot.servers.length,
    running: 0,
    instances: 0,
    down: 0,
    stale: 0,
    changed: 0,
    runtime: 0,
    config: 0,
    duplicate: 0,
    orphan: 0,
    superseded: 0,
    unknown: 0,
    problems,
  };
  c.running = snapshot.servers.filter((s) => s.instances.some((i) => !downVerdict(i))).length;
  for (const { instance: i } of distinctInstances(snapshot.servers)) {
    const f = instanceFlags(i);
    if (f.has('down')) {
      c.down++;
      continue;
    }
    c.instances++;
    if (f.has('stale')) c.stale++;
    const cause = staleVerdict(i)?.cause;
    if (cause === 'changed') c.changed++;
    else if (cause === 'runtime') c.runtime++;
    else if (cause === 'config') c.config++;
    else if (!f.size && versionUnknown(i)) c.unknown++;
    if (f.has('duplicate')) c.duplicate++;
    if (f.has('orphan')) c.orphan++;
    if (f.has('superseded')) c.superseded++;
  }
  return c;
}

export const hasProblems = (c: Counts): boolean =>
  c.down + c.stale + c.duplicate + c.orphan + c.superseded + c.problems > 0;

/** What an instance is, worst first, as every face names it (the tree and Show Evidence through VERDICT_LABELS, the agent face as is). */
export const INSTANCE_VERDICTS = [
  'down',
  'orphan',
  'superseded',
  'stale',
  'changed-since-start',
  'config-changed',
  'runtime-replaced',
  'duplicate',
  'checking',
  'settling',
  'unknown',
  'owner-undecided',
  'idle',
  'ok',
] as const;
export type InstanceVerdict = (typeof INSTANCE_VERDICTS)[number];

/** The short words of the tree's rows and Show Evidence's summary. */
export const VERDICT_LABELS: Record<InstanceVerdict, string> = {
  down: 'down',
  orphan: 'orphan',
  superseded: 'superseded',
  stale: 'stale',
  'changed-since-start': 'changed since start',
  'config-changed': 'config changed',
  'runtime-replaced': 'runtime replaced',
  duplicate: 'duplicate',
  checking: 'checking',
  settling: 'version ? (settling)',
  unknown: 'version ?',
  'owner-undecided': 'owner?',
  idle: 'idle',
  ok: 'ok',
};

/**
 * An instance's verdicts, worst first: `ok` only when nothing is flagged and its version is known.
 * An unknown version is never ok; the first cheap look says `checking` until versions are resolved.
 */
export function instanceVerdicts(i: Judged): InstanceVerdict[] {
  const flags = instanceFlags(i);
  const stale = staleVerdict(i);
  const unknown = versionUnknown(i);
  const out: InstanceVerdict[] = [];
  if (flags.has('down')) out.push('down');
  if (flags.has('orphan')) out.push('orphan');
  if (flags.has('superseded')) out.push('superseded');
  for (const cause of new Set(staleVerdicts(i).map((v) => v.cause))) out.push(causeVerdict(cause));
  if (flags.has('duplicate')) out.push('duplicate');
  const idle = idleVerdict(i);
  // Stopped for idleness: no server runs, so there is no version to be unsure of.
  if (!stale && unknown && !idle)
    out.push(unknown === PENDING ? 'checking' : unknown.settling ? 'settling' : 'unknown');
  // Claimed by several entries: the tooltip names them; bulk actions leave it alone.
  if (ownerUndecided(i)) out.push('owner-undecided');
  if (idle) out.push('idle');
  return out.length ? out : ['ok'];
}
