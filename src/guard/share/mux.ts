import { envelopeVersion, idKey, META } from '../stdio/messages';
import { GuardErrorCode, JsonRpcErrorCode } from '../wireErrors';
import { fail, Id, Message, ok } from './jsonrpc';
import { RootsGathering } from './roots';
import { laterClientRefusal } from './version';

export type { Id, Message } from './jsonrpc';

/**
 * `--on-conflict share`: many clients, one server session. The multiplexer sees each client's
 * messages and the server's (parsed JSON-RPC, no I/O) and decides what goes where: request ids,
 * cancellations and progress tokens are remapped per client, answers go to the client that asked,
 * notifications to the clients they concern. The host's stdio transport stays behind it, unchanged:
 * to the transport the multiplexer is one client, so a restart replays one `initialize`.
 */

/** MCP's log levels, least severe first (RFC 5424 order). */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const rank = (level: unknown): number => LOG_LEVELS.indexOf(level as LogLevel);

/** Requests one client may have in flight at the shared server; past it, each new one is refused (GuardErrorCode.Busy). */
export const MAX_IN_FLIGHT = 1_024;

/** Longest client name kept (the lock record lists clients by name, as an HTTP guard's do). */
const MAX_NAME = 256;

/** What a client of the shared server must have declared for each server-to-client request. */
const CAPABILITY_OF: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

export interface MuxClientInfo {
  id: number;
  /** The client's name from its `initialize` clientInfo (or a modern request's `_meta`). */
  name?: string;
  era?: 'legacy' | 'modern';
}

interface Client extends MuxClientInfo {
  capabilities: Record<string, unknown>;
  level?: LogLevel;
  /** Whether the client may receive broadcast notifications (legacy: once its initialize was answered). */
  ready: boolean;
  subscribed: Set<string>;
  /** client id key -> server id */
  requests: Map<string, Id>;
  /** Server requests sent to this client, awaiting its answer (server id keys). */
  serverRequests: Set<string>;
  /** Whether an answer of this client to no request was logged (once per client: it could repeat it at will). */
  saidStrayAnswer?: boolean;
}

interface Forwarded {
  client: number;
  clientId: Id;
  method: string;
  progress?: Id;
}

export interface MuxOutput {
  toServer(message: Message): void;
  toClient(client: number, message: Message): void;
  log(line: string): void;
  /** A client's name or era became known (the lock record lists the clients). */
  changed?(): void;
}

function withMeta(params: Record<string, unknown> | undefined, key: string, value: unknown): Record<string, unknown> {
  const meta = (params?._meta ?? {}) as Record<string, unknown>;
  return { ...params, _meta: { ...meta, [key]: value } };
}

function metaOf(params: unknown): Record<string, unknown> | undefined {
  const meta = (params as { _meta?: unknown } | undefined)?._meta;
  return meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>) : undefined;
}

export class ShareMux {
  private readonly clients = new Map<number, Client>();
  private nextClient = 1;
  private nextId = 1;
  private nextToken = 1;
  /** server id key -> who asked */
  private readonly forwarded = new Map<string, Forwarded>();
  /** server progress token key -> client and its own token */
  private readonly tokens = new Map<string, { client: number; token: Id }>();
  /** Server request id key -> the client it went to. */
  private readonly serverRequests = new Map<string, number>();
  /** The server's `roots/list` requests, asked of every client with roots (roots.ts). */
  private readonly roots: RootsGathering;
  /** The multiplexer's own requests to the server (unsubscribe, setLevel for a client that left): answers dropped. */
  private readonly own = new Set<string>();
  private era: 'legacy' | 'modern' | undefined;
  /** The server's answer to the one `initialize` it got. */
  private initResult: Record<string, unknown> | undefined;
  /** Legacy clients waiting for that answer: client, request id, requested version. */
  private initWaiting: Array<{ client: number; id: Id; version: unknown }> | undefined;
  private initializedSent = false;
  /** The level the server was last asked for. */
  private serverLevel: LogLevel | undefined;

  constructor(private readonly out: MuxOutput) {
    this.roots = new RootsGathering(out);
  }

