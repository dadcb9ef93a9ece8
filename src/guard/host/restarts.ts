import type { ChildProcess } from 'node:child_process';
import type { GuardRestartReply, RestartAsk } from '../../core/control/protocol';
import type { Slot } from './childSlot';
import type { CrashLoopDetector } from './crashLoop';
import { GuardHostOptions, HOLD_MS } from './hostOptions';
import type { IdleStop } from './idleStop';
import { installedKey, restartRisk, wayBack } from './installedNow';
import type { GuardLifecycleState, Lifecycle } from './lifecycle';
import { describeOpenWork, OpenWork } from './openWork';
import { OUTPUT_SETTLE_MS, withCause } from './outputTail';
import { PROBE_FAILED } from './probe';
import { ChildExit, describeExit, ServerChild } from './supervisor';
import type { GuardTransport } from './transport';

/** The guard host (host.ts) as its restarts see it. */
export interface RestartHost<P extends ChildProcess> {
  readonly state: GuardLifecycleState;
  readonly lifecycle: Lifecycle;
  readonly options: GuardHostOptions;
  readonly transport: GuardTransport<P>;
  readonly openWork: OpenWork;
  readonly crash: CrashLoopDetector;
  readonly idle: IdleStop<P>;
  /** The child serving now, if it has not exited. */
  readonly child: ServerChild<P> | undefined;
  readonly slot: Slot<P> | undefined;
  /** The last child that served: a restart that serves sets it. */
  lastServed: Slot<P> | undefined;
  /** The tools of the child a restart replaced: a restart sets them. */
  toolsBefore: { slot: Slot<P>; tools: unknown[] } | undefined;
  spawnSlot(): Promise<Slot<P>>;
  stopSlotChild(slot: Slot<P>): Promise<ChildExit>;
  fail(reason: string): void;
  lastOutput(child?: ServerChild<P>): string[];
}

/**
 * Restarts of the guard's server: one at a time (later requests join it), held while the server has
 * work open, drained, the old child stopped and a new one started and attached, tried again as the
 * crash-loop rule says; a server declared safe to run twice probed first; refused when the installed
 * code will probably not start.
 */
export class Restarts<P extends ChildProcess> {
  /** Restarts done (a start after an idle stop is none). */
  count = 0;
  /** A probe of the installed server before a restart (the serving one serves meanwhile); later requests join it. */
  private probing: Promise<GuardRestartReply> | undefined;
  /** What was installed when a probe found it does not start: a policy's restart does not try it again until that changes. */
  private probeFailedFor: string | undefined;
  /** A restart waiting for open work to close (still running meanwhile); later requests join it. */
  private heldRestart: Promise<GuardRestartReply> | undefined;

  constructor(private readonly host: RestartHost<P>) {}

  /**
   * A restart the user asked for (control endpoint): a fresh crash-loop streak. Refused when the
   * installed code will probably not start (a module the server imports is gone or raises at
   * import), unless `force`: the server that runs keeps serving instead of going down.
   */
  async restart(reason: string, ask: RestartAsk = {}): Promise<GuardRestartReply> {
    const host = this.host;
    const force = ask.force === true;
    const risk = force ? undefined : await restartRisk(host.options.probe);
    if (risk)
      throw new Error(`${risk}; not restarted, the running server keeps serving (restart with force to do it anyway)`);
    host.crash.reset();
    // Forced, it is not probed either: the user asked for this very restart; nor when this server's check is none.
    if (ask.check === 'none' && !force && host.options.restartCheck === 'probe')
      host.options.log(`${host.options.serverName}: restarted without a check, as asked`);
    return this.requestRestart(reason, true, true, force || ask.check === 'none');
  }

