import type { EngineCache } from '../base/engineCache';
import { pathFor } from '../base/hostEnv';
import type { Instance, InstanceChild, Snapshot } from '../base/model';
import type { Machine } from '../machine/types';
import { engineTableKeeper } from '../pids/keptRows';
import { ProcessInfo, ProcessTableResult, readProcessTable } from '../pids/table';
import { looksLikeMcpServer } from '../processes/argv';
import { matchClientSignature } from '../processes/clients';
import { installerIn } from '../versions/installers';
import type { PassView } from './build';
import { AbsentInputs } from './absentInputs';
import { FS_TIME_RESOLUTION_MS, notingMachine, PassNotes, probeNow, Stamp, statStamp } from './passInputs';

/**
 * A tick that finds nothing changed re-judges nothing. The engine takes a full snapshot through a
 * pass that notes every input it read (passInputs.ts); the next tick reads the process table,
 * looks at those inputs again (a stat, a link, a few lines of a process's files; a path found
 * absent through the folder that holds it, absentInputs.ts) and, when all are
 * as they were, answers the last snapshot with fresh memory and CPU figures. Not reused: a pass
 * that ran a command or asked a server or the network, one that read a file changed within the
 * settle window (a verdict that may still move with time, or a second write hidden in the same
 * clock tick), one with a verdict waiting for an install to settle, one read from `ps` (no
 * procfs); and an answer from outside arriving (a registry check done) is a change. A full
 * snapshot is taken at least every FULL_SNAPSHOT_EVERY_MS, which bounds what the signatures cannot
 * see (an environment rewritten in place), and sooner where the engine keeps an answer by time
 * alone for less (QuietTickPass.keptAnswersMs: docker's).
 */

/**
 * The longest a snapshot is reused. Its memory and CPU figures are read fresh at each tick (the
 * PSS as a full pass reads it); what the engine keeps by time alone for less (a docker answer) sets
 * a shorter life for the snapshots that may hold it.
 */
export const FULL_SNAPSHOT_EVERY_MS = 60_000;

/** While every noted pass is found changed at the next tick, how often a pass is noted all the same (ms). */
const NOTE_AGAIN_MS = 10_000;

/** Snapshots kept, one per request (the badge's cheap look and the full one). */
const KEPT_REQUESTS = 4;

interface Kept {
  snapshot: Snapshot;
  notes: PassNotes;
  /** When its pass began, and whether a tick was answered from it. */
  noted: { at: number; reused: boolean };
  /** How long after its pass began it may be answered from (FULL_SNAPSHOT_EVERY_MS, or less). */
  lifeMs: number;
  rows: ReadonlyMap<number, ProcessInfo>;
  /** Pids whose rows the snapshot depends on (those it names or read, and all their ancestors), and the servers' own trees. */
  watched: { rows: ReadonlySet<number>; trees: ReadonlySet<number> };
  mayBeCandidate: (p: ProcessInfo) => boolean;
  outside: number;
  /** The paths it found absent that ticks look at through their folders. */
  absent: AbsentInputs;
}

/** What the engine gives a tick: its full pass, and its cache (the table's kept kernel threads, the kept PSS). */
export interface QuietTickPass {
  key: string;
  settleMs: number;
  cache: EngineCache;
  /** Before a pass whose reads are noted (the engine's second and later): what it keeps by time is to be looked at in it too. */
  beforeNoted: () => void;
  /** A full snapshot; `observe` is told what it read of processes; `table`: the process table, when just read. */
  full: (observe: (view: PassView) => void, table?: ProcessTableResult) => Promise<Snapshot>;
  /** Each instance's PSS (by pid), where the request asks for it. */
  pss: ((instances: Instance[]) => Promise<ReadonlyMap<number, number>> | undefined) | undefined;
  /**
   * After a pass: the shortest time the engine keeps an answer that a pass may use without reading
   * anything (docker's), when it keeps one; a snapshot that may hold it lives no longer.
   */
  keptAnswersMs?: () => number | undefined;
}

