import { Readable, Writable } from 'node:stream';
import type { RequestId } from '@modelcontextprotocol/server';
import {
  ChildExit,
  describeExit,
  PipedProcess,
  ServerChild,
  spawnServer,
  SpawnSpec,
  StopGrace,
} from '../host/supervisor';
import type { ProbeResult } from '../host/probe';
import { probeStdioServer } from './startProbe';
import type { GuardTransport, HostView } from '../host/transport';
import { joinLine, LineParts, lineTail, LineSplitter } from './lines';
import {
  classify,
  Classified,
  errorResponse,
  idKey,
  LARGE_LINE_BYTES,
  notification,
  serverInfoFrom,
  TAIL_BYTES,
  trailingResponseId,
} from './messages';
import { ClientWriter } from './clientWriter';
import { Handshake } from './handshake';
import { ACKNOWLEDGED, LISTEN, Subscriptions } from './subscriptions';
import { GuardRequests } from './guardRequests';
import { errorText, SaidOnce } from '../saidOnce';
import { GuardErrorCode } from '../wireErrors';
import { annotateToolResult, downAnswer, MAX_ANNOTATED_LINE_BYTES } from '../host/staleNotice';
import type { NoticeAudience } from '../host/staleGate';
import { IdleWaiters } from '../host/idleWaiters';

export interface StdioTransportOptions {
  spec: SpawnSpec;
  /** The client's side: what it writes to us, and where its server's bytes go. */
  input: Readable;
  output: Writable;
  /** How long a restarted child may take to answer the replayed `initialize`. */
  initTimeoutMs: number;
  /** Receives a copy of every child's stderr (the server log), which still reaches the client. */
  serverStderr?(chunk: Buffer): void;
  /** A restarted child answered the replayed `initialize` (`--on-conflict share` answers later clients with it). */
  onReplayedInitialize?(result: Record<string, unknown>): void;
  /**
   * `--on-conflict share`: which client a request (by the id the server saw) came from, so each
   * client hears a once-only notice once. Absent: the input is one client.
   */
  audienceOf?(id: RequestId): NoticeAudience | undefined;
}

/** What the relay knows about one child's side of the stream. */
interface Pipe {
  child: ServerChild<PipedProcess>;
  splitter: LineSplitter;
  /** `replay`: lines are inspected before relaying, so the replayed handshake's answer can be swallowed. */
  mode: 'passthrough' | 'replay';
  /** Requests the server sent the client and the client has not answered (keys from idKey). */
  serverRequests: Set<string>;
  /** What the guard puts on this child itself, whose answers it swallows. */
  guard: GuardRequests;
  /** Whether this child has said who it is (the first statement per child is recorded). */
  saidWho: boolean;
  /** Whether bytes of the current server line have arrived (passthrough mode). */
  inLine: boolean;
  /**
   * The current line, held back whole because a `tools/call` result may need a notice appended
   * (`--when-stale annotate`); undefined while lines stream straight through.
   */
  held: { parts: Buffer[]; bytes: number } | undefined;
}

interface InFlight {
  id: RequestId;
  method: string;
  generation: number;
  /** A list request for a later page (a `cursor`): its answer is not the whole list. */
  paged?: boolean;
}

const NEWLINE = Buffer.from('\n');
const LIST_CHANGED = ['tools', 'resources', 'prompts'] as const;

/**
 * The stdio transport: relays the server's bytes unchanged and knows enough of the JSON-RPC stream
 * (requests in flight, the client's handshake, the server's capabilities and tool annotations) to
 * put a restarted server under a live client: client lines are held while the restart runs, and
 * the handshake is replayed to the new child (handshake.ts).
 */
