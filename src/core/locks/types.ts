import type { AttachedClient } from '../control/protocol';
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
  package?: { name: string; version: string; ecosystem: 'npm' | 'python' | 'docker' | 'binary' | 'mcpb' };
  /** An environment fingerprint (e.g. a hash of every `name==version` in site-packages). */
  environment?: string;
  /** `name -> version` of the environment's packages, when known. */
  dependencies?: Record<string, string>;
  /**
   * `closure`: `dependencies` is the server's own dependency closure. Absent in records of earlier
   * guards, whose Python `dependencies` held every distribution of the site-packages.
   */
  dependenciesScope?: 'closure';
  /**
   * What the running child said about itself through MCP, as the guard relaying it saw it: from a
   * modern result's `_meta["io.modelcontextprotocol/serverInfo"]`, a `server/discover` answer, or a
   * legacy `initialize` answer. Self-reported: trusted only as docs/status-json.md says. `pid` is
   * the child that said it; a reader ignores it for any other process.
   */
  serverInfo?: RecordedServerInfo;
}

/** One server's own statement of name and version, and how the guard learned it. */
export interface RecordedServerInfo {
  name: string;
  version: string;
  /** modern: MCP 2026-07-28 and later (per-request metadata); legacy: the `initialize` handshake. */
  era: 'modern' | 'legacy';
  how: 'result _meta' | 'server/discover' | 'initialize';
  pid: number;
}

/** The JSON record a holder writes into its lock file. */
export interface LockRecord {
  /** 1. Readers accept higher versions too: pid and startTime keep their meaning in every version. */
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
  /**
   * Where the holder keeps the server's stderr (a private file under MCP Lifeguard's logs folder,
   * bounded, rotated to `<file>.1`): the guard writes it, Show Server Log opens it.
   */
  serverLog?: string;
  /** ISO 8601; set by the holder when it releases the lock. A released record means "free". */
  releasedAt?: string;
  /**
   * The server process a launcher (the guard) runs for this identity: the holder is the launcher,
   * the child does the writing. A successor that takes over from a dead holder stops this process
   * first, once re-identified (src/core/pids/reidentify.ts), so a child that outlived its
   * launcher never becomes a second writer. A child record that lacks a field of that rule
   * (startTime, commandHash; `linux` is written on Linux) is never signalled.
   */
  child?: RecordedChild;
  /**
   * Linux only, added by acquireLock: the boot and the start in clock ticks since boot. Unlike
   * `startTime`, they do not move when the wall clock is stepped (NTP, a VM resuming).
   */
  linux?: LinuxProcessIdentity;
  /**
   * Added by acquireLock: commandHash() of the holder's own command line. With pid, start and user it
   * re-identifies the holder exactly before anyone signals it; a record without it is never signalled.
   */
  commandHash?: string;
  /**
   * `true` when the holder shares its server (`mcp-lifeguard run --on-conflict share`): a later
   * launch with the same flag attaches to it over `control` instead of starting a second server.
   */
  share?: boolean;
  /** A sharing holder's clients, oldest first: each one's pid and start time, and its name once known. */
  attached?: AttachedClient[];
  /**
   * A sharing holder's streamable HTTP front (`--share-listen`), a loopback URL: clients whose
   * config names it reach the shared server with no relay of their own.
   */
  shareUrl?: string;
  /**
   * A share host given `--share-listen`, before `shareUrl`: `starting` until its front listens,
   * `failed` when it could not (its log says why). A concurrent `ensure --share` waits on the first
   * and refuses the second; a host with neither field has no front.
   */
  shareFront?: 'starting' | 'failed';
  /**
   * Set by a guard while its server is down: it gave up starting it (a crash loop, a restart that
   * never served) and runs on with no server, answering its client with the cause. Removed once a
   * restart brings the server back. Readers check each field's type: a record is anyone's to write.
   */
  down?: ServerDown;
  /**
   * `probe`: the guard's entry declared its server safe to run twice (`--restart-check probe`), so a
   * restart starts the installed server beside the serving one first. Absent: never two copies.
   */
  restartCheck?: 'probe';
  /**
   * Set by a guard run with `--idle-stop` while it has stopped its server for want of requests: the
   * next request starts it again. Removed once it runs again. Readers check each field's type.
   */
  idle?: ServerIdle;
}

/** A guard's server stopped for idleness (`run --idle-stop`), as its lock record says. */
export interface ServerIdle {
  /** ISO 8601: when the server was stopped. */
  since: string;
  /** How long it had gone without a request, ms (the guard's `--idle-stop`); absent: none was started yet (`--lazy-start`). */
  afterMs?: number;
}

/** Why a guard's server is not running, as its lock record says. */
export interface ServerDown {
  /** ISO 8601: when the guard gave up. */
  since: string;
  /** The guard's reason ("the server exited within 10 s of starting 3 times in a row ..."), with the cause line. */
  reason: string;
  /** The server's last stderr lines, oldest first, cut and masked (env values, token shapes). */
  output?: string[];
  /** The versions the last server that served started with (what Roll back restores). */
  ranWith?: RecordedVersions;
}

/** A launcher's child as its lock record names it: what re-identifying it exactly takes. */
export interface RecordedChild {
  pid: number;
  /** ms since the epoch, as for the holder. */
  startTime: number;
  /** commandHash() of the child's full command line (a hash: records keep no secrets). */
  commandHash?: string;
  /** Linux: the boot and the start in clock ticks since boot, compared exactly. */
  linux?: LinuxProcessIdentity;
  /**
   * The MCP_LIFEGUARD_TREE value the child was started with (src/core/actions/serverTree.ts): what
   * it started carries it, so a successor finds them (Linux) even once the child itself has gone.
   */
  treeMark?: string;
}

export interface LinuxProcessIdentity {
  /** /proc/sys/kernel/random/boot_id, trimmed. */
  bootId: string;
  /** Field 22 of /proc/<pid>/stat. */
  startTicks: number;
}

/**
 * What a lock's newest record says. `recordPath` is the record file the judgement was made on
 * (inside the lock's directory, see docs/lock-protocol.md).
 */
export type HolderState =
  | { state: 'live'; record: LockRecord; recordPath?: string }
  | { state: 'dead'; record: LockRecord; reason: string; recordPath?: string }
  | { state: 'unreadable'; reason: string; recordPath?: string };

/** A lock nobody holds: no record yet, or the newest record was released. */
export interface FreeState {
  state: 'free';
  /** The released record, when the lock was held before. */
  released?: LockRecord;
}

export type AcquireResult =
  | {
      kind: 'acquired';
      lock: HeldLock;
      /** The dead holder whose lock this acquisition took over. */
      tookOverFrom?: LockRecord;
      /** Why the previous record was superseded (dead holder, or an old unreadable record), for logs. */
      takeoverReason?: string;
    }
  | { kind: 'held'; holder: LockRecord; lockPath: string }
  | { kind: 'error'; message: string; lockPath?: string };

export interface HeldLock {
  readonly lockPath: string;
  readonly record: LockRecord;
  /** Rewrites the record atomically (e.g. to add versions or the control endpoint once known). */
  update(changes: Partial<Omit<LockRecord, 'protocol' | 'pid' | 'startTime'>>): Promise<void>;
  /** Frees the lock if it is still ours. Safe to call twice. */
  release(): Promise<void>;
  /** The same, synchronously: for `process.on('exit')`, where nothing asynchronous runs any more. */
  releaseSync(): void;
}
