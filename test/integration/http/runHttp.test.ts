import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { controlStatus } from '../../../src/core/control';
import { listLocks, LockRecord } from '../../../src/core/locks';
import { lifeguardPaths, LifeguardPaths } from '../../../src/core/base/paths';
import { RunningHttpGuard, startHttpGuard } from '../../../src/guard/http/startHttpGuard';
import { freePort } from '../../../src/guard/http/upstream';
import { cliPath } from '../../support/repo';
import { connectClient, echo, shortTempDir, spawnCollect, versionedServerPackage } from './support';
import { until } from '../../support/poll';
import { isAlive, killAndWait } from '../../support/liveness';

describe('mcp-lifeguard run --http', function () {
  this.timeout(180_000);
  let home: string;
  let paths: LifeguardPaths;
  let port: number;
  let client: Client | undefined;
  const pids: number[] = [];

  beforeEach(async function () {
    home = shortTempDir();
    paths = lifeguardPaths({ home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: home } });
    port = await freePort();
  });

  afterEach(async function () {
    await client?.close().catch(() => undefined);
    client = undefined;
    for (const pid of pids.splice(0)) await killAndWait(pid);
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function liveRecord(): Promise<LockRecord | undefined> {
    const live = (await listLocks(paths.locks)).filter((l) => l.state === 'live');
    return live[0] && 'record' in live[0] ? live[0].record : undefined;
  }

  it('prints the URL, refuses a second guard for the same server, and stops its server on SIGTERM', async function () {
    const server = versionedServerPackage(home, '1.0.0');
    const env = { ...process.env, MCP_LIFEGUARD_HOME: home };
    const args = [
      cliPath,
      'run',
      '--http',
      '--listen',
      `127.0.0.1:${port}`,
      '--stop-grace',
      '2',
      '--',
      server.command,
      ...server.args,
    ];
    const guard = spawnCollect(process.execPath, args, { env, cwd: home });
    pids.push(guard.child.pid!);
    await until(
      'the URL on stdout',
      () => (guard.output().includes(`http://127.0.0.1:${port}/mcp`) ? true : undefined),
      90_000,
    );
    ({ client } = await connectClient(`http://127.0.0.1:${port}/mcp`));
    assert.equal(await echo(client, 'hi'), 'Echo: hi');
    const record = (await liveRecord())!;
    assert.equal(record.pid, guard.child.pid);
    const status = await controlStatus(record.control!);
    assert.ok(status.ok);
    pids.push(status.result.childPid!);

    // `mcp-lifeguard restart NAME` reaches the HTTP guard like any other; the client goes on.
    const restart = spawnCollect(process.execPath, [cliPath, 'restart', record.serverName], { env, cwd: home });
    assert.equal(await restart.exited, 0, restart.output());
    assert.match(restart.output(), /restarted lifeguard-http-fixture/);
    assert.equal(await echo(client, 'after restart'), 'Echo: after restart');
    const restarted = await controlStatus(record.control!);
    assert.ok(restarted.ok);
    assert.notEqual(restarted.result.childPid, status.result.childPid);
    const childPid = restarted.result.childPid!;
    pids.push(childPid);

    const second = spawnCollect(
      process.execPath,
      [cliPath, 'run', '--http', '--listen', `127.0.0.1:${await freePort()}`, '--', server.command, ...server.args],
      { env, cwd: home },
    );
    assert.equal(await second.exited, 1);
    assert.match(second.output(), new RegExp(`already runs under mcp-lifeguard \\(guard pid ${guard.child.pid}\\)`));

    guard.child.kill('SIGTERM');
    assert.equal(await guard.exited, 0, guard.output());
    await until('the server to stop with its guard', () => (isAlive(childPid) ? undefined : true), 30_000);
    assert.equal(await liveRecord(), undefined, 'the lock was released');
  });

  it('refuses a non-loopback listen address unless told otherwise', async function () {
    const run = spawnCollect(
      process.execPath,
      [cliPath, 'run', '--http', '--listen', `0.0.0.0:${port}`, '--', 'node', 'x.js'],
      { env: { ...process.env, MCP_LIFEGUARD_HOME: home } },
    );
    assert.equal(await run.exited, 2);
    assert.match(run.output(), /not a loopback address/);
  });

  it('--when-stale restart-when-idle restarts an idle stale server, and the client goes on', async function () {
    const server = versionedServerPackage(home, '1.0.0');
    const started = await startHttpGuard({
      launch: { command: server.command, args: server.args, cwd: home, env: { ...process.env } },
      identity: { serverName: 'fixture', resourceKey: 'stale-idle' },
      paths,
      host: '127.0.0.1',
      port,
      path: '/mcp',
      maxBodyBytes: 1 << 20,
      upstreamTimeoutMs: 60_000,
      startTimeoutMs: 60_000,
      termGraceMs: 2000,
      drainTimeoutMs: 5000,
      allowedOrigins: [],
      whenStale: 'restart-when-idle',
      staleIntervalMs: 200,
      childStdio: 'ignore',
      log: () => undefined,
    });
    assert.equal(started.kind, 'running');
    const guard = (started as { guard: RunningHttpGuard }).guard;
    try {
      ({ client } = await connectClient(guard.url));
      assert.equal(await echo(client, 'old'), 'Echo: old');
      const before = (await liveRecord())!;
      const status = await controlStatus(before.control!);
      assert.ok(status.ok);
      fs.writeFileSync(server.packageJson, JSON.stringify({ name: 'lifeguard-http-fixture', version: '1.1.0' }));
      await until(
        'the guard to record the new version',
        async () => ((await liveRecord())?.versions?.package?.version === '1.1.0' ? true : undefined),
        60_000,
      );
      const after = await controlStatus(before.control!);
      assert.ok(after.ok);
      assert.notEqual(after.result.childPid, status.result.childPid);
      assert.equal(await echo(client, 'new'), 'Echo: new');
    } finally {
      await guard.shutdown('test over');
    }
  });
});
