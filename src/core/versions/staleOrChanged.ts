import { afterStart, iso } from './clockSlack';
import type { Judging } from './judgingFacts';
import type { VersionEvidence } from './versionEvidence';
import { ChangedFile, Ecosystem, Installed, MovedDependency, VersionVerdict } from '../base/versionTypes';

/**
 * The verdicts that ask for a restart, worded with their evidence: stale (proof that other code is
 * installed than runs) and changed (files changed after the start, and nothing says what was loaded).
 */

/** The evidence files, newest first, each once, at most `limit`. */
function newestFiles(lists: ChangedFile[][], limit = 5): ChangedFile[] {
  const byPath = new Map<string, ChangedFile>();
  for (const f of lists.flat()) if (!byPath.has(f.path) || byPath.get(f.path)!.at < f.at) byPath.set(f.path, f);
  return [...byPath.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
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

export function staleVerdict(
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

/** Stale by the mapped files alone: files the process loaded were replaced by other content. */
export function replacedVerdict(j: Judging, installedVersion: string, since?: string): VersionVerdict {
  return staleVerdict(j, installedVersion, [], `files it loaded were replaced: ${j.replaced.join(', ')}`, since);
}

export function changedVerdict(
  j: Judging,
  installedVersion: string,
  dev: boolean,
  /** Members of a script's closure whose files changed after its start, named, and the newest time. */
  imports?: { names: string[]; at: number },
): VersionVerdict {
  const { e, start, unverified, changedMembers } = j;
  const inst = e.installed;
  const name = packageName(e);
  const late = (f: ChangedFile) => afterStart(Date.parse(f.at), start);
  const ownDev = inst.state === 'installed' && inst.dev ? inst.dev.newest.filter(late) : [];
  const files = newestFiles([
    e.changedFiles ?? [],
    ownDev,
    ...changedMembers.map((m) => m.newest.filter(late)),
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