  addClient(): number {
    const id = this.nextClient++;
    this.clients.set(id, {
      id,
      capabilities: {},
      ready: false,
      subscribed: new Set(),
      requests: new Map(),
      serverRequests: new Set(),
    });
    return id;
  }

  get size(): number {
    return this.clients.size;
  }

  /** The attached clients, oldest first. */
  list(): MuxClientInfo[] {
    return [...this.clients.values()].map(({ id, name, era }) => ({ id, name, era }));
  }

  /** Which client a request forwarded to the server (by the id the server saw) came from. */
  clientOf(serverId: Id): number | undefined {
    return this.forwarded.get(idKey(serverId))?.client;
  }

  /** The server's protocol era, once the first client chose it. */
  get sessionEra(): 'legacy' | 'modern' | undefined {
    return this.era;
  }

  fromClient(clientId: number, msg: Message): void {
    const client = this.clients.get(clientId);
    if (!client) return;
    if (msg.method !== undefined && msg.id !== undefined)
      this.clientRequest(client, msg as Message & { id: Id; method: string });
    else if (msg.method !== undefined) this.clientNotification(client, msg as Message & { method: string });
    else if (msg.id !== undefined) this.clientAnswer(client, msg as Message & { id: Id });
  }

  private clientRequest(client: Client, msg: Message & { id: Id; method: string }): void {
    const { id, method } = msg;
    if (method === 'initialize') {
      if (this.era === 'modern')
        return this.out.toClient(client.id, fail(id, GuardErrorCode.EraMismatch, this.eraMismatch('legacy')));
      this.era = 'legacy';
      client.era = 'legacy';
      const info = msg.params?.clientInfo as { name?: unknown } | undefined;
      if (typeof info?.name === 'string') client.name = info.name.slice(0, MAX_NAME);
      client.capabilities = (msg.params?.capabilities as Record<string, unknown> | undefined) ?? {};
      this.out.changed?.();
      const version = msg.params?.protocolVersion;
      if (this.initResult) return this.answerInit(client.id, id, version);
      if (this.initWaiting) {
        this.initWaiting.push({ client: client.id, id, version });
        return;
      }
      this.initWaiting = [];
      this.forward(client, msg);
      return;
    }
    if (method === 'server/discover' && this.era === 'legacy')
      // The shared session is legacy: an auto client falls back to initialize (and gets the cached answer).
      return this.out.toClient(client.id, fail(id, JsonRpcErrorCode.MethodNotFound, 'Method not found'));
    const version = envelopeVersion(msg.params);
    if (method !== 'server/discover' && version !== undefined) {
      if (this.era === 'legacy')
        return this.out.toClient(client.id, fail(id, GuardErrorCode.EraMismatch, this.eraMismatch('modern')));
      this.era = 'modern';
      const meta = metaOf(msg.params) ?? {};
      const info = meta[META.clientInfo] as { name?: unknown } | undefined;
      const caps = meta[META.clientCapabilities];
      if (caps && typeof caps === 'object') client.capabilities = caps as Record<string, unknown>;
      const name = typeof info?.name === 'string' ? info.name.slice(0, MAX_NAME) : undefined;
      if (client.era !== 'modern' || (name !== undefined && name !== client.name)) {
        client.era = 'modern';
        client.ready = true;
        if (name !== undefined) client.name = name;
        this.out.changed?.();
      }
    }
    if (method === 'logging/setLevel') {
      const level = msg.params?.level;
      if (rank(level) < 0) return this.forward(client, msg);
      client.level = level as LogLevel;
      const wanted = this.mostVerbose();
      if (wanted === this.serverLevel) return this.out.toClient(client.id, ok(id));
      this.serverLevel = wanted;
      return this.forward(client, msg);
    }
    if (method === 'resources/subscribe' || method === 'resources/unsubscribe') {
      const uri = msg.params?.uri;
      if (typeof uri !== 'string') return this.forward(client, msg);
      const before = this.subscribers(uri) > 0;
      if (method === 'resources/subscribe') client.subscribed.add(uri);
      else client.subscribed.delete(uri);
      const after = this.subscribers(uri) > 0;
      // The server hears of a URI when the first client subscribes and when the last one leaves it.
      if (before === after) return this.out.toClient(client.id, ok(id));
      return this.forward(client, msg);
    }
    this.forward(client, msg);
  }