export class StdioTransport implements GuardTransport<PipedProcess> {
  private host!: HostView;
  private pipe: Pipe | undefined;
  private readonly clientSplitter = new LineSplitter();
  private clientChain: Promise<void> = Promise.resolve();
  /** Client lines held while a restart is under way, delivered in order once it is done. */
  private queue: Buffer[] = [];
  private readonly inFlightRequests = new Map<string, InFlight>();
  private readonly idleWaiters = new IdleWaiters();
  private childBackpressure = false;
  private readonly writer: ClientWriter;
  private readonly handshake = new Handshake();
  private readonly subscriptions = new Subscriptions();
  /** Kinds of relay failure already logged (failedOnce). */
  private readonly failuresLogged = new SaidOnce((line) => this.host.log(line));

  constructor(private readonly options: StdioTransportOptions) {
    this.writer = new ClientWriter(options.output, () => this.pipe?.child.proc.stdout);
  }

  bind(host: HostView): void {
    this.host = host;
  }

  /** Begins reading the client; called just before the first child is spawned. */
  listen(onClientGone: (reason: string) => void | Promise<void>): void {
    const { input, output } = this.options;
    input.on('data', (chunk: Buffer) => {
      for (const line of this.clientSplitter.push(chunk)) this.enqueueClientLine(line);
    });
    input.on('end', () => {
      this.clientChain = this.clientChain.then(() => onClientGone('the client closed stdin'));
    });
    input.on('error', (err) => this.host.log(`reading from the client failed: ${err.message}`));
    output.on('error', (err) => {
      this.host.log(`writing to the client failed (${err.message}); stopping`);
      void onClientGone('the client is gone');
    });
  }

  spawn(generation: number): ServerChild<PipedProcess> {
    const child = spawnServer(this.options.spec, generation, this.options.serverStderr?.bind(this.options));
    // A restarted child's first lines may answer what the guard puts on it (the replayed handshake,
    // re-opened subscriptions, its own server/discover): they are inspected until attach is done.
    const replay =
      this.pipe !== undefined &&
      (this.handshake.replayable || this.subscriptions.size > 0 || this.handshake.era === 'modern');
    const pipe: Pipe = {
      child,
      splitter: new LineSplitter(),
      mode: replay ? 'replay' : 'passthrough',
      serverRequests: new Set(),
      guard: new GuardRequests(
        (line) => this.writeToChild(line),
        this.options.initTimeoutMs,
        (l) => this.host.log(l),
      ),
      saidWho: false,
      inLine: false,
      held: undefined,
    };
    this.pipe = pipe;
    child.proc.stdout.on('data', (chunk: Buffer) => this.onServerData(pipe, chunk));
    return child;
  }

  async attach(child: ServerChild<PipedProcess>, restart: boolean): Promise<void> {
    const pipe = this.pipe;
    if (!restart || !pipe || pipe.child !== child || pipe.mode !== 'replay') return;
    await this.handshake.replay(
      (line) => this.writeToChild(line),
      async (id, timeoutMs) => {
        const answer = await pipe.guard.answer(id, timeoutMs, 'the replayed initialize');
        this.noteWho(pipe, 'initialize', answer.message.result);
        if (answer.message.result) this.options.onReplayedInitialize?.(answer.message.result);
        return answer;
      },
      this.options.initTimeoutMs,
    );
    await pipe.guard.reopen(this.subscriptions.all(), (ack) => this.subscriptions.noteAck(ack));
    let capabilities = this.handshake.capabilities;
    if (this.handshake.era === 'modern') {
      const found = await pipe.guard.discover(this.handshake.modernVersion);
      this.noteWho(pipe, 'server/discover', found);
      capabilities = (found?.capabilities as Record<string, unknown> | undefined) ?? {};
    }
    // The new server is verified as the client's session would use it: a server that offers tools
    // lists them, or it does not serve (its start is tried again, then it is down, with the cause).
    // The old child's tools, when known, are compared with them, so the model can be told what changed.
    const offersTools = capabilities.tools !== undefined;
    if ((offersTools || this.host.comparesTools) && (this.handshake.era === 'modern' || this.handshake.replayable)) {
      const tools = await pipe.guard.listTools(
        this.handshake.era === 'modern' ? this.handshake.modernVersion : undefined,
      );
      if (tools) this.host.noteTools(tools);
      else if (offersTools)
        throw new Error(child.exit ? `it ${describeExit(child.exit)}` : 'the restarted server did not list its tools');
    }
    // From here on the server's bytes stream straight through; an unfinished line goes out now.
    pipe.mode = 'passthrough';
    for (const pending of pipe.splitter.pendingChunks()) this.writer.write(pending);
    this.writer.midLine = pipe.splitter.midLine;
    pipe.inLine = pipe.splitter.midLine;
  }

