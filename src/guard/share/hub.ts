import type * as net from 'node:net';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { AttachedClient, AttachRequest } from '../../core/control/protocol';
import { replyLine } from '../../core/control/server';
import { LineSplitter } from '../stdio/lines';
import type { NoticeAudience } from '../host/staleGate';
import { Message, ShareMux } from './mux';

export interface ShareHubOptions {
  /** How long the server keeps running once the last client left (0: it stops at once). */
  lingerMs: number;
  log(line: string): void;
  /** The attached clients changed (the lock record lists them). */
  onClients?(clients: AttachedClient[]): void;
}

/** What may wait for a client that does not read: past it, the client is let go (the others are not held up). */
const MAX_UNREAD_BYTES = 16 * 1024 * 1024;

/** How long a share host runs its server without any client, before the first one attached. */
const FIRST_CLIENT_MS = 30_000;

interface Connection {
  pid: number;
  startTime: number;
  /** performance.now() when it attached (a notice of what changed before is not its news). */
  joinedAt: number;
  write(line: string): void;
  close(): void;
}

/**
 * The share host's side of `--on-conflict share`: every relay attached over the control endpoint,
 * multiplexed (mux.ts) onto one stream toward the stdio transport, which sees one
 * client. The transport reads `toServer` and writes `fromServer`; the stream to the server ends
 * (and the guard stops its server) when the last client left and the linger time passed.
 */
export class ShareHub {
  /** What the transport reads as its client's input. */
  readonly toServer = new PassThrough();
  /** Where the transport writes what the server (or the guard) says to its client. */
  readonly fromServer: Writable;
  private readonly mux: ShareMux;
  private readonly connections = new Map<number, Connection>();
  private linger: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(private readonly options: ShareHubOptions) {
    this.mux = new ShareMux({
      toServer: (message) => {
        if (!this.ended) this.toServer.write(`${JSON.stringify(message)}\n`);
      },
      toClient: (client, message) => this.connections.get(client)?.write(`${JSON.stringify(message)}\n`),
      log: options.log,
      changed: () => this.options.onClients?.(this.clients()),
    });
    const splitter = new LineSplitter();
    this.fromServer = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of splitter.push(chunk)) {
          const message = parse(line);
          if (message) this.mux.fromServer(message);
          else if (line.length > 0) options.log('dropped a line of the shared server that is not JSON-RPC');
        }
        done();
      },
    });
  }

  /** The restarted server's answer to the replayed `initialize`: what later clients are answered. */
  restartedWith(result: Record<string, unknown>): void {
    this.mux.restartedWith(result);
  }

  /**
   * The client a request the server sees (by its remapped id) came from: under `--when-stale
   * annotate` each client hears a once-only notice once (host/staleGate.ts).
   */
  audienceOf(serverId: string | number): NoticeAudience {
    const client = this.mux.clientOf(serverId);
    const connection = client === undefined ? undefined : this.connections.get(client);
    // A client that left gets nothing (its answer is dropped): no one is marked as told.
    return connection ? { key: String(client), joinedAt: connection.joinedAt } : { key: 'left', joinedAt: Infinity };
  }

  /** Starts waiting for the first relay (bounded: a host nobody attached to stops). */
  start(): void {
    this.linger = setTimeout(() => this.end(), Math.max(this.options.lingerMs, FIRST_CLIENT_MS));
  }

  /** A relay's client attaches (control `attach`): the reply, then its stream. */
  attach(socket: net.Socket, request: AttachRequest, rest: string): void {
    if (this.ended) {
      socket.end(replyLine({ ok: false, error: 'the shared server is stopping; start again to get a new one' }));
      return;
    }
    socket.write(replyLine({ ok: true, result: { attached: true } }));
    socket.on('error', () => socket.destroy());
    this.join(
      socket,
      {
        pid: request.pid,
        startTime: request.startTime,
        joinedAt: performance.now(),
        write: (line) => {
          if (!socket.writable) return;
          socket.write(line);
          if (socket.writableLength > MAX_UNREAD_BYTES) {
            this.options.log(`a client of pid ${request.pid} did not read ${MAX_UNREAD_BYTES} bytes; it was let go`);
            socket.destroy();
          }
        },
        close: () => socket.destroy(),
      },
      rest,
    );
  }

  private join(input: Readable, connection: Connection, rest: string): void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = undefined;
    const id = this.mux.addClient();
    this.connections.set(id, connection);
    this.options.onClients?.(this.clients());
    const splitter = new LineSplitter();
    const take = (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) {
        const message = parse(line);
        if (message) this.mux.fromClient(id, message);
        else if (line.length > 0) this.options.log('dropped a client line that is not JSON-RPC');
      }
    };
    if (rest) take(Buffer.from(rest));
    input.on('data', (chunk: Buffer | string) => take(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    let gone = false;
    const leave = () => {
      if (gone) return;
      gone = true;
      this.connections.delete(id);
      this.mux.removeClient(id);
      this.options.onClients?.(this.clients());
      if (this.connections.size === 0) this.lastLeft();
    };
    input.on('end', leave);
    input.on('close', leave);
    input.on('error', leave);
    input.resume();
  }

  private lastLeft(): void {
    if (this.options.lingerMs <= 0) return this.end();
    this.options.log(`the last client left; the server lingers for ${Math.round(this.options.lingerMs / 1000)} s`);
    this.linger = setTimeout(() => this.end(), this.options.lingerMs);
    this.linger.unref?.();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.toServer.end();
  }

  /** The clients the server serves now, oldest first, as the lock record lists them. */
  clients(): AttachedClient[] {
    const names = new Map(this.mux.list().map((c) => [c.id, c.name]));
    return [...this.connections].map(([id, c]) => ({
      pid: c.pid,
      startTime: c.startTime,
      ...(names.get(id) !== undefined ? { clientName: names.get(id) } : {}),
    }));
  }

  /** The guard is done: every relay's connection closes (its client sees the server go). */
  close(): void {
    if (this.linger) clearTimeout(this.linger);
    this.end();
    for (const c of this.connections.values()) c.close();
  }
}

function parse(line: Buffer): Message | undefined {
  try {
    const value = JSON.parse(line.toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Message) : undefined;
  } catch {
    return undefined;
  }
}
