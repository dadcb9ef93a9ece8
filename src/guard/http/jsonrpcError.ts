import type { ServerResponse } from 'node:http';

/**
 * Answers with a JSON-RPC error body, as MCP servers do for transport-level failures, so an SDK
 * client shows the message instead of a bare status. Nothing of the request is echoed back.
 */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  id: string | number | null = null,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) {
    // The answer already started (a stream): all that is left is to end it.
    res.end();
    return;
  }
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

/** The id of a single JSON-RPC request, for error answers that should match it. */
export function requestIdOf(message: unknown): string | number | null {
  if (message && typeof message === 'object' && !Array.isArray(message)) {
    const id = (message as { id?: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return id;
  }
  return null;
}
