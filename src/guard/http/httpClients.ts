import type { AttachedClient } from '../../core/control/protocol';
import { PROBE_CLIENT_NAME } from '../../core/machine/httpProbe';

/** A process found at the other end of a client's connection (peerProcess.ts). */
export interface PeerProcess {
  pid: number;
  startTime: number;
}

export interface HttpClientsOptions {
  /** A client with no request or stream open drops out this long after it was last seen. */
  idleMs: number;
  /** Clients listed at most (the most recently active ones): the lock record stays small. */
  maxListed: number;
  /** Session-less clients (per connection and name) remembered at most; past it the least recently seen is forgotten. */
  maxConnections: number;
  /** Whether the front still knows a session (it may have forgotten it to stay within its bounds). */
  sessionKnown(sid: string): boolean;
  /** The process at the other end of a connection, looked up once per connection, in the background. */
  peerOf?(connection: object): Promise<PeerProcess | undefined>;
  /** The list changed (called at most once per `notifyMs`, and only with a different list). */
  onChange(clients: AttachedClient[]): void;
  notifyMs: number;
  now?(): number;
}

interface Seen {
  name?: string;
  firstSeen: number;
  lastSeen: number;
  /** Requests and streams of this client open now: a client with an open stream is never idle. */
  open: number;
  peer?: PeerProcess;
  /** Connections whose peer was asked for (each once). */
  asked: WeakSet<object>;
}

/** Longest client name kept (as the session file keeps it). */
const MAX_NAME = 256;

/**
 * The clients of an HTTP guard, as its lock record lists them (`attached`). What a client is:
 *
 * - a **session** the front issued (a 2025 client of a server with sessions), while the front still
 *   knows it (not deleted by its client, not forgotten to stay within bounds) and it was active
 *   within `idleMs` or has a request or event stream open; named by its `initialize` clientInfo;
 * - otherwise (2026-07-28 requests, which have no session, and 2025 clients of a stateless server),
 *   one client per distinct client name and peer process, named by a modern request's `_meta`
 *   clientInfo (or a stateless `initialize`'s), while active as above. A request on a connection
 *   that names no client counts for the client last named on that connection, or, on a connection
 *   that never named one, keeps the clients of its process active. A request that only asks about
 *   the server (`server/discover`, as `status` does) makes no client.
 *
 * The pid and start time are those of the process at the other end of the client's connection,
 * when it could be found exactly (peerProcess.ts); never signalled, informational only.
 */
export class HttpClients {
  private readonly sessions = new Map<string, Seen>();
  /** Session-less clients, per connection and name; the map's order is the recency order. */
  private readonly named = new Map<string, Seen>();
  private readonly lastNamed = new WeakMap<object, Seen>();
  private readonly ids = new WeakMap<object, number>();
  /** Connections that named no client whose process was asked for (once each). */
  private readonly refreshed = new WeakSet<object>();
  private nextId = 0;
  private timer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private last = '[]';
  private closed = false;

