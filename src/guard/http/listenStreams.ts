import * as http from 'node:http';
import type { UpstreamAddress } from './exchange';
import { delay, REQUEST_DROPPED, RESPONSE_DROPPED } from './headers';
import {
  changedNotices,
  honoredOf,
  HonoredNotifications,
  messageOfEvent,
  SseEventSplitter,
  sseEvent,
  subscriptionIdOf,
} from './modernRequests';
import type { Exchange } from './upstreamRequest';

const ACKNOWLEDGED = 'notifications/subscriptions/acknowledged';

export interface ListenStreamsOptions {
  /** Where the upstream answers; waits while it (re)starts, throws when it will not. */
  ready(timeoutMs: number): Promise<UpstreamAddress>;
  agent: http.Agent;
  readyTimeoutMs: number;
  upstreamTimeoutMs: number;
  /** Listens open (or being opened) at once, and per peer: see reserve. */
  max: number;
  maxPerPeer: number;
  log(line: string): void;
}

/** One modern `subscriptions/listen` whose client response stays open across upstream restarts. */
interface OpenListen {
  readonly id: unknown;
  readonly path: string;
  readonly body: Buffer;
  /** The client's request headers as forwarded (its `mcp-*` headers included), sent again on a re-open. */
  readonly headers: http.OutgoingHttpHeaders;
  readonly res: http.ServerResponse;
  honored: HonoredNotifications;
  upReq?: http.ClientRequest;
  closed: boolean;
  /** Let go of on a server the guard is stopping: re-opened once the next one serves (resume). */
  held: boolean;
}

/**
 * The open modern listen streams (MCP 2026-07-28 `subscriptions/listen` POSTs answered with an
 * event stream). They are not requests in flight: a listen stays open for as long as the client
 * wants its notifications, so counting it would hold a restart or an idle stop for ever. When the
 * upstream stream breaks (the server was restarted or crashed) the client's response stays open;
 * the same request (same body, same JSON-RPC id, same headers) is sent to the new server, its
 * acknowledgement is dropped (the client already has one) and one tagged notice per list the
 * server honors is written, since what it lists may have changed while it was down. When the
 * listen cannot be re-opened, the client's response ends cleanly so its SDK sees the stream close.
 */
export class ListenStreams {
  private readonly open = new Set<OpenListen>();
  /** Slots taken (listens open or being opened), in all and by peer. */
  private taken = 0;
  private readonly byPeer = new Map<string, number>();

  constructor(private readonly options: ListenStreamsOptions) {}

  get size(): number {
    return this.open.size;
  }

