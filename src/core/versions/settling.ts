import { afterStart, sinceWriterStart } from './clockSlack';
import type { VersionEvidence } from './versionEvidence';

/** Files that changed less than this long ago may be an install still running: judged after. */
export const SETTLE_MS = 4000;

/**
 * Why the verdict must wait, if it must: an install still writing would be judged half done. An
 * installer that can write the package and started before the change still running (or running at
 * all while dependencies it had are gone), or files changed or a package removed less than
 * SETTLE_MS ago, unless an installer that could write them, seen at work, has exited since it began
 * them (then the writer is known to be done).
 */
export function settlingReason(
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
  const byInstaller = e.installing && (dependenciesGone || sinceWriterStart(changeTime, e.installing.startTime));
  if (
    e.installing &&
    byInstaller &&
    (changedSinceStart || (inst.state === 'missing' && inst.fromProcess) || unverified || dependenciesGone)
  ) {
    return installerRunning(e.installing);
  }
  if (
    inst.state === 'missing' &&
    inst.goneAt !== undefined &&
    afterStart(inst.goneAt, e.processStart) &&
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
  const writerDone = !e.installing && !!e.installedBy && sinceWriterStart(t, e.installedBy.startTime);
  return e.now !== undefined && e.now - t < (e.settleMs ?? SETTLE_MS) && !writerDone;
}

/** The wait while an installer that can write the package runs. */
function installerRunning(installing: NonNullable<VersionEvidence['installing']>): string {
  return `${installing.what} is running${installing.why ? ` (${installing.why})` : ''}: judged once it is done`;
}

function ago(e: VersionEvidence, t: number): string {
  return `${Math.max(0, Math.round((e.now! - t) / 1000))} s ago`;
}

/**
 * Why a script's imported packages that changed after its start (at `at`, the newest) must wait, if
 * they must: the settle rule of every change (settlingReason), for files no record names, so a read
 * made while the installer writes them is never a verdict.
 */
export function importsSettling(e: VersionEvidence, names: readonly string[], at: number): string | undefined {
  if (e.installing && sinceWriterStart(at, e.installing.startTime)) return installerRunning(e.installing);
  if (tooRecent(e, at))
    return `files of ${names.join(', ')}, which it imports, changed ${ago(e, at)} (an install may be running): judged once they stop changing`;
  return undefined;
}