  constructor(private readonly options: HttpClientsOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * Counts one request (or event stream) of a client until `res` closes: session `sid`'s when it
   * has one, else the client `name` on this connection. Never `status` asking the server's version
   * (PROBE_CLIENT_NAME): it is no client.
   */
  count(
    res: { once(event: 'close', listener: () => void): unknown },
    connection: object,
    name: string | undefined,
    sid?: string,
  ): void {
    if (name === PROBE_CLIENT_NAME) return;
    res.once('close', sid !== undefined ? this.session(sid, name, connection) : this.sessionless(name, connection));
  }

  /** A request (or event stream) of session `sid` began; the returned function says it is over. */
  session(sid: string, name: string | undefined, connection: object): () => void {
    let seen = this.sessions.get(sid);
    if (!seen) {
      seen = this.fresh();
      this.sessions.set(sid, seen);
    }
    return this.activity(seen, name, connection);
  }

  /** A session-less request began (`name`: the client it names, if any); the returned function says it is over. */
  sessionless(name: string | undefined, connection: object): () => void {
    let seen: Seen | undefined;
    if (name === undefined) {
      // No name: the client last named on this connection (several clients of one process may share it).
      seen = this.lastNamed.get(connection);
      if (!seen || ![...this.named.values()].includes(seen)) {
        this.refreshByPeer(connection);
        return () => undefined;
      }
    } else {
      const key = `${this.connectionId(connection)}\0${name.slice(0, MAX_NAME)}`;
      seen = this.named.get(key) ?? this.fresh();
      this.named.delete(key);
      this.named.set(key, seen);
      this.lastNamed.set(connection, seen);
      while (this.named.size > this.options.maxConnections) {
        const oldest = this.named.keys().next().value as string;
        this.named.delete(oldest);
      }
    }
    return this.activity(seen, name, connection);
  }

  /**
   * A request that names no client on a connection that never named one (a 2025 client of a
   * stateless server names itself only in its `initialize`, and its next requests may come on new
   * connections): it keeps the clients of its process active, once that process is known.
   */
  private refreshByPeer(connection: object): void {
    if (!this.options.peerOf || this.refreshed.has(connection)) return;
    this.refreshed.add(connection);
    this.options.peerOf(connection).then(
      (peer) => {
        if (!peer) return;
        const now = this.now();
        for (const seen of this.named.values())
          if (seen.peer?.pid === peer.pid && seen.peer.startTime === peer.startTime) seen.lastSeen = now;
      },
      () => undefined,
    );
  }

  private connectionId(connection: object): number {
    let id = this.ids.get(connection);
    if (id === undefined) this.ids.set(connection, (id = ++this.nextId));
    return id;
  }

  /** The session is over (its client deleted it, or the front forgot it). */
  forget(sid: string): void {
    if (this.sessions.delete(sid)) this.changed();
  }

  private fresh(): Seen {
    const now = this.now();
    return { firstSeen: now, lastSeen: now, open: 0, asked: new WeakSet() };
  }

  private activity(seen: Seen, name: string | undefined, connection: object): () => void {
    const before = seen.name;
    if (name !== undefined) seen.name = name.slice(0, MAX_NAME);
    seen.lastSeen = this.now();
    seen.open++;
    if (!seen.peer && this.options.peerOf && !seen.asked.has(connection)) {
      seen.asked.add(connection);
      this.options.peerOf(connection).then(
        (peer) => {
          if (peer && !seen.peer) {
            seen.peer = peer;
            this.changed();
          }
        },
        () => undefined,
      );
    }
    if (seen.open === 1 || before !== seen.name) this.changed();
    let over = false;
    return () => {
      if (over) return;
      over = true;
      seen.open--;
      seen.lastSeen = this.now();
    };
  }

  private active(seen: Seen, now: number): boolean {
    return seen.open > 0 || now - seen.lastSeen <= this.options.idleMs;
  }

  /** The clients now, oldest first, as the lock record lists them. */
  list(): AttachedClient[] {
    const now = this.now();
    const found: Array<{ firstSeen: number; lastSeen: number; client: AttachedClient }> = [];
    for (const [sid, seen] of this.sessions)
      if (this.options.sessionKnown(sid) && this.active(seen, now)) found.push(entryOf(seen));
    // Session-less: one client per name and peer process (connections come and go under one client).
    const grouped = new Map<string, { firstSeen: number; lastSeen: number; client: AttachedClient }>();
    for (const seen of this.named.values()) {
      if (seen.name === undefined || !this.active(seen, now)) continue;
      const key = JSON.stringify([seen.name, seen.peer?.pid ?? null]);
      const had = grouped.get(key);
      const entry = entryOf(seen);
      grouped.set(
        key,
        had
          ? {
              firstSeen: Math.min(had.firstSeen, entry.firstSeen),
              lastSeen: Math.max(had.lastSeen, entry.lastSeen),
              client: had.client,
            }
          : entry,
      );
    }
    found.push(...grouped.values());
    return found
      .sort((a, b) => b.lastSeen - a.lastSeen)
      .slice(0, this.options.maxListed)
      .sort((a, b) => a.firstSeen - b.firstSeen)
      .map((e) => e.client);
  }

  /** Starts the sweep that lets idle clients drop out (and forgets what no longer counts). */
  start(): void {
    const every = Math.max(1000, Math.min(30_000, Math.floor(this.options.idleMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref?.();
  }

  /** Forgets sessions the front no longer knows and idle connections; tells of a changed list. */
  sweep(): void {
    const now = this.now();
    for (const [sid, seen] of this.sessions)
      if (!this.options.sessionKnown(sid) || !this.active(seen, now)) this.sessions.delete(sid);
    for (const [key, seen] of this.named) if (!this.active(seen, now)) this.named.delete(key);
    this.notify();
  }

  /** Coalesces changes: the list is computed and written at most once per `notifyMs`. */
  changed(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.notify();
    }, this.options.notifyMs);
    this.timer.unref?.();
  }

  private notify(): void {
    if (this.closed) return;
    const list = this.list();
    const text = JSON.stringify(list);
    if (text === this.last) return;
    this.last = text;
    this.options.onChange(list);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.sweeper) clearInterval(this.sweeper);
  }
}

function entryOf(seen: Seen): { firstSeen: number; lastSeen: number; client: AttachedClient } {
  return {
    firstSeen: seen.firstSeen,
    lastSeen: seen.lastSeen,
    client: {
      ...(seen.peer ? { pid: seen.peer.pid, startTime: seen.peer.startTime } : {}),
      ...(seen.name !== undefined ? { clientName: seen.name } : {}),
    },
  };
}

/** The client name a 2026-07-28 request gives in `_meta` (`io.modelcontextprotocol/clientInfo`). */
export function modernClientName(message: unknown): string | undefined {
  const params = (message as { params?: { _meta?: Record<string, unknown> } } | null)?.params;
  const info = params?._meta?.['io.modelcontextprotocol/clientInfo'] as { name?: unknown } | undefined;
  return typeof info?.name === 'string' ? info.name : undefined;
}

/** The client name of an `initialize` request (or of a session's recorded one). */
export function initializeClientName(message: unknown): string | undefined {
  const info = (message as { params?: { clientInfo?: { name?: unknown } } } | null)?.params?.clientInfo;
  return typeof info?.name === 'string' ? info.name : undefined;
}
