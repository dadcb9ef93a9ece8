import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { controlStatus } from '../../../src/core/control';
import { listLocks } from '../../../src/core/locks';
import { lifeguardPaths, LifeguardPaths } from '../../../src/core/base/paths';
import { freePort } from '../../../src/guard/http/upstream';
import { cliPath } from '../../support/repo';
import { until } from '../../support/poll';
import { killAndWait } from '../../support/liveness';
import { connectClient, shortTempDir, spawnCollect, versionedServerPackage } from './support';

type ToolResult = { content: Array<{ type: string; text?: string }>; structuredContent?: unknown; isError?: boolean };

/**
 * `run --http --when-stale annotate` through the built CLI: real server-everything behind the
 * front, the SDK's Streamable HTTP client (which validates `structuredContent` against the tool's
 * `outputSchema`) in front of it, and a version bump of the package the guard resolves.
 */
describe('mcp-lifeguard run --http --when-stale annotate', function () {
  this.timeout(180_000);
  let home: string;
  let paths: LifeguardPaths;
  let client: Client | undefined;
  const pids: number[] = [];

  before(() => {
    home = shortTempDir();
    paths = lifeguardPaths({ home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: home } });
  });
  after(async () => {
    await client?.close().catch(() => undefined);
    for (const pid of pids.splice(0)) await killAndWait(pid);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("appends the notice to tool results while stale, keeping the server's content and structuredContent", async () => {
    const port = await freePort();
    const server = versionedServerPackage(home, '1.0.0');
    const env = { ...process.env, MCP_LIFEGUARD_HOME: home };
    const guard = spawnCollect(
      process.execPath,
      [
        cliPath,
        'run',
        '--http',
        '--listen',
        `127.0.0.1:${port}`,
        '--name',
        'weather',
        '--when-stale',
        'annotate',
        '--stale-interval',
        '1',
        '--stop-grace',
        '2',
        '--',
        server.command,
        ...server.args,
      ],
      { env, cwd: home },
    );
    pids.push(guard.child.pid!);
    await until('the URL on stdout', () => guard.output().includes(`http://127.0.0.1:${port}/mcp`), 90_000);
    const record = await until(
      'the lock',
      async () => (await listLocks(paths.locks)).flatMap((l) => (l.state === 'live' ? [l.record] : []))[0],
    );
    const status = await controlStatus(record.control!);
    assert.ok(status.ok);
    pids.push(status.result.childPid!);

    ({ client } = await connectClient(`http://127.0.0.1:${port}/mcp`));
    const tools = (await client.listTools()).tools;
    assert.ok(
      tools.find((t) => t.name === 'get-structured-content')?.outputSchema,
      'the client validates structuredContent',
    );
    const weather = async () =>
      (await client!.callTool({ name: 'get-structured-content', arguments: { location: 'Chicago' } })) as ToolResult;
    const current = await weather();
    assert.ok(!current.content.some((b) => b.text?.startsWith('[MCP Lifeguard]')), 'current: no notice');

    fs.writeFileSync(server.packageJson, JSON.stringify({ name: 'lifeguard-http-fixture', version: '1.1.0' }));
    const stale = await until(
      'an annotated result',
      async () => {
        const r = await weather();
        assert.deepEqual(r.content.slice(0, current.content.length), current.content);
        return r.content.length > current.content.length && r;
      },
      60_000,
      200,
    );
    assert.equal(stale.content.length, current.content.length + 1, 'exactly one block appended');
    assert.deepEqual(stale.content.slice(0, -1), current.content);
    assert.deepEqual(stale.structuredContent, current.structuredContent);
    assert.equal(stale.isError, current.isError);
    assert.match(
      stale.content.at(-1)!.text!,
      /^\[MCP Lifeguard\] This server \("weather"\): Stale: runs "lifeguard-http-fixture" "1\.0\.0", but "1\.1\.0" is installed\. Restart it .*mcp-lifeguard restart weather/,
    );
    // Other methods are untouched.
    assert.equal((await client.listTools()).tools.length, tools.length);

    guard.child.kill('SIGTERM');
    assert.equal(await guard.exited, 0, guard.output());
  });
});
