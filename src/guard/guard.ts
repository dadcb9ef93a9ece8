import { Readable, Writable } from 'node:stream';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { GuardStatus, RestartOutcome } from '../core/control/protocol';
import { ChildExit, describeExit, exitCodeOf, ServerChild, spawnServer, SpawnSpec, stopServer, StopGrace } from './child';
import { CrashLoopDetector, CrashLoopOptions } from './crashLoop';
import { joinLine, LineParts, lineTail, LineSplitter } from './lines';
import { classify, Classified, errorResponse, GuardErrorCode, idKey, LARGE_LINE_BYTES, notification, serializeMessage, TAIL_BYTES, trailingResponseId } from './messages';
import { StaleGate } from './staleGate';
import { InstalledVersionProbe, ResolvedVersion, StalePolicy } from './staleness';

export interface GuardOptions {
  spec: SpawnSpec;
  serverName: string;
  /** The client's side: what it writes to us, and where its server's bytes go. */
  input: Readable;
  output: Writable;
  /** One line of diagnostics (stderr: stdout carries the server's protocol bytes only). */
  log(line: string): void;
  crashLoop: CrashLoopOptions;
  grace: StopGrace;
  /** How long a restart waits for in-flight requests before stopping the old child anyway. */
  drainTimeoutMs: number;
  /** How long a restarted child may take to answer the replayed `initialize`. */
  initTimeoutMs: number;
  stale?: { policy: StalePolicy; probe: InstalledVersionProbe; intervalMs: number };
  /** Called as soon as a child is spawned (the lock record names it, so a successor can stop it). */
  onChildSpawned?(pid: number): void | Promise<void>;
  /** Called when a child started and its version was resolved (the lock record is updated with it). */
  onChildStarted?(info: { pid: number; version: ResolvedVersion | undefined }): void | Promise<void>;
}

/** The guard's lifecycle. The child itself lives in `slot`, which may be set in any state. */
type GuardState =
  | { kind: 'running' }
  | { kind: 'restarting'; reason: string; done: Promise<RestartOutcome> }
  | { kind: 'failed'; reason: string }
  | { kind: 'closing'; reason: string }
  | { kind: 'exited'; code: number };

/** One child and what the guard knows about its side of the stream. */
interface ChildSlot {
  child: ServerChild;
  splitter: LineSplitter;
  /** `replay`: lines are inspected before relaying, so the replayed initialize's answer can be swallowed. */
  mode: 'passthrough' | 'replay';
  /** Requests the server sent the client and the client has not answered (keys from idKey). */
  serverRequests: Set<string>;
  /** Set when the guard itself stops this child: its exit is expected. */
  stopping: boolean;
  version: Promise<ResolvedVersion | undefined>;
  knownVersion?: ResolvedVersion;
  replay?: { id: string; resolve(c: Classified & { kind: 'response' }): void; reject(err: Error): void };
}

interface InFlight {
  id: RequestId;
  method: string;
  generation: number;
}

const NEWLINE = Buffer.from('\n');
const OUTPUT_WINDOW_BYTES = 1024 * 1024;
const LIST_CHANGED = ['tools', 'resources', 'prompts'] as const;

/**
 * `mcp-lifeguard run`: sits between an MCP client and a stdio server, relays the server's bytes
 * unchanged, and knows enough of the JSON-RPC stream (in-flight requests, the client's initialize,
 * the server's capabilities and tool annotations) to restart the server under a live client.
 */
export class Guard {
  private state: GuardState = { kind: 'running' };
  private slot: ChildSlot | undefined;
  private generation = 0;
  private restarts = 0;
  private readonly startedAt = new Date().toISOString();
  private readonly crash: CrashLoopDetector;
  private readonly clientSplitter = new LineSplitter();
  private clientChain: Promise<void> = Promise.resolve();
  /** Client lines held while a restart is under way, delivered in order once it is done. */
  private queue: Buffer[] = [];
  private readonly inFlight = new Map<string, InFlight>();
  private idleWaiters: Array<() => void> = [];
  /** Guard-made messages waiting for the server's current line to end. */
  private injectQueue: string[] = [];
  private outMidLine = false;
  private inputPaused = { child: false, output: false };
  private initializeRequest: { method: 'initialize'; params?: Record<string, unknown> } | undefined;
  private initializeAnswered = false;
  private initializedBytes: Buffer | undefined;
  private capabilities: Record<string, unknown> = {};
  private replayCounter = 0;
  private readonly staleGate: StaleGate;
  private resolveFinished!: (code: number) => void;
  /** Resolves with the exit code once the guard is done (the child is gone). */
  readonly finished = new Promise<number>((resolve) => (this.resolveFinished = resolve));

