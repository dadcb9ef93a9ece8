import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { isModernRequest, sseLineEvent } from '../http/modernRequests';
import { firstHeader } from '../http/reinitialize';
import { checkOrigin } from '../http/origin';
import { readBody } from '../http/bodies';
import { ConnectionGate } from '../http/connectionGate';
import { pathOnly, shortId } from '../http/headers';
import { requestIdOf, sendJsonRpcError } from '../http/jsonrpcError';
import type { PeerProcess } from '../http/httpClients';
import { PeerLookup, PeerUser } from '../http/peerProcess';
import { idKey, parseLine } from '../stdio/messages';
import { SaidOnce } from '../saidOnce';
import { GuardErrorCode, JsonRpcErrorCode } from '../wireErrors';
import type { HubConnection, ShareHub } from './hub';
import { isId, isObject } from './jsonrpc';
import { HTTP_LIMITS } from '../../core/http/limits';
import { httpUrl } from '../../core/net/loopback';
import { hasExited, probeProcess } from '../../core/locks';

export interface ShareFrontOptions {
  host: string;
  port: number;
  /** The longest message a client may send (the hub's MAX_MESSAGE_BYTES: a relay's line limit). */
  maxMessageBytes: number;
  log(line: string): void;
  /** Finds the process at the other end of a loopback connection (default: a background scan of /proc, http/peerProcess.ts). */
  peerOf?(socket: Socket): Promise<PeerProcess | undefined>;
  /** Whose process a connection comes from (default: http/peerProcess.ts's, Linux only). */
  userOf?(socket: Socket): Promise<PeerUser>;
  /** Whether the process that opened a session has exited (default: its pid and start time probed, core/locks). */
  peerGone?(peer: PeerProcess): Promise<boolean>;
}

/** The path the front serves MCP on, as every client's `url` names it. */
export const SHARE_FRONT_PATH = '/mcp';
/** Sessions at most; a new one past it is refused (503) rather than forgetting a client that still works. */
export const MAX_SESSIONS = HTTP_LIMITS.maxSessions;
const MAX_CONNECTIONS = HTTP_LIMITS.maxConnections;
/** A session with no request, no event stream and nothing sent this long has gone (a client that died without DELETE). */
export const SESSION_QUIET_MS = HTTP_LIMITS.clientIdleMs;
/**
 * How often sessions are looked at: one whose client process has exited (killed, so no DELETE was
 * sent) is forgotten at the next look, so the server is not kept up for a client that is gone.
 */
const SWEEP_MS = 5_000;
/** Messages kept for a session with no stream open to carry them (its GET stream is about to open, say). */
const MAX_QUEUED = 256;
/** What may wait unread on one event stream: past it the stream is ended (the session stays). */
const MAX_UNREAD_BYTES = 16 * 1024 * 1024;

type Json = Record<string, unknown>;
const isRequest = (v: Json): boolean => typeof v.method === 'string' && isId(v.id);
const isAnswer = (v: unknown): v is Json => isObject(v) && v.method === undefined && isId(v.id);

/**
 * A request of a client awaiting its answer. Its POST is answered with plain JSON when the answer is
 * the first thing the server says for it (most calls: cheaper for every client), and turns into an
 * event stream as soon as anything else is to go on it first (progress, a server request).
 */
interface Answering {
  res: http.ServerResponse;
  /** The progress token the request carries: its progress notifications go to the same stream. */
  progress?: string;
  /** The session id to answer with (2025 sessions). */
  sid?: string;
  /** The request's id, for an error in place of its answer should the client end first. */
  id: string | number;
  streaming: boolean;
}

/** A client of the shared server as the front knows it: a 2025 session, or one 2026-07-28 request. */
class FrontClient {
  hubId = 0;
  readonly answering = new Map<string, Answering>();
  /** The session's GET event stream (2025 sessions). */
  events: http.ServerResponse | undefined;
  readonly queue: string[] = [];
  lastSeen = Date.now();
  dropped = 0;
  /** The process that opened the session (a loopback peer, where the OS says), to forget it once that process is gone. */
  peer: PeerProcess | undefined;
  /** The hub's side of this client, to name its process once the peer is known. */
  connection: HubConnection | undefined;

