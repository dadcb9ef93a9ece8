import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort } from '../../../src/guard/http/upstream';
import { isAlive, killAndWait } from '../../support/liveness';
import { until } from '../../support/poll';
import { cliPath } from '../../support/repo';
import { SERENA_VERSION, serenaProject, serenaSessionOf, serenaVenv } from '../../support/serena';
import { makeTempDir } from '../../support/temp';
import { isolatedHome } from '../../support/venv';
import { childPidOf, killMentioning, liveGuardOf, shortTempDir, spawnCollect } from './support';
import { CliWorker } from '../../support/cliWorker';

/**
 * The serena report: serena-agent from PyPI, a streamable HTTP MCP server, behind the guard's front
 * (`mcp-lifeguard run --http`). A client (the MCP TypeScript SDK's) talks to it through the front,
 * the guard restarts serena (`mcp-lifeguard restart`), and the client's next call on the session id
 * it cached reaches the new serena process: the restart is invisible to it.
 */
describe('mcp-lifeguard run --http: serena-agent from PyPI, restarted under a client that keeps its session id', function () {
  this.timeout(600_000);
  // The restarts run on one CLI process: their subject is the guard, not a Node start.
  const cli = new CliWorker();
  after(() => cli.close());
  let root: string;
  let lg: string;
  let guard: ReturnType<typeof spawnCollect> | undefined;
  let client: Client | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
    assert.ok(fs.existsSync(cliPath), `${cliPath} is built (npm run build)`);
  });

  after(async () => {
    await client?.close().catch(() => undefined);
    if (guard?.child.pid) await killAndWait(guard.child.pid);
    if (root) await killMentioning(root);
    if (lg) fs.rmSync(lg, { recursive: true, force: true });
  });

  it(`serena-agent ${SERENA_VERSION}: the next call with the cached Mcp-Session-Id after a restart is served by the new process`, async () => {
    root = makeTempDir('lg-serena-');
    const venv = await serenaVenv();
    const projectDir = serenaProject(root);
    lg = shortTempDir();
    const env = { ...process.env, ...isolatedHome(path.join(root, 'home')), MCP_LIFEGUARD_HOME: lg };
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    guard = spawnCollect(
      process.execPath,
      [
        cliPath,
        'run',
        '--http',
        '--listen',
        `127.0.0.1:${port}`,
        '--name',
        'serena',
        '--stop-grace',
        '5',
        '--start-timeout',
        '180',
        '--',
        venv.bin,
        'start-mcp-server',
        '--transport',
        'streamable-http',
        '--port',
        '{port}',
        '--enable-web-dashboard',
        'false',
        '--project',
        projectDir,
      ],
      { env, cwd: root },
    );
    await until(
      `the URL on stdout (${guard.output().slice(-2000)})`,
      () => guard!.output().includes(url) || undefined,
      240_000,
    );

    const transport = new StreamableHTTPClientTransport(new URL(url));
    client = new Client({ name: 'serena-integration', version: '1.0.0' });
    await client.connect(transport);
    assert.deepEqual([client.getServerVersion()?.name, client.getServerVersion()?.version], ['Serena', SERENA_VERSION]);
    const sessionId = transport.sessionId;
    assert.ok(sessionId, 'the front gave the client a session id');
    const tools = (await client.listTools()).tools.map((t) => t.name);
    for (const name of ['activate_project', 'initial_instructions', 'serena_repl'])
      assert.ok(tools.includes(name), tools.join());
    const serenaSession = serenaSessionOf(
      textOf(await client.callTool({ name: 'initial_instructions', arguments: {} })),
    );
    assert.ok(serenaSession, 'serena names its own session in its instructions');
    // serena's REPL runs in the server's process: its pid says which process answered.
    const servedBy = async () =>
      Number(
        textOf(
          await client!.callTool({
            name: 'serena_repl',
            arguments: { session: serenaSession, code: 'import os\nos.getpid()' },
          }),
        ).trim(),
      );
    const record = (await liveGuardOf(lg))!;
    const before = (await childPidOf(record))!;
    assert.equal(await servedBy(), before);

    const restart = await cli.run(['restart', 'serena'], env, root);
    assert.equal(restart.code, 0, restart.stdout + restart.stderr);
    // The front's one client, by the name it gave in `initialize`.
    assert.match(restart.stdout, /restarted serena .*serena-integration kept its session/);
    const after = (await childPidOf(record))!;
    assert.notEqual(after, before);
    await until(`the old serena (pid ${before}) gone`, () => !isAlive(before));

    // The same client, the same cached Mcp-Session-Id: served by the new process.
    assert.equal(await servedBy(), after);
    assert.equal(transport.sessionId, sessionId);
    // A client that only caches the id (no SDK state): its next request with it is answered too.
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'Mcp-Session-Id': sessionId,
        'Mcp-Protocol-Version': transport.protocolVersion ?? '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list', params: {} }),
    });
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.match(body, /"serena_repl"/);
  });
});

function textOf(result: unknown): string {
  return ((result as { content: Array<{ text?: string }> }).content[0] ?? {}).text ?? '';
}
