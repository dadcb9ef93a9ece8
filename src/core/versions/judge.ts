import type { Drift } from './configDrift';
import type { MappedAtSighting } from './mappedContent';
import { RecordedVersions } from '../locks/types';
import { describeMove, environmentMoves, fingerprint, markStillInstalled } from './fingerprint';
import {
  ChangedFile,
  DevMember,
  Ecosystem,
  EnvironmentFingerprint,
  InferredSource,
  Installed,
  MovedDependency,
  Running,
  ServerInfoStatement,
  VersionVerdict,
} from '../base/versionTypes';

/**
 * The version judgement, as a pure function of the evidence. The rules it keeps:
 * - `stale` only on positive evidence that the code on disk differs from the code the process
 *   loaded: a version or environment difference against a recorded (or inferred) running side, a
 *   mapped file whose content differs from the installed one, the package or the process's own
 *   script gone, a binary rewritten after it started (by other bytes: a same-bytes reinstall is the same code).
 * - `changed` when files of the package, of its closure or of a development server's own source
 *   changed after the process started and nothing recorded says what it loaded: never fine.
 * - `current` only when something says it is the same code: a record, an inference, or files that
 *   all predate the process.
 * - `unknown` otherwise, and while files are still changing (an install running).
 * docs/status-json.md lists every rule.
 */

/**
 * Start times and file times come from different clocks (boot time + ticks vs the filesystem's
 * coarse clock), and a process reads its code a little after it began: a file written this soon
 * after the latest moment the process may have begun (its start time plus its precision,
 * pids/startLag.ts) counts as one it loaded.
 */
export const CLOCK_SLACK_MS = 250;

/** What was recorded when this instance was first seen with files older than its start. */
export interface FirstSeen {
  name: string;
  version: string;
  environment?: EnvironmentFingerprint;
  /** ISO 8601. */
  firstSeenAt: string;
  /** The package's own files as it loaded them (packageDigest.ts), where the folder is small enough to hash. */
  digest?: string;
  /** A Python script's closure as its distributions' RECORDs hashed it (recordsDigest.ts). */
  recordsDigest?: string;
  /** The files it mapped in its environment as their RECORDs listed them (mappedRecords.ts). */
  mapped?: MappedAtSighting;
}

export interface VersionEvidence {
  installed: Installed;
  /**
   * The entry launches another release than the one this process was started with
   * (configDrift.ts, read from its launcher chain): `config-changed` unless a stronger verdict holds.
   */
  drift?: Drift;
  /** ms since the epoch; absent when the OS gave none. */
  processStart?: number;
  lock?: { versions: RecordedVersions; startedAt?: string };
  /** The server's own statement; `how` says how it was learned (the probe, the guard's lock record). */
  serverInfo?: ServerInfoStatement;
  firstSeen?: FirstSeen;
  /** The running side when the tool reports it directly (docker inspect). */
  reported?: Running;
  /** Files the process maps that were replaced on disk by files of different content (Linux `/proc/<pid>/maps`). */
  replacedFiles?: string[];
  /** Mapped files replaced on disk whose content could not be compared (not readable here). */
  unverifiedFiles?: string[];
  /** Mapped files replaced on disk by files of identical content: a reinstall, not a change. */
  identicalFiles?: string[];
  /** Files the resolution read (metadata, lockfiles) that changed after the process started. */
  changedFiles?: ChangedFile[];
  /**
   * The package's own files now differ from the ones first seen (packageDigest.ts) under the same
   * version: a release packed again without a bump. Read only when its files changed after the start.
   */
  contentMoved?: boolean;
  /**
   * A Python script's environment rewritten after its start, at the version first seen, its own
   * files and development members untouched: its distributions' RECORDs against the ones first seen
   * (recordsDigest.ts), `unverified` when there is nothing to compare with; `how` says which, in
   * words (other RECORDs come as `contentMoved`).
   */
  closureContent?: { check: 'identical' | 'differs' | 'unverified'; how: string };
  /**
   * True when every file that changed after the start belongs to a distribution whose mapped files
   * are identical to the installed ones (`identicalFiles`): a reinstall of the same code.
   */
  changeExplained?: boolean;
  /**
   * The version the process loaded as a package manager's history tells it (`source`: npm's cache
   * when absent, uv's cache, pipx's log). `closureHow`: set when something also says the
   * dependencies did not move since the start (the project's lockfile predates it; uv's cache
   * unpacked no other version of any of them before it); without it a same-version inference says
   * nothing of them.
   */
  inferred?: {
    version: string;
    how: string;
    closureHow?: string;
    source?: InferredSource;
    /**
     * Closure members the cache proves moved since the start (the version fetched before it
     * replaced by one fetched after it); `movedHow` says so in words. Only those whose `to` is the
     * version installed now count.
     */
    moved?: MovedDependency[];
    movedHow?: string;
  };
  /**
   * Packages a recorded closure named that the closure installed now does not hold but that are
   * still installed beside it (`name -> version`): no longer dependencies, not removed.
   */
  stillInstalled?: Record<string, string>;
  /** ms since the epoch: now, for the settle rule. */
  now?: number;
  /**
   * An installer that can write the package running now (`npm ci (pid 4242)`), since when, and
   * `why` it can (what it writes, or why that is not known).
   */
  installing?: { what: string; startTime?: number; why?: string };
  /**
   * An installer that could write the package, seen at work earlier and gone now: a change it
   * began before is complete, judged without the quiet period.
   */
  installedBy?: { what: string; startTime?: number };
  /** The quiet period after a change before it is judged (ms); SETTLE_MS unless the engine says otherwise. */
  settleMs?: number;
}

