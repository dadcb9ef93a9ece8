import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writePrivateAtomic } from '../../../src/core/machine/privateFs';
import { until } from '../../support/poll';
import { MEM, memoryPrefix, NPM, npmEnv, run, tempDir } from '../versions/support';
import { connectGuarded, GuardedClient, liveRecords, runCli, tempHome } from './support';

type ToolResult = { content: Array<{ type: string; text?: string }>; structuredContent?: unknown; isError?: boolean };

/**
 * The default policy, `annotate`, end to end: real server-memory installed with real npm, the
 * built CLI's guard in front of it, the SDK's own client (which validates `structuredContent`
 * against the tools' `outputSchema` on every callTool) behind it.
 */
describe('guard: --when-stale annotate (the default) after a real npm upgrade of server-memory', function () {
  this.timeout(600_000);
  let root: string;
  let home: string;
  let g: GuardedClient | undefined;

  before(() => {
    root = tempDir('lg-annotate-');
    home = tempHome();
  });
  after(async () => {
    // Closing the client ends the guard's stdin: the guard stops server-memory and exits.
    await g?.client.close().catch(() => undefined);
    await until('the guard to release its lock', async () => (await liveRecords(home)).length === 0, 30_000).catch(
      () => undefined,
    );
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("says nothing while current, then appends one notice to each tool result and keeps the server's own content; a restart clears it", async () => {
    // 2026.7.4 as real npm installs it, with its npm cache (made once per machine): the upgrade
    // below under the running server is this test's own real npm run.
    const { prefix, bin } = await memoryPrefix(root, '2026.7.4');
    // The daily registry check's cache, as the extension leaves it: a newer release than 2026.7.4.
    await writePrivateAtomic(
      path.join(home, 'cache', 'registry.json'),
      JSON.stringify({
        version: 1,
        entries: {
          [`npm:${MEM}`]: {
            checkedAt: new Date().toISOString(),
            url: 'https://registry.invalid/x',
            latest: '2026.8.31',
          },
        },
      }),
      { root: home },
    );

    // No --when-stale: annotate is the default.
    g = await connectGuarded(home, ['--name', 'memory', '--stale-interval', '1', '--', bin], {
      env: { MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') },
    });
    const { client } = g;
    const tools = (await client.listTools()).tools;
    assert.ok(
      tools.find((t) => t.name === 'read_graph')?.outputSchema,
      'read_graph declares an outputSchema, so the client validates structuredContent',
    );
    const write = await client.callTool({
      name: 'create_entities',
      arguments: { entities: [{ name: 'before-upgrade', entityType: 't', observations: ['o'] }] },
    });
    assert.ok(!write.isError, JSON.stringify(write));
    const readGraph = async () => (await client.callTool({ name: 'read_graph', arguments: {} })) as ToolResult;
    const notices = (r: ToolResult) =>
      r.content.filter((b) => b.type === 'text' && b.text?.startsWith('[MCP Lifeguard]')).map((b) => b.text!);

    // The cached newer release is said once (on the first result after the guard read the cache), then never again.
    const allResults: ToolResult[] = [write as ToolResult];
    const updated = await until(
      'the update-available notice',
      async () => {
        const r = await readGraph();
        allResults.push(r);
        return allResults.flatMap(notices).length > 0 && r;
      },
      30_000,
      100,
    );
    assert.deepEqual(allResults.flatMap(notices), [
      `[MCP Lifeguard] A newer release of "${MEM}" is available: "2026.8.31" (installed "2026.7.4").`,
    ]);
    assert.ok(updated);
    const current = await readGraph();
    assert.deepEqual(notices(current), [], 'current, and the update was said already: no extra block');
    assert.match(JSON.stringify(current.structuredContent), /before-upgrade/);

    await run(NPM, ['install', '--prefix', prefix, `${MEM}@2026.8.31`], { env: npmEnv(root) });

    // The call never waits for a check; the 1 s timer's check makes the next results carry it.
    const stale = await until(
      'a result with the stale notice',
      async () => {
        const r = await readGraph();
        // Every result on the way, annotated or not, keeps the server's own blocks as they were.
        assert.deepEqual(r.content.slice(0, current.content.length), current.content);
        assert.deepEqual(r.structuredContent, current.structuredContent);
        assert.equal(r.isError, current.isError);
        return r.content.length > current.content.length && r;
      },
      60_000,
      200,
    );
    assert.equal(stale.content.length, current.content.length + 1, 'exactly one block appended');
    assert.deepEqual(stale.content.slice(0, -1), current.content, "the server's own blocks, as before the upgrade");
    assert.deepEqual(stale.structuredContent, current.structuredContent);
    assert.equal(
      stale.content.at(-1)?.text,
      `[MCP Lifeguard] This server ("memory"): Stale: runs "${MEM}" "2026.7.4", but "2026.8.31" is installed. Restart it to load the installed code: run \`mcp-lifeguard restart memory\`, or use Restart in the MCP Lifeguard view in VS Code. The guard restarts it without ending this session.`,
    );
    // A write tool is annotated too: annotate never refuses.
    const written = (await client.callTool({
      name: 'create_entities',
      arguments: { entities: [{ name: 'after-upgrade', entityType: 't', observations: [] }] },
    })) as ToolResult;
    assert.ok(!written.isError);
    assert.equal(notices(written).length, 1);
    assert.ok(
      !/after-upgrade/.test(JSON.stringify(written.content.slice(-1))),
      "the notice is the guard's, appended after the server's blocks",
    );

    // What the notice says to do works, and the session goes on without it.
    const restart = await runCli(home, ['restart', 'memory']);
    assert.equal(restart.code, 0, restart.stderr);
    const after = await readGraph();
    assert.deepEqual(notices(after), []);
    assert.match(JSON.stringify(after.structuredContent), /after-upgrade/);
    const [record] = await liveRecords(home);
    assert.equal(record.versions?.package?.version, '2026.8.31');
  });
});
