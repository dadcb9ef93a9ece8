import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { Snapshot } from '../core/base/model';
import { LIFEGUARD_VERSION } from '../core/base/version';
import { toViewInput } from '../core/report/input';
import { ActionContext, ActionResult, killDuplicateInstances, restartServer, stopPid } from './actions';
import { explain } from './explain';
import { INSTANCE_VERDICTS } from '../core/report/state';
import { healthReport, healthText } from './health';
import { ACTION_OUTPUT, EXPLAIN_OUTPUT, HEALTH_OUTPUT } from './schemas';
import { SNAPSHOT_URI, SnapshotWatch } from './snapshotResource';

/**
 * MCP Lifeguard as an MCP server: the agent face. Five tools and one resource over the same engine
 * as the badge, the tree and the CLI. Read-only tools answer from a fresh snapshot; the destructive
 * ones go through the core actions the CLI uses, refusing what it refuses.
 */

export interface AgentServerOptions extends ActionContext {
  /** How often a subscribed snapshot is looked at. */
  watchIntervalMs: number;
  log(line: string): void;
}

const INSTRUCTIONS = `MCP Lifeguard watches this machine's MCP servers (every client's configs, their running processes, installed vs running versions). Call list_servers to answer "are my MCP servers healthy?": stale instances run old code after an upgrade and should be restarted; duplicates are extra copies a client started; orphans have no client. explain gives the evidence for one server or pid. restart_server, stop_instance and kill_duplicates act; kill_duplicates only plans unless dryRun is false. Ask the user before acting.`;

function actionReply(r: ActionResult) {
  return { content: [{ type: 'text' as const, text: r.message }], structuredContent: r as unknown as Record<string, unknown>, ...(r.ok ? {} : { isError: true }) };
}

export function createAgentServer(o: AgentServerOptions): { server: McpServer; close(): void } {
  const server = new McpServer({ name: 'mcp-lifeguard', title: 'MCP Lifeguard', version: LIFEGUARD_VERSION }, { instructions: INSTRUCTIONS, capabilities: { resources: { subscribe: true } } });
  const look = async () => toViewInput(await o.snapshot());

  server.registerTool(
    'list_servers',
    {
      title: 'List MCP servers and their health',
      description: 'Every configured MCP server on this machine (all clients), its running instances with their verdicts (stale, changed-since-start, config-changed, duplicate, orphan, unknown, ok), running and installed versions and available updates, plus processes no config names and config problems. `healthy` is the status bar badge\'s judgement.',
      inputSchema: {
        name: z.string().optional().describe('Only the server with this name'),
        verdict: z.enum([...INSTANCE_VERDICTS, 'not-running']).optional().describe('Only servers with an instance of this verdict (or not running)'),
      },
      outputSchema: HEALTH_OUTPUT,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ name, verdict }) => {
      const report = healthReport(await look(), { ...(name !== undefined ? { name } : {}), ...(verdict !== undefined ? { verdict } : {}) });
      return { content: [{ type: 'text', text: healthText(report) }], structuredContent: report as unknown as Record<string, unknown> };
    },
  );

  server.registerTool(
    'explain',
    {
      title: 'Explain a verdict',
      description: 'The evidence for one server (by name) or one process (by pid): what it runs and how that was learned, what is installed, why it is judged stale, duplicate or orphaned, and what to do. The same document as Show Evidence in VS Code.',
      inputSchema: {
        server: z.string().optional().describe('A configured server name (as list_servers shows it)'),
        pid: z.number().int().positive().optional().describe('A process id of a running instance'),
      },
      outputSchema: EXPLAIN_OUTPUT,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ server: name, pid }) => {
      if ((name === undefined) === (pid === undefined)) {
        const e = { found: false, summary: ['give exactly one of `server` or `pid`'], evidence: '' };
        return { content: [{ type: 'text', text: e.summary[0] }], structuredContent: e, isError: true };
      }
      const e = explain(await look(), { ...(name !== undefined ? { server: name } : {}), ...(pid !== undefined ? { pid } : {}) });
      return { content: [{ type: 'text', text: e.found ? e.evidence : e.summary.join('\n') }], structuredContent: e as unknown as Record<string, unknown>, ...(e.found ? {} : { isError: true }) };
    },
  );

  server.registerTool(
    'restart_server',
    {
      title: 'Restart an MCP server',
      description: 'Restarts a server by name or pid. A guarded server (run under `mcp-lifeguard run`) restarts through its guard and its client keeps the session. An unguarded instance can only be stopped: its client must start it again (the result says so). Refuses a process it cannot re-identify exactly, and workspace-only servers unless the workspace is trusted.',
      inputSchema: { target: z.string().min(1).describe('A server name, or the pid of an instance or of its guard') },
      outputSchema: ACTION_OUTPUT,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async ({ target }) => actionReply(await restartServer(target, o)),
  );

  server.registerTool(
    'stop_instance',
    {
      title: 'Stop one MCP server instance',
      description: 'Stops one running instance by pid: re-identified exactly (pid, start time, command line), SIGTERM to its tree, SIGKILL after the grace period. Its client does not start it again by itself.',
      inputSchema: { pid: z.number().int().positive().describe('The instance\'s pid, as list_servers shows it') },
      outputSchema: ACTION_OUTPUT,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ pid }) => actionReply(await stopPid(pid, o)),
  );

  server.registerTool(
    'kill_duplicates',
    {
      title: 'Stop duplicate and orphaned instances',
      description: 'Plans (dryRun, the default) or stops the older duplicates (the newest instance per client stays) and orphans, of one server or all. Instances whose owner is ambiguous are left alone, each with why.',
      inputSchema: {
        server: z.string().optional().describe('Only this server'),
        dryRun: z.boolean().default(true).describe('true (default): only say what would be stopped'),
      },
      outputSchema: ACTION_OUTPUT,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ server: name, dryRun }) => actionReply(await killDuplicateInstances(name, dryRun ?? true, o)),
  );

  server.registerResource(
    'snapshot',
    SNAPSHOT_URI,
    { title: 'MCP Lifeguard snapshot', description: 'Every configured MCP server and running instance with its verdicts, as `mcp-lifeguard status --json` prints it (secrets redacted). Subscribe to hear when it changes.', mimeType: 'application/json' },
    async (uri) => {
      const snapshot: Snapshot = await o.snapshot();
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(snapshot, null, 2) }] };
    },
  );

  const watch = new SnapshotWatch({
    intervalMs: o.watchIntervalMs,
    look: async () => {
      const { takenAt: _t, ...rest } = healthReport(await look());
      return rest;
    },
    updated: (uri) => server.server.sendResourceUpdated({ uri }),
    log: o.log,
  });
  server.server.setRequestHandler(SubscribeRequestSchema, async (req) => {
    if (req.params.uri !== SNAPSHOT_URI) throw new Error(`unknown resource ${req.params.uri}`);
    watch.subscribe(req.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (req) => {
    watch.unsubscribe(req.params.uri);
    return {};
  });
  return { server, close: () => watch.close() };
}
