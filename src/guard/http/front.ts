import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { HttpLimits, httpLimits } from '../../core/http/limits';
import { INITIALIZED_NOTIFICATION, replayableProtocolVersion } from '../../core/http/replayRecord';
import type { FrontSession } from '../../core/http/sessionStore';
import { ConnectionGate } from './connectionGate';
import { EventStreams } from './eventStreams';
import { ListenStreams } from './listenStreams';
import { isModernRequest } from './modernRequests';
import type { Exchange } from './upstreamRequest';
import { requestIdOf, sendJsonRpcError } from './jsonrpcError';
import { checkOrigin } from './origin';
import { firstHeader } from './reinitialize';
import { EventEpochs } from './eventEpochs';
import { readBody } from './bodies';
import { methodOf, pathOnly } from './headers';
import type { FrontOptions } from './frontOptions';
import { Forwarder } from './forward';
import { SessionRecovery } from './sessionRecovery';
import { GuardErrorCode, JsonRpcErrorCode } from '../wireErrors';
import { initializeClientName, modernClientName } from './httpClients';
import { IdleWaiters } from '../host/idleWaiters';

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
  private readonly eventEpochs: EventEpochs;
  private inFlight = 0;
  private readonly idleWaiters = new IdleWaiters();
  private readonly limits: HttpLimits;
  private readonly gate: ConnectionGate;
  private readonly streams: EventStreams;
  private readonly listens: ListenStreams;
  private readonly forwarder: Forwarder;
  /** Sessions each connection opened. */
  private readonly initializes = new WeakMap<Socket, number>();

  constructor(private readonly options: FrontOptions) {
    this.limits = httpLimits(options.limits);
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
    this.forwarder = new Forwarder(options, {
      agent: this.agent,
      recovery: new SessionRecovery(options, this.agent, this.limits.maxSessions),
      eventEpochs: this.eventEpochs,
      streams: this.streams,
      listens: this.listens,
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
      await this.forwarder.forward(ex);
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
}
