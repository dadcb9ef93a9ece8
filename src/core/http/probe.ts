import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { redactUrl } from '../base/redact';
import { LIFEGUARD_VERSION } from '../base/version';

/** What a running HTTP server says about itself: running-version evidence straight from the process. */
export type ServerInfoProbe =
  | { state: 'known'; name: string; version: string; protocolVersion?: string; how: string }
  | { state: 'unknown'; reason: string };

/**
 * Asks an MCP server over Streamable HTTP for its `serverInfo` with a real initialize (the SDK
 * client), within `timeoutMs`, and ends the session with DELETE so no session is left behind.
 */
export async function probeServerInfo(url: string, options: { timeoutMs?: number } = {}): Promise<ServerInfoProbe> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const shown = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { state: 'unknown', reason: `${shown} is not a URL` };
  }
  const transport = new StreamableHTTPClientTransport(parsed);
  const client = new Client({ name: 'mcp-lifeguard', version: LIFEGUARD_VERSION }, { capabilities: {} });
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
    const info = client.getServerVersion();
    if (!info) return { state: 'unknown', reason: `${shown} sent no serverInfo` };
    return { state: 'known', name: info.name, version: info.version, protocolVersion: transport.protocolVersion, how: `serverInfo of an MCP initialize at ${shown}` };
  } catch (err) {
    return { state: 'unknown', reason: `${shown}: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
    if (transport.sessionId !== undefined && !expired) {
      // DELETE is the spec's way to end a session; a server may answer 405 (the SDK accepts that).
      await Promise.race([transport.terminateSession().catch(() => undefined), new Promise((r) => setTimeout(r, timeoutMs))]);
    }
    // Closing aborts every request of the transport, the GET stream and a hung connect included.
    await client.close().catch(() => undefined);
    await transport.close().catch(() => undefined);
  }
}
