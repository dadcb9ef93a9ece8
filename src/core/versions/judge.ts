import { changedMembersOf, dependenciesGone, Facts, inferredMovesOf, installedChangedSinceStart } from './judgingFacts';
import { inferredRunning, predatingRunning, runningOf } from './runningSide';
import { settlingReason } from './settling';
import { verdictOf } from './stateVerdicts';
import type { VersionEvidence } from './versionEvidence';
import { Running, VersionVerdict } from '../base/versionTypes';

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

type Judged = { running: Running; verdict: VersionVerdict };

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
