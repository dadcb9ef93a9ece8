import type { ChildProcess } from 'node:child_process';
import type { GuardStatus, RestartAsk, GuardRestartReply } from '../../core/control/protocol';
import type { RecordedServerInfo, ServerDown } from '../../core/locks';
import { recordedVersions } from './lockRecord';
import { judgeSlot, Slot } from './childSlot';
import { CrashLoopDetector } from './crashLoop';
import type { GuardHostOptions } from './hostOptions';
import { IdleStop } from './idleStop';
import { ROLL_BACK, wayBack } from './installedNow';
import { OUTPUT_SETTLE_MS, withCause } from './outputTail';
import { OpenWork } from './openWork';
import { Restarts } from './restarts';
import { diffTools, toolsChangedText } from './toolsDiff';
import { NoticeAudience, StaleGate } from './staleGate';
import type { ResolvedVersion } from './staleness';
import { GuardLifecycleState, Lifecycle } from './lifecycle';
import { ChildExit, describeExit, exitCodeOf, ServerChild, stopServer } from './supervisor';
import { GuardTransport, HostView } from './transport';

/**
 * How long open work without news is remembered: the SDK's `requestState` codec lets state live
 * 10 minutes by default; a running task's polls keep it fresh.
 */
const OPEN_WORK_FORGET_MS = 10 * 60_000;

/**
 * The guard host: one server child behind one transport (stdio relay or HTTP front). It owns the
 * lifecycle (lifecycle.ts), the child (spawn, watch, stop through the stop ladder), restarts and
 * the crash-loop rule, the stale gate and the status the control endpoint reports.
 */
export class GuardHost<P extends ChildProcess = ChildProcess> implements HostView {
  readonly lifecycle: Lifecycle;
  // What its idle stop (idleStop.ts) and its restarts (restarts.ts) work on: IdleHost, RestartHost.
  slot: Slot<P> | undefined;
  private generation = 0;
  private readonly startedAt = new Date().toISOString();
  readonly crash: CrashLoopDetector;
  private readonly staleGate: StaleGate;
  readonly openWork: OpenWork;
  /** Why the server is down, while the guard has given up on it (failed). */
  private downInfo: ServerDown | undefined;
  /** The versions the last child that served started with: what a roll back restores once the server is down. */
  lastServed: Slot<P> | undefined;
  /** The tools of the child a restart replaced, until the new child's are known and compared. */
  toolsBefore: { slot: Slot<P>; tools: unknown[] } | undefined;
  readonly idle: IdleStop<P>;
  readonly restarts: Restarts<P>;
  private resolveFinished!: (code: number) => void;
  private startedFirst!: { resolve(): void; reject(err: Error): void };
  /** Resolves with the exit code once the guard is done (the child is gone). */
  readonly finished = new Promise<number>((resolve) => (this.resolveFinished = resolve));

  constructor(
    readonly options: GuardHostOptions,
    readonly transport: GuardTransport<P>,
  ) {
    const firstStart = new Promise<void>((resolve, reject) => (this.startedFirst = { resolve, reject }));
    firstStart.catch(() => undefined);
    this.lifecycle = new Lifecycle({ kind: 'starting', done: firstStart }, options.log);
    this.crash = new CrashLoopDetector(options.crashLoop);
    this.openWork = new OpenWork(OPEN_WORK_FORGET_MS);
    this.idle = new IdleStop(this);
    this.restarts = new Restarts(this);
    this.staleGate = new StaleGate({
      stale: options.stale && options.probe ? options.stale : undefined,
      serverName: options.serverName,
      log: options.log,
      currentChild: () => this.slot,
      judgeChild: () => judgeSlot(this.slot, this.options.probe),
      isRunning: () => this.state.kind === 'running',
      isIdle: () => this.transport.inFlight() === 0,
      restart: (reason) => this.restarts.autoRestart(reason),
      updateAvailable: options.updateAvailable,
    });
    transport.bind(this);
    // A restart the user asked for that serves again brings the server back up.
    this.lifecycle.onChange((state) => {
      if (state.kind !== 'running' || !this.downInfo) return;
      this.downInfo = undefined;
      void this.options.onDown?.(undefined);
    });
    // Serving again after an idle stop: the record no longer says idle, and the clock starts anew.
    this.lifecycle.onChange((state) => {
      if (state.kind === 'running') this.idle.running();
    });
  }