  private eraMismatch(asked: 'legacy' | 'modern'): string {
    const era = (e: 'legacy' | 'modern') => (e === 'legacy' ? 'the legacy era (initialize)' : 'the 2026-07-28 era');
    return `this shared server speaks ${era(asked === 'legacy' ? 'modern' : 'legacy')}, chosen by its first client; a client of ${era(asked)} cannot share its session (run it with another --name, or without --on-conflict share)`;
  }

  private forward(client: Client, msg: Message & { id: Id; method: string }): void {
    if (client.requests.size >= MAX_IN_FLIGHT)
      return this.out.toClient(
        client.id,
        fail(
          msg.id,
          GuardErrorCode.Busy,
          `this client has ${MAX_IN_FLIGHT} requests in flight at the shared server; send more once some are answered`,
        ),
      );
    const serverId = this.nextId++;
    const entry: Forwarded = { client: client.id, clientId: msg.id, method: msg.method };
    let params = msg.params;
    const token = metaOf(params)?.progressToken;
    if (typeof token === 'string' || typeof token === 'number') {
      const serverToken = `lg-share-progress-${this.nextToken++}`;
      this.tokens.set(idKey(serverToken), { client: client.id, token });
      entry.progress = serverToken;
      params = withMeta(params, 'progressToken', serverToken);
    }
    this.forwarded.set(idKey(serverId), entry);
    client.requests.set(idKey(msg.id), serverId);
    this.out.toServer({ ...msg, id: serverId, ...(params ? { params } : {}) });
  }

  private clientNotification(client: Client, msg: Message & { method: string }): void {
    if (msg.method === 'notifications/initialized') {
      // The server was initialized once; later clients' `initialized` concern the multiplexer only.
      if (this.initializedSent) return;
      this.initializedSent = true;
      this.out.toServer(msg);
      return;
    }
    if (msg.method === 'notifications/cancelled') {
      const requestId = msg.params?.requestId;
      if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
      const serverId = client.requests.get(idKey(requestId));
      if (serverId === undefined) return;
      this.settle(serverId);
      this.out.toServer({ ...msg, params: { ...msg.params, requestId: serverId } });
      return;
    }
    this.out.toServer(msg);
  }

  private clientAnswer(client: Client, msg: Message & { id: Id }): void {
    if (this.roots.answered(client.id, msg)) return;
    const key = idKey(msg.id);
    if (this.serverRequests.get(key) !== client.id) {
      if (!client.saidStrayAnswer)
        this.out.log(
          `dropped a client's answer to ${JSON.stringify(msg.id)}: the shared server did not ask it that (said once per client)`,
        );
      client.saidStrayAnswer = true;
      return;
    }
    this.serverRequests.delete(key);
    client.serverRequests.delete(key);
    this.out.toServer(msg);
  }

  fromServer(msg: Message): void {
    if (msg.method !== undefined && msg.id !== undefined)
      return this.serverRequest(msg as Message & { id: Id; method: string });
    if (msg.method !== undefined) return this.serverNotification(msg as Message & { method: string });
    if (msg.id !== undefined) return this.serverAnswer(msg as Message & { id: Id });
  }

  private serverAnswer(msg: Message & { id: Id }): void {
    const key = idKey(msg.id);
    if (this.own.delete(key)) return;
    const entry = this.forwarded.get(key);
    if (!entry) {
      this.out.log(`dropped the server's answer to ${JSON.stringify(msg.id)}: no attached client asked it`);
      return;
    }
    this.settle(msg.id);
    if (entry.method === 'initialize') this.initAnswered(entry, msg);
    if (this.clients.has(entry.client)) this.out.toClient(entry.client, { ...msg, id: entry.clientId });
  }