export class QuietTicks {
  readonly machine: Machine;
  private readonly reads: ReturnType<typeof notingMachine>;
  private readonly kept = new Map<string, Kept>();
  private snapshots = 0;
  private lastNoted: { at: number; reused: boolean } | undefined;
  /**
   * Ticks answered from the kept snapshot and full passes; what the last look found changed since
   * the kept snapshot, and why the last full pass may not be reused (for the log and benches).
   */
  readonly stats: { reused: number; full: number; changed?: string; notReusable?: string } = { reused: 0, full: 0 };

  constructor(
    private readonly inner: Machine,
    private readonly enabled = true,
  ) {
    this.reads = notingMachine(inner);
    this.machine = this.reads.machine;
  }

  async snapshot(pass: QuietTickPass): Promise<Snapshot> {
    const kept = this.kept.get(pass.key);
    this.kept.delete(pass.key);
    let table: ProcessTableResult | undefined;
    if (kept) {
      const found = await this.unchanged(kept, pass.cache);
      this.stats.changed = 'changed' in found ? found.changed : undefined;
      if ('rows' in found) {
        const fresh = await withFreshFigures(kept.snapshot, found.rows, this.inner.now(), pass.pss);
        this.kept.set(pass.key, kept);
        kept.noted.reused = true;
        this.stats.reused++;
        return fresh;
      }
      // Read for the look just now: the full pass takes it rather than reading it again.
      table = found.table;
    }
    this.stats.full++;
    if (!this.notes()) return pass.full(() => undefined, table);
    let view: PassView | undefined;
    pass.beforeNoted();
    const at = this.inner.now();
    const noted = { at, reused: false };
    this.lastNoted = noted;
    // Counted before the pass: an answer that arrives while it runs may or may not be in it.
    const outside = this.reads.outsideAnswers();
    const { value, notes } = await this.reads.record(at - pass.settleMs - FS_TIME_RESOLUTION_MS, () =>
      pass.full((v) => (view = v), table),
    );
    const why = notReusable(value, notes, view);
    this.stats.notReusable = why;
    if (why === undefined && view?.table.state === 'ok') {
      const rows = new Map(view.table.processes.map((p) => [p.pid, p]));
      this.kept.set(pass.key, {
        snapshot: value,
        notes,
        noted,
        lifeMs: Math.min(FULL_SNAPSHOT_EVERY_MS, pass.keptAnswersMs?.() ?? Infinity),
        rows,
        watched: watchedPids(value, view, notes, rows, this.inner.selfPid),
        mayBeCandidate: view.mayBeCandidate,
        outside,
        absent: new AbsentInputs(),
      });
      while (this.kept.size > KEPT_REQUESTS) this.kept.delete(this.kept.keys().next().value as string);
    }
    return value;
  }

  /** Whether a pass's reads are being noted now: what the engine keeps by time is to be looked at in it too. */
  noting(): boolean {
    return this.reads.recording();
  }

  /**
   * Whether this pass's reads are noted. Not an engine's first (a one-shot answer, the CLI's
   * status, never asks twice), and while the machine keeps changing (the last noted pass was never
   * reused) at most every NOTE_AGAIN_MS: noting costs a pass a few stats more.
   */
  private notes(): boolean {
    if (!this.enabled || this.snapshots++ === 0) return false;
    const last = this.lastNoted;
    return !last || last.reused || this.inner.now() - last.at >= NOTE_AGAIN_MS;
  }

