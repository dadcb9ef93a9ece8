import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { redactText, redactUrl } from '../base/redact';
import { LIFEGUARD_VERSION } from '../base/version';

/** modern: MCP 2026-07-28 and later (per-request metadata, `server/discover`); legacy: the `initialize` handshake. */
export type ProtocolEra = 'modern' | 'legacy';

/** What a running HTTP server says about itself: running-version evidence straight from the process. */
export type ServerInfoProbe =
  | { state: 'known'; name: string; version: string; era: ProtocolEra; protocolVersion?: string; how: string }
  | { state: 'unknown'; reason: string };

/**
 * Asks an MCP server over Streamable HTTP for its `serverInfo` within `timeoutMs`, modern first:
 * the SDK client in `auto` negotiation sends `server/discover` (no session is made), and falls back
 * to a legacy `initialize` as the spec says when the answer is not a modern one; a legacy session
 * is then ended with DELETE so none is left behind.
 */
export async function probeServerInfo(url: string, options: { timeoutMs?: number } = {}): Promise<ServerInfoProbe> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const shown = redactUrl(url);
  // Error texts may quote the URL it was asked at: never with its credentials.
  const why = (message: string) => redactText(message.split(url).join(shown));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { state: 'unknown', reason: `${shown} is not a URL` };
  }
  // `connection: close`: fetch would otherwise keep the socket open for reuse after the probe is done.
  const transport = new StreamableHTTPClientTransport(parsed, { requestInit: { headers: { connection: 'close' } } });
  const client = new Client({ name: 'mcp-lifeguard', version: LIFEGUARD_VERSION }, { capabilities: {}, versionNegotiation: { mode: 'auto', probe: { timeoutMs } } });
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    await Promise.race([client.connect(transport, { timeout: timeoutMs }), timedOut]);
    const era: ProtocolEra = client.getProtocolEra() === 'modern' ? 'modern' : 'legacy';
    // modern: the discover result's `_meta` serverInfo; legacy: the initialize result's serverInfo.
    const info = client.getServerVersion();
    if (!info || typeof info.version !== 'string') return { state: 'unknown', reason: `${shown} sent no serverInfo` };
    const protocolVersion = client.getNegotiatedProtocolVersion();
    return {
      state: 'known',
      name: info.name,
      version: info.version,
      era,
      ...(protocolVersion ? { protocolVersion } : {}),
      how: `${era === 'modern' ? 'server/discover' : 'initialize'} at ${shown}`,
    };
  } catch (err) {
    return { state: 'unknown', reason: `${shown}: ${why((err as Error).message)}` };
  } finally {
    clearTimeout(timer);
    // Only a legacy initialize makes a session; DELETE is the spec's way to end it (a server may answer 405).
    if (transport.sessionId !== undefined && !expired) {
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([transport.terminateSession().catch(() => undefined), new Promise((r) => (bound = setTimeout(r, timeoutMs)))]);
      clearTimeout(bound);
    }
    // Closing aborts every request of the transport, the GET stream and a hung connect included.
    await client.close().catch(() => undefined);
    await transport.close().catch(() => undefined);
  }
}
