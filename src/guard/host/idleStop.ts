import type { ChildProcess } from 'node:child_process';
import type { GuardRestartReply } from '../../core/control/protocol';
import type { Slot } from './childSlot';
import type { GuardHostOptions } from './hostOptions';
import type { GuardLifecycleState, Lifecycle } from './lifecycle';
import type { OpenWork } from './openWork';
import type { ChildExit } from './supervisor';
import type { GuardTransport } from './transport';

/** The guard host (host.ts) as its idle stop sees it. */
export interface IdleHost<P extends ChildProcess> {
  readonly state: GuardLifecycleState;
  readonly lifecycle: Lifecycle;
  readonly options: GuardHostOptions;
  readonly transport: GuardTransport<P>;
  readonly openWork: OpenWork;
  readonly slot: Slot<P> | undefined;
  stopSlotChild(slot: Slot<P>): Promise<ChildExit>;
  /** Its restarts (restarts.ts): a client message starts the server again through one. */
  readonly restarts: {
    requestRestart(reason: string, userAsked: boolean, mayHold?: boolean, probed?: boolean): Promise<GuardRestartReply>;
  };
}

/**
 * `--idle-stop` and `--lazy-start`: the server stopped after a while without a client message and
 * nothing open on it (or not started until the first), started again by the next client message,
 * and the lock record told each time (`onIdleStop`).
 */
export class IdleStop<P extends ChildProcess> {
  /** When a client line last came (`--idle-stop` counts from it). */
  private lastClientLine = Date.now();
  private timer: NodeJS.Timeout | undefined;
  /** The child stopped for idleness, and its stop while it is under way (a wake waits for it). */
  current: { slot: Slot<P>; stopped: Promise<ChildExit> } | undefined;
  /** Whether the lock record was told the server is idle (and must be told when it runs again). */
  private said = false;

  constructor(private readonly host: IdleHost<P>) {}

  /** Serving again after an idle stop: the record no longer says idle, and the clock starts anew. */
  running(): void {
    this.current = undefined;
    if (this.said) {
      this.said = false;
      void this.host.options.onIdleStop?.(undefined);
    }
    this.arm(this.host.options.idleStopMs ?? 0);
  }

  /** `--lazy-start`: the guard starts idle, and the lock record says so. */
  startedIdle(since: string): void {
    this.said = true;
    void this.host.options.onIdleStop?.({ since });
  }

  /** No more checks (the guard is closing or done). */
  stop(): void {
    clearTimeout(this.timer);
  }

  /**
   * A line came from the client: `--idle-stop` counts from here, and a server stopped for idleness
   * is started again (the line waits in the transport's queue meanwhile, as during a restart).
   */
  noteClientMessage(): void {
    const host = this.host;
    this.lastClientLine = Date.now();
    if (host.state.kind !== 'idle') return;
    host.options.log(`a client message came: starting ${host.options.serverName} again`);
    host.restarts
      .requestRestart('a client message came while the server was stopped for idleness', false, false, true)
      .catch((err: Error) => host.options.log(`could not start ${host.options.serverName} again: ${err.message}`));
  }

  /** Checks for idleness once `--idle-stop` could have passed (never when it is 0). */
  private arm(inMs: number): void {
    clearTimeout(this.timer);
    const idleStopMs = this.host.options.idleStopMs ?? 0;
    if (idleStopMs <= 0) return;
    this.timer = setTimeout(() => this.check(idleStopMs), Math.max(inMs, 50));
    this.timer.unref();
  }

  /** Stops the server when it has gone `idleStopMs` without a client line and nothing is open on it. */
  private check(idleStopMs: number): void {
    const host = this.host;
    if (host.state.kind !== 'running') return;
    const quietFor = Date.now() - this.lastClientLine;
    const open = host.openWork.open();
    const busy =
      host.transport.inFlight() > 0 || open.exchanges + open.tasks > 0 || host.transport.holdsOpen?.() === true;
    if (quietFor < idleStopMs || busy) {
      // Work still open is looked at again a while later; otherwise when the quiet time would be up.
      this.arm(busy ? idleStopMs : idleStopMs - quietFor);
      return;
    }
    const slot = host.slot;
    if (!slot || slot.child.exit) return;
    const since = new Date().toISOString();
    if (!host.lifecycle.to({ kind: 'idle', since })) return;
    host.options.log(
      `${host.options.serverName}: no client message for ${Math.round(quietFor / 1000)} s; stopping the server (pid ${slot.child.proc.pid}) until the next one`,
    );
    slot.stopping = true;
    this.current = { slot, stopped: host.stopSlotChild(slot) };
    this.said = true;
    void host.options.onIdleStop?.({ since, afterMs: idleStopMs });
  }
}
