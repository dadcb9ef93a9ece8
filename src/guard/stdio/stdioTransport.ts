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
import { LineSplitter } from './lines';
import { classify, errorResponse, notification } from './messages';
import { ClientWriter } from './clientWriter';
import { Handshake } from './handshake';
import { Subscriptions } from './subscriptions';
import { GuardRequests } from './guardRequests';
import { InFlight, Pipe, RelayState } from './pipe';
import { ServerLines } from './serverLines';
import { ClientLines, refusal } from './clientLines';
import { GuardErrorCode } from '../wireErrors';
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

const LIST_CHANGED = ['tools', 'resources', 'prompts'] as const;

/**
 * The stdio transport: relays the server's bytes unchanged and knows enough of the JSON-RPC stream
 * (requests in flight, the client's handshake, the server's capabilities and tool annotations) to
 * put a restarted server under a live client: client lines are held while the restart runs, and
 * the handshake is replayed to the new child (handshake.ts).
 */
export class StdioTransport implements GuardTransport<PipedProcess>, RelayState {
  // What its two sides (clientLines.ts, serverLines.ts) share: RelayState.
  host!: HostView;
  pipe: Pipe | undefined;
  readonly inFlightRequests = new Map<string, InFlight>();
  readonly writer: ClientWriter;
  readonly handshake = new Handshake();
  readonly subscriptions = new Subscriptions();
  private readonly clientSplitter = new LineSplitter();
  private readonly idleWaiters = new IdleWaiters();
  private readonly serverLines: ServerLines;
  private readonly clientLines: ClientLines;

  constructor(readonly options: StdioTransportOptions) {
    this.writer = new ClientWriter(options.output, () => this.pipe?.child.proc.stdout);
    this.serverLines = new ServerLines(this);
    this.clientLines = new ClientLines(this);
  }

  bind(host: HostView): void {
    this.host = host;
  }

  /** Begins reading the client; called just before the first child is spawned. */
  listen(onClientGone: (reason: string) => void | Promise<void>): void {
    const { input, output } = this.options;
    input.on('data', (chunk: Buffer) => {
      for (const line of this.clientSplitter.push(chunk)) this.clientLines.enqueueClientLine(line);
    });
    input.on('end', () => {
      this.clientLines.afterQueued(() => onClientGone('the client closed stdin'));
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
        (line) => this.clientLines.writeToChild(line),
        this.options.initTimeoutMs,
        (l) => this.host.log(l),
      ),
      saidWho: false,
      inLine: false,
      held: undefined,
    };
    this.pipe = pipe;
    child.proc.stdout.on('data', (chunk: Buffer) => this.serverLines.onServerData(pipe, chunk));
    return child;
  }

  async attach(child: ServerChild<PipedProcess>, restart: boolean): Promise<void> {
    const pipe = this.pipe;
    if (!restart || !pipe || pipe.child !== child || pipe.mode !== 'replay') return;
    await this.handshake.replay(
      (line) => this.clientLines.writeToChild(line),
      async (id, timeoutMs) => {
        const answer = await pipe.guard.answer(id, timeoutMs, 'the replayed initialize');
        this.serverLines.noteWho(pipe, 'initialize', answer.message.result);
        if (answer.message.result) this.options.onReplayedInitialize?.(answer.message.result);
        return answer;
      },
      this.options.initTimeoutMs,
    );
    await pipe.guard.reopen(this.subscriptions.all(), (ack) => this.subscriptions.noteAck(ack));
    let capabilities = this.handshake.capabilities;
    if (this.handshake.era === 'modern') {
      const found = await pipe.guard.discover(this.handshake.modernVersion);
      this.serverLines.noteWho(pipe, 'server/discover', found);
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
      this.clientLines.writeToChild(line);
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
    this.clientLines.deliverHeld();
  }

  refuseHeld(why: 'failed' | 'closing', reason: string): void {
    const queued = this.clientLines.takeHeld();
    const [code, message] = refusal(this.host.serverName, why === 'failed' ? reason : undefined, reason);
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
        this.clientLines.writeToChild(line);
    const ends =
      why === 'closing'
        ? this.subscriptions.endAll({ kind: 'graceful' })
        : this.subscriptions.endAll({ kind: 'error', code, message });
    for (const end of ends) this.writer.send(end);
  }

  finished(): void {
    this.options.input.pause();
  }

  holdsOpen(): boolean {
    return this.subscriptions.size > 0 || (this.pipe?.serverRequests.size ?? 0) > 0;
  }

  onIdle(): void {
    this.idleWaiters.wake();
    this.host.onIdle();
  }
}
