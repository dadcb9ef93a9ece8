import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { controlStatus } from '../../../src/core/control';
import {
  answerOf,
  mempalaceHome,
  mempalaceServerCount,
  MempalaceVenv,
  mempalaceVenv,
  startEmbeddings,
} from '../../support/mempalace';
import { isAlive, killAndWait } from '../../support/liveness';
import { until } from '../../support/poll';
import { fixturesDir, repoRoot } from '../../support/repo';
import { makeTempDir } from '../../support/temp';
import { connectGuarded, GuardedClient, guardEnv, liveRecords, runCli, spawnGuard, tempHome } from './support';
import { noneLeftThenRemove } from './erasSupport';

/**
 * mempalace from PyPI (a Python MCP server over a chromadb palace, 85 distributions, in one venv
 * installed once for the file) under the guard: launched twice against one palace, and shared by
 * three clients.
 */
describe('guard (integration): mempalace from PyPI under the guard', function () {
  this.timeout(900_000);
  let mp: MempalaceVenv;
  let env: Record<string, string>;
  let home: string;
  let embeddings: Awaited<ReturnType<typeof startEmbeddings>> | undefined;

  before(async () => {
    const root = makeTempDir('lg-mempalace-guard-');
    mp = await mempalaceVenv(root);
    embeddings = await startEmbeddings();
    home = path.join(root, 'home');
    env = mempalaceHome(home, embeddings.url);
  });
  after(async () => {
    await embeddings?.close();
  });

  /**
   * The mempalace double spawn: two launches of mempalace's MCP server against the same palace.
   * Through the guard, the second is refused naming the holder and the palace, and a `kill -9` of the
   * holder frees the palace at once. With the Python reference lock implementation inside the server
   * process itself, the guard and the server agree on one holder.
   */
  describe('mempalace launched twice against one palace', function () {
    let palace: string;
    let lgHome: string;
    const open: GuardedClient[] = [];
    const clients: Client[] = [];
    const pids: number[] = [];

    before(() => {
      palace = path.join(home, 'palace');
    });
    beforeEach(() => {
      lgHome = tempHome();
    });
    afterEach(async () => {
      for (const g of open.splice(0)) await g.client.close().catch(() => undefined);
      for (const c of clients.splice(0)) await c.close().catch(() => undefined);
      for (const pid of pids.splice(0)) await killAndWait(pid);
      fs.rmSync(lgHome, { recursive: true, force: true });
    });

    const guardArgs = () => ['--name', 'mempalace', '--resource', palace, '--', mp.mcpBin, '--palace', palace];
    async function guarded(): Promise<GuardedClient> {
      const g = await connectGuarded(lgHome, guardArgs(), { env });
      open.push(g);
      if (g.transport.pid) pids.push(g.transport.pid);
      return g;
    }
    async function refusedLine(): Promise<string> {
      const second = spawnGuard(lgHome, guardArgs());
      pids.push(second.pid!);
      assert.equal(await second.exited, 1, second.output.stderr);
      assert.equal(second.output.stdout, '', 'nothing but protocol bytes on stdout');
      const lines = second.output.stderr.trim().split('\n');
      assert.equal(lines.length, 1, second.output.stderr);
      return lines[0];
    }
    async function liveLocks(): Promise<
      Array<{ pid: number; serverName: string; resourceKey: string; holder?: string }>
    > {
      const out = await runCli(lgHome, ['locks', '--json']);
      assert.equal(out.code, 0, out.stderr);
      const { locks } = JSON.parse(out.stdout) as {
        locks: Array<{
          state: string;
          record?: { pid: number; serverName: string; resourceKey: string; holder?: string };
        }>;
      };
      return locks.flatMap((l) => (l.state === 'live' && l.record ? [l.record] : []));
    }

    it('through the guard: the second launch is refused naming the holder pid and the palace; after kill -9 of the holder the next takes over at once', async () => {
      const first = await guarded();
      assert.equal(
        answerOf(
          await first.client.callTool({
            name: 'mempalace_add_drawer',
            arguments: { wing: 'lg', room: 'double', content: 'filed by the first' },
          }),
        ).success,
        true,
      );
      const [holder] = await liveRecords(lgHome);
      assert.equal(holder.resourceKey, palace);

      const line = await refusedLine();
      assert.match(
        line,
        new RegExp(
          `^mcp-lifeguard run \\[mempalace\\]: mempalace is already running under pid ${holder.pid} \\(lock ${esc(lgHome)}/locks/mempalace-[0-9a-f]{16}\\.lock\\) for resource ${esc(palace)};`,
        ),
      );
      // The first keeps working.
      assert.equal(answerOf(await first.client.callTool({ name: 'mempalace_status', arguments: {} })).total_drawers, 1);

      // kill -9 of the guard: its server reads EOF on stdin and exits by itself.
      const status = await controlStatus(holder.control!);
      assert.ok(status.ok);
      const serverPid = status.result.childPid!;
      pids.push(serverPid);
      assert.ok(isAlive(serverPid));
      process.kill(holder.pid, 'SIGKILL');
      await until('the orphaned mempalace server to exit on EOF', () => !isAlive(serverPid), 60_000);

      const next = await guarded();
      assert.equal(
        answerOf(await next.client.callTool({ name: 'mempalace_status', arguments: {} })).total_drawers,
        1,
        'the palace the first filed into',
      );
      assert.match(next.stderr(), new RegExp(`took over the lock of pid ${holder.pid}`));
      const live = await liveLocks();
      assert.equal(live.length, 1, JSON.stringify(live));
      assert.notEqual(live[0].pid, holder.pid);
    });

    it('the lock taken by lockproto.py inside the mempalace server process: the guard is refused naming that process, and `locks` shows one holder', async () => {
      // A real Python MCP server process whose start-up takes the lock with the reference implementation.
      const transport = new StdioClientTransport({
        command: mp.py,
        args: [
          // -B: no bytecode written beside lockproto.py in the repository's docs/examples (the venv's is read).
          '-B',
          path.join(fixturesDir, 'python', 'mempalace_with_lock.py'),
          path.join(repoRoot, 'docs', 'examples'),
          'mempalace',
          palace,
        ],
        env: { ...guardEnv(lgHome), ...env },
        stderr: 'pipe',
      });
      const client = new Client({ name: 'mempalace-lockproto', version: '1.0.0' });
      clients.push(client);
      await client.connect(transport);
      const serverPid = transport.pid!;
      pids.push(serverPid);
      assert.ok(
        Array.isArray(answerOf(await client.callTool({ name: 'mempalace_list_drawers', arguments: {} })).drawers),
      );

      const line = await refusedLine();
      assert.match(
        line,
        new RegExp(
          `^mcp-lifeguard run \\[mempalace\\]: mempalace is already running under pid ${serverPid} \\(lock ${esc(lgHome)}/locks/mempalace-[0-9a-f]{16}\\.lock\\) for resource ${esc(palace)};`,
        ),
      );

      const live = await liveLocks();
      assert.equal(live.length, 1, JSON.stringify(live));
      assert.equal(live[0].pid, serverPid);
      assert.equal(live[0].holder, 'lockproto.py');
      assert.equal(live[0].serverName, 'mempalace');
      assert.equal(live[0].resourceKey, palace);
      // The server still answers: the refused guard never started a second one.
      assert.equal(
        typeof answerOf(await client.callTool({ name: 'mempalace_status', arguments: {} })).total_drawers,
        'number',
      );

      // The client goes: the server exits on EOF and lockproto marks its record released; a guard starts.
      await client.close();
      await until('the Python server to exit', () => !isAlive(serverPid), 60_000);
      assert.deepEqual(await liveLocks(), []);
      const next = await guarded();
      assert.equal(
        typeof answerOf(await next.client.callTool({ name: 'mempalace_status', arguments: {} })).total_drawers,
        'number',
      );
    });
  });

  /**
   * The issue's own case for sharing: mempalace wanted one instance per palace. Three clients through
   * `--on-conflict share` get one mempalace process; what one files the others find; a restart keeps
   * all three sessions.
   */
  describe('three clients share one mempalace server (`--on-conflict share`)', function () {
    let palace: string;
    let lgHome: string;
    const open: GuardedClient[] = [];

    before(() => {
      palace = path.join(home, 'shared-palace');
      lgHome = tempHome();
    });
    after(async () => {
      for (const g of open.splice(0)) await g.client.close().catch(() => undefined);
      if (lgHome) await noneLeftThenRemove(lgHome);
    });

    /** mempalace server processes of this test. */
    const mempalaceServers = () => mempalaceServerCount(mp.mcpBin);

    async function client(): Promise<GuardedClient> {
      const g = await connectGuarded(
        lgHome,
        ['--on-conflict', 'share', '--name', 'mempalace', '--resource', palace, '--', mp.mcpBin, '--palace', palace],
        { env },
      );
      open.push(g);
      return g;
    }
    const call = async (g: GuardedClient, name: string, args: Record<string, unknown> = {}) =>
      answerOf(await g.client.callTool({ name, arguments: args }));
    const drawers = async (g: GuardedClient) =>
      JSON.stringify((await call(g, 'mempalace_list_drawers', { wing: 'lg' })).drawers);

    it('one mempalace process for three clients: what one files the others read, across a restart', async () => {
      const [a, b, c] = [await client(), await client(), await client()];
      assert.equal(mempalaceServers(), 1, 'three clients, one mempalace process');
      assert.equal(
        (await call(a, 'mempalace_add_drawer', { wing: 'lg', room: 'share', content: 'filed by a' })).success,
        true,
      );
      for (const x of [b, c]) assert.match(await drawers(x), /filed by a/);
      assert.equal((await call(c, 'mempalace_status')).total_drawers, 1);
      const [record] = await liveRecords(lgHome);
      assert.equal(record.attached?.length, 3);

      const before = (await liveRecords(lgHome))[0].child?.pid;
      const r = await runCli(lgHome, ['restart', 'mempalace']);
      assert.equal(r.code, 0, r.stderr);
      await until('one mempalace process after the restart', () => mempalaceServers() === 1, 60_000);
      assert.notEqual((await liveRecords(lgHome))[0].child?.pid, before, 'a new process serves');
      // Every session goes on: each client files and reads through the restarted server.
      for (const [i, x] of [a, b, c].entries())
        assert.equal(
          (await call(x, 'mempalace_add_drawer', { wing: 'lg', room: 'share', content: `after restart ${i}` })).success,
          true,
        );
      for (const x of [a, b, c]) {
        const seen = await drawers(x);
        for (const text of ['filed by a', 'after restart 0', 'after restart 1', 'after restart 2'])
          assert.ok(seen.includes(text), `${text} in ${seen}`);
      }
      assert.equal(mempalaceServers(), 1);
    });
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
