import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import type { EventEpochs } from './eventEpochs';
import type { EventStreams } from './eventStreams';
import type { UpstreamAddress } from './exchange';
import type { FrontOptions } from './frontOptions';
import { mentionsSession, BufferedResponse } from './bodies';
import { delay, methodOf, pathOnly, replayHeaders, RESPONSE_DROPPED, sendBuffered } from './headers';
import { requestIdOf, sendJsonRpcError } from './jsonrpcError';
import type { ListenStreams } from './listenStreams';
import { sseEvent } from './modernRequests';
import { firstHeader } from './reinitialize';
import { TAPPED_METHODS, tapResult } from './resultTap';
import type { SessionRecovery } from './sessionRecovery';
import { JsonToolResult, SseToolResult } from './toolResultBody';
import { Exchange, sendUpstream } from './upstreamRequest';
import { initializeClientName } from './httpClients';
import { SaidOnce } from '../saidOnce';
import { GuardErrorCode } from '../wireErrors';

/** What the front shares with the forwarding of its requests. */
export interface ForwardParts {
  agent: http.Agent;
  recovery: SessionRecovery;
  eventEpochs: EventEpochs;
  streams: EventStreams;
  listens: ListenStreams;
}

/**
 * One client request of the HTTP front on to the upstream server, and its answer back: a session the
 * server no longer knows rebuilt first (sessionRecovery.ts), the answer's headers rewritten to the
 * client's session id, its body streamed with backpressure (annotated under `--when-stale annotate`,
 * tapped for what the host learns), a GET event stream bounded and scanned for its event ids.
 */
export class Forwarder {
  private readonly agent: http.Agent;
  private readonly recovery: SessionRecovery;
  private readonly eventEpochs: EventEpochs;
  private readonly streams: EventStreams;
  private readonly listens: ListenStreams;
  /** A failure to annotate a result is logged once per front. */
  private readonly said: SaidOnce;

  constructor(
    private readonly options: FrontOptions,
    parts: ForwardParts,
  ) {
    this.agent = parts.agent;
    this.recovery = parts.recovery;
    this.eventEpochs = parts.eventEpochs;
    this.streams = parts.streams;
    this.listens = parts.listens;
    this.said = new SaidOnce((line) => options.log(line));
  }

  async forward(ex: Exchange): Promise<void> {
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
      if (
        !(await this.recovery.recover(
          ex.sid,
          ex.session,
          failed,
          target,
          pathOnly(req.url),
          replayHeaders(req.headers),
        ))
      ) {
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
        ? this.recovery.takeOwed(clientSid)
        : undefined;
    if (owed)
      for (const kind of owed) res.write(sseEvent({ jsonrpc: '2.0', method: `notifications/${kind}/list_changed` }));
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
    this.recovery.forget(sid);
  }
}
