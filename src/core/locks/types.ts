/**
 * The contract of the lock-file protocol (spec: docs/lock-protocol.md). The guard, the CLI and the
 * snapshot code against these types; src/core/locks implements them.
 */

/** What a lock arbitrates: one holder per server name + resource. */
export interface ServerIdentity {
  serverName: string;
  /**
   * What the server writes to: an explicit resource (e.g. a data directory) or, by default, the
   * resolved command, args and cwd joined into one string.
   */
  resourceKey: string;
}

/** Versions recorded at start: the running version's best evidence. */
export interface RecordedVersions {
  /** The server's own package, when it could be resolved. */
  package?: { name: string; version: string; ecosystem: 'npm' | 'python' | 'docker' | 'binary' };
  /** An environment fingerprint (e.g. a hash of every `name==version` in site-packages). */
  environment?: string;
  /** `name -> version` of the environment's packages, when known. */
  dependencies?: Record<string, string>;
}

/** The JSON record a holder writes into its lock file. */
export interface LockRecord {
  protocol: 1;
  pid: number;
  /** Process start time, ms since the epoch (see docs/lock-protocol.md, "Start time"). */
  startTime: number;
  serverName: string;
  resourceKey: string;
  command: string[];
  cwd: string;
  versions?: RecordedVersions;
  /** Where the holder's control endpoint listens: a Unix socket path or a Windows named pipe. */
  control?: string;
  /** ISO 8601. */
  startedAt: string;
  /** Who wrote the record: "mcp-lifeguard-guard 0.1.0", "mempalace 3.1"... */
  holder?: string;
}

export type HolderState =
  | { state: 'live'; record: LockRecord }
  | { state: 'dead'; record: LockRecord; reason: string }
  | { state: 'unreadable'; reason: string };

export type AcquireResult =
  | { kind: 'acquired'; lock: HeldLock; tookOverFrom?: LockRecord }
  | { kind: 'held'; holder: LockRecord; lockPath: string }
  | { kind: 'error'; message: string; lockPath?: string };

export interface HeldLock {
  readonly lockPath: string;
  readonly record: LockRecord;
  /** Rewrites the record atomically (e.g. to add versions or the control endpoint once known). */
  update(changes: Partial<Omit<LockRecord, 'protocol' | 'pid' | 'startTime'>>): Promise<void>;
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}