  /** The installed server, started beside the serving one and asked what this client's session would (startProbe.ts). */
  probe(o: { grace: StopGrace; secrets: ReadonlySet<string> }): Promise<ProbeResult> {
    return probeStdioServer({
      spec: this.options.spec,
      handshake: this.handshake,
      timeoutMs: this.options.initTimeoutMs,
      grace: o.grace,
      secrets: o.secrets,
      log: (line) => this.host.log(line),
    });
  }

  inFlight(): number {
    return this.inFlightRequests.size;
  }

  waitIdle(timeoutMs: number): Promise<boolean> {
    return this.idleWaiters.wait(this.inFlightRequests.size === 0, timeoutMs);
  }

  restartsAfterExit(): boolean {
    return this.handshake.keepsConnection;
  }

  leaving(child: ServerChild<PipedProcess>): void {
    if (this.pipe?.child !== child || child.exit) return;
    for (const line of this.subscriptions.cancelLines('the guard is stopping this server process'))
      this.writeToChild(line);
  }

  childExited(child: ServerChild<PipedProcess>, exit: ChildExit, stopping: boolean): void {
    const pipe = this.pipe;
    if (!pipe || pipe.child !== child) return;
    if (pipe.mode === 'passthrough') this.writer.endCutLine();
    // A held line the child never finished is not sent: the client would get half a message.
    pipe.held = undefined;
    this.writer.flushInjected();
    pipe.splitter.reset();
    pipe.guard.childGone(describeExit(exit));
    const what = `${this.host.serverName} ${stopping ? 'was stopped' : `exited (${describeExit(exit)})`} before answering`;
    for (const [key, entry] of this.inFlightRequests) {
      if (entry.generation !== child.generation) continue;
      this.inFlightRequests.delete(key);
      this.writer.send(
        errorResponse(entry.id, GuardErrorCode.ServerExited, `${what} '${entry.method}'; it was not retried`),
      );
    }
    this.idleWaiters.wake();
  }

  restarted(): void {
    if (this.handshake.replayable) {
      for (const kind of LIST_CHANGED) {
        if (kind === 'tools' || this.handshake.capabilities[kind] !== undefined)
          this.writer.send(notification(`notifications/${kind}/list_changed`));
      }
    }
    // A modern client hears only notices tagged with one of its subscriptions, and only on it.
    for (const listen of this.subscriptions.all())
      for (const notice of this.subscriptions.changedNotices(listen)) this.writer.send(notice);
    // Deliver what the client sent meanwhile, in order, ahead of anything newer.
    this.clientChain = this.clientChain.then(async () => {
      while (this.queue.length > 0) {
        const line = this.queue.shift()!;
        if (!(await this.handleClientLine(line, true))) break;
      }
    });
  }

  refuseHeld(why: 'failed' | 'closing', reason: string): void {
    const queued = this.queue;
    this.queue = [];
    const [code, message] =
      why === 'failed'
        ? [GuardErrorCode.CrashLoop, downAnswer(this.host.serverName, reason)]
        : [GuardErrorCode.ShuttingDown, `${this.host.serverName}: the guard is shutting down (${reason})`];
    for (const line of queued) {
      const c = classify(line);
      if (c.kind === 'request') this.writer.send(errorResponse(c.id, code, message));
    }
    // Open subscriptions end: gracefully when the guard stops, as an error (the client may listen again) when it gave up.
    // The server lets go of them first, so it does not answer them itself as it stops.
    if (this.pipe && !this.pipe.child.exit)
      for (const line of this.subscriptions.cancelLines(
        `the guard is ${why === 'closing' ? 'shutting down' : 'giving up'}`,
      ))
        this.writeToChild(line);
    const ends =
      why === 'closing'
        ? this.subscriptions.endAll({ kind: 'graceful' })
        : this.subscriptions.endAll({ kind: 'error', code, message });
    for (const end of ends) this.writer.send(end);
  }