  constructor(private readonly options: GuardOptions) {
    this.crash = new CrashLoopDetector(options.crashLoop);
    this.staleGate = new StaleGate({
      stale: options.stale,
      serverName: options.serverName,
      log: options.log,
      runningVersion: () => this.slot?.version,
      isRunning: () => this.state.kind === 'running',
      isIdle: () => this.inFlight.size === 0,
      restart: (reason) => this.beginRestart(reason, false),
    });
  }

  /**
   * Starts the first child and begins relaying. A guard told to shut down before this (its control
   * endpoint listens first) never starts a child: a successor may already be waiting for the lock.
   */
  start(): void {
    if (this.isClosing()) return;
    const { input, output } = this.options;
    input.on('data', (chunk: Buffer) => {
      for (const line of this.clientSplitter.push(chunk)) this.enqueueClientLine(line);
    });
    input.on('end', () => {
      this.clientChain = this.clientChain.then(() => this.close('the client closed stdin'));
    });
    input.on('error', (err) => this.options.log(`reading from the client failed: ${err.message}`));
    output.on('error', (err) => {
      this.options.log(`writing to the client failed (${err.message}); stopping`);
      void this.close('the client is gone');
    });
    this.slot = this.spawnSlot('passthrough');
    this.staleGate.start();
  }

  status(): GuardStatus {
    const child = this.slot && !this.slot.child.exit ? this.slot.child : undefined;
    const version = this.slot?.knownVersion;
    return {
      guardPid: process.pid,
      serverName: this.options.serverName,
      childPid: child?.proc.pid,
      state: this.state.kind,
      inFlight: this.inFlight.size,
      restarts: this.restarts,
      startedAt: this.startedAt,
      childStartedAt: child ? new Date(child.startedAt).toISOString() : undefined,
      runningVersion: version?.state === 'known' ? `${version.name} ${version.version}` : undefined,
      failure: this.state.kind === 'failed' ? this.state.reason : undefined,
    };
  }

  /** A restart the user asked for (control endpoint): a fresh crash-loop streak. */
  restart(reason: string): Promise<RestartOutcome> {
    this.crash.reset();
    return this.beginRestart(reason, true);
  }

  /** Stops the child (stdin EOF, then TERM, then KILL) and finishes with its exit code. */
  shutdown(reason: string): Promise<void> {
    return this.close(reason);
  }

  /**
   * Stops whatever child is still running and resolves once it has exited. The holder calls it before
   * releasing the lock, so that no server ever runs without a guard holding its lock.
   */
  async stopChild(): Promise<void> {
    const slot = this.slot;
    if (!slot || slot.child.exit) return;
    slot.stopping = true;
    await stopServer(slot.child, this.options.grace);
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
    void this.close(`received ${signal}`);
  }

  // ---- client -> server ----

  private enqueueClientLine(line: Buffer): void {
    this.clientChain = this.clientChain.then(async () => void (await this.handleClientLine(line, false))).catch((err: unknown) => this.options.log(`internal error relaying a client message: ${String(err)}`));
  }

  /** Returns false when the line went (back) to the restart queue. */
  private async handleClientLine(line: Buffer, fromQueue: boolean): Promise<boolean> {
    if (this.state.kind === 'restarting' || (!fromQueue && this.queue.length > 0)) {
      if (fromQueue) this.queue.unshift(line);
      else this.queue.push(line);
      return false;
    }
    const c = classify(line);
    if (this.state.kind === 'failed' || this.state.kind === 'closing' || this.state.kind === 'exited') {
      if (c.kind === 'request') {
        const [code, why] = this.state.kind === 'failed' ? [GuardErrorCode.CrashLoop, this.state.reason] : [GuardErrorCode.ShuttingDown, 'the guard is shutting down'];
        this.sendToClient(errorResponse(c.id, code, `${this.options.serverName}: ${why}`));
      }
      return true;
    }
    switch (c.kind) {
      case 'request': {
        if (c.method === 'initialize') this.initializeRequest = { method: 'initialize', params: c.message.params };
        const refusal = await this.staleGate.refusal(c.method, c.message.params);
        if (refusal) {
          this.sendToClient(errorResponse(c.id, GuardErrorCode.Stale, refusal));
          return true;
        }
        if (this.state.kind !== 'running') return this.handleClientLine(line, true);
        this.inFlight.set(idKey(c.id), { id: c.id, method: c.method, generation: this.generation });
        break;
      }
      case 'notification':
        if (c.method === 'notifications/initialized') this.initializedBytes = Buffer.from(line);
        if (c.method === 'notifications/cancelled') this.forgetCancelled(c.message as { params?: unknown });
        break;
      case 'response':
        // The client answers a request of the server. One for a child that is gone is dropped: the
        // new child never asked it.
        if (!this.slot?.serverRequests.delete(idKey(c.id))) {
          this.options.log(`dropped the client's answer to request ${JSON.stringify(c.id)}: the server that asked it was restarted`);
          return true;
        }
        break;
      case 'other':
        break;
    }
    this.writeToChild(line);
    return true;
  }