  private initAnswered(entry: Forwarded, msg: Message): void {
    const waiting = this.initWaiting ?? [];
    this.initWaiting = undefined;
    const client = this.clients.get(entry.client);
    if (msg.result) {
      this.initResult = msg.result;
      if (client) client.ready = true;
      for (const w of waiting) this.answerInit(w.client, w.id, w.version);
      return;
    }
    // Refused: the next waiting client tries again with its own initialize.
    const [next, ...rest] = waiting;
    if (!next) return;
    const nextClient = this.clients.get(next.client);
    if (!nextClient) return;
    this.initWaiting = rest;
    this.forward(nextClient, {
      jsonrpc: '2.0',
      id: next.id,
      method: 'initialize',
      params: {
        protocolVersion: next.version,
        capabilities: nextClient.capabilities,
        clientInfo: { name: nextClient.name ?? 'client', version: '0' },
      },
    });
  }

  /**
   * The cached `initialize` answer for a later client. The one session speaks the version its first
   * client negotiated: a client asking a newer one is told that version and decides (MCP version
   * negotiation); one asking an older one is refused, saying why (version.ts).
   */
  private answerInit(clientId: number, id: Id, asked: unknown): void {
    const client = this.clients.get(clientId);
    if (!client || !this.initResult) return;
    const refusal = laterClientRefusal(asked, this.initResult.protocolVersion);
    if (refusal)
      return this.out.toClient(clientId, fail(id, JsonRpcErrorCode.InvalidParams, refusal.message, refusal.data));
    client.ready = true;
    this.out.toClient(clientId, ok(id, this.initResult));
  }

  /**
   * A restarted server answered the replayed `initialize`: later clients get its answer (a new version's
   * serverInfo and capabilities), under the version the session already speaks.
   */
  restartedWith(result: Record<string, unknown>): void {
    if (!this.initResult) return;
    this.initResult = { ...result, protocolVersion: this.initResult.protocolVersion };
  }

  private serverNotification(msg: Message & { method: string }): void {
    const params = msg.params;
    const subscription = metaOf(params)?.[META.subscriptionId];
    if (typeof subscription === 'string' || typeof subscription === 'number') {
      // A modern notification on a client's own subscription (its listen request, remapped).
      const entry = this.forwarded.get(idKey(subscription));
      if (entry && this.clients.has(entry.client))
        this.out.toClient(entry.client, { ...msg, params: withMeta(params, META.subscriptionId, entry.clientId) });
      return;
    }
    if (msg.method === 'notifications/progress') {
      const token = params?.progressToken;
      const owner = typeof token === 'string' || typeof token === 'number' ? this.tokens.get(idKey(token)) : undefined;
      if (owner && this.clients.has(owner.client))
        this.out.toClient(owner.client, { ...msg, params: { ...params, progressToken: owner.token } });
      return;
    }
    if (msg.method === 'notifications/cancelled') {
      // The server gave up a request it sent a client: only that client hears of it.
      const requestId = params?.requestId;
      if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
      const key = idKey(requestId);
      if (this.roots.cancelled(msg, requestId)) return;
      const target = this.serverRequests.get(key);
      if (target === undefined) return;
      this.serverRequests.delete(key);
      this.clients.get(target)?.serverRequests.delete(key);
      this.out.toClient(target, msg);
      return;
    }
    if (msg.method === 'notifications/resources/updated') {
      const uri = params?.uri;
      for (const c of this.clients.values())
        if (c.ready && typeof uri === 'string' && c.subscribed.has(uri)) this.out.toClient(c.id, msg);
      return;
    }
    if (msg.method === 'notifications/message') {
      const level = rank(params?.level);
      for (const c of this.clients.values())
        if (c.ready && (c.level === undefined || level < 0 || level >= rank(c.level))) this.out.toClient(c.id, msg);
      return;
    }
    // list_changed and everything else concern every client.
    for (const c of this.clients.values()) if (c.ready) this.out.toClient(c.id, msg);
  }

  private serverRequest(msg: Message & { id: Id; method: string }): void {
    if (msg.method === 'roots/list')
      return this.roots.gather(
        msg,
        [...this.clients.values()].filter((c) => c.ready && c.capabilities.roots !== undefined).map((c) => c.id),
      );
    const target = this.routeServerRequest(msg.method);
    if (target === undefined) {
      const cap = CAPABILITY_OF[msg.method];
      this.out.toServer(
        fail(
          msg.id,
          GuardErrorCode.NoClient,
          cap ? `no client of this shared server declared the ${cap} capability` : 'no client is attached',
        ),
      );
      return;
    }
    const key = idKey(msg.id);
    this.serverRequests.set(key, target.id);
    target.serverRequests.add(key);
    this.out.toClient(target.id, msg);
  }

