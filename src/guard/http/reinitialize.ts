import type * as http from 'node:http';
import { LEGACY_PROTOCOL_VERSION } from '../../core/machine/httpProbe';
import type { FrontSession } from '../../core/http/sessionStore';
import { exchange, messagesOf, UpstreamAddress } from './exchange';

/** On success: the upstream's new session id and the capabilities its answer to the replayed `initialize` lists. */
export type Reinitialized =
  { ok: true; upstream: string | undefined; capabilities: Record<string, unknown> } | { ok: false; reason: string };

let counter = 0;

/**
 * Rebuilds a session on an upstream that no longer knows it: replays the client's recorded
 * `initialize` (under an id of our own, its answer is ours to swallow), then its
 * `notifications/initialized`, and returns the upstream's new session id.
 */
export async function reinitialize(
  target: UpstreamAddress,
  path: string,
  session: FrontSession,
  options: { timeoutMs: number; agent?: http.Agent; clientHeaders?: http.OutgoingHttpHeaders },
): Promise<Reinitialized> {
  const id = `mcp-lifeguard-reinit-${process.pid}-${++counter}`;
  const accept = 'application/json, text/event-stream';
  // The client's own headers of the request that found the session gone (its credentials, say):
  // the replay is the client's handshake, so it goes as the client would send it. Never stored.
  const base: http.OutgoingHttpHeaders = { ...options.clientHeaders, 'content-type': 'application/json', accept };
  let answer;
  try {
    answer = await exchange(
      target,
      { method: 'POST', path, headers: { ...base }, body: JSON.stringify({ ...session.initialize, id }) },
      options,
    );
  } catch (err) {
    return { ok: false, reason: `the replayed initialize failed: ${(err as Error).message}` };
  }
  if (answer.status < 200 || answer.status >= 300)
    return { ok: false, reason: `the server answered the replayed initialize with HTTP ${answer.status}` };
  const reply = messagesOf(answer).find((m) => (m as { id?: unknown }).id === id) as
    { result?: { protocolVersion?: unknown; capabilities?: unknown }; error?: { message?: unknown } } | undefined;
  if (!reply) return { ok: false, reason: 'the server sent no answer to the replayed initialize' };
  if (!reply.result)
    return {
      ok: false,
      reason: `the server refused the replayed initialize: ${String(reply.error?.message ?? 'no reason given')}`,
    };
  const upstream = firstHeader(answer.headers['mcp-session-id']);
  const version =
    session.protocolVersion ??
    (typeof reply.result.protocolVersion === 'string' ? reply.result.protocolVersion : LEGACY_PROTOCOL_VERSION);
  const headers: http.OutgoingHttpHeaders = { ...base, 'mcp-protocol-version': version };
  if (upstream !== undefined) headers['mcp-session-id'] = upstream;
  const initialized = session.initialized ?? { jsonrpc: '2.0', method: 'notifications/initialized' };
  try {
    const ack = await exchange(target, { method: 'POST', path, headers, body: JSON.stringify(initialized) }, options);
    if (ack.status < 200 || ack.status >= 300)
      return {
        ok: false,
        reason: `the server answered the replayed notifications/initialized with HTTP ${ack.status}`,
      };
  } catch (err) {
    return { ok: false, reason: `the replayed notifications/initialized failed: ${(err as Error).message}` };
  }
  const capabilities =
    reply.result.capabilities && typeof reply.result.capabilities === 'object'
      ? (reply.result.capabilities as Record<string, unknown>)
      : {};
  return { ok: true, upstream, capabilities };
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
