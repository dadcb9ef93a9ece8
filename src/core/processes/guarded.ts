import type { AttachedClient } from '../control/protocol';
import type { Instance, Verdict } from '../base/model';
import { START_TIME_TOLERANCE_MS } from '../locks';
import { redactResourceKey } from '../locks/redactRecord';
import type { LockRecord } from '../locks/types';
import { isLoopbackHostname } from '../net/loopback';

/** Which live lock record owns a process: the record's holder, or the server child a launcher (the guard) records. */
export interface LockOwners {
  ownerOf(pid: number, startTime: number | undefined): LockRecord | undefined;
}

const sameStart = (recorded: number, seen: number | undefined): boolean =>
  seen !== undefined && Math.abs(recorded - seen) <= START_TIME_TOLERANCE_MS;

/**
 * Indexes live lock records by the processes they own: the holder (pid + start time) and, when the
 * holder is a launcher, the child it names. The lock protocol decides which records are live; this
 * only joins them to processes.
 */
export function lockOwners(records: readonly LockRecord[]): LockOwners {
  return { ownerOf: recordsBy(records, true) };
}

/** Live lock records by their holder alone (pid + start time), for holderRecordOf to ask of many instances. */
export interface LockHolders {
  holderOf(pid: number, startTime: number | undefined): LockRecord | undefined;
}

/** Indexes live lock records by their holder: one pass, then one lookup per process asked. */
export function lockHolders(records: readonly LockRecord[]): LockHolders {
  return { holderOf: recordsBy(records, false) };
}

/** The records by the processes they name: the holder, and with `children` the child a launcher records. */
function recordsBy(records: readonly LockRecord[], children: boolean): LockOwners['ownerOf'] {
  const byPid = new Map<number, { record: LockRecord; startTime: number }[]>();
  const add = (pid: number, startTime: number, record: LockRecord) =>
    byPid.set(pid, [...(byPid.get(pid) ?? []), { record, startTime }]);
  for (const r of records) {
    add(r.pid, r.startTime, r);
    if (children && r.child) add(r.child.pid, r.child.startTime, r);
  }
  return (pid, startTime) => byPid.get(pid)?.find((x) => sameStart(x.startTime, startTime))?.record;
}

/**
 * Marks the instances a live lock record names: the record's holder (or the child it runs) is the
 * instance's own process or one of its launcher chain (`mcp-lifeguard run` above the server).
 */
export function markGuarded(instances: Iterable<Instance>, records: readonly LockRecord[] | LockOwners): void {
  const owners = 'ownerOf' in records ? records : lockOwners(records);
  for (const i of instances) {
    const r = firstOwned(i, owners.ownerOf);
    // Masked: a record written by another implementation may carry credentials in its key.
    if (r)
      i.lock = {
        serverName: r.serverName,
        resourceKey: redactResourceKey(r.resourceKey),
        ...(r.holder ? { holder: r.holder } : {}),
        ...(typeof r.serverLog === 'string' ? { serverLog: r.serverLog } : {}),
        ...attachedField(r),
        ...shareUrlField(r),
        ...(r.restartCheck === 'probe' ? { restartCheck: 'probe' as const } : {}),
      };
    const down = r && downOf(r);
    if (down && !serverDownOf(i)) i.verdicts.push({ kind: 'down', ...down });
    const idle = r && !down ? idleOf(r) : undefined;
    if (idle && !serverIdleOf(i)) i.verdicts.push({ kind: 'idle', ...idle });
  }
}

/** Whether an instance's server is stopped for idleness (a guard run with `--idle-stop`): the one reading of it. */
export function serverIdleOf(i: Pick<Instance, 'verdicts'>): Extract<Verdict, { kind: 'idle' }> | undefined {
  return i.verdicts.find((v): v is Extract<Verdict, { kind: 'idle' }> => v.kind === 'idle');
}

/**
 * A guard's own word that it stopped its server for idleness (the record's `idle`), when well-formed,
 * with the package its last server started with (the record's `versions`, written at each start).
 */
export function idleOf(record: LockRecord): Omit<Extract<Verdict, { kind: 'idle' }>, 'kind'> | undefined {
  const d = record.idle as unknown;
  if (!d || typeof d !== 'object') return undefined;
  const { since, afterMs } = d as { since?: unknown; afterMs?: unknown };
  if (typeof since !== 'string') return undefined;
  const ran = ranWithOf(record.versions).ranWith?.package;
  const last = ran ? { ran: { name: ran.name.slice(0, 214), version: ran.version.slice(0, 64) } } : {};
  if (afterMs === undefined) return { since: since.slice(0, 64), ...last };
  if (typeof afterMs !== 'number' || !Number.isFinite(afterMs) || afterMs < 0) return undefined;
  return { since: since.slice(0, 64), afterMs, ...last };
}

/** Why an instance's server is down (it is a guard that gave up on it), or undefined: the one reading of it. */
export function serverDownOf(i: Pick<Instance, 'verdicts'>): Extract<Verdict, { kind: 'down' }> | undefined {
  return i.verdicts.find((v): v is Extract<Verdict, { kind: 'down' }> => v.kind === 'down');
}

/** Lines of a server's output kept in a verdict, and characters of each: a record is anyone's to write. */
const DOWN_LINES = 20;
const DOWN_LINE_CHARS = 1000;
/** A reason is the guard's words and the server's cause line: longer than a line. */
const DOWN_REASON_CHARS = 2000;

