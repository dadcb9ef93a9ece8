import { Readable, Writable } from 'node:stream';
import type { GuardStatus, RestartAsk, GuardRestartReply } from '../core/control/protocol';
import { GuardHost } from './host/host';
import type { GuardHostOptions } from './host/hostOptions';
import { PipedProcess, SpawnSpec } from './host/supervisor';
import { InstalledVersionProbe, StalePolicy } from './host/staleness';
import type { NoticeAudience } from './host/staleGate';
import { StdioTransport } from './stdio/stdioTransport';

/** What the stdio guard hands its host as it is (host.ts says what each is). */
type HostPassed =
  | 'serverName'
  | 'crashLoop'
  | 'restartCheck'
  | 'grace'
  | 'drainTimeoutMs'
  | 'holdTimeoutMs'
  | 'updateAvailable'
  | 'onChildSpawned'
  | 'onChildStarted'
  | 'onServerInfo'
  | 'onDown'
  | 'secrets'
  | 'idleStopMs'
  | 'lazyStart'
  | 'onIdleStop';

export interface GuardOptions extends Pick<GuardHostOptions, HostPassed> {
  spec: SpawnSpec;
  /** The client's side: what it writes to us, and where its server's bytes go. */
  input: Readable;
  output: Writable;
  /** One line of diagnostics (stderr: stdout carries the server's protocol bytes only). */
  log(line: string): void;
  /** How long a restarted child may take to answer the replayed `initialize`. */
  initTimeoutMs: number;
  /** The stale policy, with what the launch would run now (the host's `probe`). */
  stale?: { policy: StalePolicy; probe: InstalledVersionProbe; intervalMs: number };
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
