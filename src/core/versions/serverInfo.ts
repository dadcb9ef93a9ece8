import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { probeServerInfo, ProtocolEra } from '../http/probe';
import { redactUrl } from '../base/redact';
import { LIFEGUARD_VERSION } from '../base/version';

/** `how`: the way it was asked and where (`server/discover at <url>`, `initialize at <url>`), credentials masked. */
export type ServerInfoAnswer = { ok: true; name: string; version: string; era: ProtocolEra; how: string } | { ok: false; reason: string };

/**
 * Asks an HTTP (or SSE) server that is already running for its `serverInfo`: Streamable HTTP
 * modern first (`server/discover`, no session), else one legacy initialize whose session is
 * closed. Never used for stdio: spawning a second stdio instance just to ask would be exactly the
 * duplicate that corrupts data.
 */
export async function askServerInfo(url: string, transport: 'http' | 'sse', timeoutMs = 1500): Promise<ServerInfoAnswer> {
  if (transport === 'http') {
    // Streamable HTTP: the shared probe, which also ends a legacy session with DELETE.
    const probed = await probeServerInfo(url, { timeoutMs });
    return probed.state === 'known' ? { ok: true, name: probed.name, version: probed.version, era: probed.era, how: probed.how } : { ok: false, reason: probed.reason };
  }
  // The HTTP+SSE transport exists only in the legacy era: an initialize over it.
  const client = new Client({ name: 'mcp-lifeguard', version: LIFEGUARD_VERSION });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    await client.connect(new SSEClientTransport(new URL(url)), { timeout: timeoutMs, signal: controller.signal });
    const info = client.getServerVersion();
    if (!info || typeof info.version !== 'string') return { ok: false, reason: 'the initialize reply had no serverInfo.version' };
    return { ok: true, name: info.name, version: info.version, era: 'legacy', how: `initialize at ${redactUrl(url)}` };
  } catch (err) {
    return { ok: false, reason: controller.signal.aborted ? `no initialize reply within ${timeoutMs} ms` : `initialize failed: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
  }
}