  finished(): void {
    this.options.input.pause();
  }

  // ---- client -> server ----

  private enqueueClientLine(line: Buffer): void {
    this.host.noteClientMessage();
    this.clientChain = this.clientChain
      .then(async () => void (await this.handleClientLine(line, false)))
      .catch((err: unknown) => this.host.log(`internal error relaying a client message: ${String(err)}`));
  }

  /** Whether client lines are held for a restart (or for the start that follows an idle stop). */
  private holding(): boolean {
    const kind = this.host.state.kind;
    return kind === 'draining' || kind === 'restarting' || kind === 'idle';
  }

  holdsOpen(): boolean {
    return this.subscriptions.size > 0 || (this.pipe?.serverRequests.size ?? 0) > 0;
  }

  /** Returns false when the line went (back) to the restart queue. */
  private async handleClientLine(line: Buffer, fromQueue: boolean): Promise<boolean> {
    if (this.holding() || (!fromQueue && this.queue.length > 0)) {
      if (fromQueue) this.queue.unshift(line);
      else this.queue.push(line);
      return false;
    }
    const c = classify(line);
    const state = this.host.state;
    if (state.kind === 'failed' || state.kind === 'closing' || state.kind === 'exited') {
      if (c.kind === 'request') {
        const [code, message] =
          state.kind === 'failed'
            ? [GuardErrorCode.CrashLoop, downAnswer(this.host.serverName, state.reason)]
            : [GuardErrorCode.ShuttingDown, `${this.host.serverName}: the guard is shutting down`];
        this.writer.send(errorResponse(c.id, code, message));
      }
      return true;
    }
    switch (c.kind) {
      case 'request': {
        this.handshake.noteRequest(c.method, c.message.params);
        // Most requests are decided at once: the relay waits only for a refusing policy's verdict.
        const asked = this.host.staleRefusal(c.method, c.message.params);
        const refusal = asked && (await asked);
        if (refusal) {
          this.writer.send(errorResponse(c.id, GuardErrorCode.Stale, refusal));
          return true;
        }
        if (this.host.state.kind !== 'running' && this.host.state.kind !== 'starting')
          return this.handleClientLine(line, true);
        const lost = this.host.noteRequest(c.method, c.message.params);
        if (lost) {
          this.writer.send(errorResponse(c.id, GuardErrorCode.TaskLost, `${this.host.serverName}: ${lost}`));
          return true;
        }
        // A subscription is answered only when it ends: it is never in flight (it would hold every drain).
        if (c.method === LISTEN) {
          this.subscriptions.noteListen(c.id, c.message.params, line);
          break;
        }
        this.inFlightRequests.set(idKey(c.id), {
          id: c.id,
          method: c.method,
          generation: this.pipe?.child.generation ?? 0,
          ...(c.message.params?.cursor !== undefined ? { paged: true } : {}),
        });
        break;
      }
      case 'notification':
        this.handshake.noteNotification(c.method, line);
        if (c.method === 'notifications/cancelled') this.forgetCancelled(c.message as { params?: unknown });
        break;
      case 'response':
        // The client answers a request of the server. One for a child that is gone is dropped: the
        // new child never asked it.
        if (!this.pipe?.serverRequests.delete(idKey(c.id))) {
          this.host.log(
            `dropped the client's answer to request ${JSON.stringify(c.id)}: the server that asked it was restarted`,
          );
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
    this.subscriptions.noteCancelled(requestId);
    this.inFlightRequests.delete(idKey(requestId));
    if (this.inFlightRequests.size === 0) this.onIdle();
  }

  private writeToChild(line: Buffer): void {
    const pipe = this.pipe;
    if (!pipe || pipe.child.exit) return;
    const stdin = pipe.child.proc.stdin;
    if (!stdin.write(Buffer.concat([line, NEWLINE])) && !this.childBackpressure) {
      // Backpressure: stop reading the client until the server has taken what we gave it.
      this.childBackpressure = true;
      this.updateInputFlow();
      const resume = () => {
        this.childBackpressure = false;
        this.updateInputFlow();
      };
      stdin.once('drain', resume);
      pipe.child.exited.then(resume, () => undefined);
    }
  }

  private updateInputFlow(): void {
    const { input } = this.options;
    if (this.childBackpressure || this.writer.paused) input.pause();
    else input.resume();
  }

  // ---- server -> client ----

  private onServerData(pipe: Pipe, chunk: Buffer): void {
    if (pipe.mode === 'passthrough') {
      this.relay(pipe, chunk);
      for (const line of pipe.splitter.pushParts(chunk)) this.track(pipe, () => this.classifyServerLine(line));
      return;
    }
    for (const line of pipe.splitter.push(chunk)) {
      const c = this.classifySafely(line);
      if (pipe.guard.take(c)) continue;
      this.writer.write(Buffer.concat([this.annotated(line) ?? line, NEWLINE]));
      this.track(pipe, () => c);
    }
  }

  /** classify, where a line the classifier cannot handle (it never should) is an unparsed one. */
  private classifySafely(line: Buffer): Classified {
    try {
      return classify(line);
    } catch (err) {
      this.failedOnce(
        'classify',
        `could not read a server line (${errorText(err)}); it was relayed as the server wrote it`,
      );
      return { kind: 'other', reason: errorText(err) };
    }
  }

  /**
   * Tracks a relayed line (its bytes went out already). What a server writes cannot stop the relay:
   * should the guard's notes on a line ever fail, that is logged once and the relay goes on.
   */
  private track(pipe: Pipe, line: () => Classified): void {
    try {
      this.trackServerLine(pipe, line());
    } catch (err) {
      this.failedOnce(
        'track',
        `could not follow a server line (${errorText(err)}); it was relayed as the server wrote it`,
      );
    }
  }

  /**
   * Relays a chunk of the server's stdout. Bytes go through as they come, except while a
   * `tools/call` is in flight and the stale gate has something to say: then each line is
   * held until it ends (or reaches MAX_ANNOTATED_LINE_BYTES, and streams on untouched) so the
   * result can carry the notice. Runs before the chunk's lines are tracked, so the requests they
   * answer are still in flight.
   */
  private relay(pipe: Pipe, chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      if (!pipe.held) {
        if (pipe.inLine || !this.annotating()) {
          // Nothing to hold: the rest of this line, or of the whole chunk when no line may need it.
          const newline = pipe.inLine ? chunk.indexOf(0x0a, start) : -1;
          const end = pipe.inLine && newline >= 0 ? newline + 1 : chunk.length;
          this.writer.writeServerChunk(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end));
          pipe.inLine = chunk[end - 1] !== 0x0a;
          start = end;
          continue;
        }
        pipe.held = { parts: [], bytes: 0 };
      }
      const held = pipe.held;
      const newline = chunk.indexOf(0x0a, start);
      const end = newline >= 0 ? newline : chunk.length;
      held.parts.push(chunk.subarray(start, end));
      held.bytes += end - start;
      if (newline >= 0) {
        pipe.held = undefined;
        pipe.inLine = false;
        const line = Buffer.concat(held.parts, held.bytes);
        this.writer.writeServerChunk(Buffer.concat([this.annotated(line) ?? line, NEWLINE]));
        start = newline + 1;
        continue;
      }
      pipe.inLine = true;
      if (held.bytes >= MAX_ANNOTATED_LINE_BYTES) {
        // Too large to annotate: what was held goes out as it came, and the line streams on.
        pipe.held = undefined;
        this.writer.writeServerChunk(Buffer.concat(held.parts, held.bytes));
      }
      start = chunk.length;
    }
  }

