import { Readable, Writable } from 'node:stream';
import type { GuardStatus, RestartAsk, GuardRestartReply } from '../core/control/protocol';
import type { RecordedServerInfo, ServerDown, ServerIdle } from '../core/locks';
import { CrashLoopOptions } from './host/crashLoop';
import type { RestartCheck } from './host/probe';
import { GuardHost } from './host/host';
import { PipedProcess, SpawnSpec, StopGrace } from './host/supervisor';
import { InstalledVersionProbe, ResolvedVersion, StalePolicy } from './host/staleness';
import type { UpdateLookup } from './host/staleNotice';
import type { NoticeAudience } from './host/staleGate';
import { StdioTransport } from './stdio/stdioTransport';

export interface GuardOptions {
  spec: SpawnSpec;
  serverName: string;
  /** The client's side: what it writes to us, and where its server's bytes go. */
  input: Readable;
  output: Writable;
  /** One line of diagnostics (stderr: stdout carries the server's protocol bytes only). */
  log(line: string): void;
  crashLoop: CrashLoopOptions;
  restartCheck?: RestartCheck;
  grace: StopGrace;
  /** How long a restart waits for in-flight requests before stopping the old child anyway. */
  drainTimeoutMs: number;
  /** How long a restarted child may take to answer the replayed `initialize`. */
  initTimeoutMs: number;
  /** How long a restart is held at most for open multi-round requests and running tasks (host.ts HOLD_MS). */
  holdTimeoutMs?: number;
  stale?: { policy: StalePolicy; probe: InstalledVersionProbe; intervalMs: number };
  /** Under `--when-stale annotate`: a newer release the registry cache knows of, read from disk only. */
  updateAvailable?: UpdateLookup;
  /** Called as soon as a child is spawned (the lock record names it, so a successor can stop it). */
  onChildSpawned?(pid: number, treeMark: string): void | Promise<void>;
  /** Called when a child started and its version was resolved (the lock record is updated with it). */
  onChildStarted?(info: { pid: number; version: ResolvedVersion | undefined }): void | Promise<void>;
  /** Called when the running child said who it is through MCP (the lock record carries it). */
  onServerInfo?(info: RecordedServerInfo): void | Promise<void>;
  /** Called when the server goes down and when it is back (undefined): the lock record says it. */
  onDown?(down: ServerDown | undefined): void | Promise<void>;
  /** Values never repeated from the server's output (launch.ts launchSecrets). */
  secrets?: ReadonlySet<string>;
  /** `--idle-stop`: the server is stopped after this long without a client message (host.ts); absent or 0: never. */
  idleStopMs?: number;
  /** `--lazy-start`: no server until the first client message. */
  lazyStart?: boolean;
  /** Called when the server was stopped for idleness and, with undefined, once it runs again: the lock record says it. */
  onIdleStop?(idle: ServerIdle | undefined): void | Promise<void>;
  /** Where each child's stderr is copied (host/serverLog.ts). */
  serverStderr?(chunk: Buffer): void;
  /** A restarted child answered the replayed `initialize`. */
  onReplayedInitialize?(result: Record<string, unknown>): void;
  /** `--on-conflict share`: which client a request the server saw came from (stdioTransport.ts). */
  audienceOf?(id: string | number): NoticeAudience | undefined;
}

/**
 * `mcp-lifeguard run`: the guard host (host/host.ts) with the stdio transport plugged in. It sits
 * between an MCP client and a stdio server and can restart the server under a live client.
 */
export class Guard {
  private readonly transport: StdioTransport;
  private readonly host: GuardHost<PipedProcess>;
  /** Resolves with the exit code once the guard is done (the child is gone). */
  readonly finished: Promise<number>;

  constructor(options: GuardOptions) {
    this.transport = new StdioTransport({
      spec: options.spec,
      input: options.input,
      output: options.output,
      initTimeoutMs: options.initTimeoutMs,
      serverStderr: options.serverStderr,
      onReplayedInitialize: options.onReplayedInitialize,
      audienceOf: options.audienceOf,
    });
    this.host = new GuardHost(
      {
        serverName: options.serverName,
        command: options.spec.command,
        log: options.log,
        crashLoop: options.crashLoop,
        restartCheck: options.restartCheck,
        grace: options.grace,
        drainTimeoutMs: options.drainTimeoutMs,
        ...(options.holdTimeoutMs !== undefined ? { holdTimeoutMs: options.holdTimeoutMs } : {}),
        probe: options.stale?.probe,
        stale: options.stale ? { policy: options.stale.policy, intervalMs: options.stale.intervalMs } : undefined,
        updateAvailable: options.updateAvailable,
        onChildSpawned: options.onChildSpawned,
        onChildStarted: options.onChildStarted,
        onServerInfo: options.onServerInfo,
        onDown: options.onDown,
        secrets: options.secrets,
        ...(options.idleStopMs || options.lazyStart
          ? { idleStopMs: options.idleStopMs, lazyStart: options.lazyStart, onIdleStop: options.onIdleStop }
          : {}),
      },
      this.transport,
    );
    this.finished = this.host.finished;
  }

  /**
   * Starts the first child and begins relaying. A guard told to shut down before this (its control
   * endpoint listens first) never starts a child: a successor may already be waiting for the lock.
   */
  start(): void {
    if (this.host.lifecycle.isClosing) return;
    this.transport.listen((reason) => this.host.shutdown(reason));
    // The stdio child serves at once; its failure to start shows as its exit.
    this.host.start().catch(() => undefined);
  }

  status(): GuardStatus {
    return this.host.status();
  }

  /** A restart the user asked for (control endpoint): a fresh crash-loop streak. */
  restart(reason: string, ask?: RestartAsk): Promise<GuardRestartReply> {
    return this.host.restart(reason, ask);
  }

  /** Stops the child (stdin EOF, then TERM, then KILL) and finishes with its exit code. */
  shutdown(reason: string): Promise<void> {
    return this.host.shutdown(reason);
  }

  stopChild(): Promise<void> {
    return this.host.stopChild();
  }

  killChildNow(): boolean {
    return this.host.killChildNow();
  }

  forwardSignal(signal: NodeJS.Signals): void {
    this.host.forwardSignal(signal);
  }
}
