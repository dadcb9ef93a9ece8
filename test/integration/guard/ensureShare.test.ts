import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { controlShutdown } from '../../../src/core/control';
import { launchRecordPath } from '../../../src/core/http/launchRecord';
import { lifeguardPaths } from '../../../src/core/base/paths';
import { currentHostEnv } from '../../../src/core/machine/live';
import { fixturesDir } from '../../support/repo';
import { until } from '../../support/poll';
import { takeSnapshot } from '../../../src/core/snapshot';
import { runEnsure } from '../../../src/extension/actions/runEnsure';
import { freePort } from '../../support/startup';
import { connectGuarded, guardEnv, installedLauncher, liveRecords, runCli, tempHome, textOf } from './support';
import { noneLeftThenRemove, processesOf } from './erasSupport';

const shareServer = [process.execPath, path.join(fixturesDir, 'guard', 'share-server.mjs')];

/**
 * `ensure --share`: a shared server started for clients that name its URL (and so start nothing),
 * the built CLI, real share host and server, a real SDK client over HTTP.
 */
describe('guard: `ensure --share` starts a shared server for URL clients (built CLI)', function () {
  this.timeout(120_000);
  let home: string;

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const r of await liveRecords(home))
      if (r.share === true && r.control) await controlShutdown(r.control, 'test over').catch(() => undefined);
    await noneLeftThenRemove(home);
  });

  const ensure = (port: number, extra: string[] = []) =>
    runCli(home, [
      'ensure',
      '--share',
      '--name',
      'shared',
      '--share-listen',
      `127.0.0.1:${port}`,
      ...extra,
      '--',
      ...shareServer,
    ]);

  it('prints the URL once the front answers; a second call finds it (one host, one server); a relay joins the same server; recorded for Start', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const [first, second] = await Promise.all([ensure(port), ensure(port)]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(first.stdout, `${url}\n`);
    assert.equal(second.stdout, `${url}\n`);
    const again = await ensure(port);
    assert.equal(again.stdout, `${url}\n`);
    assert.deepEqual(processesOf(home), { guards: 1, servers: 1 }, 'concurrent calls started one host');

    const client = new Client({ name: 'url-client', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await client.connect(transport);
    const relay = await connectGuarded(home, ['--on-conflict', 'share', '--name', 'shared', '--', ...shareServer]);
    try {
      const a = textOf(await client.callTool({ name: 'echo', arguments: { text: 'a' } }));
      const b = textOf(await relay.client.callTool({ name: 'echo', arguments: { text: 'b' } }));
      assert.equal(a.split(':')[0], b.split(':')[0], 'the URL client and the relay reach one server process');
    } finally {
      await relay.client.close();
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    }
    const paths = lifeguardPaths(currentHostEnv(guardEnv(home)));
    const recorded = JSON.parse(fs.readFileSync(launchRecordPath(paths, port), 'utf8')) as { argv: string[] };
    assert.deepEqual(recorded.argv.slice(0, 2), ['ensure', '--share']);
    // With no client left, the host keeps the server for --linger (600 s by default).
    assert.equal(processesOf(home).servers, 1);

    // A URL entry at that port: the snapshot names what Start would run; stopped, Start's way brings it back.
    const project = path.join(home, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, '.mcp.json'), JSON.stringify({ mcpServers: { web: { type: 'http', url } } }));
    const snap = await takeSnapshot({
      host: { home, platform: process.platform, env: { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: home } },
      workspaceFolders: [project],
      versions: false,
    });
    const web = snap.servers.find((x) => x.name === 'web');
    assert.deepEqual(web?.recordedLaunch?.argv, recorded.argv);
    const host = (await liveRecords(home)).find((r) => r.share === true);
    await controlShutdown(host!.control!, 'test: stopped');
    await until('the host gone', () => processesOf(home).guards + processesOf(home).servers === 0 || undefined, 20_000);
    const started = await runEnsure(installedLauncher(paths), recorded.argv, web!.recordedLaunch!.cwd, guardEnv(home));
    assert.equal(started.ok, true, started.message);
    assert.equal(started.url, url);
    // The installed launcher runs a copy of the CLI: its share host and the server, two processes.
    const left = processesOf(home);
    assert.equal(left.guards + left.servers, 2);
    const records = (await liveRecords(home)).filter((r) => r.share === true);
    assert.deepEqual(
      records.map((r) => r.shareUrl),
      [url],
    );
  });

  it('refuses, naming why: a port another process holds, a share host of the name that has no front, no --name', async () => {
    const busy = net.createServer();
    const port = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => resolve((busy.address() as net.AddressInfo).port)),
    );
    try {
      const taken = await ensure(port, ['--timeout', '10']);
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is in use: held by pid ${process.pid}`));
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
    const relay = await connectGuarded(home, ['--on-conflict', 'share', '--name', 'shared', '--', ...shareServer]);
    try {
      const other = await ensure(await freePort(), ['--timeout', '10']);
      assert.equal(other.code, 1);
      assert.match(other.stderr, /runs without an HTTP front/);
    } finally {
      await relay.client.close();
    }
    const noName = await runCli(home, ['ensure', '--share', '--share-listen', '127.0.0.1:1', '--', ...shareServer]);
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /needs --name/);
  });
});
