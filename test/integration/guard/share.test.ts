import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client as Client2 } from '@modelcontextprotocol/client';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CreateMessageRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { StdioClientTransport as Stdio2 } from '@modelcontextprotocol/client/stdio';
import { jsonLinesChild } from '../../support/jsonLines';
import { fixturesDir, cliPath, repoRoot } from '../../support/repo';
import { PYTHON } from '../../support/run';
import { pypiWheelhouse } from '../../support/toolCache';
import { cachedVenv } from '../../support/venv';
import { MCP_PY_VERSION } from '../http/pythonSdk';
import { sleep, until } from '../../support/poll';
import {
  connectGuarded,
  everythingBin,
  GuardedClient,
  guardEnv,
  liveRecords,
  memoryBin,
  runCliOn,
  spawnGuard,
  tempHome,
  textOf,
} from './support';
import { processesOf, servers as eraServers, noneLeftThenRemove } from './erasSupport';
import { CliWorker } from '../../support/cliWorker';

const shareServer = [process.execPath, path.join(fixturesDir, 'guard', 'share-server.mjs')];

/** One client of a shared server, whatever its SDK. */
interface SharedClient {
  call(
    name: string,
    args: Record<string, unknown>,
    opts?: { signal?: AbortSignal; onprogress?: (p: unknown) => void },
  ): Promise<string>;
  close(): Promise<void>;
  stderr(): string;
}

