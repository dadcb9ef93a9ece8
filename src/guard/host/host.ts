import type { ChildProcess } from 'node:child_process';
import type { GuardStatus, RestartAsk, GuardRestartReply } from '../../core/control/protocol';
import type { RecordedServerInfo, RecordedVersions, ServerDown, ServerIdle } from '../../core/locks';
import type { InstanceVersions } from '../../core/base/versionTypes';
import { recordedVersions } from './lockRecord';
import { CrashLoopDetector, CrashLoopOptions } from './crashLoop';
import { OUTPUT_SETTLE_MS, withCause } from './outputTail';
import { PROBE_FAILED, RestartCheck } from './probe';
import { restartRiskText } from '../../core/versions/startRisk';
import { describeOpenWork, OpenWork } from './openWork';
import { diffTools, toolsChangedText } from './toolsDiff';
import { NoticeAudience, StaleGate } from './staleGate';
import { InstalledVersionProbe, ResolvedVersion, StalePolicy } from './staleness';
import type { UpdateLookup } from './staleNotice';
import { GuardLifecycleState, Lifecycle } from './lifecycle';
import { ChildExit, describeExit, exitCodeOf, ServerChild, stopServer, StopGrace } from './supervisor';
import { GuardTransport, HostView } from './transport';

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

/** The way back a down server's reason names, when what is installed is not what served. */
const ROLL_BACK = 'Roll Back';

/** How long a restart waits, by default, for open multi-round requests and running tasks (with the drain, within the 30 s a restart request waits for its answer). */
export const HOLD_MS = 20_000;

/**
 * How long open work without news is remembered: the SDK's `requestState` codec lets state live
 * 10 minutes by default; a running task's polls keep it fresh.
 */
const OPEN_WORK_FORGET_MS = 10 * 60_000;

/** One child and what the host knows of it. */
interface Slot<P extends ChildProcess> {
  child: ServerChild<P>;
  /** Set when the host itself stops this child: its exit is expected. */
  stopping: boolean;
  version: Promise<ResolvedVersion | undefined>;
  knownVersion?: ResolvedVersion;
  /** What this child said about itself through MCP (the engine weighs it as its lock record would carry it). */
  serverInfo?: RecordedServerInfo;
  /** Its whole tools list, once seen (a client's or the guard's own `tools/list`). */
  tools?: unknown[];
}

/**
 * The guard host: one server child behind one transport (stdio relay or HTTP front). It owns the
 * lifecycle (lifecycle.ts), the child (spawn, watch, stop through the stop ladder), restarts and
 * the crash-loop rule, the stale gate and the status the control endpoint reports.
 */
export class GuardHost<P extends ChildProcess = ChildProcess> implements HostView {
  readonly lifecycle: Lifecycle;
  private slot: Slot<P> | undefined;
  private generation = 0;
  private restarts = 0;
  private readonly startedAt = new Date().toISOString();
  private readonly crash: CrashLoopDetector;
  private readonly staleGate: StaleGate;
  private readonly openWork: OpenWork;
  /** Why the server is down, while the guard has given up on it (failed). */
  private downInfo: ServerDown | undefined;
  /** The versions the last child that served started with: what a roll back restores once the server is down. */
  private lastServed: Slot<P> | undefined;
  /** A probe of the installed server before a restart (the serving one serves meanwhile); later requests join it. */
  private probing: Promise<GuardRestartReply> | undefined;
  /** What was installed when a probe found it does not start: a policy's restart does not try it again until that changes. */
  private probeFailedFor: string | undefined;
  /** A restart waiting for open work to close (still running meanwhile); later requests join it. */
  private heldRestart: Promise<GuardRestartReply> | undefined;
  /** The tools of the child a restart replaced, until the new child's are known and compared. */
  private toolsBefore: { slot: Slot<P>; tools: unknown[] } | undefined;
  /** When a client line last came (`--idle-stop` counts from it). */
  private lastClientLine = Date.now();
  private idleTimer: NodeJS.Timeout | undefined;
  /** The child stopped for idleness, and its stop while it is under way (a wake waits for it). */
  private idleStop: { slot: Slot<P>; stopped: Promise<ChildExit> } | undefined;
  /** Whether the lock record was told the server is idle (and must be told when it runs again). */
  private idleSaid = false;
  private resolveFinished!: (code: number) => void;
  private startedFirst!: { resolve(): void; reject(err: Error): void };
  /** Resolves with the exit code once the guard is done (the child is gone). */
  readonly finished = new Promise<number>((resolve) => (this.resolveFinished = resolve));