  /** A cancelled request gets no answer from the server (MCP), so it is no longer in flight. */
  private forgetCancelled(message: { params?: unknown }): void {
    const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
    this.inFlight.delete(idKey(requestId));
    if (this.inFlight.size === 0) this.onIdle();
  }

  private writeToChild(line: Buffer): void {
    const slot = this.slot;
    if (!slot || slot.child.exit) return;
    const stdin = slot.child.proc.stdin;
    if (!stdin.write(Buffer.concat([line, NEWLINE])) && !this.inputPaused.child) {
      // Backpressure: stop reading the client until the server has taken what we gave it.
      this.inputPaused.child = true;
      this.updateInputFlow();
      stdin.once('drain', () => {
        this.inputPaused.child = false;
        this.updateInputFlow();
      });
      slot.child.exited.then(() => {
        this.inputPaused.child = false;
        this.updateInputFlow();
      }, () => undefined);
    }
  }

  private updateInputFlow(): void {
    const { input } = this.options;
    if (this.inputPaused.child || this.inputPaused.output) input.pause();
    else input.resume();
  }

  // ---- server -> client ----

  private spawnSlot(mode: ChildSlot['mode']): ChildSlot {
    this.generation++;
    const child = spawnServer(this.options.spec, this.generation);
    const probe = this.options.stale?.probe;
    const slot: ChildSlot = {
      child,
      splitter: new LineSplitter(),
      mode,
      serverRequests: new Set(),
      stopping: false,
      version: probe
        ? probe.installed().catch((err: Error): ResolvedVersion => ({ state: 'unknown', reason: err.message }))
        : Promise.resolve(undefined),
    };
    if (child.proc.pid !== undefined) void this.options.onChildSpawned?.(child.proc.pid);
    void slot.version.then((version) => {
      slot.knownVersion = version;
      if (child.proc.pid !== undefined && !child.exit) this.options.onChildStarted?.({ pid: child.proc.pid, version });
    });
    child.proc.stdout.on('data', (chunk: Buffer) => this.onServerData(slot, chunk));
    void child.exited.then((exit) => this.onChildExit(slot, exit));
    return slot;
  }

  private onServerData(slot: ChildSlot, chunk: Buffer): void {
    if (slot.mode === 'passthrough') {
      this.writeServerChunk(chunk);
      for (const line of slot.splitter.pushParts(chunk)) this.trackServerLine(slot, this.classifyServerLine(line));
      return;
    }
    for (const line of slot.splitter.push(chunk)) {
      const c = classify(line);
      if (slot.replay && c.kind === 'response' && c.id === slot.replay.id) {
        slot.replay.resolve(c);
        continue;
      }
      this.writeToClient(Buffer.concat([line, NEWLINE]));
      this.trackServerLine(slot, c);
    }
  }

  /** Classifies a relayed server line; a large answer to a request whose result we do not need is not parsed. */
  private classifyServerLine(line: LineParts): Classified {
    if (line.length >= LARGE_LINE_BYTES) {
      const id = trailingResponseId(lineTail(line, TAIL_BYTES));
      const method = id === undefined ? undefined : this.inFlight.get(idKey(id))?.method;
      if (id !== undefined && method !== undefined && method !== 'initialize' && method !== 'tools/list') {
        return { kind: 'response', id, message: { jsonrpc: '2.0', id, result: {} } };
      }
    }
    return classify(joinLine(line));
  }

  /** Relays a chunk as is; guard-made messages waiting for a line end go in right after one. */
  private writeServerChunk(chunk: Buffer): void {
    if (this.injectQueue.length > 0 && this.outMidLine) {
      const end = chunk.indexOf(0x0a);
      if (end >= 0) {
        this.writeToClient(chunk.subarray(0, end + 1));
        this.outMidLine = false;
        this.flushInjected();
        chunk = chunk.subarray(end + 1);
        if (chunk.length === 0) return;
      }
    }
    this.writeToClient(chunk);
    this.outMidLine = chunk[chunk.length - 1] !== 0x0a;
  }

