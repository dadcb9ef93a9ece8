import type { RecordedServerInfo, ServerDown, ServerIdle } from '../../core/locks';
import type { CrashLoopOptions } from './crashLoop';
import type { RestartCheck } from './probe';
import type { InstalledVersionProbe, ResolvedVersion, StalePolicy } from './staleness';
import type { UpdateLookup } from './staleNotice';
import type { StopGrace } from './supervisor';

export interface GuardHostOptions {
  serverName: string;
  /** The server's command, for "could not start" lines. */
  command: string;
  log(line: string): void;
  crashLoop: CrashLoopOptions;
  /**
   * `predict` (default): never two copies; the installed files are read first, the new server is
   * verified once it replaced the old one. `probe`: the entry declared the server safe to run twice:
   * the installed server is started beside the serving one and asked before a restart stops it.
   */
  restartCheck?: RestartCheck;
  grace: StopGrace;
  /** How long a restart waits for requests in flight before stopping the old child anyway. */
  drainTimeoutMs: number;
  /**
   * How long a restart is held, at most, while the server has work open beyond a request (a
   * multi-round request awaiting its retry, a running task: openWork.ts). Default HOLD_MS.
   */
  holdTimeoutMs?: number;
  /** What the launch would run now; each child's version is what it said when the child started. */
  probe?: InstalledVersionProbe;
  stale?: { policy: StalePolicy; intervalMs: number };
  /** Under `--when-stale annotate`: a newer release the registry cache knows of (see StaleGateOptions). */
  updateAvailable?: UpdateLookup;
  /** Called as soon as a child is spawned (its record lets a successor stop it). */
  /** `treeMark`: the TREE_MARK_VAR it was started with (serverTree.ts), recorded for a successor. */
  onChildSpawned?(pid: number, treeMark: string): void | Promise<void>;
  /** Called when a child started and its version was resolved. */
  onChildStarted?(info: { pid: number; version: ResolvedVersion | undefined }): void | Promise<void>;
  /** Called when the running child said who it is through MCP (the lock record carries it). */
  onServerInfo?(info: RecordedServerInfo): void | Promise<void>;
  /** Called when the server goes down (the guard gave up on it) and, with undefined, when a restart brings it back. */
  onDown?(down: ServerDown | undefined): void | Promise<void>;
  /** Values never repeated from the server's output (the launch's env values): masked in what the guard says of it. */
  secrets?: ReadonlySet<string>;
  /**
   * `--idle-stop`: after this long without a client line (nothing in flight, nothing held open) the
   * server is stopped; the next client line starts it again in the client's session. Absent or 0: never.
   */
  idleStopMs?: number;
  /** `--lazy-start`: no server until the first client message (the guard starts idle). */
  lazyStart?: boolean;
  /** Called when the server was stopped for idleness (or not started, lazily) and, with undefined, once it runs again. */
  onIdleStop?(idle: ServerIdle | undefined): void | Promise<void>;
}

/** How long a restart waits, by default, for open multi-round requests and running tasks (with the drain, within the 30 s a restart request waits for its answer). */
export const HOLD_MS = 20_000;