  constructor(readonly sid: string | undefined) {}

  /** Where a message that answers no request of its own goes: the session's stream, else its newest request's. */
  targetForOthers(): http.ServerResponse | Answering | undefined {
    if (this.events) return this.events;
    let newest: Answering | undefined;
    for (const a of this.answering.values()) newest = a;
    return newest;
  }
}

/**
 * The share host's streamable HTTP front (`run --on-conflict share --share-listen HOST:PORT`): a
 * client whose config names a URL reaches the shared server here, with no relay process of its own.
 * Each 2025 session (from its `initialize` to its DELETE, or SESSION_QUIET_MS of silence) is one
 * client of the hub; each 2026-07-28 request is one for as long as it is open (a `subscriptions/
 * listen` stays). Every request's answer, and what the server says about it, goes on the event
 * stream its POST opened; anything else of a session's goes on its GET stream (or its newest open
 * request, or waits, bounded, for one). A restart of the server is the host's: sessions here live on.
 *
 * Bounded as the HTTP guard's front is: loopback `Origin` and `Host` only, bodies of at most
 * maxMessageBytes, 256 connections, MAX_SESSIONS sessions, headers in 10 s, requests in 30 s;
 * nothing of a body is logged.
 */
export class ShareHttpFront {
  private readonly server: http.Server;
  private readonly gate = new ConnectionGate(MAX_CONNECTIONS);
  private readonly sessions = new Map<string, FrontClient>();
  /** 2026-07-28 requests open now (each its own client of the hub). */
  private readonly requests = new Set<FrontClient>();
  private readonly sweep: NodeJS.Timeout;
  /** Held while 2026-07-28 clients were seen lately: they have no session, yet the server is theirs (hub.hold). */
  private modernHold: { release(): void; until: number } | undefined;
  private readonly said: SaidOnce;
  /** Set while the server does not keep up: POST bodies are read once it is released. */
  private held: { promise: Promise<void>; release(): void } | undefined;
  private listenAddress = '';
  private readonly peerOf: (socket: Socket) => Promise<PeerProcess | undefined>;
  private readonly userOf: (socket: Socket) => Promise<PeerUser>;
  private readonly peerGone: (peer: PeerProcess) => Promise<boolean>;
  private sweeping = false;

  constructor(
    private readonly hub: ShareHub,
    private readonly options: ShareFrontOptions,
  ) {
    this.said = new SaidOnce((line) => options.log(line));
    const peers = new PeerLookup({ maxPending: 64, scanBudgetMs: 2000 });
    this.peerOf = options.peerOf ?? ((socket) => peers.peerOf(socket));
    this.userOf = options.userOf ?? ((socket) => peers.userOf(socket));
    this.server = http.createServer(
      {
        headersTimeout: HTTP_LIMITS.headersTimeoutMs,
        requestTimeout: HTTP_LIMITS.requestTimeoutMs,
        keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
      },
      (req, res) => {
        if (this.gate.isRefused(req.socket)) return void req.socket.destroy();
        this.gate.busy(req.socket);
        res.once('close', () => this.gate.idle(req.socket));
        this.handle(req, res).catch((err: Error) => {
          this.said.say('handler', `a request failed in the front (${err.message}; said once)`);
          sendJsonRpcError(res, 500, JsonRpcErrorCode.InternalError, 'the share host could not serve this request');
        });
      },
    );
    this.server.prependListener('connection', (socket: Socket) => this.gate.admit(socket));
    this.peerGone = options.peerGone ?? (async (p) => hasExited(await probeProcess(p.pid), p.startTime));
    this.sweep = setInterval(() => void this.forgetQuiet(), SWEEP_MS);
    this.sweep.unref();
  }

