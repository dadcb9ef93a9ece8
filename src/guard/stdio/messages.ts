import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import { isJsonRpcMessage } from './jsonrpc';
import { stringifyJson } from './safeJson';

/** One line of the stream, classified. `other` covers unparseable lines, relayed untouched. */
export type Classified =
  | {
      kind: 'request';
      id: RequestId;
      method: string;
      message: JSONRPCMessage & { id: RequestId; method: string; params?: Record<string, unknown> };
    }
  | { kind: 'notification'; method: string; message: JSONRPCMessage }
  | {
      kind: 'response';
      id: RequestId;
      message: JSONRPCMessage & { id: RequestId; result?: Record<string, unknown>; error?: unknown };
    }
  | { kind: 'other'; reason: string };

/**
 * One line (bytes without the newline) as JSON: the one reader of the relay path. V8's JSON.parse
 * is iterative, so no nesting a peer sends overflows it (safeJson.ts).
 */
export function parseLine(line: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(line.toString('utf8')) as unknown };
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
}

/** Classifies one line (bytes without the newline) by the JSON-RPC 2.0 shapes MCP uses (jsonrpc.ts). */
export function classify(line: Buffer): Classified {
  const parsed = parseLine(line);
  return parsed.ok ? classifyValue(parsed.value) : { kind: 'other', reason: parsed.reason };
}

/** Classifies a parsed line by the JSON-RPC 2.0 shapes MCP uses (jsonrpc.ts). */
export function classifyValue(value: unknown): Classified {
  if (!isJsonRpcMessage(value)) return { kind: 'other', reason: 'not a JSON-RPC 2.0 message' };
  const message = value as JSONRPCMessage & { id?: RequestId; method?: string };
  if (typeof message.method === 'string') {
    return message.id !== undefined
      ? { kind: 'request', id: message.id, method: message.method, message: message as never }
      : { kind: 'notification', method: message.method, message };
  }
  if (message.id !== undefined) return { kind: 'response', id: message.id, message: message as never };
  return { kind: 'other', reason: 'a response without an id' };
}

/** Server lines at least this long are tracked by their id alone when it can be read off the end. */
export const LARGE_LINE_BYTES = 256 * 1024;

/** How much of a line's end trailingResponseId looks at. */
export const TAIL_BYTES = 512;

const TRAILING_ID = /[,{]\s*"id"\s*:\s*(-?\d+|"[^"\\]*")\s*\}\s*$/;

/**
 * The id of a response whose top-level `"id"` is its last member, read from the line's last bytes:
 * in valid JSON a `"id": value` right before the final `}` can only be a top-level member. Lets the
 * guard track a multi-MiB tool result without parsing it (the client parses it anyway; the guard
 * relays its bytes). Returns undefined when the tail does not have that shape.
 */
export function trailingResponseId(lineEnd: Buffer): RequestId | undefined {
  const tail = lineEnd.subarray(Math.max(0, lineEnd.length - TAIL_BYTES)).toString('utf8');
  const m = TRAILING_ID.exec(tail);
  if (!m) return undefined;
  return m[1].startsWith('"') ? m[1].slice(1, -1) : Number(m[1]);
}

/** A map key for a JSON-RPC id: 1 and "1" are different ids. */
export function idKey(id: RequestId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

export function errorResponse(id: RequestId, code: number, message: string): string {
  return serializeMessage({ jsonrpc: '2.0', id, error: { code, message } });
}

export function notification(method: string): string {
  return serializeMessage({ jsonrpc: '2.0', method });
}

/** One message as a line of the stdio transport: JSON (at any nesting, safeJson.ts), then a newline. */
export function serializeMessage(message: JSONRPCMessage | Record<string, unknown>): string {
  return `${stringifyJson(message)}\n`;
}

/** The `_meta` keys of the modern protocol era (MCP 2026-07-28 and later). */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

function metaOf(params: unknown): Record<string, unknown> | undefined {
  const meta = (params as { _meta?: unknown } | undefined)?._meta;
  return meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>) : undefined;
}

/** The protocol version a modern request states in its `_meta` envelope, if any. */
export function envelopeVersion(params: unknown): string | undefined {
  const v = metaOf(params)?.[META.protocolVersion];
  return typeof v === 'string' ? v : undefined;
}

/** The subscription a modern notification belongs to (`_meta` subscriptionId), if any. */
export function subscriptionIdOf(params: unknown): RequestId | undefined {
  const v = metaOf(params)?.[META.subscriptionId];
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

/** The `{name, version}` a modern result states in `_meta["io.modelcontextprotocol/serverInfo"]`. */
export function serverInfoOfResult(result: unknown): { name: string; version: string } | undefined {
  return nameAndVersion(metaOf(result)?.[META.serverInfo]);
}

/** `{name, version}` when `value` has both as strings. */
export function nameAndVersion(value: unknown): { name: string; version: string } | undefined {
  const v = value as { name?: unknown; version?: unknown } | undefined;
  return v && typeof v.name === 'string' && typeof v.version === 'string'
    ? { name: v.name, version: v.version }
    : undefined;
}

/** A notification tagged with the subscription it belongs to, as a modern client correlates them. */
export function taggedNotification(
  method: string,
  subscriptionId: RequestId,
  params: Record<string, unknown> = {},
): string {
  return serializeMessage({
    jsonrpc: '2.0',
    method,
    params: { ...params, _meta: { [META.subscriptionId]: subscriptionId } },
  } as JSONRPCMessage);
}

/**
 * What a server said about itself in the answer to `method`: a modern result's `_meta` serverInfo
 * (from any result, `server/discover`'s included), or a legacy `initialize` answer's `serverInfo`.
 */
export function serverInfoFrom(
  method: string,
  result: Record<string, unknown>,
):
  | { name: string; version: string; era: 'modern' | 'legacy'; how: 'result _meta' | 'server/discover' | 'initialize' }
  | undefined {
  const modern = serverInfoOfResult(result);
  if (modern)
    return { ...modern, era: 'modern', how: method === 'server/discover' ? 'server/discover' : 'result _meta' };
  const legacy = method === 'initialize' ? nameAndVersion(result.serverInfo) : undefined;
  return legacy && { ...legacy, era: 'legacy', how: 'initialize' };
}