/** Files that changed less than this long ago may be an install still running: judged after. */
export const SETTLE_MS = 4000;

function stripScope(name: string): string {
  return name
    .toLowerCase()
    .replace(/^@[^/]+\//, '')
    .replace(/[-_.]+/g, '-');
}

/**
 * The running side, best evidence first: the lock record written at start, the server's own report
 * (trusted only when it names this package or agrees with the disk: many servers hard-code a
 * version unrelated to their package's), what docker or the executable the process runs says (a Go
 * binary's build information), then the first sighting.
 */
export function runningOf(e: VersionEvidence): Running {
  const inst = e.installed;
  // A missing package is named from the path that vanished (sometimes only a bin's name): the
  // records of this very process (pid + start time) name it better, so they are not checked against it.
  const pkgName = inst.state === 'installed' ? inst.name : undefined;
  const pkg = e.lock?.versions.package;
  if (pkg && (!pkgName || stripScope(pkg.name) === stripScope(pkgName))) {
    const deps = e.lock?.versions.dependencies;
    return {
      state: 'known',
      version: pkg.version,
      // A record of an earlier guard may list packages outside the closure: compared as such.
      ...(deps
        ? {
            environment:
              e.lock?.versions.dependenciesScope === 'closure'
                ? fingerprint(deps)
                : Object.assign({}, fingerprint(deps), { scope: undefined }),
          }
        : {}),
      source: 'lock-record',
      how: 'lock record written at start',
      ...(e.lock?.startedAt ? { since: e.lock.startedAt } : {}),
    };
  }
  if (e.serverInfo && inst.state === 'installed') {
    const named = stripScope(e.serverInfo.name) === stripScope(inst.name);
    if (named || e.serverInfo.version === inst.version) {
      const said = `${e.serverInfo.name} ${e.serverInfo.version}`;
      return {
        state: 'known',
        version: e.serverInfo.version,
        source: 'server-info',
        how: e.serverInfo.how
          ? `the server's own serverInfo (${said}), by ${e.serverInfo.how}`
          : `the server's initialize reply (${said})`,
      };
    }
  }
  if (e.reported?.state === 'known') return e.reported;
  if (e.firstSeen && (!pkgName || stripScope(e.firstSeen.name) === stripScope(pkgName))) {
    return {
      state: 'known',
      version: e.firstSeen.version,
      ...(e.firstSeen.environment ? { environment: e.firstSeen.environment } : {}),
      source: 'first-seen',
      how: `installed when this instance was first seen (${e.firstSeen.firstSeenAt}), unchanged since its start`,
      since: e.firstSeen.firstSeenAt,
    };
  }
  if (e.reported?.state === 'unknown') return e.reported;
  return {
    state: 'unknown',
    reason: 'no lock record, no report from the server and no earlier sighting of this instance',
  };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** Whether the installed files provably predate the process (so it loaded exactly them). */
export function filesPredateProcess(installed: Installed, processStart: number | undefined): boolean {
  if (processStart === undefined || installed.state !== 'installed' || installed.changedAt === undefined) return false;
  return installed.changedAt <= processStart + CLOCK_SLACK_MS;
}

/**
 * Why the verdict must wait, if it must: an install still writing would be judged half done. An
 * installer that can write the package and started before the change still running (or running at
 * all while dependencies it had are gone), or files changed or a package removed less than
 * SETTLE_MS ago, unless an installer that could write them, seen at work, has exited since it began
 * them (then the writer is known to be done).
 */
function settlingReason(
  e: VersionEvidence,
  changedSinceStart: boolean,
  unverified: boolean,
  dependenciesGone: boolean,
): string | undefined {
  const inst = e.installed;
  if (changedSinceStart && inst.state === 'installed' && tooRecent(e, inst.changedAt!))
    return `files of ${inst.name} changed ${ago(e, inst.changedAt!)} (an install may be running): judged once they stop changing`;
  const changeTime = inst.state === 'installed' ? inst.changedAt : inst.state === 'missing' ? inst.goneAt : undefined;
  // Dependencies gone carry no time of their own (their folders are gone): any running installer of the ecosystem may be removing them.
  const byInstaller =
    e.installing &&
    (dependenciesGone ||
      e.installing.startTime === undefined ||
      changeTime === undefined ||
      changeTime >= e.installing.startTime - CLOCK_SLACK_MS);
  if (
    e.installing &&
    byInstaller &&
    (changedSinceStart || (inst.state === 'missing' && inst.fromProcess) || unverified || dependenciesGone)
  ) {
    return `${e.installing.what} is running${e.installing.why ? ` (${e.installing.why})` : ''}: judged once it is done`;
  }
  const start = e.processStart;
  if (
    inst.state === 'missing' &&
    start !== undefined &&
    inst.goneAt !== undefined &&
    inst.goneAt > start + CLOCK_SLACK_MS &&
    tooRecent(e, inst.goneAt)
  ) {
    return `${inst.name} was removed ${ago(e, inst.goneAt)} (an install may be running): judged once its folder stops changing`;
  }
  return undefined;
}

/**
 * A change at `t` (ms) less than the quiet period ago, which no installer seen at work and gone
 * since it began explains: an install may still be writing it.
 */
function tooRecent(e: VersionEvidence, t: number): boolean {
  const writerDone =
    !e.installing &&
    !!e.installedBy &&
    (e.installedBy.startTime === undefined || t >= e.installedBy.startTime - CLOCK_SLACK_MS);
  return e.now !== undefined && e.now - t < (e.settleMs ?? SETTLE_MS) && !writerDone;
}

function ago(e: VersionEvidence, t: number): string {
  return `${Math.max(0, Math.round((e.now! - t) / 1000))} s ago`;
}

/**
 * Why a script's imported packages that changed after its start (at `at`, the newest) must wait, if
 * they must: the settle rule of every change (settlingReason), for files no record names, so a read
 * made while the installer writes them is never a verdict.
 */
function importsSettling(e: VersionEvidence, names: readonly string[], at: number): string | undefined {
  if (e.installing && (e.installing.startTime === undefined || at >= e.installing.startTime - CLOCK_SLACK_MS))
    return `${e.installing.what} is running${e.installing.why ? ` (${e.installing.why})` : ''}: judged once it is done`;
  if (tooRecent(e, at))
    return `files of ${names.join(', ')}, which it imports, changed ${ago(e, at)} (an install may be running): judged once they stop changing`;
  return undefined;
}

/** The evidence files, newest first, each once, at most `limit`. */
function newestFiles(lists: ChangedFile[][], limit = 5): ChangedFile[] {
  const byPath = new Map<string, ChangedFile>();
  for (const f of lists.flat()) if (!byPath.has(f.path) || byPath.get(f.path)!.at < f.at) byPath.set(f.path, f);
  return [...byPath.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
}

export function judge(e: VersionEvidence): { running: Running; verdict: VersionVerdict } {
  const judged = judgeVersions(e);
  // The entry now launches another version than the process was started with: a restart runs the
  // new one. Not over a stale verdict (it says more), nor while an install settles (the wait is said first).
  const v = judged.verdict;
  if (e.drift && v.state !== 'stale' && !(v.state === 'unknown' && v.settling)) {
    const d = e.drift;
    return Object.assign({}, judged, {
      verdict: {
        state: 'config-changed',
        summary: `${d.package}: the configuration now launches ${d.configured}; this process was started with ${d.running}: restart it to run the new launch`,
        // A drift that is no edit of the configuration (a plugin updated under it) says its own.
        ...d,
      },
    });
  }
  return judged;
}

/** What the rules of the judgement read: the evidence, and the facts derived from it once. */
interface Judging {
  e: VersionEvidence;
  /** The running side after the files' times and the inference had their say. */
  running: Running;
  start: number | undefined;
  /** Mapped files replaced by other content; compared and unreadable; replaced by the same content. */
  replaced: string[];
  unverified: string[];
  identical: string[];
  /** The installed files changed after the start, and no reinstall of the same code explains it. */
  changedSinceStart: boolean;
  /** Development members of the closure whose own files changed after the start. */
  changedMembers: DevMember[];
  /** Members the cache proves moved, checked against the closure installed now. */
  inferredMoves: MovedDependency[];
}

/** The facts, before the running side is completed. */
type Facts = Omit<Judging, 'running'>;

type Judged = { running: Running; verdict: VersionVerdict };

/**
 * The judgement of what runs against what is installed, before the entry's own drift is weighed.
 * Its order: an install still settling waits; then the running side is completed (files that
 * predate the process, a cache's inference); then the rule of what the disk holds decides.
 */
function judgeVersions(e: VersionEvidence): Judged {
  const recorded = runningOf(e);
  const start = e.processStart;
  const unverified = e.unverifiedFiles ?? [];
  const changedSinceStart = installedChangedSinceStart(e);
  const waiting = settlingReason(e, changedSinceStart, unverified.length > 0, dependenciesGone(e, recorded));
  if (waiting) return { running: recorded, verdict: { state: 'unknown', settling: true, reason: waiting } };
  const facts: Facts = {
    e,
    start,
    replaced: e.replacedFiles ?? [],
    unverified,
    identical: e.identicalFiles ?? [],
    changedSinceStart,
    changedMembers: changedMembersOf(e),
    inferredMoves: inferredMovesOf(e),
  };
  const running = inferredRunning(facts, predatingRunning(facts, recorded));
  return { running, verdict: verdictOf(Object.assign({ running }, facts)) };
}

/** The rule of each state of the installed side. */
function verdictOf(j: Judging): VersionVerdict {
  const inst = j.e.installed;
  switch (inst.state) {
    case 'missing':
      return missingVerdict(j, inst);
    case 'unknown':
      return unknownInstalledVerdict(j, inst);
    case 'unversioned':
      return unversionedVerdict(j, inst);
    case 'installed':
      return installedVerdict(j, inst);
  }
}

function installedChangedSinceStart(e: VersionEvidence): boolean {
  const inst = e.installed;
  const start = e.processStart;
  return (
    start !== undefined &&
    inst.state === 'installed' &&
    inst.changedAt !== undefined &&
    inst.changedAt > start + CLOCK_SLACK_MS &&
    !e.changeExplained
  );
}

/** Dependencies the recorded running side had that are gone from the disk (not merely no longer in the closure). */
function dependenciesGone(e: VersionEvidence, running: Running): boolean {
  const inst = e.installed;
  return (
    running.state === 'known' &&
    !!running.environment &&
    inst.state === 'installed' &&
    !!inst.environment &&
    environmentMoves(running.environment, inst.environment).some(
      (m) => m.to === undefined && e.stillInstalled?.[m.name] === undefined,
    )
  );
}

/**
 * Development members of the closure (a linked workspace package, an editable install) whose own
 * files changed after the start: their versions do not name their code, so no record vouches for it.
 */
function changedMembersOf(e: VersionEvidence): DevMember[] {
  const inst = e.installed;
  const start = e.processStart;
  return start !== undefined && inst.state === 'installed'
    ? (inst.devMembers ?? []).filter((m) => m.newest.some((f) => Date.parse(f.at) > start + CLOCK_SLACK_MS))
    : [];
}

/** Members the cache proves moved, checked against the closure installed now. */
function inferredMovesOf(e: VersionEvidence): MovedDependency[] {
  const inst = e.installed;
  return inst.state === 'installed'
    ? (e.inferred?.moved ?? []).filter(
        (m) =>
          m.from !== undefined && m.to !== undefined && m.from !== m.to && inst.environment?.packages[m.name] === m.to,
      )
    : [];
}

/**
 * No record, but the files are older than the process: it loaded exactly these. (Not when a file
 * it mapped was replaced since: then something changed after it started, whatever the file times say.)
 */
function predatingRunning(j: Facts, running: Running): Running {
  const { e, start, identical } = j;
  const inst = e.installed;
  if (
    running.state !== 'unknown' ||
    inst.state !== 'installed' ||
    !(filesPredateProcess(inst, start) || (e.changeExplained && identical.length)) ||
    j.replaced.length ||
    j.unverified.length
  )
    return running;
  return {
    state: 'known',
    version: inst.version,
    ...(inst.environment ? { environment: inst.environment } : {}),
    source: 'first-seen',
    how: e.changeExplained
      ? `installed files unchanged since before the process started (${iso(start)}) but for a reinstall with identical content: ${identical.join(', ')}`
      : `installed files unchanged since before the process started (${iso(start)})`,
    since: iso(start),
  };
}

/** Still nothing known: what a package manager's history says the process loaded. */
function inferredRunning(j: Facts, running: Running): Running {
  const { e } = j;
  if (running.state !== 'unknown' || !e.inferred || e.installed.state !== 'installed') return running;
  return {
    state: 'known',
    version: e.inferred.version,
    source: e.inferred.source ?? 'npm-cache',
    how: j.inferredMoves.length && e.inferred.movedHow ? `${e.inferred.how}; ${e.inferred.movedHow}` : e.inferred.how,
    inferred: true,
  };
}

/** The package's name as the verdict says it: a missing one by what recorded it, if anything did. */
function packageName(e: VersionEvidence): string {
  const inst = e.installed;
  const recordedName = e.lock?.versions.package?.name ?? e.firstSeen?.name;
  return inst.state === 'installed'
    ? inst.name
    : inst.state === 'missing'
      ? (recordedName ?? inst.name)
      : inst.state === 'unversioned'
        ? inst.path
        : (inst.name ?? 'the server');
}

function ecosystemOf(inst: Installed): Ecosystem {
  return inst.state === 'unknown' ? (inst.ecosystem ?? 'binary') : inst.ecosystem;
}

function staleVerdict(
  j: Judging,
  installedVersion: string,
  moved: MovedDependency[],
  why: string,
  since?: string,
): VersionVerdict {
  const { running } = j;
  const inst = j.e.installed;
  const name = packageName(j.e);
  return {
    state: 'stale',
    package: name,
    ecosystem: ecosystemOf(inst),
    running: running.state === 'known' ? running.version : 'unknown',
    installed: installedVersion,
    movedDependencies: moved,
    replacedFiles: j.replaced,
    ...(running.state === 'known' ? { runningLearnedFrom: running.source } : {}),
    runningHow: running.state === 'known' ? running.how : running.reason,
    installedHow: inst.state === 'unknown' ? inst.reason : inst.how,
    ...(since ? { since } : {}),
    ...(running.state === 'known' && running.inferred ? { inferred: true } : {}),
    summary: `${name}: ${why}`,
  };
}

function changedVerdict(
  j: Judging,
  installedVersion: string,
  dev: boolean,
  /** Members of a script's closure whose files changed after its start, named, and the newest time. */
  imports?: { names: string[]; at: number },
): VersionVerdict {
  const { e, start, unverified, changedMembers } = j;
  const inst = e.installed;
  const name = packageName(e);
  const afterStart = (f: ChangedFile) => start !== undefined && Date.parse(f.at) > start + CLOCK_SLACK_MS;
  const ownDev = inst.state === 'installed' && inst.dev ? inst.dev.newest.filter(afterStart) : [];
  const files = newestFiles([
    e.changedFiles ?? [],
    ownDev,
    ...changedMembers.map((m) => m.newest.filter(afterStart)),
    unverified
      .map((path) => ({ path, at: iso(inst.state === 'installed' ? inst.changedAt : undefined) ?? '' }))
      .filter((f) => f.at),
  ]);
  const at = imports?.at ?? (inst.state === 'installed' ? inst.changedAt : undefined);
  const members = changedMembers.map((m) => `${m.name} ${m.version}`);
  const ofMembers = members.length
    ? `the source files of ${members.join(', ')}, ${members.length > 1 ? 'packages' : 'a package'} under development it depends on (${changedMembers.map((m) => m.root).join(', ')})`
    : '';
  const what = imports
    ? `${imports.names.join(', ')}, which it imports,`
    : dev && members.length
      ? ownDev.length
        ? `its own source files and ${ofMembers}`
        : ofMembers
      : dev
        ? 'its own source files'
        : unverified.length && !j.changedSinceStart
          ? 'files it mapped'
          : 'its files';
  const shown = files.length
    ? `: ${files
        .slice(0, 3)
        .map((f) => f.path)
        .join(', ')}${files.length > 3 ? ', ...' : ''}`
    : '';
  return {
    state: 'changed',
    package: name,
    ecosystem: ecosystemOf(inst),
    installed: installedVersion,
    dev,
    ...(dev && members.length ? { changedMembers: members } : {}),
    changedFiles: files,
    changedAt: iso(at) ?? iso(start) ?? '',
    processStart: iso(start) ?? '',
    identicalFiles: j.identical,
    summary: `${name}: changed since start: restart to load what is installed (${what} changed${at !== undefined ? ` at ${iso(at)}` : ''}, after the process started at ${iso(start)}${shown})`,
  };
}

/** The package is gone: stale when anything says what ran, or the code it started from is gone. */
function missingVerdict(j: Judging, inst: Extract<Installed, { state: 'missing' }>): VersionVerdict {
  const { running, replaced } = j;
  if (running.state === 'known')
    return staleVerdict(
      j,
      'missing',
      [],
      `runs ${running.version} but the package is no longer installed (${inst.how})`,
    );
  if (inst.fromProcess) return staleVerdict(j, 'missing', [], `the code it was started from is gone (${inst.how})`);
  if (replaced.length) return staleVerdict(j, 'missing', [], `files it loaded were replaced: ${replaced.join(', ')}`);
  return {
    state: 'unknown',
    reason: `the package is not installed (${inst.how}) and what the process loaded is not recorded`,
  };
}

/** Nothing is known of the disk: only the mapped files speak. */
function unknownInstalledVerdict(j: Judging, inst: Extract<Installed, { state: 'unknown' }>): VersionVerdict {
  if (j.replaced.length)
    return staleVerdict(j, 'unknown', [], `files it loaded were replaced: ${j.replaced.join(', ')}`);
  if (j.unverified.length) return changedVerdict(j, 'unknown', false);
  return { state: 'unknown', reason: inst.reason };
}

/** A plain executable: its file time against the start, and the mapped files. */
function unversionedVerdict(j: Judging, inst: Extract<Installed, { state: 'unversioned' }>): VersionVerdict {
  const { start, replaced, identical, unverified } = j;
  if (replaced.length)
    return staleVerdict(j, 'unknown', [], `files it loaded were replaced: ${replaced.join(', ')}`, iso(inst.mtime));
  // The executable replaced by one of identical content (a reinstall, `make install` of the same
  // build): the same code, so not stale. Said, not flagged.
  if (start !== undefined && inst.mtime > start + CLOCK_SLACK_MS && identical.length && !unverified.length)
    return {
      state: 'current',
      reason: `the executable was reinstalled since it started with identical content: ${identical.join(', ')}`,
    };
  if (start !== undefined && inst.mtime > start + CLOCK_SLACK_MS)
    return staleVerdict(
      j,
      `rewritten ${iso(inst.mtime)}`,
      [],
      `the executable was rewritten at ${iso(inst.mtime)}, after the process started at ${iso(start)}`,
      iso(inst.mtime),
    );
  if (unverified.length) return changedVerdict(j, 'no version', false);
  if (start !== undefined)
    return { state: 'current', reason: `the executable is unchanged since before the process started` };
  return {
    state: 'unknown',
    reason: 'a plain executable with no version, and no start time to compare its file time with',
  };
}

/**
 * A closure read empty while every member it lost is still installed beside the package: a read
 * made while an install rewrote the tree (Node's lookups found nothing there yet), not a move.
 */
function closureUnread(inst: Extract<Installed, { state: 'installed' }>, moves: readonly MovedDependency[]): boolean {
  return (
    moves.length > 0 &&
    Object.keys(inst.environment?.packages ?? {}).length === 0 &&
    moves.every((m) => m.to === undefined && m.stillInstalled !== undefined)
  );
}

/** An installed package: the running side's version and environment against the disk's, then its files. */
function installedVerdict(j: Judging, inst: Extract<Installed, { state: 'installed' }>): VersionVerdict {
  const { e, running } = j;
  const versionMoved = running.state === 'known' && running.version !== inst.version;
  const read =
    running.state === 'known' && running.environment && inst.environment
      ? markStillInstalled(environmentMoves(running.environment, inst.environment), e.stillInstalled)
      : running.state === 'known' && running.source === 'npm-cache'
        ? j.inferredMoves
        : [];
  const moved = closureUnread(inst, read) ? [] : read;
  const imports = versionMoved || moved.length ? undefined : unrecordedImports(j, inst);
  if (imports && imports !== 'predate') return imports;
  // A development package's version does not name its code: its own files decide, whatever was
  // recorded. Unless the record itself differs from the disk (a version bump, a moved dependency):
  // that is proof, named.
  // A script whose own files did not change, only its environment (`closureContent`): judged as released code.
  if (inst.dev && j.changedSinceStart && !versionMoved && !moved.length && !e.closureContent)
    return changedVerdict(j, inst.version, true);
  if (running.state === 'known') return knownRunningVerdict(j, inst, running, versionMoved, moved, !!imports);
  if (j.replaced.length)
    return staleVerdict(
      j,
      inst.version,
      [],
      `files it loaded were replaced: ${j.replaced.join(', ')}`,
      iso(inst.changedAt),
    );
  if (j.changedMembers.length) return changedVerdict(j, inst.version, true);
  if (j.changedSinceStart || j.unverified.length) return changedVerdict(j, inst.version, false);
  return { state: 'unknown', reason: running.reason };
}

/** An installed package and a known running side: stale on a moved version or dependency, else by its files. */
function knownRunningVerdict(
  j: Judging,
  inst: Extract<Installed, { state: 'installed' }>,
  running: Extract<Running, { state: 'known' }>,
  versionMoved: boolean,
  moved: MovedDependency[],
  /** A script's imports, not recorded, whose files all predate its start (`unrecordedImports`). */
  importsPredate: boolean,
): VersionVerdict {
  const { e, identical, unverified } = j;
  if (versionMoved || moved.length) {
    const parts = [
      versionMoved
        ? `runs ${running.version} but ${inst.version} is installed`
        : `runs ${running.version}, still installed, but its dependencies moved`,
    ];
    if (moved.length) parts.push(`dependencies: ${moved.map(describeMove).join(', ')}`);
    if (running.inferred) parts.push(`inferred: ${running.how}`);
    return staleVerdict(j, inst.version, moved, parts.join('; '), iso(inst.changedAt));
  }
  // The same version and environment, but a development member rebuilt since the start: what
  // was recorded names its version, which does not name its code.
  if (j.changedMembers.length) return changedVerdict(j, inst.version, true);
  // The same version, other files than the ones first seen: packed again without a bump.
  if (e.contentMoved) return changedVerdict(j, inst.version, false);
  // Mapped files whose content differs under an unchanged version and environment: the same
  // version built again (a development rebuild of a native extension). Changed, not fine.
  if (j.replaced.length) return changedVerdict(j, inst.version, false);
  // A script's environment rewritten at the versions it started with: its distributions' content decides.
  const closure = e.closureContent;
  if (closure?.check === 'unverified') return { state: 'unknown', reason: closure.how };
  // Mapped files replaced under an unchanged version and environment are a reinstall (pip
  // --force-reinstall rewrites every file): the same code, so not stale. Said, not flagged.
  const again = [...identical, ...unverified];
  const reinstalled = again.length ? `; files it mapped were reinstalled since it started: ${again.join(', ')}` : '';
  if (running.inferred && !e.inferred?.closureHow && (j.changedSinceStart || unverified.length))
    return changedVerdict(j, inst.version, false);
  const how = running.inferred ? `; ${running.how}; ${e.inferred?.closureHow ?? ''}` : '';
  return {
    state: 'current',
    reason: `runs ${running.version}, the installed version${inst.environment && running.environment ? ', with the same environment' : ''}${importsPredate ? "; its imports' files predate its start" : ''}${reinstalled}${closure ? `; ${closure.how}` : ''}${how}${partlyRead(inst)}`,
  };
}

/**
 * A script whose record names no closure (written by an earlier version of the product, at a
 * sighting or a guard's start) vouches for its imports only by their files' times: a member changed
 * after the start is a change of what it runs, any unread is unknown; `predate` when all are older.
 * Undefined when a record names its closure, or its own files or a development member changed (their rules speak).
 */
function unrecordedImports(
  j: Judging,
  inst: Extract<Installed, { state: 'installed' }>,
): VersionVerdict | 'predate' | undefined {
  const { running, start } = j;
  const packages = inst.environment?.packages ?? {};
  const names = Object.keys(packages);
  if (running.state !== 'known' || running.environment || !inst.dev?.script || !names.length || j.changedMembers.length)
    return undefined;
  const times = inst.closureTimes ?? {};
  const late = (t: number | undefined) => start !== undefined && t !== undefined && t > start + CLOCK_SLACK_MS;
  if (inst.dev.newest.some((f) => late(Date.parse(f.at)))) return undefined;
  const after = names.filter((n) => late(times[n]));
  if (after.length) {
    const at = Math.max(...after.map((n) => times[n]));
    const waiting = importsSettling(j.e, after, at);
    if (waiting) return { state: 'unknown', settling: true, reason: waiting };
    return changedVerdict(j, inst.version, false, { names: after.map((n) => `${n} ${packages[n]}`), at });
  }
  const unread = names.filter((n) => times[n] === undefined);
  return start === undefined || unread.length
    ? {
        state: 'unknown',
        reason: `nothing recorded at its start names what it imports, and ${start === undefined ? 'its start time' : `the change time of ${unread.join(', ')}`} is not known`,
      }
    : 'predate';
}

/**
 * What a current verdict cannot vouch for: a script that loads code by computed names may load a
 * file no reader found. Its folder's code files were walked too, so it is current as far as can be read.
 */
function partlyRead(inst: Extract<Installed, { state: 'installed' }>): string {
  const computed = inst.dev?.computedLoads ?? [];
  if (!computed.length) return '';
  const names = computed.map((f) => f.split(/[\\/]/).pop()).join(', ');
  return `; current as far as can be read: ${names} ${computed.length > 1 ? 'load' : 'loads'} code by computed names, and the code files beside ${computed.length > 1 ? 'them' : 'it'} are older than its start`;
}