  /** Why the server is down (the guard gave up on it), or undefined while it runs or may still come up. */
  get down(): ServerDown | undefined {
    return this.downInfo;
  }

  get state(): GuardLifecycleState {
    return this.lifecycle.state;
  }

  get serverName(): string {
    return this.options.serverName;
  }

  /** The child serving now, if it has not exited. */
  get child(): ServerChild<P> | undefined {
    return this.slot && !this.slot.child.exit ? this.slot.child : undefined;
  }

  log(line: string): void {
    this.options.log(line);
  }

  staleRefusal(method: string, params: Record<string, unknown> | undefined): Promise<string | undefined> | undefined {
    return this.staleGate.refusal(method, params);
  }

  /** A tool is being called (a transport whose policies never refuse says so; see StaleGate.noteToolCall). */
  noteToolCall(): void {
    this.staleGate.noteToolCall();
  }

  toolResultNotices(audience?: NoticeAudience): string[] {
    return this.staleGate.toolResultNotices(audience);
  }

  noticesDelivered(audience?: NoticeAudience): void {
    this.staleGate.noticesDelivered(audience);
  }

  noteTools(tools: unknown[], complete = true): void {
    this.staleGate.noteTools(tools);
    const slot = this.slot;
    if (!complete || !slot || slot.child.exit) return;
    slot.tools = tools;
    const before = this.toolsBefore;
    if (!before || before.slot === slot) return;
    this.toolsBefore = undefined;
    const diff = diffTools(before.tools, tools);
    if (!diff) return;
    const text = toolsChangedText(diff, this.options.serverName);
    this.options.log(text.replace('[MCP Lifeguard] ', ''));
    this.staleGate.noteToolsChanged(text);
  }

  /** Whether the tools of the child before the last restart are known (worth asking the new one for its own). */
  get comparesTools(): boolean {
    return this.toolsBefore !== undefined && this.toolsBefore.slot !== this.slot;
  }

  noteRequest(method: string, params: unknown): string | undefined {
    return this.openWork.noteRequest(method, params);
  }

  noteResult(method: string, result: unknown): void {
    this.openWork.noteResult(method, result);
  }

  noteNotification(method: string, params: unknown): void {
    this.openWork.noteNotification(method, params);
  }

  noteServerInfo(info: RecordedServerInfo): void {
    if (info.pid !== this.child?.proc.pid) return;
    if (this.slot) this.slot.serverInfo = info;
    void this.options.onServerInfo?.(info);
  }

  onIdle(): void {
    this.staleGate.onIdle();
  }

  /** A line came from the client (idleStop.ts). */
  noteClientMessage(): void {
    this.idle.noteClientMessage();
  }

  /**
   * A restart the user asked for (control endpoint): see Restarts.restart. Refused when the
   * installed code will probably not start, unless `force`.
   */
  restart(reason: string, ask: RestartAsk = {}): Promise<GuardRestartReply> {
    return this.restarts.restart(reason, ask);
  }

  onStateChange(listener: (state: GuardLifecycleState) => void): () => void {
    return this.lifecycle.onChange(listener);
  }

  /**
   * Starts the first child and resolves once it serves; rejects (the guard then failed) when it
   * does not. A guard told to shut down before this never starts a child.
   */
  async start(): Promise<void> {
    const options = this.options;
    if (this.lifecycle.isClosing) return;
    if (options.lazyStart) {
      // Nothing runs until a client's message asks (noteClientMessage): the guard is idle from the start.
      const since = new Date().toISOString();
      this.lifecycle.to({ kind: 'idle', since });
      this.startedFirst.resolve();
      this.staleGate.start();
      options.log(`${options.serverName}: the server starts with the first client message (--lazy-start)`);
      this.idle.startedIdle(since);
      return;
    }
    try {
      const slot = await this.spawnSlot();
      try {
        if (this.lifecycle.isClosing) throw new Error('the guard is shutting down');
        await this.transport.attach(slot.child, false);
        if (this.lifecycle.isClosing) throw new Error('the guard is shutting down');
      } catch (err) {
        // A child that does not serve is not left running beside a failed guard.
        slot.stopping = true;
        await this.stopSlotChild(slot);
        throw err;
      }
    } catch (err) {
      await this.slot?.child.output.settled(OUTPUT_SETTLE_MS);
      if (!this.lifecycle.isClosing) this.fail((err as Error).message);
      this.startedFirst.reject(err as Error);
      throw err;
    }
    this.lifecycle.to({ kind: 'running' });
    this.lastServed = this.slot;
    this.startedFirst.resolve();
    this.staleGate.start();
    // A child that served at once (stdio) and exited while starting is dealt with as running now.
    const slot = this.slot;
    if (slot?.child.exit) this.onChildExit(slot, slot.child.exit);
  }

