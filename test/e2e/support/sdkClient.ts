import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { StdioServer } from './fixture';
import type { Session } from './session';

/**
 * A real SDK client that starts `server` over stdio, as Claude Desktop would, with the session's
 * environment and marker (so the session's cleanup finds what it starts). `guardPid` is the pid
 * the client started: the guard, for a guarded server.
 */
export async function sdkClientOf(
  s: Session,
  server: StdioServer,
  /** The name it gives in `initialize` (a shared server's lock record lists its clients by it). */
  clientName = 'e2e-client',
): Promise<{ client: Client; transport: StdioClientTransport; guardPid: number }> {
  const env = Object.fromEntries(
    Object.entries(s.scope.env({ ...s.env, ...server.env })).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const transport = new StdioClientTransport({ command: server.command, args: server.args, env, stderr: 'pipe' });
  const client = new Client({ name: clientName, version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, guardPid: transport.pid! };
}
