import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { controlRestart } from '../../../src/core/control';
import { GuardErrorCode } from '../../../src/guard/wireErrors';
import { until } from '../../support/poll';
import { MEM, memoryPrefix, NPM, npmEnv, run, tempDir } from '../versions/support';
import { connectGuarded, GuardedClient, liveRecords, tempHome, textOf } from './support';

describe('guard: --when-stale refuse-writes after a real npm upgrade of server-memory', function () {
  this.timeout(600_000);
  let home: string;
  let g: GuardedClient | undefined;

  before(() => {
    home = tempHome();
  });
  after(async () => {
    await g?.client.close().catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('refuses a write tool naming both versions, lets a readOnlyHint tool through with the stale notice, and a restart clears it', async () => {
    // 2026.7.4 as real npm installs it, with its npm cache (made once per machine): the upgrade
    // below under the running server is this test's own real npm run.
    const root = tempDir('lg-stale-');
    const { prefix, bin } = await memoryPrefix(root, '2026.7.4');
    g = await connectGuarded(home, ['--when-stale', 'refuse-writes', '--', bin], {
      env: { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') },
    });
    const { client } = g;
    const tools = (await client.listTools()).tools;
    // create_entities writes; read_graph is declared read-only by the server itself.
    assert.equal(tools.find((t) => t.name === 'create_entities')?.annotations?.readOnlyHint, false);
    assert.equal(tools.find((t) => t.name === 'read_graph')?.annotations?.readOnlyHint, true);
    const entity = (name: string) => ({
      name: 'create_entities',
      arguments: { entities: [{ name, entityType: 't', observations: [] }] },
    });
    await client.callTool(entity('before-upgrade'));
    const [atStart] = await liveRecords(home);
    assert.equal(atStart.versions?.package?.version, '2026.7.4');

    await run(NPM, ['install', '--prefix', prefix, `${MEM}@2026.8.31`], { env: npmEnv(root) });
    // Files written seconds ago may be an install still running: the verdict settles first (read-only calls ask for it).
    await until(
      () => `the stale verdict:\n${g!.stderr()}`,
      async () => {
        await client.callTool({ name: 'read_graph', arguments: {} });
        return /memory: Stale: /.test(g!.stderr());
      },
      60_000,
      500,
    );

    await assert.rejects(client.callTool(entity('after-upgrade')), (err: { code?: number; message: string }) => {
      assert.equal(err.code, GuardErrorCode.Stale);
      assert.match(
        err.message,
        /"server-memory": Stale: runs "@modelcontextprotocol\/server-memory" "2026\.7\.4", but "2026\.8\.31" is installed/,
      );
      assert.match(err.message, /"create_entities" is not declared read-only/);
      return true;
    });
    const read = (await client.callTool({ name: 'read_graph', arguments: {} })).content as Array<{ text?: string }>;
    const graph = textOf({ content: read });
    assert.match(graph, /before-upgrade/);
    assert.doesNotMatch(graph, /after-upgrade/);
    // The read let through tells the model the server is stale, as annotate would: a refusal adds refusals, never removes the notice.
    assert.match(
      read.at(-1)?.text ?? '',
      /^\[MCP Lifeguard\] This server \("server-memory"\): Stale: runs "@modelcontextprotocol\/server-memory" "2026\.7\.4", but "2026\.8\.31" is installed\. Restart it/,
    );

    const restarted = await controlRestart(atStart.control!, 'upgrade', { timeoutMs: 120_000 });
    assert.ok(restarted.ok, JSON.stringify(restarted));
    await client.callTool(entity('after-restart'));
    const fresh = (await client.callTool({ name: 'read_graph', arguments: {} })).content as Array<{ text?: string }>;
    assert.deepEqual(
      fresh.filter((b) => b.text?.startsWith('[MCP Lifeguard]')),
      [],
      'no notice once it runs what is installed',
    );
    const [now] = await liveRecords(home);
    assert.equal(now.versions?.package?.version, '2026.8.31');
  });
});