  status(): GuardStatus {
    const child = this.child;
    const version = this.slot?.knownVersion;
    const state = this.state;
    return {
      guardPid: process.pid,
      serverName: this.options.serverName,
      childPid: child?.proc.pid,
      state: state.kind,
      inFlight: this.transport.inFlight(),
      restarts: this.restarts.count,
      startedAt: this.startedAt,
      childStartedAt: child ? new Date(child.startedAt).toISOString() : undefined,
      runningVersion: version?.state === 'known' ? `${version.name} ${version.version}` : undefined,
      failure: state.kind === 'failed' ? state.reason : undefined,
      ...(this.downInfo?.output ? { lastOutput: this.downInfo.output } : {}),
    };
  }

  /** Stops the child (stdin EOF where there is one, then TERM, then KILL) and finishes with its exit code. */
  async shutdown(reason: string): Promise<void> {
    if (this.lifecycle.isClosing) return;
    const state = this.state;
    // A restart under way ends first (it gives up at its next step); a first start sees the state itself.
    const pending = state.kind === 'draining' || state.kind === 'restarting' ? state.done : undefined;
    this.lifecycle.to({ kind: 'closing', reason });
    this.idle.stop();
    this.transport.refuseHeld('closing', reason);
    if (pending) await pending.catch(() => undefined);
    await this.idle.current?.stopped;
    const slot = this.slot;
    if (!slot || slot.child.exit) {
      this.finish(slot?.child.exit ? this.exitCodeFor(slot, slot.child.exit) : 0);
      return;
    }
    await this.stopChild();
  }

  /**
   * Stops whatever child is still running and resolves once it has exited. The holder calls it before
   * releasing the lock, so that no server ever runs without a guard holding its lock.
   */
  async stopChild(): Promise<void> {
    await this.idle.current?.stopped;
    const slot = this.slot;
    if (!slot || slot.child.exit) return;
    slot.stopping = true;
    await this.stopSlotChild(slot);
  }

  /**
   * For a process exit where nothing asynchronous runs any more: SIGKILL to a child not yet reaped
   * (its pid is still ours, so it cannot name another process). Returns true when there was one:
   * its exit is then not verified, and the lock must stay held for a successor to re-identify it.
   */
  killChildNow(): boolean {
    const slot = this.slot;
    if (!slot || slot.child.exit || slot.child.proc.pid === undefined) return false;
    slot.stopping = true;
    slot.child.proc.kill('SIGKILL');
    return true;
  }

  /** Passes a signal the guard received on to the child, then stops it if it lingers. */
  forwardSignal(signal: NodeJS.Signals): void {
    const slot = this.slot;
    if (slot && !slot.child.exit) {
      slot.stopping = true;
      slot.child.proc.kill(signal);
    }
    void this.shutdown(`received ${signal}`);
  }

  async spawnSlot(): Promise<Slot<P>> {
    const options = this.options;
    this.generation++;
    const child = await this.transport.spawn(this.generation);
    const probe = options.probe;
    const slot: Slot<P> = {
      child,
      stopping: false,
      version: probe
        ? probe.installed().catch((err: Error): ResolvedVersion => ({ state: 'unknown', reason: err.message }))
        : Promise.resolve(undefined),
    };
    this.slot = slot;
    if (child.proc.pid !== undefined) void options.onChildSpawned?.(child.proc.pid, child.treeMark);
    void slot.version.then((version) => {
      slot.knownVersion = version;
      if (child.proc.pid !== undefined && !child.exit) void options.onChildStarted?.({ pid: child.proc.pid, version });
    });
    void child.exited.then((exit) => this.onChildExit(slot, exit));
    return slot;
  }

