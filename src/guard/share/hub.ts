import type * as net from 'node:net';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { AttachedClient, AttachRequest } from '../../core/control/protocol';
import { replyLine } from '../../core/control/server';
import type { NoticeAudience } from '../host/staleGate';
import { joinLine, LineParts, LineSplitter } from '../stdio/lines';
import { classifyValue, parseLine, serializeMessage, trailingResponseId } from '../stdio/messages';
import { nestedDeeperThan } from '../stdio/safeJson';
import { errorText, SaidOnce } from '../saidOnce';
import { JsonRpcErrorCode } from '../wireErrors';
import { fail, Id, isId, isObject } from './jsonrpc';
import { Message, ShareMux } from './mux';

export interface ShareHubOptions {
  lingerMs: number;
  log(line: string): void;
  /** The attached clients changed (the lock record lists them). */
  onClients?(clients: AttachedClient[]): void;
}

/** What may wait for a client that does not read: past it, the client is let go (the others are not held up). */
const MAX_UNREAD_BYTES = 16 * 1024 * 1024;

/**
 * The longest line a client may send (the HTTP front's default `--max-body`): a longer one is never
 * held whole, its bytes are dropped as they come, and its client gets an error (the others never
 * notice). Bounds what one client can make the share host hold while it reads a message.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * The deepest a client's message may nest (as deep as a config may): a deeper one never reaches
 * the shared server, which every client depends on (servers that recurse on what they read stop
 * far sooner, or crash), and its client gets an error.
 */
export const MAX_NESTING = 256;

/**
 * The most clients the lock record lists (each is about 60 bytes of a record read up to 64 KiB), as
 * an HTTP guard's (HTTP_LIMITS.maxListedClients; not imported: the stdio guard's bundle would carry
 * every HTTP limit for this one number).
 */
export const MAX_LISTED_CLIENTS = 32;

/** How long a share host runs its server without any client, before the first one attached. */
const FIRST_CLIENT_MS = 30_000;

const BATCH_REFUSED =
  'Invalid Request: a JSON-RPC batch; MCP has no batches since 2025-06-18, and a shared server takes none: nothing of this batch reached the server (send each message on its own line)';

/** One client of the shared server as the hub holds it: a relay's socket, or a session of the HTTP front. */
export interface HubConnection {
  /** How the log names it: `pid 123` for a relay, `HTTP session 1a2b3c4d` for the front's. */
  who: string;
  /** The client's process, once known (a relay says it; the front finds its loopback peer in the background). */
  pid?: number;
  startTime?: number;
  /** performance.now() when it attached (a notice of what changed before is not its news). */
  joinedAt: number;
  /** One message for this client: the line as written for a stdio client (newline included), and its value. */
  write(line: string, message: unknown): void;
  /** Stops and resumes reading the client (while the server is not taking what it is sent). */
  pause(): void;
  resume(): void;
  close(): void;
}

type Json = Record<string, unknown>;

/** What an answer the hub writes itself looks like: an error, under the message's id or null. */
const errorLine = (id: Id | null, code: number, message: string): Json => ({
  jsonrpc: '2.0',
  id,
  error: { code, message },
});

/**
 * The share host's side of `--on-conflict share`: every relay attached over the control endpoint,
 * multiplexed (mux.ts) onto one stream toward the stdio transport, which sees one
 * client. The transport reads `toServer` and writes `fromServer`; the stream to the server ends
 * (and the guard stops its server) when the last client left and the linger time passed.
 *
 * No client can take the others down: its lines are bounded (MAX_MESSAGE_BYTES) and read and
 * written at any nesting (stdio/safeJson.ts); a message deeper than MAX_NESTING, a batch, or
 * anything that is not a JSON-RPC message is answered to that client alone and never reaches the
 * server; and should relaying one message fail, only its sender hears of it.
 */
export class ShareHub {
  /** What the transport reads as its client's input. */
  readonly toServer = new PassThrough();
  /** Where the transport writes what the server (or the guard) says to its client. */
  readonly fromServer: Writable;
  private readonly mux: ShareMux;
  private readonly connections = new Map<number, HubConnection>();
  private linger: NodeJS.Timeout | undefined;
  /** Holds on the server besides attached clients (hold()). */
  private holds = 0;
  private ended = false;
  /** The transport is not taking what goes to the server: clients are not read until it drains. */
  private serverFull = false;
  /** Kinds of refusal and failure already logged (each said once, so a client repeating one cannot flood the log). */
  private readonly logged: SaidOnce;

