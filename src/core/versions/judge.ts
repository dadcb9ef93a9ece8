import { RecordedVersions } from '../locks/types';
import { describeMove, fingerprint, movedDependencies } from './fingerprint';
import { EnvironmentFingerprint, Installed, MovedDependency, Running, VersionVerdict } from '../base/versionTypes';

/**
 * The stale judgement, as a pure function of the evidence. The rule it keeps: `stale` only on
 * positive evidence that the code on disk differs from the code the process loaded (a version or
 * environment difference against a recorded running side, a replaced mapped file when nothing
 * recorded says the same version and environment were reinstalled, the process's own script gone,
 * or a binary rewritten after it started). Everything short of that is `current` when
 * the files provably predate the process, else `unknown`.
 */

/** Start times and file times come from different clocks (boot time + ticks vs the filesystem): allow this much. */
export const CLOCK_SLACK_MS = 2000;

/** What was recorded when this instance was first seen with files older than its start. */
export interface FirstSeen {
  name: string;
  version: string;
  environment?: EnvironmentFingerprint;
  /** ISO 8601. */
  firstSeenAt: string;
}

export interface VersionEvidence {
  installed: Installed;
  /** ms since the epoch; absent when the OS gave none. */
  processStart?: number;
  lock?: { versions: RecordedVersions; startedAt?: string };
  serverInfo?: { name: string; version: string };
  firstSeen?: FirstSeen;
  /** The running side when the tool reports it directly (docker inspect). */
  reported?: Running;
  /** Files the process maps that were deleted or replaced on disk (Linux `/proc/<pid>/maps`). */
  replacedFiles?: string[];
}