  /** Whether lines may need a notice now: a `tools/call` is in flight and the stale gate has something to say. */
  private annotating(): boolean {
    for (const entry of this.inFlightRequests.values())
      if (entry.method === 'tools/call' && this.host.toolResultNotices(this.audienceOf(entry.id)).length > 0)
        return true;
    return false;
  }

  private audienceOf(id: RequestId): NoticeAudience | undefined {
    return this.options.audienceOf?.(id);
  }

  /**
   * The line with the stale gate's notices appended when it answers a `tools/call` (staleNotice.ts),
   * else undefined. Nothing a server writes may stop the relay: should annotating fail, the line
   * goes out as the server wrote it, and the failure is logged once.
   */
  private annotated(line: Buffer): Buffer | undefined {
    try {
      // Most lines answer no tools/call with something to say: they are not parsed for it.
      if (!this.annotating()) return undefined;
      let audience: NoticeAudience | undefined;
      const out = annotateToolResult(
        line,
        (id) => this.host.toolResultNotices((audience = this.audienceOf(id))),
        (id) => this.inFlightRequests.get(idKey(id))?.method === 'tools/call',
      );
      if (out) this.host.noticesDelivered(audience);
      return out;
    } catch (err) {
      this.failedOnce(
        'annotate',
        `could not add the stale notice to a result (${errorText(err)}); it was relayed as the server wrote it`,
      );
      return undefined;
    }
  }