  constructor(private readonly options: ShareHubOptions) {
    this.logged = new SaidOnce((line) => options.log(line));
    this.mux = new ShareMux({
      toServer: (message) => this.sendToServer(message),
      toClient: (client, message) => this.sendToClient(client, message),
      log: options.log,
      changed: () => this.options.onClients?.(this.clients()),
    });
    const splitter = new LineSplitter();
    this.fromServer = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of splitter.push(chunk)) this.serverLine(line);
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
        who: `pid ${request.pid}`,
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
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        close: () => socket.destroy(),
      },
      rest,
    );
  }

  /**
   * A client that hands over whole messages (a session of the HTTP front, share/httpFront.ts): its
   * id, for clientValue and leave. Undefined once the hub is ending (the front answers 503).
   */
  addClient(connection: HubConnection): number | undefined {
    if (this.ended) return undefined;
    if (this.linger) clearTimeout(this.linger);
    this.linger = undefined;
    const id = this.mux.addClient();
    this.connections.set(id, connection);
    this.options.onClients?.(this.clients());
    if (this.serverFull) connection.pause();
    return id;
  }

  /** A client left (its relay closed, its HTTP session ended): its requests are cancelled, the last one starts the linger. */
  leave(id: number): void {
    if (!this.connections.delete(id)) return;
    this.mux.removeClient(id);
    this.options.onClients?.(this.clients());
    if (this.connections.size === 0 && this.holds === 0) this.lastLeft();
  }

  /**
   * Keeps the server with no client attached, until the returned release is called: the HTTP
   * front's 2026-07-28 clients, who have no session to stay attached by, hold it while seen lately.
   */
  hold(): () => void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = undefined;
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.connections.size === 0 && this.holds === 0 && !this.ended) this.lastLeft();
    };
  }

  /** The clients' names or processes changed (the front found a session's peer): the lock record lists them anew. */
  clientsChanged(): void {
    this.options.onClients?.(this.clients());
  }

  private join(input: Readable, connection: HubConnection, rest: string): void {
    const id = this.addClient(connection);
    if (id === undefined) return void input.destroy();
    const splitter = new LineSplitter({ maxLineBytes: MAX_MESSAGE_BYTES });
    const take = (chunk: Buffer) => {
      for (const line of splitter.pushParts(chunk)) this.clientLine(id, line);
    };
    if (rest) take(Buffer.from(rest));
    input.on('data', (chunk: Buffer | string) => take(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    const leave = () => this.leave(id);
    input.on('end', leave);
    input.on('close', leave);
    input.on('error', leave);
    if (!this.serverFull) input.resume();
  }

  // ---- a client's lines ----

  /**
   * One line of a client. Whatever it holds, and whatever relaying it does, only this client hears
   * of it: the share host, its server and the other clients go on.
   */
  private clientLine(client: number, line: LineParts): void {
    try {
      if (line.overlong) return this.overlong(client, line.length, line.overlong);
      const bytes = joinLine(line);
      if (isBlank(bytes)) return;
      const parsed = parseLine(bytes);
      if (!parsed.ok)
        return this.refuse(client, null, JsonRpcErrorCode.ParseError, `Parse error: the line is ${parsed.reason}`);
      this.clientValue(client, parsed.value);
    } catch (err) {
      this.failedOnce('client', `could not relay a client's message (${errorText(err)})`);
    }
  }

  /**
   * One message of a client, parsed (read from a relay's line, or the body of an HTTP front's
   * request, at most MAX_MESSAGE_BYTES): checked as a line is, then multiplexed.
   */
  clientValue(client: number, value: unknown): void {
    try {
      if (Array.isArray(value)) return this.batch(client, value);
      if (nestedDeeperThan(value, MAX_NESTING)) return this.tooDeep(client, value);
      const c = classifyValue(value);
      if (c.kind === 'other') return this.invalid(client, value, c.reason);
      this.mux.fromClient(client, value as Message);
    } catch (err) {
      this.failedOnce('client', `could not relay a client's message (${errorText(err)})`);
      if (isObject(value) && typeof value.method === 'string' && isId(value.id))
        this.sendToClient(
          client,
          fail(
            value.id,
            JsonRpcErrorCode.InternalError,
            `the share host could not relay this request (${errorText(err)})`,
          ),
        );
    }
  }

  /** An error the hub answers a client's line with, under the line's id or null (JSON-RPC 2.0). */
  private refuse(client: number, id: Id | null, code: number, message: string): void {
    const answer = errorLine(id, code, message);
    this.connections.get(client)?.write(serializeMessage(answer), answer);
  }

  /**
   * A line past MAX_MESSAGE_BYTES, of which only its ends were kept: a request is refused under its
   * id (read from its start or end, where every SDK writes it); a client's answer to the server is
   * passed on as an error in its place, so the server does not wait for it; anything else (a
   * notification too, which cannot be told from a request whose id is not at either end) gets an
   * error under id null.
   */
  private overlong(client: number, length: number, ends: { head: Buffer; tail: Buffer }): void {
    const { kind, id } = overlongShape(ends.head, ends.tail);
    const why = `the message is ${length} bytes, longer than ${MAX_MESSAGE_BYTES} bytes, the most a shared server takes from a client; nothing of it reached the server`;
    this.options.log(`a client (${this.who(client)}) sent a line of ${length} bytes: not read`);
    if (kind === 'answer' && id !== undefined)
      return this.mux.fromClient(
        client,
        fail(id, JsonRpcErrorCode.InvalidRequest, `the client's answer was not relayed: ${why}`),
      );
    this.refuse(
      client,
      kind === 'request' ? (id ?? null) : null,
      JsonRpcErrorCode.InvalidRequest,
      `Invalid Request: ${why}`,
    );
  }

  /** A message nested deeper than MAX_NESTING: the same as an over-long one, read whole. */
  private tooDeep(client: number, value: unknown): void {
    this.logOnce(
      `deep-${client}`,
      `a client (${this.who(client)}) sent a message nested deeper than ${MAX_NESTING} levels: not relayed (said once per client)`,
    );
    this.notRelayed(
      client,
      value,
      `the message is nested deeper than ${MAX_NESTING} levels, the most a shared server takes from a client; nothing of it reached the server`,
    );
  }

  /** JSON that is not a JSON-RPC message MCP sends. */
  private invalid(client: number, value: unknown, reason: string): void {
    this.logOnce(
      `invalid-${client}`,
      `dropped a client line (${this.who(client)}) that is not JSON-RPC (${reason}; said once per client)`,
    );
    this.notRelayed(client, value, reason);
  }

  /**
   * A client's message that does not go on, and why: a request is refused under its id; a client's
   * answer to the server goes on as an error in its place (the server does not wait for it); a
   * notification is dropped; anything else is refused under its id if it has one, else null.
   */
  private notRelayed(client: number, value: unknown, why: string): void {
    const id = isObject(value) && isId(value.id) ? value.id : undefined;
    if (isObject(value) && typeof value.method === 'string' && value.id === undefined) return;
    if (isObject(value) && value.method === undefined && ('result' in value || 'error' in value)) {
      if (id !== undefined)
        this.mux.fromClient(
          client,
          fail(id, JsonRpcErrorCode.InvalidRequest, `the client's answer was not relayed: ${why}`),
        );
      return;
    }
    this.refuse(client, id ?? null, JsonRpcErrorCode.InvalidRequest, `Invalid Request: ${why}`);
  }

  /**
   * A JSON-RPC batch. MCP removed batching in 2025-06-18 and the servers of its SDKs read none, so
   * a batch is refused as a whole: each request in it gets an error naming why (one array, as
   * JSON-RPC 2.0 answers a batch), an element that is no message an error under id null, its
   * notifications and answers nothing; an empty batch gets one error. Nothing reaches the server.
   */
  private batch(client: number, items: unknown[]): void {
    this.logOnce(`batch-${client}`, `refused a JSON-RPC batch (${this.who(client)}) (said once per client)`);
    if (items.length === 0)
      return this.refuse(client, null, JsonRpcErrorCode.InvalidRequest, 'Invalid Request: an empty JSON-RPC batch');
    const answers: Json[] = [];
    for (const item of items) {
      if (isObject(item) && typeof item.method === 'string' && item.id === undefined) continue;
      if (isObject(item) && typeof item.method !== 'string' && ('result' in item || 'error' in item)) continue;
      answers.push(
        errorLine(isObject(item) && isId(item.id) ? item.id : null, JsonRpcErrorCode.InvalidRequest, BATCH_REFUSED),
      );
    }
    if (answers.length > 0) this.connections.get(client)?.write(serializeMessage(answers as unknown as Json), answers);
  }

  // ---- what goes out ----

  private sendToServer(message: Message): void {
    if (this.ended) return;
    let line: string;
    try {
      line = serializeMessage(message as Json);
    } catch (err) {
      // What a client sent is bounded, so this should never be; if it is, its client (only) hears of it.
      this.failedOnce('to-server', `could not relay a message to the server (${errorText(err)})`);
      const why = `the share host could not relay this request (${errorText(err)})`;
      if (message.method !== undefined && message.id !== undefined)
        this.mux.failForwarded(message.id, JsonRpcErrorCode.InternalError, why);
      else if (message.id !== undefined)
        this.sendToServer(fail(message.id, JsonRpcErrorCode.InternalError, "the client's answer could not be relayed"));
      return;
    }
    if (this.toServer.write(line) || this.serverFull) return;
    // The server does not keep up: no client is read until it took what it was sent.
    this.serverFull = true;
    for (const c of this.connections.values()) c.pause();
    this.toServer.once('drain', () => {
      this.serverFull = false;
      for (const c of this.connections.values()) c.resume();
    });
  }

  private sendToClient(client: number, message: Message): void {
    const connection = this.connections.get(client);
    if (!connection) return;
    let line: string;
    let sent: Message = message;
    try {
      line = serializeMessage(message as Json);
    } catch (err) {
      this.failedOnce('to-client', `could not relay a message to a client (${errorText(err)})`);
      // An answer that cannot be written is answered with an error, so its client does not wait for it.
      if (message.method !== undefined || message.id === undefined) return;
      sent = fail(
        message.id,
        JsonRpcErrorCode.InternalError,
        `the share host could not relay the answer (${errorText(err)})`,
      );
      line = serializeMessage(sent as Json);
    }
    connection.write(line, sent);
  }

  // ---- the server's lines ----

  private serverLine(line: Buffer): void {
    if (isBlank(line)) return;
    const parsed = parseLine(line);
    const value = parsed.ok ? parsed.value : undefined;
    if (!isObject(value) || (value.id !== undefined && !isId(value.id))) {
      this.logOnce('server-not-json-rpc', 'dropped a line of the shared server that is not JSON-RPC (said once)');
      return;
    }
    try {
      this.mux.fromServer(value as Message);
    } catch (err) {
      this.failedOnce('server', `could not relay a message of the server (${errorText(err)})`);
      // The server's answer to a client's request that could not be relayed: that client gets an error instead.
      if (typeof value.method !== 'string' && isId(value.id))
        this.mux.failForwarded(
          value.id,
          JsonRpcErrorCode.InternalError,
          `the share host could not relay the answer (${errorText(err)})`,
        );
    }
  }

  private who(client: number): string {
    return this.connections.get(client)?.who ?? 'gone';
  }

  private logOnce(kind: string, message: string): void {
    this.logged.say(kind, message);
  }

  private failedOnce(kind: string, message: string): void {
    this.logOnce(`failed-${kind}`, `${message} (said once)`);
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

  /**
   * The clients the server serves now, oldest first, as the lock record lists them: the
   * MAX_LISTED_CLIENTS that joined last at most (the record has a size limit; an HTTP guard's lists as many).
   */
  clients(): AttachedClient[] {
    const names = new Map(this.mux.list().map((c) => [c.id, c.name]));
    return [...this.connections].slice(-MAX_LISTED_CLIENTS).map(([id, c]) => ({
      ...(c.pid !== undefined ? { pid: c.pid } : {}),
      ...(c.startTime !== undefined ? { startTime: c.startTime } : {}),
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

/** Whether a line is empty but for whitespace (a bare CR of a CRLF client, say). */
function isBlank(line: Buffer): boolean {
  for (const b of line) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

const HEAD_SHAPE =
  /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?(?:"id"\s*:\s*(-?\d+|"[^"\\]*")\s*,\s*)?(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"(method|result|error)"\s*:/;

/**
 * What an over-long line was, from its first and last bytes: every SDK writes a message's
 * `jsonrpc`, `id` and `method` (or `result`, `error`) first, or its `id` last.
 */
export function overlongShape(head: Buffer, tail: Buffer): { kind: 'request' | 'answer' | 'unknown'; id?: Id } {
  const m = HEAD_SHAPE.exec(head.toString('utf8'));
  if (!m) return { kind: 'unknown' };
  const idText = m[1];
  const id: Id | undefined =
    idText !== undefined ? (idText.startsWith('"') ? idText.slice(1, -1) : Number(idText)) : trailingResponseId(tail);
  if (m[2] !== 'method') return id === undefined ? { kind: 'unknown' } : { kind: 'answer', id };
  // A method with no id at either end: a notification, or a request whose id is in the middle.
  return id !== undefined ? { kind: 'request', id } : { kind: 'unknown' };
}
