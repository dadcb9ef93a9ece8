import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { HealthReport, InstanceReport } from '../../../src/agent/health';
import type { ActionReport } from '../../../src/agent/actions';
import { connectGuarded, everythingBin, GuardedClient, liveRecords, memoryBin, textOf } from '../guard/support';
import { startFakeClient } from '../processes/support/harness';
import { MEM, memoryPrefix, NPM, npmEnv, run } from '../versions/support';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Client as Client2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioClientTransport2 } from '@modelcontextprotocol/client/stdio';
import { createAgentServer } from '../../../src/agent/server';
import { defaultStopDeps } from '../../../src/core/actions/stop';
import type { Snapshot } from '../../../src/core/base/model';
import { takeSnapshot } from '../../../src/core/snapshot';
import { isAlive, killAll, stopChildren } from '../../support/liveness';
import { pastJudgedStart, startTimeOf } from '../../support/judgedStart';
import { until } from '../../support/poll';
import { cliPath } from '../../support/repo';
import { startReady } from '../../support/startup';
import { makeTempDir } from '../../support/temp';

/**
 * The agent face as an agent meets it: `mcp-lifeguard mcp` spawned by the real SDK client over
 * stdio, against a fixture home whose Claude Desktop config names real servers from npm: one
 * upgraded with real npm under its running process (stale), one a client started twice
 * (duplicate), and one under the guard (restarted with its client's session kept).
 */
