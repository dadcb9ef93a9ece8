import { afterStart, iso } from './clockSlack';
import { installedVerdict } from './installedVerdict';
import type { Judging } from './judgingFacts';
import { changedVerdict, replacedVerdict, staleVerdict } from './staleOrChanged';
import { Installed, VersionVerdict } from '../base/versionTypes';

/** The rule of each state of the installed side. */
export function verdictOf(j: Judging): VersionVerdict {
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
  if (replaced.length) return replacedVerdict(j, 'missing');
  return {
    state: 'unknown',
    reason: `the package is not installed (${inst.how}) and what the process loaded is not recorded`,
  };
}

/** Nothing is known of the disk: only the mapped files speak. */
function unknownInstalledVerdict(j: Judging, inst: Extract<Installed, { state: 'unknown' }>): VersionVerdict {
  if (j.replaced.length) return replacedVerdict(j, 'unknown');
  if (j.unverified.length) return changedVerdict(j, 'unknown', false);
  return { state: 'unknown', reason: inst.reason };
}

/** A plain executable: its file time against the start, and the mapped files. */
function unversionedVerdict(j: Judging, inst: Extract<Installed, { state: 'unversioned' }>): VersionVerdict {
  const { start, replaced, identical, unverified } = j;
  if (replaced.length) return replacedVerdict(j, 'unknown', iso(inst.mtime));
  // The executable replaced by one of identical content (a reinstall, `make install` of the same
  // build): the same code, so not stale. Said, not flagged.
  if (afterStart(inst.mtime, start) && identical.length && !unverified.length)
    return {
      state: 'current',
      reason: `the executable was reinstalled since it started with identical content: ${identical.join(', ')}`,
    };
  if (afterStart(inst.mtime, start))
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
