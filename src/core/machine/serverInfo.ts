import { LEGACY_PROTOCOL_VERSION, probeServerInfo } from './httpProbe';
import type { ServerInfoAnswer } from './types';
import { readSse } from './sse';
import { redactText, redactUrl } from '../base/redact';
import { LIFEGUARD_VERSION } from '../base/version';
import { isVersionLine } from '../base/versionText';

const NOT_A_VERSION = "the server's serverInfo.version is not one printable line";

/**
 * Asks an HTTP (or SSE) server that is already running for its `serverInfo`: Streamable HTTP
 * modern first (`server/discover`, no session), else one legacy initialize whose session is
 * closed. Never used for stdio: spawning a second stdio instance just to ask would be exactly the
 * duplicate that corrupts data.
 */
export async function askServerInfo(
  url: string,
  transport: 'http' | 'sse',
  timeoutMs = 1500,
): Promise<ServerInfoAnswer> {
  if (transport === 'http') {
    // Streamable HTTP: the shared probe, which also ends a legacy session with DELETE.
    const probed = await probeServerInfo(url, { timeoutMs });
    if (probed.state !== 'known') return { ok: false, reason: probed.reason };
    if (!isVersionLine(probed.version)) return { ok: false, reason: NOT_A_VERSION };
    return { ok: true, name: probed.name, version: probed.version, era: probed.era, how: probed.how };
  }
  return askOverSse(url, timeoutMs);
}

/**
 * The HTTP+SSE transport exists only in the legacy era: its event stream names the endpoint to
 * POST to (`endpoint` event), and the initialize answer comes back on the stream. Closing the
 * stream ends the session.
 */
async function askOverSse(url: string, timeoutMs: number): Promise<ServerInfoAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const shown = redactUrl(url);
  const why = (message: string) => redactText(message.split(url).join(shown));
  try {
    const stream = await fetch(url, {
      headers: { accept: 'text/event-stream', connection: 'close' },
      signal: controller.signal,
    });
    if (!stream.ok || !stream.body) {
      await stream.body?.cancel().catch(() => undefined);
      return { ok: false, reason: `initialize failed: the event stream answered HTTP ${stream.status}` };
    }
    let posted: Promise<unknown> | undefined;
    const reply = await readSse(stream.body, (data, event) => {
      if (event === 'endpoint' && !posted) {
        const endpoint = new URL(data, url);
        const initialize = {
          jsonrpc: '2.0',
          id: 'lifeguard-initialize',
          method: 'initialize',
          params: {
            protocolVersion: LEGACY_PROTOCOL_VERSION,
            capabilities: {},
            clientInfo: { name: 'mcp-lifeguard', version: LIFEGUARD_VERSION },
          },
        };
        // The answer arrives on the stream; a failed POST leaves the timeout to end the wait.
        posted = fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify(initialize),
          signal: controller.signal,
        })
          .then((r) => r.body?.cancel())
          .catch(() => undefined);
        return undefined;
      }
      if (event !== 'message') return undefined;
      try {
        const m = JSON.parse(data) as {
          id?: unknown;
          result?: { serverInfo?: { name?: unknown; version?: unknown } };
          error?: { message?: unknown };
        };
        return m.id === 'lifeguard-initialize' ? m : undefined;
      } catch {
        return undefined;
      }
    });
    const info = reply?.result?.serverInfo;
    if (reply?.error)
      return { ok: false, reason: `initialize failed: ${why(String(reply.error.message ?? 'an error'))}` };
    if (!info || typeof info.version !== 'string')
      return { ok: false, reason: 'the initialize reply had no serverInfo.version' };
    if (!isVersionLine(info.version)) return { ok: false, reason: NOT_A_VERSION };
    return {
      ok: true,
      name: String(info.name ?? ''),
      version: info.version,
      era: 'legacy',
      how: `initialize at ${shown}`,
    };
  } catch (err) {
    return {
      ok: false,
      reason: controller.signal.aborted
        ? `no initialize reply within ${timeoutMs} ms`
        : `initialize failed: ${why((err as Error).message)}`,
    };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