describe('agent face (integration): mcp-lifeguard mcp with the real SDK client', function () {
  this.timeout(300_000);
  const started: number[] = [];
  const children: ChildProcess[] = [];
  let home: string;
  let lgHome: string;
  let prefix: string;
  let memory: ChildProcess;
  let guarded: GuardedClient;
  let agent: Client;
  let tag: string;
  const outputSchemas = new Map<string, Record<string, unknown>>();
  const validator = new AjvJsonSchemaValidator();

  /** Calls a tool and checks its structuredContent against the outputSchema tools/list gave, ourselves too. */
  async function call<T>(
    name: string,
    args: Record<string, unknown> = {},
  ): Promise<{ data: T; text: string; isError: boolean }> {
    const r = await agent.callTool({ name, arguments: args });
    const schema = outputSchemas.get(name);
    assert.ok(schema, `${name} has an outputSchema`);
    const check = validator.getValidator(schema as never)(r.structuredContent);
    assert.ok(check.valid, `${name}: ${check.valid ? '' : check.errorMessage}`);
    return { data: r.structuredContent as T, text: textOf(r), isError: r.isError === true };
  }
  const instanceOf = (r: HealthReport, server: string, pid: number): InstanceReport | undefined =>
    r.servers.find((s) => s.name === server)?.instances.find((i) => i.pid === pid);

  before(async () => {
    home = makeTempDir('lg-agent-');
    lgHome = makeTempDir('lg-a-');
    fs.chmodSync(lgHome, 0o700);
    tag = `--lg-tag=${path.basename(home)}`;
    // What `npm install --prefix <home>/prefix` of 2026.7.4 leaves (and its npm cache), made once per machine.
    const installed = await memoryPrefix(home, '2026.7.4');
    prefix = installed.prefix;
    const memBin = installed.bin;
    fs.mkdirSync(path.join(home, '.config', 'Claude'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({
        mcpServers: {
          memory: { command: memBin, args: [], env: { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') } },
          everything: { command: everythingBin, args: ['stdio', tag] },
          guarded: {
            command: process.execPath,
            args: [cliPath, 'run', '--name', 'guarded', '--', memoryBin, tag],
            env: { MEMORY_FILE_PATH: path.join(home, 'guarded.jsonl') },
          },
        },
      }),
    );
    memory = await startReady(
      memBin,
      [],
      { cwd: home, env: { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') }, ready: /running on stdio/ },
      children,
    );
    await startFakeClient({ command: everythingBin, args: ['stdio', tag], count: 2, gapMs: 1200 }, started);
    guarded = await connectGuarded(lgHome, ['--name', 'guarded', '--', memoryBin, tag], {
      env: { HOME: home, MEMORY_FILE_PATH: path.join(home, 'guarded.jsonl') },
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cliPath, 'mcp', '--workspace', home, '--watch-interval', '1'],
      cwd: home,
      env: { ...(process.env as Record<string, string>), HOME: home, MCP_LIFEGUARD_HOME: lgHome },
      stderr: 'pipe',
    });
    agent = new Client({ name: 'agent-integration', version: '1.0.0' });
    await agent.connect(transport);
    for (const t of (await agent.listTools()).tools) if (t.outputSchema) outputSchemas.set(t.name, t.outputSchema);
  });

  after(async () => {
    await agent?.close().catch(() => undefined);
    await guarded?.client.close().catch(() => undefined);
    await stopChildren(children.splice(0));
    await killAll(started, tag);
  });

  it('lists seven tools with honest annotations and an output schema each', async () => {
    const tools = (await agent.listTools()).tools;
    const byName = new Map(tools.map((t) => [t.name, t]));
    assert.deepEqual([...byName.keys()].sort(), [
      'explain',
      'kill_duplicates',
      'list_servers',
      'restart_server',
      'rollback_server',
      'stop_instance',
      'upgrade_server',
    ]);
    for (const name of ['upgrade_server', 'rollback_server']) {
      assert.equal(byName.get(name)?.annotations?.destructiveHint, true, name);
      assert.equal(
        (byName.get(name)?.inputSchema.properties as Record<string, { default?: unknown }>).dryRun.default,
        true,
        name,
      );
    }
    for (const name of ['list_servers', 'explain'])
      assert.deepEqual(byName.get(name)?.annotations, {
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      });
    for (const name of ['restart_server', 'stop_instance', 'kill_duplicates']) {
      assert.equal(byName.get(name)?.annotations?.destructiveHint, true, name);
      assert.equal(byName.get(name)?.annotations?.readOnlyHint, false, name);
    }
    assert.equal(byName.get('restart_server')?.annotations?.idempotentHint, false);
    for (const t of tools) assert.equal((t.outputSchema as { type?: string } | undefined)?.type, 'object', t.name);
    assert.equal(
      (byName.get('kill_duplicates')?.inputSchema.properties as Record<string, { default?: unknown }>).dryRun.default,
      true,
    );
  });

  it('list_servers tells the same truth as the badge: current before a real npm upgrade, stale after, the duplicate flagged; explain gives the evidence', async () => {
    const pid = memory.pid!;
    // Seen once while current: the sighting is what a later upgrade is compared with.
    const before = await until(
      'memory current, everything flagged duplicate',
      async () => {
        const { data } = await call<HealthReport>('list_servers');
        const everything = data.servers.find((s) => s.name === 'everything')?.instances ?? [];
        return instanceOf(data, 'memory', pid)?.verdicts.join() === 'ok' &&
          everything.some((i) => i.verdicts.includes('duplicate'))
          ? data
          : undefined;
      },
      90_000,
    );
    assert.equal(before.healthy, false, 'a duplicate is unhealthy, as the badge says');
    assert.equal(before.servers.find((s) => s.name === 'memory')?.installedVersion, '2026.7.4');
    // The upgrade's files are told from the server's start (process start times are coarse).
    await pastJudgedStart(await startTimeOf(pid));
    await run(NPM, ['install', '--prefix', prefix, `${MEM}@2026.8.31`], { env: npmEnv(home) });

    const after = await until(
      'memory stale after the upgrade',
      async () => {
        const { data } = await call<HealthReport>('list_servers', { verdict: 'stale' });
        return instanceOf(data, 'memory', pid) ? data : undefined;
      },
      90_000,
    );
    const inst = instanceOf(after, 'memory', pid)!;
    assert.deepEqual(inst.verdicts, ['stale']);
    assert.equal(inst.runningVersion, '2026.7.4');
    assert.match(
      inst.why.join('\n'),
      /runs "@modelcontextprotocol\/server-memory" "2026\.7\.4", but "2026\.8\.31" is installed/,
    );
    assert.match(inst.whatToDo, /Restart it/);
    assert.ok(after.counts.restart.version >= 1 && !after.healthy);
    assert.deepEqual(
      after.servers.map((s) => s.name),
      ['memory'],
      'the verdict filter keeps only servers with a stale instance',
    );
    assert.match(after.summary, /Needs attention: 1 instance running replaced code/);

    const byName = await call<{ found: boolean; summary: string[]; evidence: string }>('explain', { server: 'memory' });
    assert.equal(byName.data.found, true);
    assert.match(byName.data.summary.join('\n'), new RegExp(`pid ${pid} .*stale`));
    assert.match(byName.text, /"installed"/);
    const byPid = await call<{ found: boolean; instance?: InstanceReport }>('explain', { pid });
    assert.equal(byPid.data.instance?.pid, pid);
    const unknown = await call<{ found: boolean }>('explain', { server: 'no-such-server' });
    assert.equal(unknown.data.found, false);
    assert.equal(unknown.isError, true);
  });

  it('an SDK 2.x client (which prefers 2026-07-28) negotiates the 2026 era the face speaks too and gets the same answer', async () => {
    const transport = new StdioClientTransport2({
      command: process.execPath,
      args: [cliPath, 'mcp', '--workspace', home],
      cwd: home,
      env: { ...(process.env as Record<string, string>), HOME: home, MCP_LIFEGUARD_HOME: lgHome },
      stderr: 'pipe',
    });
    const modern = new Client2({ name: 'agent-2x', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await modern.connect(transport);
    try {
      assert.equal(modern.getProtocolEra(), 'modern', 'the face speaks 2026-07-28 as well as 2025');
      const r = await modern.callTool({ name: 'list_servers', arguments: { name: 'memory' } });
      const data = r.structuredContent as unknown as HealthReport;
      assert.deepEqual(
        data.servers.map((s) => s.name),
        ['memory'],
      );
      assert.ok(data.servers[0].instances.some((i) => i.pid === memory.pid));
    } finally {
      await modern.close();
    }
  });

  it('lifeguard://snapshot reads as JSON; kill_duplicates plans by default and acts with dryRun false; a subscriber hears the change', async () => {
    const res = await agent.readResource({ uri: 'lifeguard://snapshot' });
    const snap = JSON.parse((res.contents[0] as { text: string }).text) as { servers: Array<{ name: string }> };
    assert.deepEqual(snap.servers.map((s) => s.name).sort(), ['everything', 'guarded', 'memory']);
    assert.ok(!JSON.stringify(snap).includes(path.join(home, 'memory.jsonl')), 'env values stay out');

    const plan = await call<ActionReport>('kill_duplicates', { server: 'everything' });
    assert.equal(plan.data.dryRun, true);
    const planned = plan.data.outcomes.filter((o) => o.kind === 'planned');
    assert.equal(planned.length, 1, plan.text);
    const older = planned[0].pid!;
    assert.ok(isAlive(older), 'a dry run signals nothing');

    const updated = new Promise<string>((resolve) =>
      agent.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)),
    );
    await agent.subscribeResource({ uri: 'lifeguard://snapshot' });
    await new Promise((r) => setTimeout(r, 2500));
    const done = await call<ActionReport>('kill_duplicates', { server: 'everything', dryRun: false });
    assert.equal(done.data.ok, true, done.text);
    assert.deepEqual(
      done.data.outcomes.filter((o) => o.kind === 'stopped').map((o) => o.pid),
      [older],
    );
    assert.equal(isAlive(older), false);
    assert.equal(
      await Promise.race([updated, new Promise((r) => setTimeout(() => r('none within 30 s'), 30_000))]),
      'lifeguard://snapshot',
    );
    await agent.unsubscribeResource({ uri: 'lifeguard://snapshot' });
  });

  it('restart_server restarts a guarded server through its guard: its client keeps its session; a pid that is no MCP server is refused and lives', async () => {
    const before = (await liveRecords(lgHome)).find((r) => r.serverName === 'guarded');
    assert.ok(before?.child, 'the guard recorded its child');
    await guarded.client.callTool({ name: 'read_graph', arguments: {} });
    const r = await call<ActionReport>('restart_server', { target: 'guarded' });
    assert.equal(r.data.ok, true, r.text);
    assert.equal(r.data.outcomes[0].kind, 'restarted');
    assert.match(r.text, /the client kept its session/);
    const newPid = r.data.outcomes[0].pid!;
    assert.notEqual(newPid, before.child.pid);
    // The same client object, no new initialize: the session survived the restart.
    const after = await guarded.client.callTool({ name: 'read_graph', arguments: {} });
    assert.notEqual(after.isError, true, JSON.stringify(after));

    // The test's own sleeper is not an MCP server instance: nothing is signalled.
    const sleeper = await startReady('sh', ['-c', 'echo up >&2; exec sleep 300'], { cwd: home, ready: /up/ }, children);
    const refused = await call<ActionReport>('stop_instance', { pid: sleeper.pid! });
    assert.equal(refused.data.ok, false);
    assert.equal(refused.isError, true);
    assert.equal(refused.data.outcomes[0].kind, 'refused');
    assert.match(refused.text, /not an MCP server instance.*nothing was signalled/);
    assert.ok(isAlive(sleeper.pid!));
    const restartRefused = await call<ActionReport>('restart_server', { target: String(sleeper.pid) });
    assert.equal(restartRefused.data.outcomes[0].kind, 'refused');
    assert.ok(isAlive(sleeper.pid!));
  });

  it('stop_instance and restart_server refuse a process whose start no longer matches what was seen (a reused pid): nothing is signalled', async () => {
    const pid = memory.pid!;
    const host = { home, platform: process.platform, env: { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: lgHome } };
    // What the face saw a minute earlier than the process now at that pid started: another process.
    const seenEarlier = async (): Promise<Snapshot> => {
      const snap = await takeSnapshot({ host, workspaceFolders: [home] });
      for (const i of snap.servers.flatMap((x) => x.instances))
        if (i.pid === pid) i.startTime = (i.startTime as number) - 60_000;
      return snap;
    };
    const face = createAgentServer({
      snapshot: seenEarlier,
      locksDir: path.join(lgHome, 'locks'),
      home,
      trustWorkspace: false,
      graceMs: 2000,
      restartTimeoutMs: 30_000,
      stopDeps: defaultStopDeps(),
      watchIntervalMs: 60_000,
      log: () => undefined,
    });
    const [a, b] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'agent-reidentify', version: '1.0.0' });
    await Promise.all([face.server().connect(a), client.connect(b)]);
    try {
      for (const [name, args] of [
        ['stop_instance', { pid }],
        ['restart_server', { target: String(pid) }],
      ] as const) {
        const r = await client.callTool({ name, arguments: args });
        const data = r.structuredContent as unknown as ActionReport;
        assert.equal(r.isError, true, name);
        assert.equal(data.outcomes[0].kind, 'refused', JSON.stringify(data));
        assert.equal(data.outcomes[0].stop?.reason, 'pid-reused', JSON.stringify(data));
        assert.deepEqual(
          data.outcomes[0].stop?.steps.filter((st) => st.step === 'signal'),
          [],
          'nothing signalled',
        );
        assert.ok(isAlive(pid), `${name}: the process lives on`);
      }
    } finally {
      await client.close();
      face.close();
    }
  });

  it('upgrade_server says the command where it was installed (dryRun, the default) and, run, installs it; it names the unguarded instance that then runs other code, and leaves alone the one that runs what is installed', async () => {
    // memory runs 2026.7.4, the earlier test installed 2026.8.31 under it.
    const { data: report } = await call<HealthReport>('list_servers');
    assert.equal(report.servers.find((s) => s.name === 'memory')?.installedVersion, '2026.8.31');
    const version = () =>
      (
        JSON.parse(fs.readFileSync(path.join(prefix, 'node_modules', MEM, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    const planned = await call<ActionReport>('upgrade_server', { server: 'memory', version: '2026.7.4' });
    assert.equal(planned.isError, false, planned.text);
    assert.equal(planned.data.dryRun, true);
    assert.equal(planned.data.outcomes[0].kind, 'planned');
    assert.match(planned.text, /install @modelcontextprotocol\/server-memory@2026\.7\.4/);
    assert.match(planned.text, /Nothing was run/);
    assert.equal(version(), '2026.8.31', 'nothing installed by a dry run');

    // Back to what the process runs: installed, and nothing runs other code.
    const back = await call<ActionReport>('upgrade_server', { server: 'memory', version: '2026.7.4', dryRun: false });
    assert.equal(back.isError, false, back.text);
    assert.equal(version(), '2026.7.4');
    assert.deepEqual(
      back.data.outcomes.map((o) => o.kind),
      ['installed'],
      back.text,
    );
    // Forward again: the process now runs other code than is installed, and no guard runs it.
    const up = await call<ActionReport>('upgrade_server', { server: 'memory', version: '2026.8.31', dryRun: false });
    assert.equal(up.isError, false, up.text);
    assert.equal(version(), '2026.8.31');
    assert.deepEqual(
      up.data.outcomes.map((o) => o.kind),
      ['installed', 'left'],
      up.text,
    );
    assert.equal(up.data.outcomes[1].pid, memory.pid);
    assert.match(up.data.outcomes[1].message, /not guarded/);
    assert.ok(isAlive(memory.pid!), 'an unguarded instance is left running');
    // A name no entry has is refused, and nothing runs.
    const unknown = await call<ActionReport>('rollback_server', { server: 'nope', dryRun: false });
    assert.equal(unknown.isError, true);
    assert.equal(unknown.data.outcomes[0].kind, 'refused');
  });
});
