import * as http from 'node:http';
import type { Socket } from 'node:net';
import { isModernRequest } from '../http/modernRequests';
import { firstHeader } from '../http/reinitialize';
import { checkOrigin } from '../http/origin';
import { readBody } from '../http/bodies';
import { ConnectionGate } from '../http/connectionGate';
import { pathOnly } from '../http/headers';
import { requestIdOf, sendJsonRpcError } from '../http/jsonrpcError';
import type { PeerProcess } from '../http/httpClients';
import { PeerLookup, PeerUser } from '../http/peerProcess';
import { parseLine } from '../stdio/messages';
import { SaidOnce } from '../saidOnce';
import { GuardErrorCode, JsonRpcErrorCode } from '../wireErrors';
import type { ShareHub } from './hub';
import { isObject } from './jsonrpc';
import type { FrontClient } from './frontClient';
import { FrontClients } from './frontClients';
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
const MAX_CONNECTIONS = HTTP_LIMITS.maxConnections;
export { MAX_SESSIONS } from './frontClients';

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
  private readonly clients: FrontClients;
  private readonly said: SaidOnce;
  /** Set while the server does not keep up: POST bodies are read once it is released. */
  private held: { promise: Promise<void>; release(): void } | undefined;
  private listenAddress = '';
  private readonly userOf: (socket: Socket) => Promise<PeerUser>;

  constructor(
    hub: ShareHub,
    private readonly options: ShareFrontOptions,
  ) {
    this.said = new SaidOnce((line) => options.log(line));
    const peers = new PeerLookup({ maxPending: 64, scanBudgetMs: 2000 });
    const peerOf = options.peerOf ?? ((socket: Socket) => peers.peerOf(socket));
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
    this.clients = new FrontClients(
      hub,
      {
        log: (line) => options.log(line),
        peerOf,
        peerGone: options.peerGone ?? (async (p) => hasExited(await probeProcess(p.pid), p.startTime)),
        pause: () => this.hold(),
        resume: () => this.release(),
      },
      this.said,
    );
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
    this.release();
    this.clients.close();
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
    if (isModernRequest(message, req.headers)) return this.clients.modern(req, res, message);
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
      client = this.clients.openSession(req, res, message);
      if (!client) return;
    } else {
      client = this.clients.sessions.get(sid);
      if (!client) return this.sessionNotFound(res, message);
      // Not known from the first request (a busy machine's scan ran out of time): any later one can tell.
      if (!client.peer) this.clients.learnPeer(client, req.socket);
    }
    client.lastSeen = Date.now();
    this.clients.relay(client, res, message);
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
    const client = this.clients.sessions.get(sid);
    if (!client) return this.sessionNotFound(res, undefined);
    if (!client.peer) this.clients.learnPeer(client, req.socket);
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
    this.clients.flushQueue(client);
  }

  private delete(req: http.IncomingMessage, res: http.ServerResponse): void {
    const sid = firstHeader(req.headers['mcp-session-id']);
    const client = sid === undefined ? undefined : this.clients.sessions.get(sid);
    if (!client) return this.sessionNotFound(res, undefined);
    this.clients.endClient(client);
    res.writeHead(200).end();
  }

  private sessionNotFound(res: http.ServerResponse, message: unknown): void {
    // The spec's answer: the client starts a new session.
    sendJsonRpcError(res, 404, GuardErrorCode.SessionNotFound, 'Session not found', requestIdOf(message));
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