  /** The process table's rows when nothing the kept snapshot read has changed, else what did (and the table, when read). */
  private async unchanged(
    kept: Kept,
    cache: EngineCache,
  ): Promise<{ rows: ReadonlyMap<number, ProcessInfo> } | { changed: string; table?: ProcessTableResult }> {
    if (this.inner.now() - kept.notes.at >= kept.lifeMs) return { changed: 'a full look was due' };
    if (this.reads.outsideAnswers() !== kept.outside) return { changed: 'an answer from outside arrived' };
    const table = await readProcessTable(this.inner, engineTableKeeper(this.inner, cache));
    if (table.state !== 'ok' || table.method !== 'procfs')
      return { changed: 'the process table could not be read from /proc', table };
    const rows = new Map(table.processes.map((p) => [p.pid, p]));
    if (tableConcerns(kept.rows, rows, kept.watched.rows, kept.watched.trees, (p) => concerns(p, kept, this.inner)))
      return { changed: 'a process that concerns the servers started, ended or changed', table };
    const fs = this.inner.fs;
    const startedAt = this.inner.now();
    // A path's stat is taken once a tick: an input's own and a folder's that anchors absent paths are often one.
    const stats = new Map<string, Stamp>();
    const statNow = (path: string): Stamp => {
      let s = stats.get(path);
      if (!s) stats.set(path, (s = statStamp(fs, path)));
      return s;
    };
    const absentNow: string[] = [];
    for (const input of kept.notes.inputs.values()) {
      const absent = input.seen === 'absent' && (input.probe === 'stat' || input.probe === 'lstat');
      if (absent && kept.absent.holds(input.path, statNow)) continue;
      const now = input.probe === 'stat' ? statNow(input.path).seen : probeNow(fs, input.probe, input.path);
      if (now !== input.seen) return { changed: `${input.path} changed`, table };
      if (absent) absentNow.push(input.path);
    }
    for (const [pid, existed] of kept.notes.pidAnswers)
      if (this.inner.pidExists(pid) !== existed)
        return { changed: `pid ${pid} ${existed ? 'ended' : 'appeared'}`, table };
    const p = pathFor(this.inner.host);
    for (const path of absentNow) kept.absent.anchor(fs, p, path, startedAt - FS_TIME_RESOLUTION_MS, statNow);
    return { rows };
  }
}

/** Why a pass's snapshot may not be reused, or undefined when it may. */
function notReusable(snapshot: Snapshot, notes: PassNotes, view: PassView | undefined): string | undefined {
  if (notes.unreusable !== undefined) return notes.unreusable;
  if (!view) return 'no process table';
  if (view.table.state !== 'ok' || view.table.method !== 'procfs') return 'the process table was not read from /proc';
  if (everyInstance(snapshot).some((i) => i.versions?.verdict.state === 'unknown' && i.versions.verdict.settling))
    return 'a verdict waits for an install to settle';
  return undefined;
}

/** Every instance and every process an instance started, of configured servers and of the rest. */
function everyInstance(s: Snapshot): Array<Instance | InstanceChild> {
  const instances = [...s.servers.flatMap((x) => x.instances), ...s.notConfigured];
  return [...instances, ...instances.flatMap((i) => i.children ?? [])];
}

/**
 * The pids whose rows a snapshot depends on (`rows`): every pid it names (instances, their
 * children, launchers, clients, hosts, evidence), every pid whose files the pass read or whose
 * existence it asked, the live lock records' pids, our own; and all their ancestors (a client is
 * found by walking up). And the servers' own trees (`trees`: each instance, what it started and
 * its launchers), under which a process that starts is part of an instance.
 */
function watchedPids(
  snapshot: Snapshot,
  view: PassView,
  notes: PassNotes,
  rows: ReadonlyMap<number, ProcessInfo>,
  selfPid: number,
): { rows: Set<number>; trees: Set<number> } {
  const named = new Set<number>([selfPid, ...notes.pids]);
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v))
        if ((k === 'pid' || k === 'ppid') && typeof x === 'number') named.add(x);
        else collect(x);
  };
  collect(snapshot.servers);
  collect(snapshot.notConfigured);
  collect(view.locks);
  const watched = new Set<number>();
  for (const pid of named)
    for (let p: number | undefined = pid, depth = 0; p !== undefined && depth < 64 && !watched.has(p); depth++) {
      watched.add(p);
      p = rows.get(p)?.ppid;
    }
  const trees = new Set<number>();
  for (const i of [...snapshot.servers.flatMap((x) => x.instances), ...snapshot.notConfigured])
    for (const p of [i, ...(i.children ?? []), ...i.launcherChain]) trees.add(p.pid);
  return { rows: watched, trees };
}

/**
 * Whether a process that started, ended or changed could change the snapshot by itself: one
 * matching may take for an entry's (its launch key), an MCP-looking one, an installer at work (the
 * verdicts wait for it), an agent host (a newer one supersedes an older one's servers). A client
 * that starts cannot own a process already running: the clients of instances are their ancestors,
 * which are watched.
 */
