import * as assert from 'node:assert/strict';
import * as path from 'node:path';
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
import { connectGuarded, GuardedClient, liveRecords, runCli, tempHome } from './support';
import { noneLeftThenRemove } from './erasSupport';

/**
 * The issue's own case for sharing: mempalace (a Python MCP server over a chromadb palace, from
 * PyPI in a venv) wanted one instance per palace. Three clients through `--on-conflict share` get
 * one mempalace process; what one files the others find; a restart keeps all three sessions.
 */
describe('guard (integration): three clients share one mempalace server (`--on-conflict share`)', function () {
  this.timeout(900_000);
  let mp: MempalaceVenv;
  let env: Record<string, string>;
  let palace: string;
  let lgHome: string;
  let embeddings: Awaited<ReturnType<typeof startEmbeddings>> | undefined;
  const open: GuardedClient[] = [];

  before(async () => {
    const root = makeTempDir('lg-mpshare-');
    mp = await mempalaceVenv(root);
    embeddings = await startEmbeddings();
    const home = path.join(root, 'home');
    env = mempalaceHome(home, embeddings.url);
    palace = path.join(home, 'palace');
    lgHome = tempHome();
  });
  after(async () => {
    for (const g of open.splice(0)) await g.client.close().catch(() => undefined);
    if (lgHome) await noneLeftThenRemove(lgHome);
    await embeddings?.close();
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
