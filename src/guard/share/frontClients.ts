import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import type { Socket } from 'node:net';
import { shortId } from '../http/headers';
import { requestIdOf, sendJsonRpcError } from '../http/jsonrpcError';
import type { PeerProcess } from '../http/httpClients';
import { idKey } from '../stdio/messages';
import type { SaidOnce } from '../saidOnce';
import { GuardErrorCode } from '../wireErrors';
import type { HubConnection, ShareHub } from './hub';
import { FrontClient, isAnswer, isRequest, Json, progressOfNotification, progressTokenOf } from './frontClient';
import { answerWith, writeEvent } from './frontStreams';
import { HTTP_LIMITS } from '../../core/http/limits';

/** Sessions at most; a new one past it is refused (503) rather than forgetting a client that still works. */
export const MAX_SESSIONS = HTTP_LIMITS.maxSessions;
/** A session with no request, no event stream and nothing sent this long has gone (a client that died without DELETE). */
export const SESSION_QUIET_MS = HTTP_LIMITS.clientIdleMs;
/**
 * How often sessions are looked at: one whose client process has exited (killed, so no DELETE was
 * sent) is forgotten at the next look, so the server is not kept up for a client that is gone.
 */
const SWEEP_MS = 5_000;
/** Messages kept for a session with no stream open to carry them (its GET stream is about to open, say). */
const MAX_QUEUED = 256;

export interface FrontClientsOptions {
  log(line: string): void;
  /** Finds the process at the other end of a loopback connection. */
  peerOf(socket: Socket): Promise<PeerProcess | undefined>;
  /** Whether the process that opened a session has exited. */
  peerGone(peer: PeerProcess): Promise<boolean>;
  /** The server does not take what it is sent: no client's body is read until `resume`. */
  pause(): void;
  resume(): void;
}

/**
 * The clients of the share host's HTTP front (httpFront.ts), each one client of the hub: a 2025
 * session or a 2026-07-28 request made one, its messages relayed to the hub, what the server says to
 * it put onto its streams, and each let go once it is done (DELETE, quiet for SESSION_QUIET_MS, its
 * process gone, the front closing).
 */
export class FrontClients {
  readonly sessions = new Map<string, FrontClient>();
  /** 2026-07-28 requests open now (each its own client of the hub). */
  readonly requests = new Set<FrontClient>();
  private readonly sweep: NodeJS.Timeout;
  /** Held while 2026-07-28 clients were seen lately: they have no session, yet the server is theirs (hub.hold). */
  private modernHold: { release(): void; until: number } | undefined;
  private sweeping = false;

  constructor(
    private readonly hub: ShareHub,
    private readonly options: FrontClientsOptions,
    private readonly said: SaidOnce,
  ) {
    this.sweep = setInterval(() => void this.forgetQuiet(), SWEEP_MS);
    this.sweep.unref();
  }

  /** Every client ends (its client sees the server go, as a relay's does). */
  close(): void {
    clearInterval(this.sweep);
    for (const c of [...this.sessions.values(), ...this.requests]) this.endClient(c);
    this.modernHold?.release();
    this.modernHold = undefined;
  }

  /** A new 2025 session, from its `initialize`; undefined when refused (answered here). */
  openSession(req: http.IncomingMessage, res: http.ServerResponse, message: Json): FrontClient | undefined {
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
  relay(client: FrontClient, res: http.ServerResponse, message: Json): void {
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
  modern(req: http.IncomingMessage, res: http.ServerResponse, message: Json): void {
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

  requestEnded(client: FrontClient): void {
    if (!this.requests.delete(client)) return;
    this.hub.leave(client.hubId);
  }

  /** The server stays while 2026-07-28 clients were seen within SESSION_QUIET_MS: they come back with no session to show it. */
  holdForModern(): void {
    const until = Date.now() + SESSION_QUIET_MS;
    if (this.modernHold) {
      this.modernHold.until = until;
      return;
    }
    this.modernHold = { release: this.hub.hold(), until };
  }

  /** The hub's side of a client: what the server (or the hub) says to it lands here. */
  connectionOf(client: FrontClient, who: string, socket: Socket): HubConnection {
    const connection: HubConnection = {
      who,
      joinedAt: performance.now(),
      write: (line, message) => this.deliver(client, line, message),
      // The server does not take what it is sent: no client's body is read until it does (the hub
      // pauses every client at once, as it stops reading the relays).
      pause: () => this.options.pause(),
      resume: () => this.options.resume(),
      close: () => this.endClient(client, false),
    };
    client.connection = connection;
    this.learnPeer(client, socket);
    return connection;
  }

  /** Which process is at the other end of a client's connection, learnt in the background (never on a request's path). */
  learnPeer(client: FrontClient, socket: Socket): void {
    this.options.peerOf(socket).then(
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
      answerWith(answering, line, this.options);
      if (client.sid === undefined) this.requestEnded(client);
      return;
    }
    const token = progressOfNotification(message);
    if (token !== undefined)
      for (const a of client.answering.values())
        if (a.progress === token) return void writeEvent(a, line, this.options);
    const target = client.targetForOthers();
    if (target) return void writeEvent(target, line, this.options);
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

  flushQueue(client: FrontClient): void {
    const target = client.targetForOthers();
    if (!target) return;
    for (const line of client.queue.splice(0)) writeEvent(target, line, this.options);
  }

  /** A client is done (DELETE, quiet too long, the host closing): its streams end and the hub lets it go. */
  endClient(client: FrontClient, leaveHub = true): void {
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
        (await this.options.peerGone(client.peer).catch(() => false))
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
}
