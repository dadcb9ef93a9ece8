/**
 * The version side of the model: what is installed on disk for a launch, what the running process
 * loaded, and the judgement between them. Plain data, JSON-serialisable; every judgement carries
 * how each side was learned so a reader can check it.
 */

export type Ecosystem = 'npm' | 'python' | 'docker' | 'binary';

/** The packages beside a server's own package (its dependency tree or its site-packages). */
export interface EnvironmentFingerprint {
  /** SHA-256 (hex, first 16 chars) of the sorted `name==version` lines: equal hashes, equal environments. */
  hash: string;
  /** `name -> version` of every package in the environment. */
  packages: Record<string, string>;
}

/** What the disk holds now for a launch. */
export type Installed =
  | {
      state: 'installed';
      ecosystem: Ecosystem;
      name: string;
      /** The package's version; for docker, the image id the tag points to now. */
      version: string;
      /** How it was found, in words: "npx cache /home/u/.npm/_npx/0a1b2c3d", "venv /srv/x/.venv". */
      how: string;
      /** The package's own directory (or dist-info / image reference). */
      location: string;
      environment?: EnvironmentFingerprint;
      /** ms since the epoch: the newest change time among the package's files we read. */
      changedAt?: number;
      /** True when the location was derived from the running process's own command line. */
      fromProcess?: boolean;
    }
  | {
      /** The launch points at a package that is not there any more (uninstalled, cache cleaned). */
      state: 'missing';
      ecosystem: Ecosystem;
      name: string;
      how: string;
      location?: string;
      fromProcess?: boolean;
    }
  | {
      /** A plain executable: no version to read, only where it is and when it changed. */
      state: 'unversioned';
      ecosystem: 'binary';
      path: string;
      /** ms since the epoch. */
      mtime: number;
      how: string;
    }
  | { state: 'unknown'; reason: string; ecosystem?: Ecosystem; name?: string };

/** Where a running version was learned, best first. */
export type RunningSource = 'lock-record' | 'server-info' | 'first-seen' | 'docker-inspect';

export type Running =
  | {
      state: 'known';
      version: string;
      environment?: EnvironmentFingerprint;
      source: RunningSource;
      /** Words for the evidence: "lock record written at start", "first seen at 2026-11-21T10:00:00Z". */
      how: string;
      /** ISO 8601: when this knowledge was recorded (start time, first sighting). */
      since?: string;
    }
  | { state: 'unknown'; reason: string };

/** A dependency whose version differs between what the process loaded and what is installed now. */
export interface MovedDependency {
  name: string;
  /** Absent: added since. */
  from?: string;
  /** Absent: removed since. */
  to?: string;
}

/** The version judgement of one instance. `unknown` is a real answer and is never shown as stale. */
export type VersionVerdict =
  | { state: 'current'; reason: string }
  | {
      state: 'stale';
      package: string;
      ecosystem: Ecosystem;
      /** What the process runs; "unknown" when only a replaced file proves it old. */
      running: string;
      /** What is installed now; "missing" when the package is gone. */
      installed: string;
      movedDependencies: MovedDependency[];
      /** Mapped files of the process that were deleted or replaced on disk (Linux). */
      replacedFiles: string[];
      runningLearnedFrom?: RunningSource;
      runningHow: string;
      installedHow: string;
      /** ISO 8601: since when it is stale (when the installed side changed), when known. */
      since?: string;
      /** One sentence a person reads. */
      summary: string;
    }
  | { state: 'unknown'; reason: string };

/** Versions of one running instance, with their judgement. */
export interface InstanceVersions {
  installed: Installed;
  running: Running;
  verdict: VersionVerdict;
  /** What the server itself said in MCP `initialize` (HTTP servers only), when asked. */
  serverInfo?: { name: string; version: string };
}

/** A newer release in the package's registry. */
export interface UpdateAvailable {
  current: string;
  latest: string;
  /** ISO 8601: when the registry was asked. */
  checkedAt: string;
  registry: string;
}