  /** Logs a failure of the relay's own bookkeeping once per kind, so a server repeating it cannot flood the log. */
  private failedOnce(kind: string, message: string): void {
    this.failuresLogged.say(kind, `${message} (said once)`);
  }

  /** Classifies a relayed server line; a large answer to a request whose result we do not need is not parsed. */
  private classifyServerLine(line: LineParts): Classified {
    if (line.length >= LARGE_LINE_BYTES) {
      const id = trailingResponseId(lineTail(line, TAIL_BYTES));
      const method = id === undefined ? undefined : this.inFlightRequests.get(idKey(id))?.method;
      if (id !== undefined && method !== undefined && method !== 'initialize' && method !== 'tools/list') {
        return { kind: 'response', id, message: { jsonrpc: '2.0', id, result: {} } };
      }
    }
    return classify(joinLine(line));
  }

  private trackServerLine(pipe: Pipe, c: Classified): void {
    if (c.kind === 'request') {
      pipe.serverRequests.add(idKey(c.id));
      return;
    }
    if (c.kind === 'notification' && c.method === ACKNOWLEDGED)
      this.subscriptions.noteAck((c.message as { params?: unknown }).params);
    else if (c.kind === 'notification')
      this.host.noteNotification(c.method, (c.message as { params?: unknown }).params);
    if (c.kind !== 'response') return;
    // The server answered a subscription: it ended; the answer went to the client as it came.
    if (this.subscriptions.noteAnswer(c.id)) return;
    const key = idKey(c.id);
    const entry = this.inFlightRequests.get(key);
    if (!entry) return;
    this.inFlightRequests.delete(key);
    try {
      const result = c.message.result;
      if (result) this.noteWho(pipe, entry.method, result);
      if (result) this.handshake.noteAnswer(entry.method, result);
      if (result) this.host.noteResult(entry.method, result);
      if (entry.method === 'tools/list' && result && Array.isArray(result.tools))
        this.host.noteTools(result.tools, !entry.paged && result.nextCursor === undefined);
    } finally {
      // Answered is answered, whatever the notes above made of it: a drain waiting for it goes on.
      if (this.inFlightRequests.size === 0) this.onIdle();
    }
  }

  /** The first statement per child of who it is goes to the host (the lock record). Large lines are never parsed for it. */
  private noteWho(pipe: Pipe, method: string, result: Record<string, unknown> | undefined): void {
    const pid = pipe.child.proc.pid;
    if (pipe.saidWho || !result || pid === undefined) return;
    const said = serverInfoFrom(method, result);
    if (!said) return;
    pipe.saidWho = true;
    this.host.noteServerInfo({ ...said, pid });
  }

  private onIdle(): void {
    this.idleWaiters.wake();
    this.host.onIdle();
  }
}