  private writeToClient(bytes: Buffer | string): void {
    const { output } = this.options;
    if (output.writableEnded || output.destroyed) return;
    // Backpressure: stop reading the server once the client is behind by more than a window. The
    // window is wider than the stream's 16 KiB mark so a large result is not relayed in lock step.
    if (!output.write(bytes) && output.writableLength >= OUTPUT_WINDOW_BYTES && !this.inputPaused.output) {
      this.inputPaused.output = true;
      this.slot?.child.proc.stdout.pause();
      output.once('drain', () => {
        this.inputPaused.output = false;
        this.slot?.child.proc.stdout.resume();
      });
    }
  }

  /** Sends a guard-made message to the client without cutting into a server line. */
  private sendToClient(text: string): void {
    if (this.outMidLine) this.injectQueue.push(text);
    else this.writeToClient(text);
  }

  private flushInjected(): void {
    const pending = this.injectQueue;
    this.injectQueue = [];
    for (const text of pending) this.writeToClient(text);
  }

  private trackServerLine(slot: ChildSlot, c: Classified): void {
    if (c.kind === 'request') {
      slot.serverRequests.add(idKey(c.id));
      return;
    }
    if (c.kind !== 'response') return;
    const key = idKey(c.id);
    const entry = this.inFlight.get(key);
    if (!entry) return;
    this.inFlight.delete(key);
    const result = c.message.result;
    if (entry.method === 'initialize' && result) {
      this.initializeAnswered = true;
      this.capabilities = (result.capabilities as Record<string, unknown> | undefined) ?? {};
    } else if (entry.method === 'tools/list' && result && Array.isArray(result.tools)) {
      this.staleGate.noteTools(result.tools);
    }
    if (this.inFlight.size === 0) this.onIdle();
  }

