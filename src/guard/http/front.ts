import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { HttpLimits, httpLimits } from '../../core/http/limits';
import { INITIALIZED_NOTIFICATION, replayableProtocolVersion } from '../../core/http/replayRecord';
import { FrontSession, SessionStore } from '../../core/http/sessionStore';
import { ConnectionGate } from './connectionGate';
import { EventStreams } from './eventStreams';
import { ListenStreams } from './listenStreams';
import { isModernRequest, sseEvent } from './modernRequests';
import { UpstreamAddress } from './exchange';
import { requestIdOf, sendJsonRpcError } from './jsonrpcError';
import { checkOrigin } from './origin';
import { firstHeader, reinitialize } from './reinitialize';
import { EventEpochs } from './eventEpochs';
import { mentionsSession, BufferedResponse, readBody } from './bodies';
import { delay, methodOf, pathOnly, replayHeaders, RESPONSE_DROPPED, sendBuffered, shortId } from './headers';
import { Exchange, sendUpstream } from './upstreamRequest';
import { JsonToolResult, SseToolResult } from './toolResultBody';
import { TAPPED_METHODS, tapResult } from './resultTap';
import { SaidOnce } from '../saidOnce';
import { GuardErrorCode, JsonRpcErrorCode } from '../wireErrors';
import { HttpClients, initializeClientName, modernClientName } from './httpClients';
import { IdleWaiters } from '../host/idleWaiters';

/** Where the front sends requests; `ready` waits while the upstream (re)starts. */
export interface UpstreamTarget {
  /** Resolves with an address that answers, or throws why there is none within `timeoutMs`. */
  ready(timeoutMs: number): Promise<UpstreamAddress>;
  /** A client's message reached the front: `--idle-stop` counts from it, and a server stopped for idleness starts again. */
  noteClientMessage?(): void;
  /** Whether no server runs for want of requests (`--idle-stop`, `--lazy-start`). */
  idle?(): boolean;
}

export interface FrontOptions {
  host: string;
  port: number;
  upstream: UpstreamTarget;
  sessions: SessionStore;
  /** Request bodies above this, of any method, are refused with 413. */
  maxBodyBytes: number;
  /** How long the upstream may take to start answering a request (headers) before the client gets 502. */
  upstreamTimeoutMs: number;
  /** How long a request waits for an upstream that is (re)starting. */
  readyTimeoutMs: number;
  /** Browser origins allowed besides loopback ones. */
  allowedOrigins: readonly string[];
  /** One line of diagnostics. Never given bodies or auth headers. */
  log(line: string): void;
  /** Lower (or raise) the bounds of src/core/http/limits.ts; the defaults apply to what is not given. */
  limits?: Partial<HttpLimits>;
  /** Called each time the last request in flight is over (the stale gate's restart-when-idle waits for it). */
  onIdle?(): void;
  /**
   * `--when-stale annotate`: a `tools/call` arrived (the stale gate checks in the background), and
   * the notices its result gets appended now (staleNotice.ts). Absent under other policies.
   */
  toolResultNotes?: { toolCall(): void; notices(): string[]; delivered(): void };
  /**
   * What the host learns from the traffic (openWork.ts, toolsDiff.ts): each client request before
   * it goes upstream (a string back: the guard answers it with that error instead, GuardErrorCode.TaskLost),
   * and the result and notifications of the answers it wants to see (resultTap.ts).
   */
  work?: {
    request(method: string, params: unknown): string | undefined;
    result(method: string, params: unknown, result: unknown): void;
    notification(method: string, params: unknown): void;
  };
  /** Who the clients are (sessions, and session-less clients by name): the lock record lists them. */
  clients?: HttpClients;
}

/**
 * The HTTP front of `mcp-lifeguard run --http`: relays every request to the upstream server and
 * keeps client-facing session ids stable across upstream restarts by replaying each session's
 * handshake when the upstream no longer knows it (see docs and issue "HTTP servers").
 */