  /** Listens; resolves with the URL clients name, or rejects with why (the port is taken, say). */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => reject(err);
      this.server.once('error', failed);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', failed);
        this.server.on('error', (err) => this.options.log(`the HTTP front: ${err.message}`));
        const address = this.server.address();
        const port = typeof address === 'object' && address ? address.port : this.options.port;
        this.listenAddress = this.options.host;
        resolve(httpUrl(this.options.host, port, SHARE_FRONT_PATH));
      });
    });
  }

  /** Stops listening; every open stream ends (its client sees the server go, as a relay's does). */
  async close(): Promise<void> {
    clearInterval(this.sweep);
    this.release();
    for (const c of [...this.sessions.values(), ...this.requests]) this.endClient(c);
    this.modernHold?.release();
    this.modernHold = undefined;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (pathOnly(req.url) !== SHARE_FRONT_PATH)
      return sendJsonRpcError(
        res,
        404,
        JsonRpcErrorCode.InvalidRequest,
        `Not Found: MCP is served at ${SHARE_FRONT_PATH}`,
      );
    const origin = checkOrigin(req.headers, { allowedOrigins: [], listen: this.listenAddress });
    if (!origin.ok) return sendJsonRpcError(res, 403, GuardErrorCode.ServerError, origin.reason);
    // The relays reach the host through a socket only this user can open; the front is a loopback
    // port any local user can: where the OS says whose a connection is (Linux), only this user's is served.
    const user = await this.userOf(req.socket);
    if (user === 'other' || (user === 'unknown' && process.platform === 'linux')) {
      this.said.say(
        `user-${user}`,
        `refused an HTTP client whose process is ${user === 'other' ? "another user's" : 'not known'} (said once)`,
      );
      return sendJsonRpcError(
        res,
        403,
        GuardErrorCode.ServerError,
        "Forbidden: a shared server serves its own user's processes alone",
        null,
        { connection: 'close' },
      );
    }
    switch (req.method) {
      case 'POST':
        return this.post(req, res);
      case 'GET':
        return this.get(req, res);
      case 'DELETE':
        return this.delete(req, res);
      default:
        return sendJsonRpcError(res, 405, GuardErrorCode.ServerError, 'Method Not Allowed', null, {
          allow: 'GET, POST, DELETE',
        });
    }
  }

  private async post(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // A hold may start again before this request wakes: it waits for the server each time.
    while (this.held) await this.held.promise;
    const read = await readBody(req, this.options.maxMessageBytes);
    if (read.kind === 'aborted') return;
    if (read.kind === 'too-large')
      return sendJsonRpcError(
        res,
        413,
        JsonRpcErrorCode.InvalidRequest,
        `Payload Too Large: a shared server takes messages of at most ${this.options.maxMessageBytes} bytes; nothing of it reached the server`,
      );
    const parsed = parseLine(read.body);
    if (!parsed.ok)
      return sendJsonRpcError(res, 400, JsonRpcErrorCode.ParseError, `Parse error: the body is ${parsed.reason}`);
    const message = parsed.value;
    if (Array.isArray(message))
      return sendJsonRpcError(
        res,
        400,
        JsonRpcErrorCode.InvalidRequest,
        'Invalid Request: a JSON-RPC batch; MCP has no batches since 2025-06-18: nothing of it reached the server',
      );
    if (!isObject(message))
      return sendJsonRpcError(res, 400, JsonRpcErrorCode.InvalidRequest, 'Invalid Request: not a JSON-RPC message');
    if (isModernRequest(message, req.headers)) return this.modern(req, res, message);
    const sid = firstHeader(req.headers['mcp-session-id']);
    let client: FrontClient | undefined;
    if (sid === undefined) {
      if (message.method !== 'initialize')
        return sendJsonRpcError(
          res,
          400,
          GuardErrorCode.ServerError,
          'Bad Request: no Mcp-Session-Id header; a session starts with initialize',
          requestIdOf(message),
        );
      client = this.openSession(req, res, message);
      if (!client) return;
    } else {
      client = this.sessions.get(sid);
      if (!client) return this.sessionNotFound(res, message);
      // Not known from the first request (a busy machine's scan ran out of time): any later one can tell.
      if (!client.peer) this.learnPeer(client, req.socket);
    }
    client.lastSeen = Date.now();
    this.relay(client, res, message);
  }

  /** A new 2025 session, from its `initialize`; undefined when refused (answered here). */
  private openSession(req: http.IncomingMessage, res: http.ServerResponse, message: Json): FrontClient | undefined {
    if (this.sessions.size >= MAX_SESSIONS) {
      sendJsonRpcError(
        res,
        503,
        GuardErrorCode.ServerError,
        `Service Unavailable: ${MAX_SESSIONS} sessions are open`,
        requestIdOf(message),
        {
          'retry-after': '5',
        },
      );
      return undefined;
    }
    const client = new FrontClient(randomUUID());
    const sid = client.sid as string;
    const hubId = this.hub.addClient(this.connectionOf(client, `HTTP session ${shortId(sid)}`, req.socket));
    if (hubId === undefined) {
      sendJsonRpcError(
        res,
        503,
        GuardErrorCode.ServerError,
        'the shared server is stopping; connect again to get a new one',
        requestIdOf(message),
      );
      return undefined;
    }
    client.hubId = hubId;
    this.sessions.set(sid, client);
    return client;
  }

  /**
   * One message of a client on to the hub. A request opens an event stream for its answer (and
   * what the server says meanwhile); anything else is accepted at once (202).
   */
  private relay(client: FrontClient, res: http.ServerResponse, message: Json): void {
    if (!isRequest(message)) {
      res.writeHead(202, client.sid ? { 'mcp-session-id': client.sid } : {}).end();
      this.hub.clientValue(client.hubId, message);
      return;
    }
    const key = idKey(message.id as string | number);
    client.answering.set(key, {
      res,
      progress: progressTokenOf(message),
      sid: client.sid,
      id: message.id as string | number,
      streaming: false,
    });
    res.once('close', () => {
      if (client.answering.get(key)?.res !== res) return;
      client.answering.delete(key);
      // The client went away before its answer: the server need not finish (an initialize cannot be cancelled).
      if (client.sid === undefined) return this.requestEnded(client);
      if (message.method !== 'initialize' && this.sessions.get(client.sid) === client)
        this.hub.clientValue(client.hubId, {
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: message.id, reason: 'the client closed its request' },
        });
    });
    this.hub.clientValue(client.hubId, message);
    if (client.queue.length > 0) this.flushQueue(client);
  }

  /** A 2026-07-28 request: a client of the hub for as long as it is open. */
  private modern(req: http.IncomingMessage, res: http.ServerResponse, message: Json): void {
    this.holdForModern();
    const client = new FrontClient(undefined);
    const hubId = this.hub.addClient(this.connectionOf(client, 'HTTP request', req.socket));
    if (hubId === undefined)
      return sendJsonRpcError(
        res,
        503,
        GuardErrorCode.ServerError,
        'the shared server is stopping; send it again to get a new one',
        requestIdOf(message),
      );
    client.hubId = hubId;
    if (!isRequest(message)) {
      // A notification stands alone in this era: it is relayed, and its client is done.
      this.relay(client, res, message);
      this.hub.leave(hubId);
      return;
    }
    this.requests.add(client);
    this.relay(client, res, message);
  }

  private requestEnded(client: FrontClient): void {
    if (!this.requests.delete(client)) return;
    this.hub.leave(client.hubId);
  }

  /** The server stays while 2026-07-28 clients were seen within SESSION_QUIET_MS: they come back with no session to show it. */
  private holdForModern(): void {
    const until = Date.now() + SESSION_QUIET_MS;
    if (this.modernHold) {
      this.modernHold.until = until;
      return;
    }
    this.modernHold = { release: this.hub.hold(), until };
  }

  private get(req: http.IncomingMessage, res: http.ServerResponse): void {
    const sid = firstHeader(req.headers['mcp-session-id']);
    if (sid === undefined)
      return sendJsonRpcError(
        res,
        405,
        GuardErrorCode.ServerError,
        'Method Not Allowed: an event stream needs a session',
        null,
        {
          allow: 'POST, DELETE',
        },
      );
    const client = this.sessions.get(sid);
    if (!client) return this.sessionNotFound(res, undefined);
    if (!client.peer) this.learnPeer(client, req.socket);
    if (client.events && !client.events.destroyed)
      return sendJsonRpcError(
        res,
        409,
        GuardErrorCode.ServerError,
        'Conflict: this session has an event stream open already',
      );
    client.lastSeen = Date.now();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'mcp-session-id': sid });
    res.flushHeaders();
    client.events = res;
    res.once('close', () => {
      if (client.events === res) client.events = undefined;
      client.lastSeen = Date.now();
    });
    this.flushQueue(client);
  }

  private delete(req: http.IncomingMessage, res: http.ServerResponse): void {
    const sid = firstHeader(req.headers['mcp-session-id']);
    const client = sid === undefined ? undefined : this.sessions.get(sid);
    if (!client) return this.sessionNotFound(res, undefined);
    this.endClient(client);
    res.writeHead(200).end();
  }

  private sessionNotFound(res: http.ServerResponse, message: unknown): void {
    // The spec's answer: the client starts a new session.
    sendJsonRpcError(res, 404, GuardErrorCode.SessionNotFound, 'Session not found', requestIdOf(message));
  }

  /** The hub's side of a client: what the server (or the hub) says to it lands here. */
  private connectionOf(client: FrontClient, who: string, socket: Socket): HubConnection {
    const connection: HubConnection = {
      who,
      joinedAt: performance.now(),
      write: (line, message) => this.deliver(client, line, message),
      // The server does not take what it is sent: no client's body is read until it does (the hub
      // pauses every client at once, as it stops reading the relays).
      pause: () => this.hold(),
      resume: () => this.release(),
      close: () => this.endClient(client, false),
    };
    client.connection = connection;
    this.learnPeer(client, socket);
    return connection;
  }

  /** Which process is at the other end of a client's connection, learnt in the background (never on a request's path). */
  private learnPeer(client: FrontClient, socket: Socket): void {
    this.peerOf(socket).then(
      (peer) => {
        if (!peer || client.peer) return;
        client.peer = peer;
        if (client.connection) {
          client.connection.pid = peer.pid;
          client.connection.startTime = peer.startTime;
        }
        this.hub.clientsChanged();
      },
      () => undefined,
    );
  }

  /** One message of the server's (or the hub's) for a client, onto the stream it belongs on. */
  private deliver(client: FrontClient, line: string, message: unknown): void {
    client.lastSeen = Date.now();
    if (isAnswer(message)) {
      const key = idKey(message.id as string | number);
      const answering = client.answering.get(key);
      if (!answering) return; // its client went away: no one to tell
      client.answering.delete(key);
      this.answer(answering, line);
      if (client.sid === undefined) this.requestEnded(client);
      return;
    }
    const token = progressOfNotification(message);
    if (token !== undefined)
      for (const a of client.answering.values()) if (a.progress === token) return void this.write(a, line);
    const target = client.targetForOthers();
    if (target) return void this.write(target, line);
    if (client.queue.length >= MAX_QUEUED) {
      client.queue.shift();
      client.dropped++;
      this.said.say(
        `queue-${client.sid}`,
        `HTTP session ${shortId(client.sid ?? '')} opens no event stream: its oldest waiting messages are dropped (said once per session)`,
      );
    }
    client.queue.push(line);
  }

  private flushQueue(client: FrontClient): void {
    const target = client.targetForOthers();
    if (!target) return;
    for (const line of client.queue.splice(0)) this.write(target, line);
  }

  /** A request's answer: the whole response when nothing went before it, else the last event of its stream. */
  private answer(answering: Answering, line: string): void {
    const { res } = answering;
    if (res.destroyed || res.writableEnded) return;
    if (answering.streaming) {
      this.write(answering, line);
      res.end();
      return;
    }
    const body = line.endsWith('\n') ? line.slice(0, -1) : line;
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...(answering.sid ? { 'mcp-session-id': answering.sid } : {}),
    });
    res.end(body);
  }

  /** One event on a stream: a session's GET stream, or a request's POST (made a stream by its first event). */
  private write(target: http.ServerResponse | Answering, line: string): void {
    const res = 'streaming' in target ? target.res : target;
    if (res.destroyed || res.writableEnded) return;
    if ('streaming' in target && !target.streaming) {
      target.streaming = true;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        ...(target.sid ? { 'mcp-session-id': target.sid } : {}),
      });
    }
    res.write(sseLineEvent(line));
    if (res.writableLength > MAX_UNREAD_BYTES) {
      this.options.log(
        `an HTTP client did not read ${MAX_UNREAD_BYTES} bytes of an event stream; the stream was ended`,
      );
      res.destroy();
    }
  }

  /** A client is done (DELETE, quiet too long, the host closing): its streams end and the hub lets it go. */
  private endClient(client: FrontClient, leaveHub = true): void {
    if (client.sid !== undefined) this.sessions.delete(client.sid);
    else this.requests.delete(client);
    // A request not yet answered is answered with why: its client never waits for nothing.
    for (const a of client.answering.values())
      if (a.streaming) a.res.end();
      else
        sendJsonRpcError(
          a.res,
          503,
          GuardErrorCode.ServerError,
          'the shared server stopped, or this session ended',
          a.id,
        );
    client.answering.clear();
    client.events?.end();
    client.events = undefined;
    if (leaveHub) this.hub.leave(client.hubId);
  }

  private async forgetQuiet(): Promise<void> {
    // One look at a time: a probe can be slow (macOS runs ps), and the next tick would start another.
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.forgetGone();
    } finally {
      this.sweeping = false;
    }
  }

  private async forgetGone(): Promise<void> {
    const now = Date.now();
    for (const client of [...this.sessions.values()]) {
      if (client.answering.size > 0 || client.events) continue;
      if (now - client.lastSeen > SESSION_QUIET_MS) {
        this.options.log(
          `HTTP session ${shortId(client.sid ?? '')} was quiet for ${SESSION_QUIET_MS / 60_000} minutes: forgotten`,
        );
        this.endClient(client);
      } else if (
        client.peer &&
        now - client.lastSeen > SWEEP_MS &&
        (await this.peerGone(client.peer).catch(() => false))
      ) {
        // Its client was killed (no DELETE came): not a client of the server any more.
        if (!this.sessions.has(client.sid ?? '') || client.answering.size > 0 || client.events) continue;
        this.options.log(
          `HTTP session ${shortId(client.sid ?? '')}: its client (pid ${client.peer.pid}) is gone: forgotten`,
        );
        this.endClient(client);
      }
    }
    if (this.modernHold && this.requests.size === 0 && now > this.modernHold.until) {
      this.modernHold.release();
      this.modernHold = undefined;
    }
  }

  /** Bodies wait unread (in their sockets) until the server takes what it was sent. */
  private hold(): void {
    if (this.held) return;
    let release = () => undefined as void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.held = { promise, release };
  }

  private release(): void {
    const held = this.held;
    this.held = undefined;
    held?.release();
  }
}

function progressTokenOf(message: Json): string | undefined {
  const token = (message.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken;
  return isId(token) ? idKey(token) : undefined;
}

function progressOfNotification(message: unknown): string | undefined {
  if (!isObject(message) || message.method !== 'notifications/progress') return undefined;
  const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
  return isId(token) ? idKey(token) : undefined;
}
