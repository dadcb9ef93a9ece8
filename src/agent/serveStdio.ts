import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { ObservedTransport } from './observedTransport';
import { AgentServerOptions, createAgentServer } from './server';

/**
 * The agent face on this process's stdio, both eras: the SDK's entry pins the era from the
 * client's opening exchange. Resolves when the client has gone (its stdin ended).
 */
export async function serveAgentOnStdio(o: AgentServerOptions): Promise<void> {
  const agent = createAgentServer(o);
  const transport = new ObservedTransport(new StdioServerTransport(), (message) => agent.inbound(message));
  const handle = serveStdio(() => agent.server(), { transport, onerror: (err) => o.log(err.message) });
  await Promise.race([transport.closed, new Promise<void>((resolve) => process.stdin.once('end', () => resolve()))]);
  agent.close();
  await handle.close().catch(() => undefined);
}