export class HttpFront {
  private server: http.Server | undefined;
  /** The address bound, as the socket reports it: `localhost` or a name becomes the address it resolved to. */
  private boundAddress: string | undefined;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly recovering = new Map<string, Promise<boolean>>();
  private readonly eventEpochs: EventEpochs;
  private inFlight = 0;
  private readonly idleWaiters = new IdleWaiters();
  private readonly limits: HttpLimits;
  private readonly gate: ConnectionGate;
  private readonly streams: EventStreams;
  private readonly listens: ListenStreams;
  /**
   * Sessions rebuilt on a restarted server, with the lists whose change they are yet to hear of:
   * a legacy server says nothing of what changed while it was down, so the session's next event
   * stream on the new server carries one `list_changed` per list (as the stdio guard writes).
   */
  private readonly listChangedOwed = new Map<string, string[]>();
  /** A failure to annotate a result is logged once per front. */
  private readonly said: SaidOnce;
  /** Sessions each connection opened. */
  private readonly initializes = new WeakMap<Socket, number>();

  constructor(private readonly options: FrontOptions) {
    this.limits = httpLimits(options.limits);
    this.said = new SaidOnce((line) => options.log(line));
    this.gate = new ConnectionGate(this.limits.maxConnections);
    this.streams = new EventStreams(this.limits.maxEventStreams, (keys) => options.sessions.firstToForget(keys));
    this.listens = new ListenStreams({
      ready: (ms) => options.upstream.ready(ms),
      agent: this.agent,
      readyTimeoutMs: options.readyTimeoutMs,
      upstreamTimeoutMs: options.upstreamTimeoutMs,
      max: this.limits.maxListenStreams,
      maxPerPeer: this.limits.maxListenStreamsPerPeer,
      log: options.log,
    });
    this.eventEpochs = new EventEpochs({
      maxSessions: this.limits.maxSessions,
      session: (sid) => options.sessions.get(sid),
    });
  }