  /**
   * Who answers a server's request: the client whose request is in flight when there is exactly
   * one (sampling during its tool call), else the oldest client that declared the capability.
   */
  private routeServerRequest(method: string): Client | undefined {
    const cap = CAPABILITY_OF[method];
    const able = [...this.clients.values()].filter((c) => c.ready && (!cap || c.capabilities[cap] !== undefined));
    const busy = [...this.clients.values()].filter((c) =>
      [...c.requests.values()].some((sid) => this.forwarded.get(idKey(sid))?.method !== 'subscriptions/listen'),
    );
    if (busy.length === 1 && able.includes(busy[0])) return busy[0];
    return able[0];
  }

  /**
   * A request forwarded under `serverId` could not be sent to the server: its client (only) gets the
   * error, and the request is over. False when no client's request has that id.
   */
  failForwarded(serverId: Id, code: number, message: string): boolean {
    const entry = this.forwarded.get(idKey(serverId));
    if (!entry) return false;
    this.settle(serverId);
    if (entry.method === 'initialize') this.initAnswered(entry, fail(entry.clientId, code, message));
    if (this.clients.has(entry.client)) this.out.toClient(entry.client, fail(entry.clientId, code, message));
    return true;
  }

  /** A request is over (answered or cancelled): its id and progress token mappings go. */
  private settle(serverId: Id): void {
    const key = idKey(serverId);
    const entry = this.forwarded.get(key);
    if (!entry) return;
    this.forwarded.delete(key);
    this.clients.get(entry.client)?.requests.delete(idKey(entry.clientId));
    if (entry.progress !== undefined) this.tokens.delete(idKey(entry.progress));
  }

  /**
   * A client left: its requests in flight are cancelled toward the server, the server's requests to
   * it are answered with an error, and what it alone subscribed to or asked for is undone.
   */
  removeClient(clientId: number): void {
    const client = this.clients.get(clientId);
    if (!client) return;
    this.clients.delete(clientId);
    for (const serverId of [...client.requests.values()]) {
      const entry = this.forwarded.get(idKey(serverId));
      this.settle(serverId);
      // An initialize cannot be cancelled (MCP); its answer is still cached for the others.
      if (entry?.method === 'initialize') {
        this.forwarded.set(idKey(serverId), { ...entry, client: 0 });
        continue;
      }
      this.out.toServer({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: serverId, reason: 'the client left the shared server' },
      });
    }
    for (const key of client.serverRequests) {
      const serverId = key.startsWith('n') ? Number(key.slice(1)) : key.slice(1);
      this.serverRequests.delete(key);
      this.out.toServer(
        fail(serverId, GuardErrorCode.NoClient, 'the client this request went to left the shared server'),
      );
    }
    this.roots.clientLeft(clientId);
    for (const uri of client.subscribed) {
      if (this.subscribers(uri) > 0) continue;
      this.ownRequest('resources/unsubscribe', { uri });
    }
    if (client.level !== undefined) {
      const wanted = this.mostVerbose();
      if (wanted !== undefined && wanted !== this.serverLevel) {
        this.serverLevel = wanted;
        this.ownRequest('logging/setLevel', { level: wanted });
      }
    }
    if (this.initWaiting) this.initWaiting = this.initWaiting.filter((w) => w.client !== clientId);
    this.out.changed?.();
  }

  private ownRequest(method: string, params: Record<string, unknown>): void {
    const id = `lg-share-${this.nextId++}`;
    this.own.add(idKey(id));
    this.out.toServer({ jsonrpc: '2.0', id, method, params });
  }

  private subscribers(uri: string): number {
    let n = 0;
    for (const c of this.clients.values()) if (c.subscribed.has(uri)) n++;
    return n;
  }

  /** The most verbose level any client asked for (undefined: none asked). */
  private mostVerbose(): LogLevel | undefined {
    let best: LogLevel | undefined;
    for (const c of this.clients.values())
      if (c.level !== undefined && (best === undefined || rank(c.level) < rank(best))) best = c.level;
    return best;
  }
}