function stripScope(name: string): string {
  return name.toLowerCase().replace(/^@[^/]+\//, '').replace(/[-_.]+/g, '-');
}

/**
 * The running side, best evidence first: the lock record written at start, the server's own report
 * (trusted only when it names this package or agrees with the disk: many servers hard-code a
 * version unrelated to their package's), what docker says, then the first sighting.
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
      ...(deps ? { environment: fingerprint(deps) } : {}),
      source: 'lock-record',
      how: 'lock record written at start',
      ...(e.lock?.startedAt ? { since: e.lock.startedAt } : {}),
    };
  }
  if (e.serverInfo && inst.state === 'installed') {
    const named = stripScope(e.serverInfo.name) === stripScope(inst.name);
    if (named || e.serverInfo.version === inst.version) {
      return { state: 'known', version: e.serverInfo.version, source: 'server-info', how: `the server's initialize reply (${e.serverInfo.name} ${e.serverInfo.version})` };
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
  return { state: 'unknown', reason: 'no lock record, no report from the server and no earlier sighting of this instance' };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** Whether the installed files provably predate the process (so it loaded exactly them). */
export function filesPredateProcess(installed: Installed, processStart: number | undefined): boolean {
  if (processStart === undefined || installed.state !== 'installed' || installed.changedAt === undefined) return false;
  return installed.changedAt <= processStart + CLOCK_SLACK_MS;
}

export function judge(e: VersionEvidence): { running: Running; verdict: VersionVerdict } {
  const inst = e.installed;
  let running = runningOf(e);
  // No record, but the files are older than the process: it loaded exactly these. (Not when a file
  // it mapped was replaced since: then something changed after it started, whatever the file times say.)
  if (running.state === 'unknown' && inst.state === 'installed' && filesPredateProcess(inst, e.processStart) && !(e.replacedFiles ?? []).length) {
    running = {
      state: 'known',
      version: inst.version,
      ...(inst.environment ? { environment: inst.environment } : {}),
      source: 'first-seen',
      how: `installed files unchanged since before the process started (${iso(e.processStart)})`,
      since: iso(e.processStart),
    };
  }
  const replaced = e.replacedFiles ?? [];
  const installedHow = inst.state === 'unknown' ? inst.reason : inst.how;
  const runningHow = running.state === 'known' ? running.how : running.reason;
  const stale = (installedVersion: string, moved: MovedDependency[], why: string, since?: string): VersionVerdict => {
    const recordedName = e.lock?.versions.package?.name ?? e.firstSeen?.name;
    const name =
      inst.state === 'installed' ? inst.name : inst.state === 'missing' ? (recordedName ?? inst.name) : inst.state === 'unversioned' ? inst.path : (inst.name ?? 'the server');
    const ecosystem = inst.state === 'unknown' ? (inst.ecosystem ?? 'binary') : inst.ecosystem;
    const runningVersion = running.state === 'known' ? running.version : 'unknown';
    return {
      state: 'stale',
      package: name,
      ecosystem,
      running: runningVersion,
      installed: installedVersion,
      movedDependencies: moved,
      replacedFiles: replaced,
      ...(running.state === 'known' ? { runningLearnedFrom: running.source } : {}),
      runningHow,
      installedHow,
      ...(since ? { since } : {}),
      summary: `${name}: ${why}`,
    };
  };

  if (inst.state === 'missing') {
    if (running.state === 'known') return { running, verdict: stale('missing', [], `runs ${running.version} but the package is no longer installed (${inst.how})`) };
    if (inst.fromProcess && inst.ecosystem === 'npm') return { running, verdict: stale('missing', [], `the code it was started from is gone (${inst.how})`) };
    if (replaced.length) return { running, verdict: stale('missing', [], `files it loaded were replaced: ${replaced.join(', ')}`) };
    return { running, verdict: { state: 'unknown', reason: `the package is not installed (${inst.how}) and what the process loaded is not recorded` } };
  }
  if (inst.state === 'unknown') {
    if (replaced.length) return { running, verdict: stale('unknown', [], `files it loaded were replaced: ${replaced.join(', ')}`) };
    return { running, verdict: { state: 'unknown', reason: inst.reason } };
  }
  if (inst.state === 'unversioned') {
    if (replaced.length) return { running, verdict: stale('unknown', [], `files it loaded were replaced: ${replaced.join(', ')}`, iso(inst.mtime)) };
    if (e.processStart !== undefined && inst.mtime > e.processStart + CLOCK_SLACK_MS) {
      return { running, verdict: stale(`rewritten ${iso(inst.mtime)}`, [], `the executable was rewritten at ${iso(inst.mtime)}, after the process started at ${iso(e.processStart)}`, iso(inst.mtime)) };
    }
    if (e.processStart !== undefined) return { running, verdict: { state: 'current', reason: `the executable is unchanged since before the process started` } };
    return { running, verdict: { state: 'unknown', reason: 'a plain executable with no version, and no start time to compare its file time with' } };
  }

  const since = iso(inst.changedAt);
  if (running.state === 'known') {
    const versionMoved = running.version !== inst.version;
    const moved = running.environment && inst.environment && running.environment.hash !== inst.environment.hash ? movedDependencies(running.environment.packages, inst.environment.packages) : [];
    if (versionMoved || moved.length) {
      const parts = [versionMoved ? `runs ${running.version} but ${inst.version} is installed` : `runs ${running.version}, still installed, but its dependencies moved`];
      if (moved.length) parts.push(`dependencies: ${moved.map(describeMove).join(', ')}`);
      return { running, verdict: stale(inst.version, moved, parts.join('; '), since) };
    }
    // Mapped files replaced under an unchanged version and environment are a reinstall (pip
    // --force-reinstall rewrites every file): the same code, so not stale. Said, not flagged.
    const reinstalled = replaced.length ? `; files it mapped were reinstalled since it started: ${replaced.join(', ')}` : '';
    return { running, verdict: { state: 'current', reason: `runs ${running.version}, the installed version${inst.environment && running.environment ? ', with the same environment' : ''}${reinstalled}` } };
  }
  if (replaced.length) return { running, verdict: stale(inst.version, [], `files it loaded were replaced: ${replaced.join(', ')}`, since) };
  if (e.processStart !== undefined && inst.changedAt !== undefined && inst.changedAt > e.processStart + CLOCK_SLACK_MS) {
    return { running, verdict: { state: 'unknown', reason: `the package files changed at ${since}, after the process started at ${iso(e.processStart)}, and the version it loaded was not recorded: restart it to be sure` } };
  }
  return { running, verdict: { state: 'unknown', reason: running.reason } };
}
