import type * as http from 'node:http';

/** Hop-by-hop headers (RFC 9110 7.6.1) and the ones the front sets itself. */
export const REQUEST_DROPPED = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'upgrade',
  'trailer',
]);
export const RESPONSE_DROPPED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'trailer',
  'upgrade',
]);

/** Sends an upstream answer that was read whole, under the client's session id. */
export function sendBuffered(
  res: http.ServerResponse,
  upRes: http.IncomingMessage,
  sid: string | undefined,
  body: Buffer,
): void {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upRes.headers)) {
    if (value === undefined || RESPONSE_DROPPED.has(name) || name === 'content-length') continue;
    headers[name] = value;
  }
  if (sid !== undefined && headers['mcp-session-id'] !== undefined) headers['mcp-session-id'] = sid;
  headers['content-length'] = body.length;
  res.writeHead(upRes.statusCode ?? 502, headers);
  res.end(body);
}

/**
 * Headers of the client's request that also go on its replayed handshake: all but the per-request
 * ones. `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*` (MCP 2026-07-28) describe the request that
 * triggered the replay (`tools/call`, say): on a replayed `initialize` they would contradict its
 * body, which a server that checks them refuses.
 */
const NOT_REPLAYED = new Set([
  ...REQUEST_DROPPED,
  'mcp-session-id',
  'last-event-id',
  'accept',
  'content-type',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
]);

export function replayHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !NOT_REPLAYED.has(name) && !name.startsWith('mcp-param-')) out[name] = value;
  }
  return out;
}

export function methodOf(message: unknown): string | undefined {
  if (message && typeof message === 'object' && !Array.isArray(message)) {
    const method = (message as { method?: unknown }).method;
    if (typeof method === 'string') return method;
  }
  return undefined;
}

export function pathOnly(url: string | undefined): string {
  return (url ?? '/').split('?')[0];
}

export function shortId(sid: string): string {
  return sid.slice(0, 8);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