  /** Every stop of a child goes here: the transport lets go of it first (see GuardTransport.leaving). */
  async stopSlotChild(slot: Slot<P>): Promise<ChildExit> {
    const options = this.options;
    this.transport.leaving?.(slot.child);
    const exit = await stopServer(slot.child, options.grace);
    // A server that needs the kill holds every restart for the whole grace period: worth saying.
    if (exit.signal === 'SIGKILL')
      options.log(
        `${options.serverName} (pid ${slot.child.proc.pid}) did not exit within the stop grace period; it was killed (SIGKILL)`,
      );
    return exit;
  }

  private onChildExit(slot: Slot<P>, exit: ChildExit): void {
    const options = this.options;
    // While starting, the first child's exit is the start's to report (start() calls again).
    if (this.slot !== slot || this.state.kind === 'starting') return;
    if (exit.spawnError) options.log(`could not start ${options.command}: ${exit.spawnError.message}`);
    this.transport.childExited(slot.child, exit, slot.stopping);
    if (this.state.kind === 'closing') {
      this.finish(this.exitCodeFor(slot, exit));
      return;
    }
    if (slot.stopping || this.state.kind !== 'running') return;
    options.log(`${options.serverName} ${describeExit(exit)}`);
    if (!this.transport.restartsAfterExit()) {
      // No session to keep alive: behave like the server itself and exit with its code.
      this.finish(exitCodeOf(exit));
      return;
    }
    const verdict = this.crash.recordExit(slot.child.startedAt, Date.now(), describeExit(exit));
    if (!verdict.restart) {
      this.fail(verdict.reason);
      return;
    }
    this.restarts
      .requestRestart(`the server ${describeExit(exit)}`, false)
      .catch((err: Error) => options.log(`restart failed: ${err.message}`));
  }

  /**
   * The guard gives up on the server: it is down until a restart the user asks for. The reason
   * carries the cause (the line of its last output that names an error), masked, for the client's
   * error and every face; the whole end of its output goes into the lock record.
   */
  fail(reason: string): void {
    const options = this.options;
    const output = this.lastOutput();
    const full = withCause(reason, output);
    if (!this.lifecycle.to({ kind: 'failed', reason: full })) return;
    const served = this.lastServed?.knownVersion;
    const down: ServerDown = {
      since: new Date().toISOString(),
      reason: full,
      ...(output.length ? { output } : {}),
      ...(served?.state === 'known' ? { ranWith: recordedVersions(served) } : {}),
    };
    this.downInfo = down;
    options.log(`${options.serverName}: ${full}`);
    void options.onDown?.(down);
    this.transport.refuseHeld('failed', full);
    // What is learned later goes into this very record, unless the server came back (or went down again) meanwhile.
    const amend = (patch: (d: ServerDown) => ServerDown | undefined) => {
      const now = this.downInfo;
      const next = now?.since === down.since && this.state.kind === 'failed' ? patch(now) : undefined;
      if (!next) return;
      this.downInfo = next;
      void options.onDown?.(next);
    };
    // An exit may be seen before the end of the child's stderr is read: what came after is recorded too.
    const child = this.slot?.child;
    void child?.output.settled(OUTPUT_SETTLE_MS).then(() => {
      const later = this.lastOutput(child);
      amend((d) => (later.join('\n') === (d.output ?? []).join('\n') ? undefined : { ...d, output: later }));
    });
    // A crash after an upgrade: the way back is said with the reason (a restart that failed said it already).
    if (!full.includes(ROLL_BACK))
      void wayBack(this.lastServed?.knownVersion, this.options).then((hint) =>
        amend((d) => (hint ? { ...d, reason: `${d.reason}${hint}` } : undefined)),
      );
  }

  /** The end of a child's stderr (the current one's by default), masked. */
  lastOutput(child = this.slot?.child): string[] {
    return child?.output.lines(this.options.secrets ?? new Set()) ?? [];
  }

  /** The guard's exit code when `slot` was its last child: 0 for one it stopped for idleness (nothing went wrong). */
  private exitCodeFor(slot: Slot<P>, exit: ChildExit): number {
    return this.idle.current?.slot === slot ? 0 : exitCodeOf(exit);
  }

  private finish(code: number): void {
    if (this.state.kind === 'exited') return;
    this.idle.stop();
    // An exit with no session to keep comes from running; every other way out passes through closing.
    if (!this.lifecycle.to({ kind: 'exited', code })) return;
    this.staleGate.stop();
    this.transport.finished();
    this.resolveFinished(code);
  }
}
