import { describeMove, environmentMoves, markStillInstalled } from './fingerprint';
import { afterStart, iso } from './clockSlack';
import type { Judging } from './judgingFacts';
import { importsSettling } from './settling';
import { changedVerdict, replacedVerdict, staleVerdict } from './staleOrChanged';
import { Installed, MovedDependency, Running, VersionVerdict } from '../base/versionTypes';

/**
 * The rule of an installed package, the one state with a version and a closure to compare: the
 * running side's version and environment against the disk's, then the files' times and contents.
 */

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
export function installedVerdict(j: Judging, inst: Extract<Installed, { state: 'installed' }>): VersionVerdict {
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
  if (j.replaced.length) return replacedVerdict(j, inst.version, iso(inst.changedAt));
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
  const late = (t: number | undefined) => afterStart(t, start);
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