  constructor(
    private readonly options: GuardHostOptions,
    readonly transport: GuardTransport<P>,
  ) {
    const firstStart = new Promise<void>((resolve, reject) => (this.startedFirst = { resolve, reject }));
    firstStart.catch(() => undefined);
    this.lifecycle = new Lifecycle({ kind: 'starting', done: firstStart }, options.log);
    this.crash = new CrashLoopDetector(options.crashLoop);
    this.openWork = new OpenWork(OPEN_WORK_FORGET_MS);
    this.staleGate = new StaleGate({
      stale: options.stale && options.probe ? options.stale : undefined,
      serverName: options.serverName,
      log: options.log,
      currentChild: () => this.slot,
      judgeChild: () => this.judgeChild(),
      isRunning: () => this.state.kind === 'running',
      isIdle: () => this.transport.inFlight() === 0,
      restart: (reason) => this.autoRestart(reason),
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
      if (state.kind !== 'running') return;
      this.idleStop = undefined;
      if (this.idleSaid) {
        this.idleSaid = false;
        void this.options.onIdleStop?.(undefined);
      }
      this.armIdleStop(this.options.idleStopMs ?? 0);
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

  /**
   * A line came from the client: `--idle-stop` counts from here, and a server stopped for idleness
   * is started again (the line waits in the transport's queue meanwhile, as during a restart).
   */
  noteClientMessage(): void {
    this.lastClientLine = Date.now();
    if (this.state.kind !== 'idle') return;
    this.options.log(`a client message came: starting ${this.options.serverName} again`);
    this.requestRestart('a client message came while the server was stopped for idleness', false, false, true).catch(
      (err: Error) => this.options.log(`could not start ${this.options.serverName} again: ${err.message}`),
    );
  }

  /** Checks for idleness once `--idle-stop` could have passed (never when it is 0). */
  private armIdleStop(inMs: number): void {
    clearTimeout(this.idleTimer);
    const idleStopMs = this.options.idleStopMs ?? 0;
    if (idleStopMs <= 0) return;
    this.idleTimer = setTimeout(() => this.checkIdle(idleStopMs), Math.max(inMs, 50));
    this.idleTimer.unref();
  }

  /** Stops the server when it has gone `idleStopMs` without a client line and nothing is open on it. */
  private checkIdle(idleStopMs: number): void {
    if (this.state.kind !== 'running') return;
    const quietFor = Date.now() - this.lastClientLine;
    const open = this.openWork.open();
    const busy =
      this.transport.inFlight() > 0 || open.exchanges + open.tasks > 0 || this.transport.holdsOpen?.() === true;
    if (quietFor < idleStopMs || busy) {
      // Work still open is looked at again a while later; otherwise when the quiet time would be up.
      this.armIdleStop(busy ? idleStopMs : idleStopMs - quietFor);
      return;
    }
    const slot = this.slot;
    if (!slot || slot.child.exit) return;
    const since = new Date().toISOString();
    if (!this.lifecycle.to({ kind: 'idle', since })) return;
    this.options.log(
      `${this.options.serverName}: no client message for ${Math.round(quietFor / 1000)} s; stopping the server (pid ${slot.child.proc.pid}) until the next one`,
    );
    slot.stopping = true;
    this.idleStop = { slot, stopped: this.stopSlotChild(slot) };
    this.idleSaid = true;
    void this.options.onIdleStop?.({ since, afterMs: idleStopMs });
  }

  onStateChange(listener: (state: GuardLifecycleState) => void): () => void {
    return this.lifecycle.onChange(listener);
  }

  /**
   * Starts the first child and resolves once it serves; rejects (the guard then failed) when it
   * does not. A guard told to shut down before this never starts a child.
   */
  async start(): Promise<void> {
    if (this.lifecycle.isClosing) return;
    if (this.options.lazyStart) {
      // Nothing runs until a client's message asks (noteClientMessage): the guard is idle from the start.
      const since = new Date().toISOString();
      this.lifecycle.to({ kind: 'idle', since });
      this.startedFirst.resolve();
      this.staleGate.start();
      this.options.log(`${this.options.serverName}: the server starts with the first client message (--lazy-start)`);
      this.idleSaid = true;
      void this.options.onIdleStop?.({ since });
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
      restarts: this.restarts,
      startedAt: this.startedAt,
      childStartedAt: child ? new Date(child.startedAt).toISOString() : undefined,
      runningVersion: version?.state === 'known' ? `${version.name} ${version.version}` : undefined,
      failure: state.kind === 'failed' ? state.reason : undefined,
      ...(this.downInfo?.output ? { lastOutput: this.downInfo.output } : {}),
    };
  }

  /**
   * A restart the user asked for (control endpoint): a fresh crash-loop streak. Refused when the
   * installed code will probably not start (a module the server imports is gone or raises at
   * import), unless `force`: the server that runs keeps serving instead of going down.
   */
  async restart(reason: string, ask: RestartAsk = {}): Promise<GuardRestartReply> {
    const force = ask.force === true;
    const risk = force ? undefined : await this.restartRisk();
    if (risk)
      throw new Error(`${risk}; not restarted, the running server keeps serving (restart with force to do it anyway)`);
    this.crash.reset();
    // Forced, it is not probed either: the user asked for this very restart; nor when this server's check is none.
    if (ask.check === 'none' && !force && this.options.restartCheck === 'probe')
      this.options.log(`${this.options.serverName}: restarted without a check, as asked`);
    return this.requestRestart(reason, true, true, force || ask.check === 'none');
  }

  /** Why a restart into what is installed will probably fail, if the installed files say so. */
  private async restartRisk(): Promise<string | undefined> {
    const installed = await this.options.probe?.installed().catch(() => undefined);
    return installed?.state === 'known' ? restartRiskText(installed.startRisks) : undefined;
  }

  /** A restart a policy asks for (restart-when-idle): never into code that will probably not start. */
  private async autoRestart(reason: string): Promise<GuardRestartReply> {
    const risk = this.state.kind === 'running' ? await this.restartRisk() : undefined;
    if (risk) {
      this.options.log(`not restarting ${this.options.serverName} (${reason}): ${risk}`);
      throw new Error(risk);
    }
    // A probe already found this very install not starting: no new probe at every check, until it changes.
    if (this.probeFailedFor !== undefined && this.probeFailedFor === (await this.installedKey()))
      throw new Error(
        'the installed server did not start when the last restart probed it; not tried again until it changes',
      );
    return this.requestRestart(reason, false);
  }

  /** What is installed now, as a key (the version probe's answer), to tell a changed install from the same one. */
  private async installedKey(): Promise<string | undefined> {
    const installed = await this.options.probe?.installed().catch(() => undefined);
    return installed ? JSON.stringify(installed) : undefined;
  }

  /** Stops the child (stdin EOF where there is one, then TERM, then KILL) and finishes with its exit code. */
  async shutdown(reason: string): Promise<void> {
    if (this.lifecycle.isClosing) return;
    const state = this.state;
    // A restart under way ends first (it gives up at its next step); a first start sees the state itself.
    const pending = state.kind === 'draining' || state.kind === 'restarting' ? state.done : undefined;
    this.lifecycle.to({ kind: 'closing', reason });
    clearTimeout(this.idleTimer);
    this.transport.refuseHeld('closing', reason);
    if (pending) await pending.catch(() => undefined);
    await this.idleStop?.stopped;
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
    await this.idleStop?.stopped;
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

  /**
   * The engine's judgement of the running child (core/versions/ownInstance.ts), from what this
   * guard recorded when it started it (the versions its lock record carries) and what it said.
   */
  private async judgeChild(): Promise<{ child: object; versions: InstanceVersions } | undefined> {
    const slot = this.slot;
    const probe = this.options.probe;
    const pid = slot?.child.proc.pid;
    if (!slot || !probe || pid === undefined || slot.child.exit) return undefined;
    const atStart = await slot.version;
    const versions: RecordedVersions | undefined =
      atStart?.state === 'known' || slot.serverInfo
        ? {
            ...(atStart?.state === 'known' ? recordedVersions(atStart) : {}),
            ...(slot.serverInfo ? { serverInfo: slot.serverInfo } : {}),
          }
        : undefined;
    return {
      child: slot,
      versions: await probe.judge({ pid, spawnedAt: slot.child.startedAt, ...(versions ? { versions } : {}) }),
    };
  }

  private async spawnSlot(): Promise<Slot<P>> {
    this.generation++;
    const child = await this.transport.spawn(this.generation);
    const probe = this.options.probe;
    const slot: Slot<P> = {
      child,
      stopping: false,
      version: probe
        ? probe.installed().catch((err: Error): ResolvedVersion => ({ state: 'unknown', reason: err.message }))
        : Promise.resolve(undefined),
    };
    this.slot = slot;
    if (child.proc.pid !== undefined) void this.options.onChildSpawned?.(child.proc.pid, child.treeMark);
    void slot.version.then((version) => {
      slot.knownVersion = version;
      if (child.proc.pid !== undefined && !child.exit)
        void this.options.onChildStarted?.({ pid: child.proc.pid, version });
    });
    void child.exited.then((exit) => this.onChildExit(slot, exit));
    return slot;
  }

  /** Every stop of a child goes here: the transport lets go of it first (see GuardTransport.leaving). */
  private async stopSlotChild(slot: Slot<P>): Promise<ChildExit> {
    this.transport.leaving?.(slot.child);
    const exit = await stopServer(slot.child, this.options.grace);
    // A server that needs the kill holds every restart for the whole grace period: worth saying.
    if (exit.signal === 'SIGKILL')
      this.options.log(
        `${this.options.serverName} (pid ${slot.child.proc.pid}) did not exit within the stop grace period; it was killed (SIGKILL)`,
      );
    return exit;
  }

  private onChildExit(slot: Slot<P>, exit: ChildExit): void {
    // While starting, the first child's exit is the start's to report (start() calls again).
    if (this.slot !== slot || this.state.kind === 'starting') return;
    if (exit.spawnError) this.options.log(`could not start ${this.options.command}: ${exit.spawnError.message}`);
    this.transport.childExited(slot.child, exit, slot.stopping);
    if (this.state.kind === 'closing') {
      this.finish(this.exitCodeFor(slot, exit));
      return;
    }
    if (slot.stopping || this.state.kind !== 'running') return;
    this.options.log(`${this.options.serverName} ${describeExit(exit)}`);
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
    this.requestRestart(`the server ${describeExit(exit)}`, false).catch((err: Error) =>
      this.options.log(`restart failed: ${err.message}`),
    );
  }

  /**
   * The guard gives up on the server: it is down until a restart the user asks for. The reason
   * carries the cause (the line of its last output that names an error), masked, for the client's
   * error and every face; the whole end of its output goes into the lock record.
   */
  private fail(reason: string): void {
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
    this.options.log(`${this.options.serverName}: ${full}`);
    void this.options.onDown?.(down);
    this.transport.refuseHeld('failed', full);
    // What is learned later goes into this very record, unless the server came back (or went down again) meanwhile.
    const amend = (patch: (d: ServerDown) => ServerDown | undefined) => {
      const now = this.downInfo;
      const next = now?.since === down.since && this.state.kind === 'failed' ? patch(now) : undefined;
      if (!next) return;
      this.downInfo = next;
      void this.options.onDown?.(next);
    };
    // An exit may be seen before the end of the child's stderr is read: what came after is recorded too.
    const child = this.slot?.child;
    void child?.output.settled(OUTPUT_SETTLE_MS).then(() => {
      const later = this.lastOutput(child);
      amend((d) => (later.join('\n') === (d.output ?? []).join('\n') ? undefined : { ...d, output: later }));
    });
    // A crash after an upgrade: the way back is said with the reason (a restart that failed said it already).
    if (!full.includes(ROLL_BACK))
      void this.wayBack().then((hint) => amend((d) => (hint ? { ...d, reason: `${d.reason}${hint}` } : undefined)));
  }

  /** The end of a child's stderr (the current one's by default), masked. */
  private lastOutput(child = this.slot?.child): string[] {
    return child?.output.lines(this.options.secrets ?? new Set()) ?? [];
  }

  /** Starts a restart, or joins the one under way. `mayHold`: false once a hold for open work has ended. */
  private requestRestart(
    reason: string,
    userAsked: boolean,
    mayHold = true,
    probed = false,
  ): Promise<GuardRestartReply> {
    const state = this.state;
    if (this.heldRestart && state.kind === 'running' && mayHold) return this.heldRestart;
    // Work the server holds beyond a request would be lost: the restart waits for it (bounded), while the server keeps serving.
    const open = mayHold && state.kind === 'running' && this.child ? this.openWork.open() : undefined;
    if (open && open.exchanges + open.tasks > 0) {
      const holdMs = this.options.holdTimeoutMs ?? HOLD_MS;
      this.options.log(
        `holding the restart of ${this.options.serverName} (${reason}): ${describeOpenWork(open)}; waiting up to ${holdMs / 1000} s`,
      );
      const held = this.openWork.waitClosed(holdMs).then((closed) => {
        this.heldRestart = undefined;
        if (!closed)
          this.options.log(
            `restarting ${this.options.serverName} anyway after ${holdMs / 1000} s: ${describeOpenWork(this.openWork.open())} will be lost`,
          );
        return this.requestRestart(reason, userAsked, false);
      });
      // Only once the hold ended does a restart begin: later requests join this one.
      this.heldRestart = held;
      return held;
    }
    if (state.kind === 'draining' || state.kind === 'restarting') return state.done;
    if (state.kind === 'starting') return state.done.then(() => this.requestRestart(reason, userAsked));
    if (this.lifecycle.isClosing) return Promise.reject(new Error('the guard is shutting down'));
    if (state.kind === 'failed' && !userAsked) return Promise.reject(new Error(state.reason));
    // A server declared safe to run twice is not stopped for one that does not start: the installed
    // one is started beside it and asked first. Every other server runs once: stopped, then started.
    if (!probed && this.options.restartCheck === 'probe' && state.kind === 'running' && this.child) {
      if (this.probing) return this.probing;
      const probing = this.probeThenRestart(reason, userAsked, mayHold).finally(() => {
        if (this.probing === probing) this.probing = undefined;
      });
      this.probing = probing;
      return probing;
    }
    this.options.log(`restarting ${this.options.serverName}: ${reason}`);
    let settle!: { resolve(o: GuardRestartReply): void; reject(err: Error): void };
    const done = new Promise<GuardRestartReply>((resolve, reject) => (settle = { resolve, reject }));
    // A live child first serves what is in flight (draining); a dead one is replaced at once.
    const drain = state.kind === 'running' && this.child !== undefined;
    // A start after an idle stop (or a lazy start) is no restart: it is not counted as one.
    const waking = state.kind === 'idle';
    this.lifecycle.to(drain ? { kind: 'draining', reason, done } : { kind: 'restarting', reason, done });
    this.runRestart(reason, done, waking).then(settle.resolve, settle.reject);
    done.then(
      () => {
        if (this.state.kind !== 'restarting') return;
        this.lifecycle.to({ kind: 'running' });
        this.transport.restarted();
      },
      (err: Error) => {
        if (this.state.kind === 'restarting' || this.state.kind === 'draining') this.fail(err.message);
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
    const probe = this.transport.probe?.bind(this.transport);
    const serving = this.child?.proc.pid;
    const result = probe
      ? await probe({ grace: this.options.grace, secrets: this.options.secrets ?? new Set() })
      : undefined;
    if (result?.kind === 'failed') {
      this.probeFailedFor = await this.installedKey();
      const message = `${PROBE_FAILED}${result.reason}; not restarted, the running server (pid ${serving}) keeps serving`;
      this.options.log(`${this.options.serverName}: ${message}`);
      throw new Error(message);
    }
    if (result?.kind === 'ok')
      this.options.log(`the installed ${this.options.serverName} started beside pid ${serving}: ${result.what}`);
    return this.requestRestart(reason, userAsked, mayHold, true);
  }

  private async runRestart(
    reason: string,
    done: Promise<GuardRestartReply>,
    waking: boolean,
  ): Promise<GuardRestartReply> {
    // A start after an idle stop: the stop ends first (the old child is never stopped twice).
    await this.idleStop?.stopped;
    const old = this.slot;
    if (old && !old.child.exit) {
      if (!(await this.transport.waitIdle(this.options.drainTimeoutMs)))
        this.options.log(
          `${this.transport.inFlight()} request(s) still in flight after ${this.options.drainTimeoutMs} ms; restarting anyway`,
        );
    }
    // A shutdown during the drain took over (closing); otherwise the old child goes now.
    if (this.state.kind === 'draining') this.lifecycle.to({ kind: 'restarting', reason, done });
    if (this.lifecycle.isClosing) throw new Error('the guard is shutting down');
    if (old && !old.child.exit) {
      old.stopping = true;
      await this.stopSlotChild(old);
    }
    // Whatever the old process held open is gone with it (its tasks' polls are answered from now on).
    if (old) this.openWork.processGone(old.child.proc.pid);
    if (old?.tools) this.toolsBefore = { slot: old, tools: old.tools };
    for (;;) {
      if (this.lifecycle.isClosing) throw new Error('the guard is shutting down');
      const slot = await this.spawnSlot();
      try {
        await this.transport.attach(slot.child, true);
        if (this.lifecycle.isClosing) throw new Error('the guard is shutting down');
        if (!waking) this.restarts++;
        this.lastServed = slot;
        return { childPid: slot.child.proc.pid ?? -1, restarts: this.restarts };
      } catch (err) {
        slot.stopping = true;
        const exit = await this.stopSlotChild(slot);
        if (this.lifecycle.isClosing) throw err;
        // Its last words say why it died: read them before judging (and maybe giving up).
        await slot.child.output.settled(OUTPUT_SETTLE_MS);
        const verdict = this.crash.recordExit(
          slot.child.startedAt,
          Date.now(),
          `${(err as Error).message}; ${describeExit(exit)}`,
        );
        // Who asked for the restart hears the cause too (the control endpoint's answer), and the way back.
        if (!verdict.restart)
          throw new Error(`${withCause(verdict.reason, this.lastOutput(slot.child))}${await this.wayBack()}`);
        // What failed may be passing (a lock or port its predecessor frees, a file being written):
        // the next try waits, longer each time, as the crash-loop rule says (crashLoop.ts).
        this.options.log(
          `restart attempt failed: ${(err as Error).message}; trying again in ${verdict.afterMs / 1000} s`,
        );
        await this.pause(verdict.afterMs);
      }
    }
  }

  /**
   * When what is installed now is not what the last server that served started with: the way back
   * to it (Roll Back, which installs those versions again), said with the reason the server is down.
   */
  private async wayBack(): Promise<string> {
    const served = this.lastServed?.knownVersion;
    const now = await this.options.probe?.installed().catch(() => undefined);
    if (served?.state !== 'known' || now?.state !== 'known' || served.dev || now.dev) return '';
    if (served.version === now.version && served.environment?.hash === now.environment?.hash) return '';
    const name = this.options.serverName;
    const command = /^[\w.@-]+$/.test(name) ? ` (mcp-lifeguard rollback ${name})` : '';
    return `; it served with ${served.name} ${served.version}${served.version === now.version ? ' and other dependencies' : ''}: ${ROLL_BACK}${command} installs that again`;
  }

  /** Waits `ms`, or less once the guard is closing (a shutdown does not wait for a pause between tries). */
  private pause(ms: number): Promise<void> {
    if (ms <= 0 || this.lifecycle.isClosing) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const stop = this.lifecycle.onChange(() => {
        if (this.lifecycle.isClosing) done();
      });
    });
  }

  /** The guard's exit code when `slot` was its last child: 0 for one it stopped for idleness (nothing went wrong). */
  private exitCodeFor(slot: Slot<P>, exit: ChildExit): number {
    return this.idleStop?.slot === slot ? 0 : exitCodeOf(exit);
  }

  private finish(code: number): void {
    if (this.state.kind === 'exited') return;
    clearTimeout(this.idleTimer);
    // An exit with no session to keep comes from running; every other way out passes through closing.
    if (!this.lifecycle.to({ kind: 'exited', code })) return;
    this.staleGate.stop();
    this.transport.finished();
    this.resolveFinished(code);
  }
}