function concerns(p: ProcessInfo, kept: Kept, machine: Machine): boolean {
  return (
    kept.mayBeCandidate(p) ||
    looksLikeMcpServer(p.argv) ||
    installerIn(p) !== undefined ||
    matchClientSignature(p, machine.host.platform)?.agent?.role === 'host'
  );
}

/** Whether two rows are one process as matching, clients and orphans read it (not its memory or CPU). */
function sameRow(a: ProcessInfo, b: ProcessInfo): boolean {
  // A row the table kept (its reads the same) is the very object.
  if (a === b) return true;
  return (
    a.startTime === b.startTime &&
    a.ppid === b.ppid &&
    a.uid === b.uid &&
    a.tty === b.tty &&
    a.argvJoined === b.argvJoined &&
    a.argv.length === b.argv.length &&
    a.argv.every((x, i) => x === b.argv[i])
  );
}

/**
 * Whether the table changed in a way the snapshot can see: a watched pid's row changed, appeared or
 * went; or a process that started, ended or changed concerns the entries, or descends from a
 * server's own tree (a process an instance started).
 */
export function tableConcerns(
  before: ReadonlyMap<number, ProcessInfo>,
  after: ReadonlyMap<number, ProcessInfo>,
  watched: ReadonlySet<number>,
  trees: ReadonlySet<number>,
  concernsEntries: (p: ProcessInfo) => boolean,
): boolean {
  const matters = (p: ProcessInfo | undefined, rows: ReadonlyMap<number, ProcessInfo>) =>
    p !== undefined && (concernsEntries(p) || descendsFrom(p, trees, rows));
  for (const pid of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(pid);
    const a = after.get(pid);
    if (b && a && sameRow(a, b)) continue;
    if (watched.has(pid) || matters(b, before) || matters(a, after)) return true;
  }
  return false;
}

function descendsFrom(p: ProcessInfo, watched: ReadonlySet<number>, rows: ReadonlyMap<number, ProcessInfo>): boolean {
  let cur = rows.get(p.ppid);
  for (let depth = 0; cur && depth < 64; depth++) {
    if (watched.has(cur.pid)) return true;
    cur = cur.ppid === cur.pid ? undefined : rows.get(cur.ppid);
  }
  return watched.has(p.ppid);
}

/**
 * The kept snapshot as a full one would read now that nothing else changed: taken now, the
 * table's count, each instance's and child's memory and CPU from the rows just read, and its PSS
 * as a full pass reads it (a kept reading while the RSS holds). Only what changes is copied (the
 * top, the lists of servers and instances, each instance and child): the rest is the kept
 * snapshot's own, which no face changes, as it already shares it with the pass's first answer.
 */
async function withFreshFigures(
  kept: Snapshot,
  rows: ReadonlyMap<number, ProcessInfo>,
  at: number,
  pss: QuietTickPass['pss'],
): Promise<Snapshot> {
  const figures = <P extends Instance | InstanceChild>(p: P): P => {
    const row = rows.get(p.pid);
    const out = { ...p, memoryBytes: row?.memoryBytes };
    if (row?.cpuMs !== undefined) out.cpuMs = row.cpuMs;
    else delete out.cpuMs;
    return out;
  };
  const instance = (i: Instance): Instance => {
    const out = figures(i);
    if (i.children) out.children = i.children.map(figures);
    return out;
  };
  const s: Snapshot = {
    ...kept,
    takenAt: new Date(at).toISOString(),
    processes: kept.processes.state === 'ok' ? { state: 'ok', count: rows.size } : kept.processes,
    servers: kept.servers.map((x) => ({ ...x, instances: x.instances.map(instance) })),
    notConfigured: kept.notConfigured.map(instance),
  };
  // Asked with the RSS just read, which says whether a kept PSS still holds; set on the copies.
  const measured = pss?.([...s.servers.flatMap((x) => x.instances), ...s.notConfigured]);
  if (measured) {
    const read = await measured;
    for (const p of everyInstance(s)) {
      const v = read.get(p.pid);
      if (v !== undefined) p.pssBytes = v;
      else delete p.pssBytes;
    }
  }
  return s;
}