  /** A restart a policy asks for (restart-when-idle): never into code that will probably not start. */
  async autoRestart(reason: string): Promise<GuardRestartReply> {
    const host = this.host;
    const risk = host.state.kind === 'running' ? await restartRisk(host.options.probe) : undefined;
    if (risk) {
      host.options.log(`not restarting ${host.options.serverName} (${reason}): ${risk}`);
      throw new Error(risk);
    }
    // A probe already found this very install not starting: no new probe at every check, until it changes.
    if (this.probeFailedFor !== undefined && this.probeFailedFor === (await installedKey(host.options.probe)))
      throw new Error(
        'the installed server did not start when the last restart probed it; not tried again until it changes',
      );
    return this.requestRestart(reason, false);
  }

  /** Starts a restart, or joins the one under way. `mayHold`: false once a hold for open work has ended. */
  requestRestart(reason: string, userAsked: boolean, mayHold = true, probed = false): Promise<GuardRestartReply> {
    const host = this.host;
    const state = host.state;
    if (this.heldRestart && state.kind === 'running' && mayHold) return this.heldRestart;
    // Work the server holds beyond a request would be lost: the restart waits for it (bounded), while the server keeps serving.
    const open = mayHold && state.kind === 'running' && host.child ? host.openWork.open() : undefined;
    if (open && open.exchanges + open.tasks > 0) {
      const holdMs = host.options.holdTimeoutMs ?? HOLD_MS;
      host.options.log(
        `holding the restart of ${host.options.serverName} (${reason}): ${describeOpenWork(open)}; waiting up to ${holdMs / 1000} s`,
      );
      const held = host.openWork.waitClosed(holdMs).then((closed) => {
        this.heldRestart = undefined;
        if (!closed)
          host.options.log(
            `restarting ${host.options.serverName} anyway after ${holdMs / 1000} s: ${describeOpenWork(host.openWork.open())} will be lost`,
          );
        return this.requestRestart(reason, userAsked, false);
      });
      // Only once the hold ended does a restart begin: later requests join this one.
      this.heldRestart = held;
      return held;
    }
    if (state.kind === 'draining' || state.kind === 'restarting') return state.done;
    if (state.kind === 'starting') return state.done.then(() => this.requestRestart(reason, userAsked));
    if (host.lifecycle.isClosing) return Promise.reject(new Error('the guard is shutting down'));
    if (state.kind === 'failed' && !userAsked) return Promise.reject(new Error(state.reason));
    // A server declared safe to run twice is not stopped for one that does not start: the installed
    // one is started beside it and asked first. Every other server runs once: stopped, then started.
    if (!probed && host.options.restartCheck === 'probe' && state.kind === 'running' && host.child) {
      if (this.probing) return this.probing;
      const probing = this.probeThenRestart(reason, userAsked, mayHold).finally(() => {
        if (this.probing === probing) this.probing = undefined;
      });
      this.probing = probing;
      return probing;
    }
    host.options.log(`restarting ${host.options.serverName}: ${reason}`);
    let settle!: { resolve(o: GuardRestartReply): void; reject(err: Error): void };
    const done = new Promise<GuardRestartReply>((resolve, reject) => (settle = { resolve, reject }));
    // A live child first serves what is in flight (draining); a dead one is replaced at once.
    const drain = state.kind === 'running' && host.child !== undefined;
    // A start after an idle stop (or a lazy start) is no restart: it is not counted as one.
    const waking = state.kind === 'idle';
    host.lifecycle.to(drain ? { kind: 'draining', reason, done } : { kind: 'restarting', reason, done });
    this.runRestart(reason, done, waking).then(settle.resolve, settle.reject);
    done.then(
      () => {
        if (host.state.kind !== 'restarting') return;
        host.lifecycle.to({ kind: 'running' });
        host.transport.restarted();
      },
      (err: Error) => {
        if (host.state.kind === 'restarting' || host.state.kind === 'draining') host.fail(err.message);
      },
    );
    return done;
  }