  /**
   * A slot for a new listen of `peer` (its remote address), taken before the listen goes upstream
   * and released by the call returned, once its answer is over; or why there is none. Fair by
   * refusal, never by eviction: a listen is a client waiting for notifications, and ending one to
   * make room would let any local process cut off the clients that work (a modern request has no
   * session whose use could tell them apart). So a flood gets 503 for its own new listens, at most
   * `maxPerPeer` per peer and `max` in all, and every open stream stays open.
   */
  reserve(peer: string): { ok: true; release: () => void } | { ok: false; reason: string } {
    if (this.taken >= this.options.max)
      return { ok: false, reason: `${this.taken} subscription streams are open, the most the front holds` };
    const held = this.byPeer.get(peer) ?? 0;
    if (held >= this.options.maxPerPeer)
      return { ok: false, reason: `${held} subscription streams of ${peer} are open, the most one peer may hold` };
    this.taken++;
    this.byPeer.set(peer, held + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.taken--;
        const left = (this.byPeer.get(peer) ?? 1) - 1;
        if (left > 0) this.byPeer.set(peer, left);
        else this.byPeer.delete(peer);
      },
    };
  }

  /** Takes over a listen whose upstream answered 2xx with an event stream. Resolves when the client's response closes. */
  adopt(ex: Exchange, upRes: http.IncomingMessage, upReq: http.ClientRequest): Promise<void> {
    const { res, req } = ex;
    const over = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || REQUEST_DROPPED.has(name) || name === 'last-event-id') continue;
      headers[name] = value;
    }
    const listen: OpenListen = {
      id: (ex.message as { id?: unknown }).id,
      path: req.url ?? '/',
      body: ex.body ?? Buffer.alloc(0),
      headers,
      res,
      honored: {},
      upReq,
      closed: false,
      held: false,
    };
    const out: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(upRes.headers))
      if (value !== undefined && !RESPONSE_DROPPED.has(name) && name !== 'content-length') out[name] = value;
    res.writeHead(upRes.statusCode ?? 200, out);
    res.flushHeaders();
    this.open.add(listen);
    res.once('close', () => {
      listen.closed = true;
      listen.upReq?.destroy();
      this.open.delete(listen);
    });
    this.pipe(listen, upRes, false);
    return over;
  }

  /**
   * The guard is about to stop the server: each open listen lets go of it now (a server that waits
   * for open responses before it exits, as uvicorn does, would otherwise hold the stop until the
   * kill) and waits, its client stream open, for `resume` on the next server.
   */
  suspend(): void {
    for (const listen of this.open) {
      listen.held = true;
      listen.upReq?.destroy();
    }
  }

  /** The next server serves: the listens let go of by `suspend` are re-opened on it. */
  resume(): void {
    for (const listen of this.open) {
      if (!listen.held) continue;
      listen.held = false;
      void this.reopen(listen);
    }
  }

  /** No next server (the guard gave up): the held listens end cleanly, so their clients may listen again. */
  endHeld(reason: string): void {
    for (const listen of this.open) if (listen.held) this.giveUp(listen, reason);
  }

  private end(listen: OpenListen): void {
    listen.closed = true;
    listen.upReq?.destroy();
    if (!listen.res.writableEnded) listen.res.end();
  }

  /** Relays events from `upRes` to the client; a re-opened stream's acknowledgement is replaced by the notices. */
  private pipe(listen: OpenListen, upRes: http.IncomingMessage, reopened: boolean): void {
    const splitter = new SseEventSplitter();
    let answered = false;
    let acked = false;
    upRes.on('data', (chunk: Buffer) => {
      if (listen.closed) return;
      for (const event of splitter.push(chunk)) {
        const message = messageOfEvent(event) as
          { method?: unknown; id?: unknown; result?: unknown; error?: unknown } | undefined;
        if (!acked && message?.method === ACKNOWLEDGED && subscriptionIdOf(message) === listen.id) {
          acked = true;
          listen.honored = honoredOf(message);
          if (reopened) {
            for (const notice of changedNotices(listen.honored, listen.id)) listen.res.write(sseEvent(notice));
            continue;
          }
        }
        if (message && message.id === listen.id && (message.result !== undefined || message.error !== undefined))
          answered = true;
        if (!listen.res.write(event)) {
          upRes.pause();
          listen.res.once('drain', () => upRes.resume());
        }
      }
      // The server ended the listen with its answer: the client's stream ends with it.
      if (answered) this.end(listen);
    });
    upRes.on('error', () => undefined);
    upRes.on('close', () => {
      if (listen.closed || answered || listen.held) return;
      // The stream broke without the listen's answer: the server went away. The client keeps its
      // stream while the listen is re-opened on the server that replaces it.
      this.options.log(
        `listen ${JSON.stringify(listen.id)}: the upstream stream ended; re-opening it on the next server`,
      );
      void this.reopen(listen);
    });
  }

  private async reopen(listen: OpenListen): Promise<void> {
    let deadline = Date.now() + this.options.readyTimeoutMs;
    for (;;) {
      if (listen.closed) return;
      const left = deadline - Date.now();
      if (left <= 0) return this.giveUp(listen, `no server answered within ${this.options.readyTimeoutMs} ms`);
      let target: UpstreamAddress;
      try {
        target = await this.options.ready(left);
      } catch (err) {
        return this.giveUp(listen, (err as Error).message);
      }
      // A server stopped for idleness (`--idle-stop`) is waited for until a client starts it again:
      // that wait is not the start's, which gets its own time from here.
      if (Date.now() > deadline) deadline = Date.now() + this.options.readyTimeoutMs;
      if (listen.closed) return;
      const outcome = await this.post(listen, target);
      if (outcome.kind === 'retry') {
        // The old server is not yet known to be gone, or the new one is still binding.
        await delay(100);
        continue;
      }
      if (outcome.kind === 'failed') return this.giveUp(listen, outcome.reason);
      listen.upReq = outcome.upReq;
      this.options.log(`listen ${JSON.stringify(listen.id)} re-opened on the restarted server`);
      this.pipe(listen, outcome.res, true);
      return;
    }
  }

  private giveUp(listen: OpenListen, reason: string): void {
    this.options.log(`listen ${JSON.stringify(listen.id)} could not be re-opened (${reason}): its stream ends`);
    this.end(listen);
  }

  private post(
    listen: OpenListen,
    target: UpstreamAddress,
  ): Promise<
    | { kind: 'ok'; res: http.IncomingMessage; upReq: http.ClientRequest }
    | { kind: 'retry' }
    | { kind: 'failed'; reason: string }
  > {
    return new Promise((resolve) => {
      const headers = {
        ...listen.headers,
        host: `${target.host}:${target.port}`,
        'content-length': listen.body.length,
      };
      const upReq = http.request({
        host: target.host,
        port: target.port,
        method: 'POST',
        path: listen.path,
        headers,
        agent: this.options.agent,
      });
      listen.upReq = upReq;
      const timer = setTimeout(() => {
        upReq.destroy();
        resolve({ kind: 'failed', reason: `no answer within ${this.options.upstreamTimeoutMs} ms` });
      }, this.options.upstreamTimeoutMs);
      upReq.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve(
          err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET'
            ? { kind: 'retry' }
            : { kind: 'failed', reason: err.code ?? err.message },
        );
      });
      upReq.on('response', (res) => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300 && String(res.headers['content-type'] ?? '').includes('text/event-stream'))
          resolve({ kind: 'ok', res, upReq });
        else {
          res.resume();
          resolve({ kind: 'failed', reason: `the server answered ${status}` });
        }
      });
      upReq.end(listen.body);
    });
  }
}