  private onIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
    this.staleGate.onIdle();
  }

  // ---- child exit, restart, close ----

  private onChildExit(slot: ChildSlot, exit: ChildExit): void {
    if (this.slot !== slot) return;
    if (exit.spawnError) this.options.log(`could not start ${this.options.spec.command}: ${exit.spawnError.message}`);
    if (slot.mode === 'passthrough' && this.outMidLine) {
      // The server died in the middle of a line: end it so the client's framing recovers.
      this.writeToClient(NEWLINE);
      this.outMidLine = false;
    }
    this.flushInjected();
    slot.splitter.reset();
    slot.replay?.reject(new Error(`the server ${describeExit(exit)} before answering the replayed initialize`));
    const what = `${this.options.serverName} ${slot.stopping ? 'was stopped' : `exited (${describeExit(exit)})`} before answering`;
    for (const [key, entry] of this.inFlight) {
      if (entry.generation !== slot.child.generation) continue;
      this.inFlight.delete(key);
      this.sendToClient(errorResponse(entry.id, GuardErrorCode.ServerExited, `${what} '${entry.method}'; it was not retried`));
    }
    for (const w of this.idleWaiters.splice(0)) w();
    if (this.state.kind === 'closing') {
      this.finish(exitCodeOf(exit));
      return;
    }
    if (slot.stopping || this.state.kind !== 'running') return;
    this.options.log(`${this.options.serverName} ${describeExit(exit)}`);
    if (!this.initializeAnswered) {
      // No session to keep alive: behave like the server itself and exit with its code.
      this.finish(exitCodeOf(exit));
      return;
    }
    const verdict = this.crash.recordExit(slot.child.startedAt, Date.now(), describeExit(exit));
    if (!verdict.restart) {
      this.fail(verdict.reason);
      return;
    }
    this.beginRestart(`the server ${describeExit(exit)}`, false).catch((err: Error) => this.options.log(`restart failed: ${err.message}`));
  }

  private fail(reason: string): void {
    this.state = { kind: 'failed', reason };
    this.options.log(`${this.options.serverName}: ${reason}`);
    const queued = this.queue;
    this.queue = [];
    for (const line of queued) {
      const c = classify(line);
      if (c.kind === 'request') this.sendToClient(errorResponse(c.id, GuardErrorCode.CrashLoop, `${this.options.serverName}: ${reason}`));
    }
  }

  private beginRestart(reason: string, userAsked: boolean): Promise<RestartOutcome> {
    const state = this.state;
    if (state.kind === 'restarting') return state.done;
    if (state.kind === 'closing' || state.kind === 'exited') return Promise.reject(new Error('the guard is shutting down'));
    if (state.kind === 'failed' && !userAsked) return Promise.reject(new Error(state.reason));
    this.options.log(`restarting ${this.options.serverName}: ${reason}`);
    const done = this.runRestart();
    this.state = { kind: 'restarting', reason, done };
    done.then(
      () => this.afterRestart(),
      (err: Error) => {
        if (this.state.kind === 'restarting') this.fail(err.message);
      },
    );
    return done;
  }

  private async runRestart(): Promise<RestartOutcome> {
    const old = this.slot;
    if (old && !old.child.exit) {
      await this.waitIdle(this.options.drainTimeoutMs);
      old.stopping = true;
      await stopServer(old.child, this.options.grace);
    }
    for (;;) {
      if (this.isClosing()) throw new Error('the guard is shutting down');
      const slot = this.spawnSlot(this.initializeRequest ? 'replay' : 'passthrough');
      this.slot = slot;
      try {
        if (this.initializeRequest) await this.replay(slot);
        if (this.isClosing()) throw new Error('the guard is shutting down');
        this.restarts++;
        return { childPid: slot.child.proc.pid ?? -1, restarts: this.restarts };
      } catch (err) {
        slot.stopping = true;
        const exit = await stopServer(slot.child, this.options.grace);
        if (this.isClosing()) throw err;
        const verdict = this.crash.recordExit(slot.child.startedAt, Date.now(), `${(err as Error).message}; ${describeExit(exit)}`);
        if (!verdict.restart) throw new Error(verdict.reason);
        this.options.log(`restart attempt failed: ${(err as Error).message}; trying again`);
      }
    }
  }

  private isClosing(): boolean {
    return this.state.kind === 'closing' || this.state.kind === 'exited';
  }

  /** Replays the client's handshake to a new child and swallows the child's answer. */
  private async replay(slot: ChildSlot): Promise<void> {
    const id = `mcp-lifeguard-replay-${++this.replayCounter}`;
    const answered = new Promise<Classified & { kind: 'response' }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to the replayed initialize within ${this.options.initTimeoutMs} ms`)), this.options.initTimeoutMs);
      slot.replay = {
        id,
        resolve: (c) => {
          clearTimeout(timer);
          resolve(c);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
    });
    this.writeToChild(Buffer.from(serializeMessage({ jsonrpc: '2.0', id, ...this.initializeRequest! } as never).trimEnd()));
    const response = await answered;
    slot.replay = undefined;
    const result = response.message.result;
    if (!result) throw new Error(`the restarted server refused the replayed initialize: ${JSON.stringify(response.message.error)}`);
    this.capabilities = (result.capabilities as Record<string, unknown> | undefined) ?? {};
    if (this.initializedBytes) this.writeToChild(this.initializedBytes);
    // From here on the server's bytes stream straight through; an unfinished line goes out now.
    slot.mode = 'passthrough';
    for (const pending of slot.splitter.pendingChunks()) this.writeToClient(pending);
    this.outMidLine = slot.splitter.midLine;
  }

  private afterRestart(): void {
    if (this.state.kind !== 'restarting') return;
    this.state = { kind: 'running' };
    if (this.initializeRequest) {
      for (const kind of LIST_CHANGED) {
        if (kind === 'tools' || this.capabilities[kind] !== undefined) this.sendToClient(notification(`notifications/${kind}/list_changed`));
      }
    }
    // Deliver what the client sent meanwhile, in order, ahead of anything newer.
    this.clientChain = this.clientChain.then(async () => {
      while (this.queue.length > 0) {
        const line = this.queue.shift()!;
        if (!(await this.handleClientLine(line, true))) break;
      }
    });
  }

  private waitIdle(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.options.log(`${this.inFlight.size} request(s) still in flight after ${timeoutMs} ms; restarting anyway`);
        resolve();
      }, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async close(reason: string): Promise<void> {
    if (this.isClosing()) return;
    const restarting = this.state.kind === 'restarting' ? this.state.done : undefined;
    this.state = { kind: 'closing', reason };
    const queued = this.queue;
    this.queue = [];
    for (const line of queued) {
      const c = classify(line);
      if (c.kind === 'request') this.sendToClient(errorResponse(c.id, GuardErrorCode.ShuttingDown, `${this.options.serverName}: the guard is shutting down (${reason})`));
    }
    if (restarting) await restarting.catch(() => undefined);
    const slot = this.slot;
    if (!slot || slot.child.exit) {
      this.finish(slot?.child.exit ? exitCodeOf(slot.child.exit) : 0);
      return;
    }
    slot.stopping = true;
    await stopServer(slot.child, this.options.grace);
  }

  private finish(code: number): void {
    if (this.state.kind === 'exited') return;
    this.state = { kind: 'exited', code };
    this.staleGate.stop();
    this.options.input.pause();
    this.resolveFinished(code);
  }
}
