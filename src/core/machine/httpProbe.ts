import { redactText, redactUrl } from '../base/redact';
import type { ProtocolEra } from './types';
import { LIFEGUARD_VERSION } from '../base/version';
import { readSse } from './sse';

/** modern: MCP 2026-07-28 and later (per-request metadata, `server/discover`); legacy: the `initialize` handshake. */

/** What a running HTTP server says about itself: running-version evidence straight from the process. */
export type ServerInfoProbe =
  | { state: 'known'; name: string; version: string; era: ProtocolEra; protocolVersion?: string; how: string }
  | { state: 'unknown'; reason: string };

/** The modern revision asked for first, and the legacy one an `initialize` offers. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';
export const LEGACY_PROTOCOL_VERSION = '2025-11-25';

/** The name the probe gives itself: the HTTP guard does not count it as a client (httpClients.ts). */
export const PROBE_CLIENT_NAME = 'mcp-lifeguard';
const CLIENT_INFO = { name: PROBE_CLIENT_NAME, version: LIFEGUARD_VERSION };
const SERVER_INFO_META = 'io.modelcontextprotocol/serverInfo';

/** One JSON-RPC answer to our request: its result, or why there was none. */
type Answer =
  { kind: 'result'; result: Record<string, unknown>; sessionId?: string } | { kind: 'none'; reason: string };

/**
 * Asks an MCP server over Streamable HTTP for its `serverInfo` within `timeoutMs`, modern first:
 * `server/discover` with the per-request envelope (no session is made); when the answer is not a
 * modern one (a legacy server refuses the method or the missing session), one legacy `initialize`,
 * whose session is then ended with DELETE so none is left behind. Plain `fetch`: two requests and
 * reading one answer need no SDK (the whole client would be a third of the bundles).
 */
export async function probeServerInfo(url: string, options: { timeoutMs?: number } = {}): Promise<ServerInfoProbe> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const shown = redactUrl(url);
  // Error texts may quote the URL it was asked at: never with its credentials.
  const why = (message: string) => redactText(message.split(url).join(shown));
  try {
    new URL(url);
  } catch {
    return { state: 'unknown', reason: `${shown} is not a URL` };
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let sessionId: string | undefined;
  try {
    const discover = await post(
      url,
      {
        jsonrpc: '2.0',
        id: 'lifeguard-discover',
        method: 'server/discover',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': MODERN_PROTOCOL_VERSION,
            'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      },
      { 'mcp-protocol-version': MODERN_PROTOCOL_VERSION, 'mcp-method': 'server/discover' },
      controller.signal,
    );
    const modern = discover.kind === 'result' ? modernInfo(discover.result) : undefined;
    if (modern)
      return {
        state: 'known',
        ...modern,
        era: 'modern',
        protocolVersion: MODERN_PROTOCOL_VERSION,
        how: `server/discover at ${shown}`,
      };
    // Not a modern answer: the spec's fallback is the legacy handshake.
    const init = await post(
      url,
      {
        jsonrpc: '2.0',
        id: 'lifeguard-initialize',
        method: 'initialize',
        params: { protocolVersion: LEGACY_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
      },
      {},
      controller.signal,
    );
    if (init.kind === 'none') return { state: 'unknown', reason: `${shown}: ${why(init.reason)}` };
    sessionId = init.sessionId;
    const info = init.result.serverInfo as { name?: unknown; version?: unknown } | undefined;
    if (!info || typeof info.version !== 'string') return { state: 'unknown', reason: `${shown} sent no serverInfo` };
    const protocolVersion = typeof init.result.protocolVersion === 'string' ? init.result.protocolVersion : undefined;
    return {
      state: 'known',
      name: String(info.name ?? ''),
      version: info.version,
      era: 'legacy',
      ...(protocolVersion ? { protocolVersion } : {}),
      how: `initialize at ${shown}`,
    };
  } catch (err) {
    return {
      state: 'unknown',
      reason: `${shown}: ${controller.signal.aborted ? `no answer within ${timeoutMs} ms` : why((err as Error).message)}`,
    };
  } finally {
    clearTimeout(timer);
    // Only a legacy initialize makes a session; DELETE is the spec's way to end it (a server may answer 405).
    if (sessionId !== undefined && !controller.signal.aborted) {
      await fetch(url, {
        method: 'DELETE',
        headers: { 'mcp-session-id': sessionId, connection: 'close' },
        signal: AbortSignal.timeout(timeoutMs),
      })
        .then((r) => r.body?.cancel())
        .catch(() => undefined);
    }
  }
}

/** `{name, version}` of a valid modern discover result (its `supportedVersions` name the revision asked), else undefined. */
function modernInfo(result: Record<string, unknown>): { name: string; version: string } | undefined {
  const versions = result.supportedVersions;
  if (!Array.isArray(versions) || !versions.includes(MODERN_PROTOCOL_VERSION)) return undefined;
  const meta = result._meta as Record<string, unknown> | undefined;
  const info = meta?.[SERVER_INFO_META] as { name?: unknown; version?: unknown } | undefined;
  if (!info || typeof info.version !== 'string') return undefined;
  return { name: String(info.name ?? ''), version: info.version };
}

/**
 * POSTs one request and reads its answer, a JSON body or the first matching message of an event
 * stream. `connection: close`: fetch would otherwise keep the socket open for reuse after the probe.
 */
async function post(
  url: string,
  message: { jsonrpc: string; id: string; method: string; params: unknown },
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      connection: 'close',
      ...headers,
    },
    body: JSON.stringify(message),
    signal,
  });
  const sessionId = res.headers.get('mcp-session-id') ?? undefined;
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    return { kind: 'none', reason: `${message.method} answered HTTP ${res.status}` };
  }
  let reply: unknown;
  if (type.includes('text/event-stream')) {
    reply = await readSse(res.body, (data) => {
      const m = parseJson(data) as { id?: unknown } | undefined;
      return m?.id === message.id ? m : undefined;
    });
  } else {
    reply = parseJson(await res.text());
  }
  const r = reply as { result?: unknown; error?: { message?: unknown } } | undefined;
  if (r?.result && typeof r.result === 'object')
    return { kind: 'result', result: r.result as Record<string, unknown>, ...(sessionId ? { sessionId } : {}) };
  if (r?.error) return { kind: 'none', reason: `${message.method} failed: ${String(r.error.message ?? 'an error')}` };
  return { kind: 'none', reason: `${message.method} got no JSON-RPC answer` };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
