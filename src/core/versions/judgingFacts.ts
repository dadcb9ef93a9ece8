import { environmentMoves } from './fingerprint';
import { afterStart } from './clockSlack';
import type { VersionEvidence } from './versionEvidence';
import { DevMember, MovedDependency, Running } from '../base/versionTypes';

/** What the rules of the judgement read: the evidence, and the facts derived from it once. */
export interface Judging {
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
export type Facts = Omit<Judging, 'running'>;

export function installedChangedSinceStart(e: VersionEvidence): boolean {
  const inst = e.installed;
  return inst.state === 'installed' && afterStart(inst.changedAt, e.processStart) && !e.changeExplained;
}

/** Dependencies the recorded running side had that are gone from the disk (not merely no longer in the closure). */
export function dependenciesGone(e: VersionEvidence, running: Running): boolean {
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
export function changedMembersOf(e: VersionEvidence): DevMember[] {
  const inst = e.installed;
  return inst.state === 'installed'
    ? (inst.devMembers ?? []).filter((m) => m.newest.some((f) => afterStart(Date.parse(f.at), e.processStart)))
    : [];
}

/** Members the cache proves moved, checked against the closure installed now. */
export function inferredMovesOf(e: VersionEvidence): MovedDependency[] {
  const inst = e.installed;
  return inst.state === 'installed'
    ? (e.inferred?.moved ?? []).filter(
        (m) =>
          m.from !== undefined && m.to !== undefined && m.from !== m.to && inst.environment?.packages[m.name] === m.to,
      )
    : [];
}