/**
 * A guard's own word that its server is down (the record's `down`), when it is well-formed: its
 * strings as written (cut), never anything else of the record's. The snapshot masks secrets in it
 * as in every string.
 */
export function downOf(record: LockRecord): Omit<Extract<Verdict, { kind: 'down' }>, 'kind'> | undefined {
  const d = record.down as unknown;
  if (!d || typeof d !== 'object') return undefined;
  const { since, reason, output, ranWith } = d as {
    since?: unknown;
    reason?: unknown;
    output?: unknown;
    ranWith?: unknown;
  };
  if (typeof since !== 'string' || typeof reason !== 'string') return undefined;
  const cut = (s: string, max = DOWN_LINE_CHARS) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
  const lines = Array.isArray(output) ? output.filter((l): l is string => typeof l === 'string') : [];
  return {
    since: cut(since, 64),
    reason: cut(reason, DOWN_REASON_CHARS),
    ...(lines.length ? { output: lines.slice(-DOWN_LINES).map((l) => cut(l)) } : {}),
    ...ranWithOf(ranWith),
  };
}

/** A down record's `ranWith`, its strings only: the package's name and version and the dependencies' (at most 2,000). */
function ranWithOf(value: unknown): { ranWith?: NonNullable<Extract<Verdict, { kind: 'down' }>['ranWith']> } {
  if (!value || typeof value !== 'object') return {};
  const { package: pkg, dependencies } = value as { package?: unknown; dependencies?: unknown };
  const p = pkg as { name?: unknown; version?: unknown } | undefined;
  const named =
    p && typeof p.name === 'string' && typeof p.version === 'string' ? { name: p.name, version: p.version } : undefined;
  const deps =
    dependencies && typeof dependencies === 'object'
      ? Object.fromEntries(
          Object.entries(dependencies as Record<string, unknown>)
            .filter((e): e is [string, string] => typeof e[1] === 'string')
            .slice(0, 2000),
        )
      : undefined;
  if (!named && !deps) return {};
  return { ranWith: Object.assign({}, named ? { package: named } : {}, deps ? { dependencies: deps } : {}) };
}

/** The `attached` an instance shows: a share host's clients, or an HTTP guard's when it has any. */
export function attachedField(r: LockRecord): { attached?: AttachedClient[] } {
  if (!Array.isArray(r.attached)) return {};
  if (r.share === true) return { attached: attachedOf(r.attached) };
  // An HTTP guard with no client now is just guarded, not "shared by no client".
  const attached = isHttpGuardRecord(r) ? attachedOf(r.attached) : [];
  return attached.length > 0 ? { attached } : {};
}

/**
 * A share host's HTTP front as its record names it: only a plain `http://` URL on a loopback name
 * (a record is anyone's to write; a URL with credentials or elsewhere is not shown).
 */
export function shareUrlField(r: LockRecord): { shareUrl?: string } {
  if (r.share !== true || typeof r.shareUrl !== 'string' || r.shareUrl.length > 256) return {};
  let url: URL;
  try {
    url = new URL(r.shareUrl);
  } catch {
    return {};
  }
  if (url.protocol !== 'http:' || url.username || url.password || !isLoopbackHostname(url.hostname)) return {};
  return { shareUrl: url.href };
}

/** Whether a record is an HTTP guard's (`run --http`, `ensure --http`): its holder says so. */
export function isHttpGuardRecord(record: { holder?: unknown }): boolean {
  return typeof record.holder === 'string' && /^mcp-lifeguard-guard \S+ http$/.test(record.holder);
}

/**
 * A holder's clients as a record lists them: only well-formed entries, names as written. A pid
 * comes with its start time (a relay's always; an HTTP client's when its process was found).
 */
export function attachedOf(list: readonly unknown[]): AttachedClient[] {
  return list.flatMap((a) => {
    const c = a as { pid?: unknown; startTime?: unknown; clientName?: unknown } | null;
    if (!c || typeof c !== 'object') return [];
    const hasPid = c.pid !== undefined || c.startTime !== undefined;
    if (hasPid && (!Number.isInteger(c.pid) || (c.pid as number) <= 0 || typeof c.startTime !== 'number')) return [];
    return [
      Object.assign(
        {},
        hasPid ? { pid: c.pid as number, startTime: c.startTime as number } : {},
        typeof c.clientName === 'string' ? { clientName: c.clientName } : {},
      ),
    ];
  });
}

/**
 * The live record whose holder is the instance's process or one of its launchers, if any. `records`:
 * the records, or their holders indexed once (lockHolders) where many instances are asked about.
 */
export function holderRecordOf(i: LaunchOf, records: readonly LockRecord[] | LockHolders): LockRecord | undefined {
  if ('holderOf' in records) return firstOwned(i, records.holderOf);
  return firstOwned(i, (pid, startTime) => records.find((x) => x.pid === pid && sameStart(x.startTime, startTime)));
}

type LaunchOf = Pick<Instance, 'pid' | 'startTime'> & { launcherChain?: Instance['launcherChain'] };

/** The first record that owns the instance's own process or, going up, one of its launchers. */
function firstOwned(i: LaunchOf, ownerOf: LockOwners['ownerOf']): LockRecord | undefined {
  for (const step of [{ pid: i.pid, startTime: i.startTime }, ...(i.launcherChain ?? [])]) {
    const r = ownerOf(step.pid, step.startTime);
    if (r) return r;
  }
  return undefined;
}
