import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  answerOf,
  mempalaceHome,
  mempalaceServerCount,
  MempalaceVenv,
  mempalaceVenv,
  startEmbeddings,
} from '../../support/mempalace';
import { until } from '../../support/poll';
import { makeTempDir } from '../../support/temp';
import { guardEnv, liveRecords, runCli, tempHome } from './support';
import { noneLeftThenRemove } from './erasSupport';
import { dataKey } from '../../../src/core/sources/dataPaths';

/**
 * The product's own advice, followed as a user does: mempalace (from PyPI, in a venv) configured in
 * two clients' files, `wrap mempalace --share --yes`, then each client starting its entry as written
 * from a folder of its own. The guard's lock is keyed by the palace the entries name, not by the
 * folder a client started in: one mempalace process serves both, and what one files the other reads.
 */
describe('guard (integration): `wrap --share`, two clients started from two folders, one mempalace on the palace', function () {
  this.timeout(900_000);
  let mp: MempalaceVenv;
  let home: string;
  let palace: string;
  let mpEnv: Record<string, string>;
  let embeddings: Awaited<ReturnType<typeof startEmbeddings>> | undefined;
  const clients: Client[] = [];

  before(async () => {
    mp = await mempalaceVenv(makeTempDir('lg-mpfolders-'));
    embeddings = await startEmbeddings();
    // One home for the clients' configs, mempalace's own settings and our root (MCP_LIFEGUARD_HOME).
    home = tempHome();
    mpEnv = mempalaceHome(home, embeddings.url);
    palace = path.join(home, 'palace');
  });
  after(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    if (home) await noneLeftThenRemove(home);
    await embeddings?.close();
  });

  /** mempalace server processes of this test. */
  const mempalaceServers = () => mempalaceServerCount(mp.mcpBin);

  /** An entry as each client's file holds it: `"mempalace": { command, args }`. */
  const entryOf = (file: string) =>
    (JSON.parse(fs.readFileSync(file, 'utf8')) as { mcpServers: Record<string, { command: string; args: string[] }> })
      .mcpServers.mempalace;

  it('each client runs its wrapped entry from its own folder: one mempalace process, one palace, both served', async () => {
    const claude = path.join(home, '.claude.json');
    const cursor = path.join(home, '.cursor', 'mcp.json');
    fs.mkdirSync(path.dirname(cursor), { recursive: true });
    const entry = { mcpServers: { mempalace: { command: mp.mcpBin, args: ['--palace', palace] } } };
    for (const f of [claude, cursor]) fs.writeFileSync(f, `${JSON.stringify(entry, null, 2)}\n`);

    const wrap = await runCli(home, ['wrap', 'mempalace', '--share', '--yes', '--install-guard']);
    assert.equal(wrap.code, 0, `${wrap.stdout}\n${wrap.stderr}`);
    // Each client starts its own entry, as written, in a folder of its own (a project each).
    const start = async (file: string, cwd: string) => {
      const e = entryOf(file);
      const transport = new StdioClientTransport({
        command: e.command,
        args: e.args,
        env: guardEnv(home, mpEnv),
        cwd,
        stderr: 'pipe',
      });
      const client = new Client({ name: path.basename(cwd), version: '1.0.0' });
      clients.push(client);
      await client.connect(transport);
      return client;
    };
    const a = await start(claude, makeTempDir('lg-project-a-'));
    const b = await start(cursor, makeTempDir('lg-project-b-'));
    assert.equal(mempalaceServers(), 1, 'two clients from two folders, one mempalace process on the palace');
    const call = async (c: Client, name: string, args: Record<string, unknown> = {}) =>
      answerOf(await c.callTool({ name, arguments: args }));

    assert.equal(
      (await call(a, 'mempalace_add_drawer', { wing: 'lg', room: 'folders', content: 'filed from project a' })).success,
      true,
    );
    assert.match(
      JSON.stringify((await call(b, 'mempalace_list_drawers', { wing: 'lg' })).drawers),
      /filed from project a/,
    );
    const records = await liveRecords(home);
    assert.deepEqual(
      records.map((r) => r.resourceKey),
      [dataKey(palace)],
      "one lock, keyed by the palace's digest",
    );
    await until('both clients attached to the one server', async () => {
      const [r] = await liveRecords(home);
      return (r?.attached?.length ?? 0) === 2;
    });
    // What made it one: each entry names the palace as its guard's resource.
    for (const f of [claude, cursor]) {
      const e = entryOf(f);
      const own = e.args.slice(0, e.args.indexOf('--'));
      assert.ok(own.includes(`--resource=${dataKey(palace)}`), `${f}: ${JSON.stringify(e.args)}`);
      assert.deepEqual(e.args.slice(e.args.indexOf('--') + 1), [mp.mcpBin, '--palace', palace]);
    }
  });
});
