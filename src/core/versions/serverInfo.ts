import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { probeServerInfo } from '../http/probe';
import { LIFEGUARD_VERSION } from '../base/version';

export type ServerInfoAnswer = { ok: true; name: string; version: string } | { ok: false; reason: string };

/**
 * Asks an HTTP (or SSE) server that is already running for its `serverInfo` with one MCP
 * initialize, then closes the session. Never used for stdio: spawning a second stdio instance
 * just to ask would be exactly the duplicate that corrupts data.
 */
export async function askServerInfo(url: string, transport: 'http' | 'sse', timeoutMs = 1500): Promise<ServerInfoAnswer> {
  if (transport === 'http') {
    // Streamable HTTP: the shared probe, which also ends its session with DELETE.
    const probed = await probeServerInfo(url, { timeoutMs });
    return probed.state === 'known' ? { ok: true, name: probed.name, version: probed.version } : { ok: false, reason: probed.reason };
  }
  const client = new Client({ name: 'mcp-lifeguard', version: LIFEGUARD_VERSION });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const t = transport === 'sse' ? new SSEClientTransport(new URL(url)) : new StreamableHTTPClientTransport(new URL(url), { requestInit: { signal: controller.signal } });
    await client.connect(t, { timeout: timeoutMs, signal: controller.signal });
    const info = client.getServerVersion();
    if (!info || typeof info.version !== 'string') return { ok: false, reason: 'the initialize reply had no serverInfo.version' };
    return { ok: true, name: info.name, version: info.version };
  } catch (err) {
    return { ok: false, reason: controller.signal.aborted ? `no initialize reply within ${timeoutMs} ms` : `initialize failed: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
  }
}