describe('guard: one server for every client (`run --on-conflict share`, built CLI, real SDK clients)', function () {
  this.timeout(120_000);
  // The restarts (and listings) run on one CLI process: their subject is the guard, not a Node start.
  const cli = new CliWorker();
  after(() => cli.close());
  let home: string;
  const open: SharedClient[] = [];

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close().catch(() => undefined);
    await noneLeftThenRemove(home);
  });

  const env = () => ({
    MEMORY_FILE_PATH: path.join(home, 'memory.jsonl'),
    SHARE_FIXTURE_LOG: path.join(home, 'share.log'),
  });

  async function connect1(name: string, command: readonly string[], clientName: string): Promise<SharedClient> {
    const g: GuardedClient = await connectGuarded(home, ['--on-conflict', 'share', '--name', name, '--', ...command], {
      env: env(),
    });
    // connectGuarded names every client alike; the lock record lists them by name, so ours say who they are.
    void clientName;
    const c: SharedClient = {
      call: async (tool, args, opts) =>
        textOf(
          await g.client.callTool({ name: tool, arguments: args }, undefined, {
            ...(opts?.signal ? { signal: opts.signal } : {}),
            ...(opts?.onprogress ? { onprogress: opts.onprogress } : {}),
          }),
        ),
      close: () => g.client.close(),
      stderr: g.stderr,
    };
    open.push(c);
    return c;
  }

  async function connect2(
    name: string,
    command: readonly string[],
    clientName: string,
    mode: 'auto' | 'legacy',
  ): Promise<SharedClient> {
    const transport = new Stdio2({
      command: process.execPath,
      args: [cliPath, 'run', '--on-conflict', 'share', '--name', name, '--', ...command],
      env: guardEnv(home, env()),
      cwd: repoRoot,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const client = new Client2(
      { name: clientName, version: '1.0.0' },
      mode === 'auto' ? { versionNegotiation: { mode: 'auto' as const } } : {},
    );
    await client.connect(transport);
    const c: SharedClient = {
      call: async (tool, args) => textOf(await client.callTool({ name: tool, arguments: args })),
      close: () => client.close(),
      stderr: () => stderr,
    };
    open.push(c);
    return c;
  }

  const serversOf = () => processesOf(home).servers;

  it('three SDK 1.x clients share one server-memory: what one writes the others read, across a restart and as they leave', async () => {
    const [a, b, c] = [
      await connect1('mem', [memoryBin], 'a'),
      await connect1('mem', [memoryBin], 'b'),
      await connect1('mem', [memoryBin], 'c'),
    ];
    assert.equal(serversOf(), 1, 'three clients, one server process');
    assert.equal(processesOf(home).guards, 4, 'three relays and the share host');
    await a.call('create_entities', { entities: [{ name: 'Alice', entityType: 'person', observations: ['x'] }] });
    assert.match(await b.call('read_graph', {}), /Alice/);
    assert.match(await c.call('read_graph', {}), /Alice/);
    const [record] = await liveRecords(home);
    assert.equal(record.share, true);
    assert.equal(record.attached?.length, 3);
    const locks = await runCliOn(cli, home, ['locks']);
    assert.match(locks.stdout, /shared by 3 clients/);

    const r = await runCliOn(cli, home, ['restart', 'mem']);
    assert.equal(r.code, 0, r.stderr);
    // One restart of the one server: each of the three clients is named (by the name it gave), each kept its session.
    assert.match(r.stdout, /restart #1; [^,\n]+, [^,\n]+ and [^,\n]+ kept their sessions\n$/);
    await until('the old server gone after the restart', () => serversOf() === 1, 10_000);
    await b.call('create_entities', { entities: [{ name: 'Bob', entityType: 'person', observations: ['y'] }] });
    for (const x of [a, b, c]) assert.match(await x.call('read_graph', {}), /Alice[\s\S]*Bob/);
    // A client that comes after the restart is answered from the restarted server's handshake.
    const d = await connect1('mem', [memoryBin], 'd');
    assert.match(await d.call('read_graph', {}), /Bob/);
    await d.close();
    open.splice(open.indexOf(d), 1);

    // The holder's own client leaves first: the others keep their sessions.
    await a.close();
    open.splice(open.indexOf(a), 1);
    assert.match(await c.call('read_graph', {}), /Bob/);
    assert.match(await b.call('read_graph', {}), /Bob/);
    await until('the lock lists two clients', async () => (await liveRecords(home))[0]?.attached?.length === 2, 5_000);
    await c.close();
    open.splice(open.indexOf(c), 1);
    assert.match(await b.call('read_graph', {}), /Alice/);
    assert.equal(serversOf(), 1);
    await b.close();
    open.splice(open.indexOf(b), 1);
    await until(
      'the server stops once the last client left',
      () => serversOf() === 0 && processesOf(home).guards === 0,
      15_000,
    );
  });

  it('a Python SDK client and a TypeScript SDK client share one server-memory: what one writes the other reads', async function () {
    this.timeout(300_000);
    try {
      const wheelhouse = await pypiWheelhouse(PYTHON, `mcp-${MCP_PY_VERSION}`, [`mcp==${MCP_PY_VERSION}`]);
      const { py } = await cachedVenv(`mcp-${MCP_PY_VERSION}`, [wheelhouse], [`mcp==${MCP_PY_VERSION}`]);
      const ts = await connect1('mem', [memoryBin], 'ts');
      const python = jsonLinesChild(
        py,
        [
          path.join(fixturesDir, 'python', 'stdio_tools_client.py'),
          process.execPath,
          cliPath,
          'run',
          '--on-conflict',
          'share',
          '--name',
          'mem',
          '--',
          memoryBin,
        ],
        guardEnv(home, env()),
      );
      open.push({ call: async () => '', close: () => python.close(), stderr: () => python.stderrTail() });
      const ready = await python.next<{ ready: boolean; server: string }>();
      assert.ok(ready?.ready, `the Python client did not start: ${python.stderrTail()}`);
      const pyCall = async (tool: string, args: Record<string, unknown>) => {
        python.send(`${tool} ${JSON.stringify(args)}`);
        const answer = await python.next<{ text?: string; error?: string }>();
        assert.ok(answer?.text !== undefined, `${tool} from Python: ${JSON.stringify(answer)} ${python.stderrTail()}`);
        return answer.text;
      };
      assert.equal(serversOf(), 1, 'two clients of two SDKs, one server process');
      // Two relays, the share host, and the Python client (its command line names the CLI it spawns).
      assert.equal(processesOf(home).guards, 4);
      await pyCall('create_entities', { entities: [{ name: 'Pyla', entityType: 'person', observations: ['py'] }] });
      assert.match(await ts.call('read_graph', {}), /Pyla/);
      await ts.call('create_entities', { entities: [{ name: 'Tessa', entityType: 'person', observations: ['ts'] }] });
      assert.match(await pyCall('read_graph', {}), /Pyla[\s\S]*Tessa/);
      const [record] = await liveRecords(home);
      assert.deepEqual(
        record.attached?.map((x) => x.clientName),
        ['guard-integration', 'mcp'],
        'the lock record lists the TypeScript client and the Python one (the SDK names itself mcp)',
      );
    } finally {
      for (const c of open.splice(0)) await c.close().catch(() => undefined);
    }
  });

  it('SDK 2.x clients share one server in the 2026-07-28 era, and legacy 2.x with 1.x clients in the legacy era', async () => {
    const modern = [
      await connect2('dual', eraServers.dual, 'm1', 'auto'),
      await connect2('dual', eraServers.dual, 'm2', 'auto'),
      await connect2('dual', eraServers.dual, 'm3', 'auto'),
    ];
    const answers = await Promise.all(modern.map((m, i) => m.call('echo', { text: `m${i}` })));
    const pids = new Set(answers.map((t) => t.split(':')[0]));
    assert.equal(pids.size, 1, `one server answered all: ${answers.join(' ')}`);
    assert.deepEqual(
      answers.map((t) => t.split(':')[1]),
      ['m0', 'm1', 'm2'],
    );
    const [dual] = await liveRecords(home);
    assert.equal(dual.versions?.serverInfo?.era, 'modern', 'the shared session is of the 2026-07-28 era');
    const r = await runCliOn(cli, home, ['restart', 'dual']);
    assert.equal(r.code, 0, r.stderr);
    for (const m of modern) assert.match(await m.call('echo', { text: 'after' }), /:after$/);
    assert.equal(serversOf(), 1);

    const legacy = [
      await connect2('mem2', [memoryBin], 'l1', 'legacy'),
      await connect1('mem2', [memoryBin], 'l2'),
      await connect2('mem2', [memoryBin], 'l3', 'legacy'),
    ];
    await legacy[1].call('create_entities', { entities: [{ name: 'Carol', entityType: 'person', observations: [] }] });
    for (const l of legacy) assert.match(await l.call('read_graph', {}), /Carol/);
    assert.equal(serversOf(), 2, 'one server per shared identity');
    const [mem2] = (await liveRecords(home)).filter((x) => x.serverName === 'mem2');
    assert.deepEqual(
      mem2.attached?.map((x) => x.clientName),
      ['l1', 'guard-integration', 'l3'],
      'the lock record names each client',
    );
  });

  it('progress and cancellation go only where they were asked', async () => {
    const a = await connect1('p', shareServer, 'a');
    const b = await connect1('p', shareServer, 'b');
    const got = { a: [] as unknown[], b: [] as unknown[] };
    const [pa, pb] = await Promise.all([
      a.call('progress', { steps: 3, ms: 50, tailMs: 300 }, { onprogress: (p) => got.a.push(p) }),
      b.call('progress', { steps: 5, ms: 30, tailMs: 300 }, { onprogress: (p) => got.b.push(p) }),
    ]);
    assert.equal(pa, 'done 3');
    assert.equal(pb, 'done 5');
    // Each client hears its own progress only. (The 1.x SDK client may drop a step that arrives in
    // the same chunk as the answer: it handles notifications a tick later than responses. The answer
    // comes 300 ms after the last step, so only a client stalled that long misses one.)
    const totals = (list: unknown[]) => new Set(list.map((p) => (p as { total: number }).total));
    assert.deepEqual([...totals(got.a)], [3]);
    assert.deepEqual([...totals(got.b)], [5]);
    assert.ok(got.a.length >= 2 && got.a.length <= 3, `a heard ${got.a.length}`);
    assert.ok(got.b.length >= 4 && got.b.length <= 5, `b heard ${got.b.length}`);

    const abort = new AbortController();
    const cancelled = a.call('slow', { ms: 3000, text: 'A' }, { signal: abort.signal });
    const kept = b.call('slow', { ms: 800, text: 'B' });
    await new Promise((r) => setTimeout(r, 300));
    abort.abort();
    await assert.rejects(cancelled);
    assert.equal(await kept, 'slept B');
    const log = () => (fs.existsSync(env().SHARE_FIXTURE_LOG) ? fs.readFileSync(env().SHARE_FIXTURE_LOG, 'utf8') : '');
    await until('the server saw A cancelled', () => log().includes('cancelled A'), 5_000);
    assert.doesNotMatch(log(), /cancelled B/);

    // A client that leaves with a request in flight: it is cancelled at the server, the other's goes on.
    const leaving = a.call('slow', { ms: 5000, text: 'A2' }).catch(() => 'closed');
    const staying = b.call('slow', { ms: 1000, text: 'B2' });
    await new Promise((r) => setTimeout(r, 200));
    await a.close();
    open.splice(open.indexOf(a), 1);
    assert.equal(await leaving, 'closed');
    assert.equal(await staying, 'slept B2');
    await until('the server saw A2 cancelled', () => log().includes('cancelled A2'), 5_000);
    assert.equal(await b.call('echo', { text: 'still' }).then((t) => t.split(':')[1]), 'still');
  });

  it('resources/updated reaches only the subscribed clients, log messages only the clients whose level they meet (server-everything)', async () => {
    const args = ['--on-conflict', 'share', '--name', 'ev', '--', everythingBin, 'stdio'];
    const heard = new Map<string, { updated: string[]; logs: string[] }>();
    const connect = async (who: string) => {
      const g = await connectGuarded(home, args, { env: env() });
      open.push({ call: async () => '', close: () => g.client.close(), stderr: g.stderr });
      const got = { updated: [] as string[], logs: [] as string[] };
      heard.set(who, got);
      g.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void got.updated.push(n.params.uri));
      g.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void got.logs.push(n.params.level));
      return g.client;
    };
    const a = await connect('a');
    const b = await connect('b');
    const c = await connect('c');
    await a.setLoggingLevel('error');
    await b.setLoggingLevel('debug');
    await a.subscribeResource({ uri: 'test://x' });
    await b.subscribeResource({ uri: 'test://x' });
    await b.subscribeResource({ uri: 'test://y' });
    // The server sends an update for each subscribed URI at once, then every 5 s.
    await c.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await until('both updates reached b', () => heard.get('b')!.updated.length >= 2, 10_000);
    await sleep(300);
    assert.deepEqual([...new Set(heard.get('a')!.updated)], ['test://x']);
    assert.deepEqual([...new Set(heard.get('b')!.updated)].sort(), ['test://x', 'test://y']);
    assert.deepEqual(heard.get('c')!.updated, []);
    // The subscribe acknowledgements are info messages: b (debug) and c (no level set) hear them, a (error) does not.
    assert.ok(heard.get('b')!.logs.includes('info'), JSON.stringify(heard.get('b')));
    assert.ok(heard.get('c')!.logs.includes('info'));
    assert.deepEqual(
      heard.get('a')!.logs.filter((l) => l === 'info' || l === 'debug'),
      [],
    );
  });

  it('a sampling request reaches the client whose call is in flight, else the oldest that declared sampling', async () => {
    const sampler = async (name: string, sampling: boolean): Promise<Client1> => {
      const transport = new Stdio1({
        command: process.execPath,
        args: [cliPath, 'run', '--on-conflict', 'share', '--name', 's', '--', ...shareServer],
        env: guardEnv(home, env()),
        cwd: repoRoot,
        stderr: 'pipe',
      });
      const client = new Client1({ name, version: '1.0.0' }, { capabilities: sampling ? { sampling: {} } : {} });
      if (sampling)
        client.setRequestHandler(CreateMessageRequestSchema, () => ({
          role: 'assistant',
          content: { type: 'text', text: `from ${name}` },
          model: 'test',
        }));
      await client.connect(transport);
      open.push({ call: async () => '', close: () => client.close(), stderr: () => '' });
      return client;
    };
    const a = await sampler('A', true);
    const b = await sampler('B', true);
    const c = await sampler('C', false);
    const sample = async (x: Client1) => textOf(await x.callTool({ name: 'sample', arguments: {} }));
    assert.equal(await sample(b), 'sampled: from B');
    assert.equal(await sample(a), 'sampled: from A');
    assert.equal(await sample(c), 'sampled: from A', 'C declared no sampling: the oldest that did answers');
  });

  it('roots/list: server-everything gets the union of the roots of every client that declared roots', async () => {
    const asked = new Map<string, number>();
    const rooted = async (name: string, roots: Array<{ uri: string; name: string }> | undefined): Promise<Client1> => {
      const transport = new Stdio1({
        command: process.execPath,
        args: [cliPath, 'run', '--on-conflict', 'share', '--name', 'roots', '--', everythingBin, 'stdio'],
        env: guardEnv(home, env()),
        cwd: repoRoot,
        stderr: 'pipe',
      });
      const client = new Client1(
        { name, version: '1.0.0' },
        { capabilities: roots ? { roots: { listChanged: true } } : {} },
      );
      if (roots)
        client.setRequestHandler(ListRootsRequestSchema, () => {
          asked.set(name, (asked.get(name) ?? 0) + 1);
          return { roots };
        });
      await client.connect(transport);
      open.push({ call: async () => '', close: () => client.close(), stderr: () => '' });
      return client;
    };
    await rooted('A', [
      { uri: 'file:///work/a', name: 'a' },
      { uri: 'file:///work/shared', name: 'shared' },
    ]);
    // The server asks for roots 350 ms after its initialize (A's): A alone answers.
    await until('the server asked A for its roots', () => (asked.get('A') ?? 0) >= 1, 10_000);
    const b = await rooted('B', [
      { uri: 'file:///work/b', name: 'b' },
      { uri: 'file:///work/shared', name: 'shared too' },
    ]);
    const c = await rooted('C', undefined);
    const listed = async () => textOf(await c.callTool({ name: 'get-roots-list', arguments: {} }));
    assert.match(await listed(), /Current MCP Roots \(2 total\)/);
    // B's roots changed: the server hears it and asks again; the multiplexer asks A and B, and merges.
    await b.sendRootsListChanged();
    await until('the server asked B', () => (asked.get('B') ?? 0) >= 1, 10_000);
    let text = '';
    await until('the server holds the merged roots', async () => /\(3 total\)/.test((text = await listed())), 10_000);
    for (const uri of ['file:///work/a', 'file:///work/b', 'file:///work/shared'])
      assert.ok(text.includes(`URI: ${uri}\n`), `${uri} in ${text}`);
    assert.equal(text.split('URI: file:///work/shared').length - 1, 1, 'the root both declared, once');
    assert.match(text, /shared\n\s+URI: file:\/\/\/work\/shared/, 'the oldest client’s entry kept');
    assert.equal(asked.get('A'), 2, 'A was asked at the start and again on B’s change');
    assert.equal(serversOf(), 1);
  });

  it('a server crash restarts the one server under every client', async () => {
    const [a, b, c] = [
      await connect1('crash', shareServer, 'a'),
      await connect1('crash', shareServer, 'b'),
      await connect1('crash', shareServer, 'c'),
    ];
    const before = (await a.call('echo', { text: 'x' })).split(':')[0];
    await assert.rejects(b.call('exit', { code: 1 }));
    for (const x of [a, b, c]) {
      const after = await x.call('echo', { text: 'y' });
      assert.notEqual(after.split(':')[0], before, 'a new server answers');
      assert.equal(after.split(':')[1], 'y');
    }
    assert.equal(serversOf(), 1);
  });

  it('--linger keeps the server for a client that comes back, and stops it once the time passed', async () => {
    const args = ['--on-conflict', 'share', '--linger', '2', '--name', 'l', '--', ...shareServer];
    const first = await connectGuarded(home, args, { env: env() });
    const pid = textOf(await first.client.callTool({ name: 'echo', arguments: { text: 'a' } })).split(':')[0];
    await first.client.close();
    await sleep(500);
    assert.equal(serversOf(), 1, 'the server lingers');
    const again = await connectGuarded(home, args, { env: env() });
    open.push({ call: async () => '', close: () => again.client.close(), stderr: again.stderr });
    assert.equal(
      textOf(await again.client.callTool({ name: 'echo', arguments: { text: 'b' } })).split(':')[0],
      pid,
      'the client that came back is served by the same server',
    );
    await again.client.close();
    open.pop();
    const left = Date.now();
    await sleep(1000);
    assert.equal(serversOf(), 1, 'still lingering');
    await until('the server stops after the linger time', () => serversOf() === 0, 10_000);
    assert.ok(Date.now() - left >= 1500, `stopped after ${Date.now() - left} ms`);
  });

  it('a server that cannot start fails the sharing launch with a clear line, not a wait', async () => {
    const started = Date.now();
    const g = spawnGuard(home, ['--on-conflict', 'share', '--name', 'bad', '--', path.join(home, 'no-such-server')]);
    assert.equal(await g.exited, 1);
    assert.match(
      g.output.stderr,
      /the share host of bad exited with code 127 before serving \(its log: .*share-hosts\.log\)/,
    );
    assert.ok(Date.now() - started < 15_000);
  });

  it('a holder started without --on-conflict share refuses to share, naming the flag', async () => {
    const holder = await connectGuarded(home, ['--name', 'solo', '--', ...shareServer], { env: env() });
    open.push({ call: async () => '', close: () => holder.client.close(), stderr: holder.stderr });
    const second = spawnGuard(home, ['--on-conflict', 'share', '--name', 'solo', '--', ...shareServer]);
    second.stdin?.end();
    assert.equal(await second.exited, 1);
    assert.match(second.output.stderr, /started without --on-conflict share/);
    assert.equal(serversOf(), 1);
  });
});