  /**
   * Starts the installed server beside the serving one and asks it what the client's session would
   * (the transport's probe): the restart goes on only when it answered; otherwise the serving
   * server keeps serving and the restart fails, saying why (its last error line).
   */
  private async probeThenRestart(reason: string, userAsked: boolean, mayHold: boolean): Promise<GuardRestartReply> {
    const host = this.host;
    const probe = host.transport.probe?.bind(host.transport);
    const serving = host.child?.proc.pid;
    const result = probe
      ? await probe({ grace: host.options.grace, secrets: host.options.secrets ?? new Set() })
      : undefined;
    if (result?.kind === 'failed') {
      this.probeFailedFor = await installedKey(host.options.probe);
      const message = `${PROBE_FAILED}${result.reason}; not restarted, the running server (pid ${serving}) keeps serving`;
      host.options.log(`${host.options.serverName}: ${message}`);
      throw new Error(message);
    }
    if (result?.kind === 'ok')
      host.options.log(`the installed ${host.options.serverName} started beside pid ${serving}: ${result.what}`);
    return this.requestRestart(reason, userAsked, mayHold, true);
  }

  private async runRestart(
    reason: string,
    done: Promise<GuardRestartReply>,
    waking: boolean,
  ): Promise<GuardRestartReply> {
    const host = this.host;
    // A start after an idle stop: the stop ends first (the old child is never stopped twice).
    await host.idle.current?.stopped;
    const old = host.slot;
    if (old && !old.child.exit) {
      if (!(await host.transport.waitIdle(host.options.drainTimeoutMs)))
        host.options.log(
          `${host.transport.inFlight()} request(s) still in flight after ${host.options.drainTimeoutMs} ms; restarting anyway`,
        );
    }
    // A shutdown during the drain took over (closing); otherwise the old child goes now.
    if (host.state.kind === 'draining') host.lifecycle.to({ kind: 'restarting', reason, done });
    if (host.lifecycle.isClosing) throw new Error('the guard is shutting down');
    if (old && !old.child.exit) {
      old.stopping = true;
      await host.stopSlotChild(old);
    }
    // Whatever the old process held open is gone with it (its tasks' polls are answered from now on).
    if (old) host.openWork.processGone(old.child.proc.pid);
    if (old?.tools) host.toolsBefore = { slot: old, tools: old.tools };
    for (;;) {
      if (host.lifecycle.isClosing) throw new Error('the guard is shutting down');
      const slot = await host.spawnSlot();
      try {
        await host.transport.attach(slot.child, true);
        if (host.lifecycle.isClosing) throw new Error('the guard is shutting down');
        if (!waking) this.count++;
        host.lastServed = slot;
        return { childPid: slot.child.proc.pid ?? -1, restarts: this.count };
      } catch (err) {
        slot.stopping = true;
        const exit = await host.stopSlotChild(slot);
        if (host.lifecycle.isClosing) throw err;
        // Its last words say why it died: read them before judging (and maybe giving up).
        await slot.child.output.settled(OUTPUT_SETTLE_MS);
        const verdict = host.crash.recordExit(
          slot.child.startedAt,
          Date.now(),
          `${(err as Error).message}; ${describeExit(exit)}`,
        );
        // Who asked for the restart hears the cause too (the control endpoint's answer), and the way back.
        if (!verdict.restart)
          throw new Error(
            `${withCause(verdict.reason, host.lastOutput(slot.child))}${await wayBack(host.lastServed?.knownVersion, host.options)}`,
          );
        // What failed may be passing (a lock or port its predecessor frees, a file being written):
        // the next try waits, longer each time, as the crash-loop rule says (crashLoop.ts).
        host.options.log(
          `restart attempt failed: ${(err as Error).message}; trying again in ${verdict.afterMs / 1000} s`,
        );
        await this.pause(verdict.afterMs);
      }
    }
  }

  /** Waits `ms`, or less once the guard is closing (a shutdown does not wait for a pause between tries). */
  private pause(ms: number): Promise<void> {
    const host = this.host;
    if (ms <= 0 || host.lifecycle.isClosing) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const stop = host.lifecycle.onChange(() => {
        if (host.lifecycle.isClosing) done();
      });
    });
  }
}
