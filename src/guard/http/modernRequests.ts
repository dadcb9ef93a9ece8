import type * as http from 'node:http';
import { firstHeader } from './reinitialize';

/** The request `_meta` key a modern (MCP 2026-07-28) client states its protocol version under. */
export const PROTOCOL_VERSION_META = 'io.modelcontextprotocol/protocolVersion';
/** The `_meta` key a listen's notifications carry the listen's JSON-RPC id under. */
export const SUBSCRIPTION_ID_META = 'io.modelcontextprotocol/subscriptionId';
/** The first protocol version without sessions: requests stating it (or a later one) are modern. */
export const FIRST_MODERN_VERSION = '2026-07-28';

function metaOf(message: unknown): Record<string, unknown> | undefined {
  if (!message || typeof message !== 'object' || Array.isArray(message)) return undefined;
  const params = (message as { params?: unknown }).params;
  if (!params || typeof params !== 'object') return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  return meta && typeof meta === 'object' ? (meta as Record<string, unknown>) : undefined;
}

/**
 * Whether a request belongs to the modern era, which has no sessions: its body states the protocol
 * version in `_meta`, or its `mcp-protocol-version` header names a modern version and it carries no
 * session id. Such requests never create, touch or rebuild a front session.
 */
export function isModernRequest(message: unknown, headers: http.IncomingHttpHeaders): boolean {
  if (typeof metaOf(message)?.[PROTOCOL_VERSION_META] === 'string') return true;
  const version = firstHeader(headers['mcp-protocol-version']);
  // Versions are dates (YYYY-MM-DD): they compare as strings.
  return (
    version !== undefined && version >= FIRST_MODERN_VERSION && firstHeader(headers['mcp-session-id']) === undefined
  );
}

/** The subscription id a notification is tagged with, if any. */
export function subscriptionIdOf(message: unknown): unknown {
  return metaOf(message)?.[SUBSCRIPTION_ID_META];
}

/** What a listen's acknowledgement says the server will send (`params.notifications`). */
export interface HonoredNotifications {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

export function honoredOf(ack: unknown): HonoredNotifications {
  const params = (ack as { params?: { notifications?: unknown } } | undefined)?.params;
  const n = params?.notifications;
  if (!n || typeof n !== 'object') return {};
  const o = n as Record<string, unknown>;
  const subs = Array.isArray(o.resourceSubscriptions)
    ? o.resourceSubscriptions.filter((u): u is string => typeof u === 'string')
    : undefined;
  return {
    toolsListChanged: o.toolsListChanged === true,
    promptsListChanged: o.promptsListChanged === true,
    resourcesListChanged: o.resourcesListChanged === true,
    ...(subs ? { resourceSubscriptions: subs } : {}),
  };
}

/**
 * The notifications a re-opened listen gets after a restart, tagged with the listen's id: what
 * the server lists may have changed while it was down, so each list type the server honored is
 * announced once, and each honored resource is announced updated.
 */
export function changedNotices(honored: HonoredNotifications, listenId: unknown): object[] {
  const meta = { [SUBSCRIPTION_ID_META]: listenId };
  const out: object[] = [];
  if (honored.toolsListChanged)
    out.push({ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: meta } });
  if (honored.promptsListChanged)
    out.push({ jsonrpc: '2.0', method: 'notifications/prompts/list_changed', params: { _meta: meta } });
  if (honored.resourcesListChanged)
    out.push({ jsonrpc: '2.0', method: 'notifications/resources/list_changed', params: { _meta: meta } });
  for (const uri of honored.resourceSubscriptions ?? [])
    out.push({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri, _meta: meta } });
  return out;
}

/** One SSE `message` event carrying `message`. */
export function sseEvent(message: object): string {
  return sseLineEvent(JSON.stringify(message));
}

/** One SSE `message` event carrying a message already written as one line (its newline, if any, is not sent). */
export function sseLineEvent(line: string): string {
  return `event: message\ndata: ${line.endsWith('\n') ? line.slice(0, -1) : line}\n\n`;
}

/**
 * Splits an SSE byte stream into whole events (each with its blank-line terminator), so a listen
 * stream can be relayed event by event while its acknowledgement and final answer are recognized.
 */
export class SseEventSplitter {
  private carry = '';

  push(chunk: Buffer | string): string[] {
    this.carry += chunk.toString();
    const out: string[] = [];
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.carry);
      if (!m) break;
      const end = m.index + m[0].length;
      out.push(this.carry.slice(0, end));
      this.carry = this.carry.slice(end);
    }
    return out;
  }
}

/** The JSON-RPC message in one SSE event, if its data is one. */
export function messageOfEvent(event: string): unknown {
  const data = event
    .split(/\r?\n/)
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).replace(/^ /, ''))
    .join('\n');
  if (!data) return undefined;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}
