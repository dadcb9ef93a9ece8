import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import { HOST_NODE_FLAGS } from '../../../src/cli/hostNodeFlags';
import { cliPath } from '../../support/repo';
import { until } from '../../support/poll';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort } from '../../support/startup';
import { guardEnv, memoryBin, runCli, runCliAnswer, tempHome } from '../guard/support';
import { repoRoot } from '../../support/repo';
import { noneLeftThenRemove } from '../guard/erasSupport';
import { healthReport, healthText } from '../../../src/agent/health';
import { toViewInput } from '../../../src/core/report/input';

/** A server shared with `run --on-conflict share`, as `status` sees it: one instance, its clients listed, no relay counted. */
describe('snapshot: a shared server (real share host, relays and server)', function () {
  this.timeout(120_000);
  let home: string;
  const open: Client[] = [];

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close().catch(() => undefined);
    await noneLeftThenRemove(home);
  });

  /** One client of the shared server, named as a client names itself in `initialize`. */
  async function connectClient(args: string[], env: Record<string, string>, name: string): Promise<Client> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args,
      env: guardEnv(home, env),
      cwd: repoRoot,
      stderr: 'pipe',
    });
    const client = new Client({ name, version: '1.0.0' });
    await client.connect(transport);
    return client;
  }

  /**
   * Claude Desktop's entry `memory`, shared: the installed guard (`mcp-lifeguard.js`, the name the
   * engine recognises it by) with `run --on-conflict share`; returns the entry's args.
   */
  function configureSharedMemory(options: string[] = []): string[] {
    const tag = `--lg-tag=${path.basename(home)}`;
    const bin = path.join(home, 'bin', 'mcp-lifeguard.js');
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    fs.symlinkSync(cliPath, bin);
    const args = [bin, 'run', '--on-conflict', 'share', '--name', 'memory', ...options, '--', memoryBin, tag];
    fs.mkdirSync(path.join(home, '.config', 'Claude'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({ mcpServers: { memory: { command: process.execPath, args } } }),
    );
    return args;
  }

  it('one instance marked shared with its three clients; the relays are neither instances nor duplicates', async () => {
    const args = configureSharedMemory();
    const env = { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') };
    for (let i = 0; i < 3; i++) open.push(await connectClient(args, env, ['claude-code', 'cursor', 'windsurf'][i]));
    let snap: Snapshot | undefined;
    await until('the record to list three clients', async () => {
      snap = JSON.parse((await runCliAnswer(home, ['status', '--json'])).stdout) as Snapshot;
      return snap.servers.some((s) => s.instances.some((i) => i.lock?.attached?.length === 3));
    });
    const [server] = snap!.servers;
    // One instance: the server the share host runs, not the three relays; no duplicate among them.
    assert.equal(server.instances.length, 1, JSON.stringify(server.instances.map((i) => i.commandLine)));
    const [instance] = server.instances;
    assert.match(instance.commandLine, /mcp-server-memory/);
    assert.doesNotMatch(instance.commandLine, /mcp-lifeguard/);
    const hostLine = instance.launcherChain.find((l) => /--share-host/.test(l.commandLine))?.commandLine ?? '';
    assert.ok(hostLine, JSON.stringify(instance.launcherChain));
    // The share host is started with a long-lived host's Node flags, and is still the engine's host.
    for (const flag of HOST_NODE_FLAGS) assert.ok(hostLine.includes(` ${flag} `), hostLine);
    assert.deepEqual(
      // Named by what each client sent (no client process above them here), as the product names that client.
      instance.lock!.attached!.map((c) => c.clientName),
      ['Claude Code', 'Cursor', 'Windsurf'],
    );
    assert.deepEqual(instance.verdicts, []);
    assert.deepEqual(
      snap!.notConfigured.filter((i) => i.commandLine.includes(path.basename(home))),
      [],
    );

    const text = (await runCliAnswer(home, ['status'])).stdout;
    assert.match(text, /Running instances \(1\)/);
    assert.match(text, /shared by 3 clients \(Claude Code, Cursor, Windsurf\)/);

    const plan = JSON.parse((await runCliAnswer(home, ['kill-duplicates', '--json'])).stdout);
    assert.deepEqual([plan.plan, plan.shareHints], [[], []]);

    const health = healthReport(toViewInput(snap!));
    const shared = health.servers.flatMap((s) => s.instances).map((i) => i.shared);
    assert.deepEqual(shared, [
      {
        clients: instance.lock!.attached!.map((c) => ({ pid: c.pid, name: c.clientName })),
      },
    ]);
    assert.match(healthText(health), /shared by 3 clients: "Claude Code", "Cursor", "Windsurf"/);
  });

  it("a shared server's HTTP front (`--share-listen`): one instance, its URL on it, an HTTP session among its clients", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const args = configureSharedMemory(['--share-listen', `127.0.0.1:${port}`]);
    open.push(await connectClient(args, { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') }, 'claude-desktop'));
    const transport = new StreamableHTTPClientTransport(new URL(url));
    const web = new Client({ name: 'claude-code', version: '1.0.0' });
    await until(
      'the front up',
      () =>
        fetch(url).then(
          () => true,
          () => undefined,
        ),
      20_000,
    );
    await web.connect(transport);
    try {
      let snap: Snapshot | undefined;
      await until('the record to list both clients', async () => {
        snap = JSON.parse((await runCliAnswer(home, ['status', '--json'])).stdout) as Snapshot;
        return snap.servers.some((s) => s.instances.some((i) => i.lock?.attached?.length === 2));
      });
      const [server] = snap!.servers;
      assert.equal(server.instances.length, 1);
      const [instance] = server.instances;
      assert.equal(instance.lock!.shareUrl, url);
      assert.deepEqual(
        instance.lock!.attached!.map((c) => c.clientName),
        ['Claude Desktop', 'Claude Code'],
      );
      assert.match(
        (await runCliAnswer(home, ['status'])).stdout,
        /shared by 2 clients \(Claude Desktop, Claude Code\)/,
      );
      assert.equal(
        healthReport(toViewInput(snap!)).servers[0].instances[0].shared?.url,
        url,
        'the agent face names it',
      );
      assert.match((await runCli(home, ['locks'])).stdout, new RegExp(url.replace(/[./]/g, '\\$&')));
    } finally {
      await transport.terminateSession().catch(() => undefined);
      await web.close();
    }
  });

  it("a stranger's share host running the very same entry from another home is not this entry's instance", async () => {
    const args = configureSharedMemory();
    // The stranger: the same command line, byte for byte, under another home and lifeguard root.
    const other = tempHome();
    try {
      const strangerEnv = { HOME: other, MCP_LIFEGUARD_HOME: other, MEMORY_FILE_PATH: path.join(other, 'm.jsonl') };
      open.push(await connectClient(args, strangerEnv, 'stranger'));
      open.push(await connectClient(args, { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') }, 'claude-code'));
      let snap: Snapshot | undefined;
      await until('our record to list our client', async () => {
        snap = JSON.parse((await runCliAnswer(home, ['status', '--json'])).stdout) as Snapshot;
        return snap.servers.some((s) => s.instances.some((i) => i.lock?.attached?.length === 1));
      });
      const [server] = snap!.servers;
      // Ours only: the stranger's server runs the same file with the same arguments, under a share
      // host whose lock is in the other root.
      assert.equal(
        server.instances.length,
        1,
        JSON.stringify(server.instances.map((i) => [i.pid, i.commandLine, i.lock?.attached])),
      );
      assert.deepEqual(
        server.instances[0].lock!.attached!.map((c) => c.clientName),
        ['Claude Code'],
      );
      const theirs = (
        JSON.parse((await runCli(other, ['locks', '--json'])).stdout) as {
          locks: Array<{ record?: { child?: { pid: number } } }>;
        }
      ).locks;
      const strangerPid = theirs.flatMap((l) => (l.record?.child ? [l.record.child.pid] : []))[0];
      assert.ok(strangerPid, JSON.stringify(theirs));
      assert.notEqual(server.instances[0].pid, strangerPid);
      // Nothing offers to stop it: not a duplicate of ours, not an orphan.
      const plan = JSON.parse((await runCliAnswer(home, ['kill-duplicates', '--json'])).stdout) as {
        plan: Array<{ pid: number }>;
      };
      assert.deepEqual(plan.plan, []);
    } finally {
      for (const c of open.splice(0)) await c.close().catch(() => undefined);
      await noneLeftThenRemove(other);
    }
  });
  it("a relay and share host run from a clone (`node <clone>/dist/cli.js run --on-conflict share`) are known as ours by the bundle's content: no relay is an instance or in a plan, and another root's same command is not claimed", async () => {
    const tag = `--lg-tag=${path.basename(home)}`;
    // The form the docs cite: the CLI bundle as built, under its own name (not mcp-lifeguard.js).
    const args = [cliPath, 'run', '--on-conflict', 'share', '--name', 'memory', '--', memoryBin, tag];
    fs.mkdirSync(path.join(home, '.config', 'Claude'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({ mcpServers: { memory: { command: process.execPath, args } } }),
    );
    const env = { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') };
    const other = tempHome();
    try {
      for (const name of ['claude-code', 'cursor']) open.push(await connectClient(args, env, name));
      // A stranger: the very same command line under another home and lifeguard root.
      open.push(
        await connectClient(
          args,
          { HOME: other, MCP_LIFEGUARD_HOME: other, MEMORY_FILE_PATH: path.join(other, 'm.jsonl') },
          'stranger',
        ),
      );
      let snap: Snapshot | undefined;
      await until('our record to list our two clients', async () => {
        snap = JSON.parse((await runCliAnswer(home, ['status', '--json'])).stdout) as Snapshot;
        return snap.servers.some((s) => s.instances.some((i) => i.lock?.attached?.length === 2));
      });
      const [server] = snap!.servers;
      assert.equal(
        server.instances.length,
        1,
        JSON.stringify(server.instances.map((i) => [i.pid, i.commandLine, i.lock?.attached])),
      );
      const [instance] = server.instances;
      assert.match(instance.commandLine, /mcp-server-memory/);
      assert.doesNotMatch(instance.commandLine, /cli\.js/, 'the server, not a relay or the share host');
      assert.deepEqual(instance.verdicts, []);
      // kill-duplicates plans nothing, and with --yes stops nothing: every client keeps its session.
      const plan = JSON.parse((await runCliAnswer(home, ['kill-duplicates', '--json'])).stdout) as { plan: unknown[] };
      assert.deepEqual(plan.plan, []);
      await runCli(home, ['kill-duplicates', '--yes']);
      for (const c of open) assert.ok((await c.listTools()).tools.length > 0, 'the client still served');
    } finally {
      for (const c of open.splice(0)) await c.close().catch(() => undefined);
      await noneLeftThenRemove(other);
    }
  });
});