  /** Binds the client-facing address; rejects (e.g. EADDRINUSE) without leaving a listener behind. */
  async listen(): Promise<AddressInfo> {
    const limits = this.limits;
    // Headers and body must arrive in time, or Node answers 408 and closes the connection (a slow
    // or stalled sender would otherwise hold a file descriptor for ever). Only the request is
    // timed: answers, long-lived event streams included, are not.
    const server = http.createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: limits.connectionsCheckIntervalMs,
      },
      (req, res) => {
        if (this.gate.isRefused(req.socket)) {
          req.resume();
          return;
        }
        res.once('close', () => this.gate.idle(req.socket));
        this.handle(req, res).catch((err: unknown) => {
          this.options.log(
            `internal error relaying ${req.method} ${pathOnly(req.url)}: ${err instanceof Error ? err.message : String(err)}`,
          );
          if (!res.headersSent)
            sendJsonRpcError(res, 500, GuardErrorCode.ServerError, 'Internal error in the mcp-lifeguard front');
          else res.destroy();
        });
      },
    );
    // At the limit, a new connection pushes out the one waiting longest, or gets a JSON-RPC 503
    // when all are busy. Past a margin more (connections refused but not yet closed), Node drops
    // new connections unanswered.
    server.prependListener('connection', (socket: Socket) => this.gate.admit(socket));
    server.maxConnections = limits.maxConnections + 64;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        this.boundAddress = (server.address() as AddressInfo).address;
        resolve();
      });
    });
    this.server = server;
    return server.address() as AddressInfo;
  }

  /** Requests (not GET streams) being relayed now. */
  get pending(): number {
    return this.inFlight;
  }

  /** Resolves when no request is in flight, or after `timeoutMs` (returns false then). */
  waitIdle(timeoutMs: number): Promise<boolean> {
    return this.idleWaiters.wait(this.inFlight === 0, timeoutMs);
  }

  /** The server is about to be stopped: open modern listens let go of it (listenStreams.ts suspend). */
  suspendListens(): void {
    this.listens.suspend();
  }

  resumeListens(): void {
    this.listens.resume();
  }

  endHeldListens(reason: string): void {
    this.listens.endHeld(reason);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Open SSE streams would keep close() waiting forever: they end now (cleanly, for the client).
      server.closeAllConnections();
      await closed;
    }
    this.agent.destroy();
    await this.options.sessions.flush();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const verdict = checkOrigin(req.headers, {
      allowedOrigins: this.options.allowedOrigins,
      listen: this.boundAddress ?? this.options.host,
    });
    if (!verdict.ok) {
      req.resume();
      sendJsonRpcError(res, 403, GuardErrorCode.ServerError, verdict.reason);
      return;
    }
    const sid = firstHeader(req.headers['mcp-session-id']);
    const session = sid === undefined ? undefined : this.options.sessions.get(sid);
    if (sid !== undefined && !session) {
      req.resume();
      sendJsonRpcError(res, 404, GuardErrorCode.SessionNotFound, 'Session not found');
      return;
    }
    const ex: Exchange = {
      req,
      res,
      sid,
      session,
      isInitialize: false,
      retried: false,
      reconnected: false,
      stripLastEventId: false,
    };
    // Every method's body is read within the cap before anything goes upstream: none is streamed.
    const read = await readBody(req, this.options.maxBodyBytes);
    if (read.kind === 'too-large') {
      sendJsonRpcError(
        res,
        413,
        JsonRpcErrorCode.InvalidRequest,
        `Request body too large: the limit is ${this.options.maxBodyBytes} bytes`,
        null,
        { connection: 'close' },
      );
      return;
    }
    if (read.kind === 'aborted') return;
    this.gate.busy(req.socket);
    if (read.body.length > 0 || req.method === 'POST') ex.body = read.body;
    if (req.method === 'POST') {
      try {
        ex.message = JSON.parse(read.body.toString('utf8'));
      } catch {
        sendJsonRpcError(res, 400, JsonRpcErrorCode.ParseError, 'Parse error: the request body is not valid JSON');
        return;
      }
      // Modern (2026-07-28) requests have no session: they are relayed as they are and never
      // create, touch or rebuild one, nor count against a connection's sessions.
      ex.modern = isModernRequest(ex.message, req.headers);
      if (ex.modern) ex.session = undefined;
      ex.isInitialize = !ex.modern && sid === undefined && methodOf(ex.message) === 'initialize';
      if (ex.isInitialize && !this.allowInitialize(req.socket)) {
        sendJsonRpcError(
          res,
          429,
          GuardErrorCode.ServerError,
          `Too many sessions opened on one connection: the limit is ${this.limits.maxInitializesPerConnection}`,
          requestIdOf(ex.message),
          { connection: 'close' },
        );
        return;
      }
      if (ex.session && sid !== undefined) this.noteHandshake(ex.session, ex.message, req.headers, sid);
      if (ex.modern && methodOf(ex.message) === 'subscriptions/listen') {
        const slot = this.listens.reserve(req.socket.remoteAddress ?? 'an unknown peer');
        if (!slot.ok) {
          sendJsonRpcError(
            res,
            503,
            GuardErrorCode.ServerError,
            `Too many open subscription streams: ${slot.reason}. Listen again once one has closed`,
            requestIdOf(ex.message),
            { 'retry-after': '5' },
          );
          return;
        }
        res.once('close', slot.release);
      }
    }
    if (ex.session && sid !== undefined)
      this.options.sessions.touch(sid, req.method === 'POST' && methodOf(ex.message) !== 'notifications/initialized');
    if (req.method === 'GET' && ex.session && sid !== undefined)
      ex.stripLastEventId = this.eventEpochs.isOlder(sid, ex.session, req.headers['last-event-id']);
    const lost = req.method === 'POST' ? this.requestNoted(ex.message) : undefined;
    if (lost !== undefined) {
      sendJsonRpcError(res, 200, GuardErrorCode.TaskLost, lost, requestIdOf(ex.message));
      return;
    }
    this.noteClient(ex);
    // A GET of no session is no client's stream (a probe that the URL answers, as `ensure` sends): an
    // idle server is not started for it; the front answers as a server without such a stream would.
    if (req.method === 'GET' && sid === undefined && this.options.upstream.idle?.()) {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('Method Not Allowed\n');
      return;
    }
    this.options.upstream.noteClientMessage?.();
    // A GET stream or a modern listen stays open as long as the client wants notifications: it is
    // not a request in flight (a restart or idle stop would wait for it for ever).
    const counted = req.method !== 'GET' && !(ex.modern && methodOf(ex.message) === 'subscriptions/listen');
    if (counted) this.inFlight++;
    if (req.method === 'POST' && methodOf(ex.message) === 'tools/call') this.options.toolResultNotes?.toolCall();
    try {
      await this.forward(ex);
    } finally {
      if (counted && --this.inFlight === 0) {
        this.idleWaiters.wake();
        this.options.onIdle?.();
      }
    }
  }

  /**
   * Counts the request for its client (httpClients.ts) until its answer or stream is over. A new
   * session's `initialize` counts once the session exists (relay); a stateless one's counts here.
   */
  private noteClient(ex: Exchange): void {
    const clients = this.options.clients;
    const { req, res } = ex;
    if (!clients) return;
    if (ex.session && ex.sid !== undefined)
      clients.count(res, req.socket, initializeClientName(ex.session.initialize), ex.sid);
    else if (ex.modern) {
      if (methodOf(ex.message) !== 'server/discover') clients.count(res, req.socket, modernClientName(ex.message));
    }
    // A session-less 2025 request (a stateless server's client): the client it is of, if known.
    else if (!ex.isInitialize && req.method === 'POST') clients.count(res, req.socket, undefined);
  }

  /** Tells the host of a client request; returns the error the guard answers it with instead, if any. */
  private requestNoted(message: unknown): string | undefined {
    const work = this.options.work;
    const method = methodOf(message);
    if (!work || method === undefined || requestIdOf(message) === null) return undefined;
    return work.request(method, (message as { params?: unknown }).params);
  }

  /** Counts a new session against its connection's allowance; false once that is used up. */
  private allowInitialize(socket: Socket): boolean {
    const count = (this.initializes.get(socket) ?? 0) + 1;
    this.initializes.set(socket, count);
    return count <= this.limits.maxInitializesPerConnection;
  }

  /** Keeps what a replay needs current: whether the client sent its initialized notification, and its protocol version. */
  private noteHandshake(session: FrontSession, message: unknown, headers: http.IncomingHttpHeaders, sid: string): void {
    let changed = false;
    const version = replayableProtocolVersion(firstHeader(headers['mcp-protocol-version']));
    if (version !== undefined && version !== session.protocolVersion) {
      session.protocolVersion = version;
      changed = true;
    }
    if (!session.initialized && methodOf(message) === 'notifications/initialized') {
      // Its params (a `_meta`, say) are not needed to replay it, so they are not kept.
      session.initialized = { ...INITIALIZED_NOTIFICATION };
      changed = true;
    }
    if (changed) this.options.sessions.changed(sid);
  }

  private async forward(ex: Exchange): Promise<void> {
    const { req, res } = ex;
    let target: UpstreamAddress;
    try {
      target = await this.options.upstream.ready(this.options.readyTimeoutMs);
    } catch (err) {
      sendJsonRpcError(
        res,
        502,
        GuardErrorCode.ServerError,
        `Bad gateway: ${(err as Error).message}`,
        requestIdOf(ex.message),
      );
      return;
    }
    if (res.destroyed) return;
    const outcome = await sendUpstream(ex, target, this.agent, this.options.upstreamTimeoutMs);
    switch (outcome.kind) {
      case 'client-gone':
        return;
      case 'timeout':
        sendJsonRpcError(
          res,
          502,
          GuardErrorCode.ServerError,
          `Bad gateway: the server did not answer within ${this.options.upstreamTimeoutMs} ms`,
          requestIdOf(ex.message),
        );
        return;
      case 'error':
        // Nothing was delivered: the upstream is (re)starting, or it closed an idle keep-alive
        // connection just as we reused it (Node's documented race). Try once more.
        if (
          !ex.reconnected &&
          (outcome.err.code === 'ECONNREFUSED' || (outcome.err.code === 'ECONNRESET' && outcome.reusedSocket))
        ) {
          ex.reconnected = true;
          await delay(outcome.err.code === 'ECONNREFUSED' ? 100 : 0);
          return this.forward(ex);
        }
        sendJsonRpcError(
          res,
          502,
          GuardErrorCode.ServerError,
          `Bad gateway: the server could not be reached (${outcome.err.code ?? outcome.err.message})`,
          requestIdOf(ex.message),
        );
        return;
      case 'response':
        break;
    }
    const upRes = outcome.res;
    const status = upRes.statusCode ?? 502;
    if (ex.session && ex.sid !== undefined && !ex.retried && (status === 404 || status === 400)) {
      const gone = status === 404 || (await mentionsSession(upRes));
      if (!gone && status === 400) {
        // A plain bad request: mentionsSession read the body, so it is sent as read.
        sendBuffered(res, upRes, ex.sid, (upRes as BufferedResponse).bufferedBody ?? Buffer.alloc(0));
        return;
      }
      upRes.resume();
      if (req.method === 'DELETE') {
        // The server already forgot the session: ending it is done once we forget it too.
        this.forget(ex.sid);
        res.writeHead(200, { 'content-length': 0 });
        res.end();
        return;
      }
      const failed = firstHeader(outcome.upReq.getHeader('mcp-session-id') as string | undefined);
      if (!(await this.recover(ex.sid, ex.session, failed, target, pathOnly(req.url), replayHeaders(req.headers)))) {
        this.forget(ex.sid);
        sendJsonRpcError(res, 404, GuardErrorCode.SessionNotFound, 'Session not found', requestIdOf(ex.message));
        return;
      }
      ex.retried = true;
      // Event ids of the old upstream mean nothing to the new one: the stream starts afresh.
      ex.stripLastEventId = true;
      return this.forward(ex);
    }
    await this.relay(ex, upRes, outcome.upReq);
  }

  /**
   * Relays the upstream's answer: headers rewritten to the client's session id, body streamed with
   * backpressure. Resolves once the answer is over, so a restart can wait for requests in flight.
   */
  private relay(ex: Exchange, upRes: http.IncomingMessage, upReq: http.ClientRequest): Promise<void> {
    const { res } = ex;
    const over = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const status = upRes.statusCode ?? 502;
    let clientSid = ex.sid;
    const upstreamSid = firstHeader(upRes.headers['mcp-session-id']);
    if (ex.isInitialize && upstreamSid !== undefined && status >= 200 && status < 300) {
      clientSid = randomUUID();
      this.options.sessions.set(clientSid, {
        upstream: upstreamSid,
        initialize: ex.message as Record<string, unknown>,
        epoch: 0,
        createdAt: new Date().toISOString(),
      });
    }
    // A server with sessions: the session is the client; a stateless one: its name on this connection.
    if (ex.isInitialize && status >= 200 && status < 300)
      this.options.clients?.count(
        res,
        ex.req.socket,
        initializeClientName(ex.message),
        clientSid !== undefined && this.options.sessions.get(clientSid) ? clientSid : undefined,
      );
    if (ex.req.method === 'DELETE' && ex.sid !== undefined && status >= 200 && status < 300) {
      this.forget(ex.sid);
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(upRes.headers)) {
      if (value === undefined || RESPONSE_DROPPED.has(name)) continue;
      headers[name] = value;
    }
    if (upstreamSid !== undefined && clientSid !== undefined) headers['mcp-session-id'] = clientSid;
    const sse = String(upRes.headers['content-type'] ?? '').includes('text/event-stream');
    if (sse && ex.modern && methodOf(ex.message) === 'subscriptions/listen' && status >= 200 && status < 300)
      return this.listens.adopt(ex, upRes, upReq);
    const annotating = this.toolResultBody(ex, upRes, sse);
    this.tap(ex, upRes, sse);
    // The body gets longer: its length is not known beforehand any more (sent chunked).
    if (annotating) delete headers['content-length'];
    res.writeHead(status, headers);
    if (sse) res.flushHeaders();
    const owed =
      sse && ex.req.method === 'GET' && status >= 200 && status < 300 && clientSid !== undefined
        ? this.listChangedOwed.get(clientSid)
        : undefined;
    if (owed && clientSid !== undefined) {
      this.listChangedOwed.delete(clientSid);
      for (const kind of owed) res.write(sseEvent({ jsonrpc: '2.0', method: `notifications/${kind}/list_changed` }));
    }
    // Only GET streams are scanned for event ids: they are what a client resumes after a restart,
    // while a POST's event stream (a large tool result, say) is relayed without looking at it.
    const scanner =
      sse && ex.req.method === 'GET' && clientSid !== undefined && this.options.sessions.get(clientSid)
        ? this.eventEpochs.scanner(clientSid)
        : undefined;
    res.on('close', () => {
      // The client went away mid-answer: the upstream request is cancelled.
      if (!res.writableFinished) upReq.destroy();
    });
    // pipe() keeps backpressure: the upstream is paused while the client is slower.
    if (scanner) upRes.on('data', (chunk: Buffer) => scanner.push(chunk));
    if (annotating) upRes.pipe(annotating).pipe(res);
    else upRes.pipe(res);
    upRes.on('error', () => undefined);
    upRes.on('close', () => {
      if (upRes.complete) return;
      // The upstream died mid-answer. An event stream ends cleanly, so the client reconnects (with
      // Last-Event-ID) instead of hanging; a JSON answer cut short must not look complete.
      if (sse) {
        // What the annotating transform still holds is an event cut short: it is not sent after the end.
        annotating?.unpipe(res);
        if (!res.writableEnded) res.end();
      } else res.destroy();
    });
    // A GET event stream is bounded (see eventStreams.ts); when it must make way it ends cleanly and
    // the upstream request is cancelled. A stream without a known session gets a key no session has.
    if (sse && ex.req.method === 'GET' && status >= 200 && status < 300) {
      const key =
        clientSid !== undefined && this.options.sessions.get(clientSid) ? clientSid : `unknown:${randomUUID()}`;
      const release = this.streams.add(key, () => {
        upRes.unpipe(res);
        upReq.destroy();
        if (!res.writableEnded) res.end();
      });
      res.once('close', release);
    }
    return over;
  }

  /**
   * Under `--when-stale annotate`, with something to say: the transform that appends it to the
   * result of a `tools/call` POST (a JSON body or an event stream, not compressed). Else undefined.
   */
  private toolResultBody(
    ex: Exchange,
    upRes: http.IncomingMessage,
    sse: boolean,
  ): JsonToolResult | SseToolResult | undefined {
    const notes = this.options.toolResultNotes;
    const status = upRes.statusCode ?? 502;
    const requestId = requestIdOf(ex.message);
    if (
      !notes ||
      ex.req.method !== 'POST' ||
      methodOf(ex.message) !== 'tools/call' ||
      requestId === null ||
      status < 200 ||
      status >= 300
    )
      return undefined;
    const encoding = String(upRes.headers['content-encoding'] ?? 'identity').toLowerCase();
    const json = String(upRes.headers['content-type'] ?? '').includes('application/json');
    if (encoding !== 'identity' || (!sse && !json) || notes.notices().length === 0) return undefined;
    const body = {
      requestId,
      notices: () => notes.notices(),
      delivered: () => notes.delivered(),
      failed: (reason: string) =>
        this.said.say(
          'annotate',
          `could not add the stale notice to a result (${reason}); it was relayed as the server wrote it (said once)`,
        ),
    };
    return sse ? new SseToolResult(body) : new JsonToolResult(body);
  }

  /** Lets the host see the answer of a request it wants to know about (resultTap.ts), beside the relay. */
  private tap(ex: Exchange, upRes: http.IncomingMessage, sse: boolean): void {
    const work = this.options.work;
    const method = methodOf(ex.message);
    const requestId = requestIdOf(ex.message);
    const status = upRes.statusCode ?? 502;
    if (
      !work ||
      ex.req.method !== 'POST' ||
      method === undefined ||
      !TAPPED_METHODS.has(method) ||
      requestId === null ||
      status < 200 ||
      status >= 300
    )
      return;
    const params = (ex.message as { params?: unknown }).params;
    tapResult(upRes, requestId, sse, {
      result: (result) => work.result(method, params, result),
      notification: (m, p) => work.notification(m, p),
    });
  }

  private forget(sid: string): void {
    this.options.sessions.delete(sid);
    this.options.clients?.forget(sid);
    this.eventEpochs.forget(sid);
    this.listChangedOwed.delete(sid);
  }

  /**
   * Rebuilds `sid` upstream once, however many requests found it gone at the same time. Returns
   * false when the upstream refused the replayed handshake: the client must start over.
   */
  private recover(
    sid: string,
    session: FrontSession,
    failedUpstream: string | undefined,
    target: UpstreamAddress,
    path: string,
    clientHeaders: http.OutgoingHttpHeaders,
  ): Promise<boolean> {
    const running = this.recovering.get(sid);
    if (running) return running;
    // Another request already rebuilt it since this one was sent: just retry on the new id.
    if (session.upstream !== failedUpstream) return Promise.resolve(true);
    const attempt = (async () => {
      const result = await reinitialize(target, path, session, {
        timeoutMs: this.options.upstreamTimeoutMs,
        agent: this.agent,
        clientHeaders,
      });
      if (!result.ok) {
        this.options.log(`session ${shortId(sid)} could not be rebuilt: ${result.reason}`);
        return false;
      }
      session.upstream = result.upstream;
      session.epoch++;
      if (this.listChangedOwed.size >= this.limits.maxSessions)
        for (const known of this.listChangedOwed.keys())
          if (!this.options.sessions.get(known)) this.listChangedOwed.delete(known);
      this.listChangedOwed.set(sid, [
        'tools',
        ...['prompts', 'resources'].filter((kind) => result.capabilities[kind] !== undefined),
      ]);
      this.options.sessions.changed(sid);
      this.options.log(`session ${shortId(sid)} rebuilt on the restarted server (epoch ${session.epoch})`);
      return true;
    })().finally(() => this.recovering.delete(sid));
    this.recovering.set(sid, attempt);
    return attempt;
  }
}
