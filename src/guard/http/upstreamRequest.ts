import * as http from 'node:http';
import type { FrontSession } from '../../core/http/sessionStore';
import type { UpstreamAddress } from './exchange';
import { REQUEST_DROPPED } from './headers';

/** One client request on its way through the front. */
export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  /** The client-facing session id and its session, when the request carries one we know. */
  sid?: string;
  session?: FrontSession;
  body?: Buffer;
  message?: unknown;
  isInitialize: boolean;
  /** A modern (MCP 2026-07-28) request: it has no session (modernRequests.ts). */
  modern?: boolean;
  /** Set once the request was retried on a rebuilt session: it is never retried twice. */
  retried: boolean;
  /** Set once the request was retried after the upstream refused the connection (it was not delivered). */
  reconnected: boolean;
  stripLastEventId: boolean;
}

export type UpstreamOutcome =
  | { kind: 'response'; res: http.IncomingMessage; upReq: http.ClientRequest }
  | { kind: 'error'; err: NodeJS.ErrnoException; reusedSocket: boolean }
  | { kind: 'timeout' }
  | { kind: 'client-gone' };

/** Sends the request upstream and waits for the answer's headers. */
export function sendUpstream(
  ex: Exchange,
  target: UpstreamAddress,
  agent: http.Agent,
  timeoutMs: number,
): Promise<UpstreamOutcome> {
  const { req, res } = ex;
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || REQUEST_DROPPED.has(name)) continue;
    if (name === 'last-event-id' && ex.stripLastEventId) continue;
    headers[name] = value;
  }
  headers.host = `${target.host}:${target.port}`;
  if (ex.session) {
    if (ex.session.upstream !== undefined) headers['mcp-session-id'] = ex.session.upstream;
    else delete headers['mcp-session-id'];
  }
  if (ex.body) headers['content-length'] = ex.body.length;
  return new Promise<UpstreamOutcome>((resolve) => {
    let settled = false;
    const settle = (o: UpstreamOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      res.off('close', onClientClose);
      resolve(o);
    };
    const upReq = http.request({
      host: target.host,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
      agent,
    });
    const timer = setTimeout(() => {
      settle({ kind: 'timeout' });
      upReq.destroy();
    }, timeoutMs);
    // A client that goes away cancels the upstream request (the server sees the connection close).
    const onClientClose = (): void => {
      if (res.writableFinished) return;
      upReq.destroy();
      settle({ kind: 'client-gone' });
    };
    res.on('close', onClientClose);
    upReq.on('error', (err: NodeJS.ErrnoException) => settle({ kind: 'error', err, reusedSocket: upReq.reusedSocket }));
    upReq.on('response', (upRes) => settle({ kind: 'response', res: upRes, upReq }));
    upReq.end(ex.body);
  });
}
