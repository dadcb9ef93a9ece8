import type { Drift } from './configDrift';
import type { MappedAtSighting } from './mappedContent';
import { RecordedVersions } from '../locks/types';
import {
  ChangedFile,
  EnvironmentFingerprint,
  InferredSource,
  Installed,
  MovedDependency,
  Running,
  ServerInfoStatement,
} from '../base/versionTypes';

/**
 * What the version judgement (judge.ts) reads of one instance: gathered by a snapshot and by a
 * guard alike (instanceEvidence.ts), so both judge from the same fields.
 */

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
