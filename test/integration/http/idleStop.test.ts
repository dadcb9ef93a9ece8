import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { controlStatus } from '../../../src/core/control';
import { listLocks, LockRecord } from '../../../src/core/locks';
import { lifeguardPaths } from '../../../src/core/base/paths';
import { freePort } from '../../../src/guard/http/upstream';
import { cliPath } from '../../support/repo';
import { connectClient, echo, shortTempDir, spawnCollect, versionedServerPackage } from './support';
import { sleep, until } from '../../support/poll';
import { isAlive, killAndWait } from '../../support/liveness';

/**
 * `run --http --idle-stop`: the HTTP guard over a real SDK server, a real SDK client over streamable
 * HTTP. Quiet for the idle time, the server is stopped (the guard says idle); the client's next
 * request starts a new one and is answered in the client's session.
 */
describe('mcp-lifeguard run --http --idle-stop', function () {
  this.timeout(120_000);
  let home: string;
  let client: Client | undefined;
  const pids: number[] = [];

  before(() => {
    home = shortTempDir();
  });
  after(async () => {
    await client?.close().catch(() => undefined);
    for (const pid of pids.splice(0)) await killAndWait(pid);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('stops the idle server, says idle in its lock and status, and starts it again for the next request', async () => {
    const paths = lifeguardPaths({ home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: home } });
    const port = await freePort();
    const server = versionedServerPackage(home, '1.0.0');
    const env = { ...process.env, MCP_LIFEGUARD_HOME: home };
    const args = [cliPath, 'run', '--http', '--listen', `127.0.0.1:${port}`, '--idle-stop', '2', '--stop-grace', '2'];
    const guard = spawnCollect(process.execPath, [...args, '--', server.command, ...server.args], { env, cwd: home });
    pids.push(guard.child.pid!);
    await until('the URL on stdout', () => (guard.output().includes(`/mcp`) ? true : undefined), 90_000);
    ({ client } = await connectClient(`http://127.0.0.1:${port}/mcp`));
    const live = async (): Promise<LockRecord> => {
      const l = (await listLocks(paths.locks)).find((x) => x.state === 'live');
      assert.ok(l && l.state === 'live');
      return l.record;
    };
    const control = (await live()).control!;
    const childPid = async () => {
      const s = await controlStatus(control);
      assert.ok(s.ok);
      return { pid: s.result.childPid, state: s.result.state };
    };

    // Requests closer together than the idle time keep the server.
    assert.equal(await echo(client, 'a'), 'Echo: a');
    const first = (await childPid()).pid!;
    pids.push(first);
    for (const text of ['b', 'c']) {
      await sleep(800);
      assert.equal(await echo(client, text), `Echo: ${text}`);
      assert.equal((await childPid()).pid, first, `'${text}': the same server`);
    }

    await until('the idle server to be stopped', async () => !isAlive(first), 20_000);
    // The guard says idle as it stops the server, and drops its pid once it has seen it exit.
    await until(
      'the guard to say idle, with no server',
      async () => {
        const s = await childPid();
        return s.state === 'idle' && s.pid === undefined ? true : undefined;
      },
      10_000,
    );
    assert.equal((await live()).idle?.afterMs, 2000);
    assert.match(guard.output(), /no client message for \d+ s; stopping the server \(pid \d+\) until the next one/);

    // The next request: a new server, the client's session recovered by the front, the answer to it.
    assert.equal(await echo(client, 'after idle'), 'Echo: after idle');
    const second = await childPid();
    assert.equal(second.state, 'running');
    assert.ok(second.pid !== undefined && second.pid !== first, JSON.stringify(second));
    pids.push(second.pid);
    await until('the lock record to drop idle', async () => (await live()).idle === undefined, 10_000);

    guard.child.kill('SIGTERM');
    assert.equal(await guard.exited, 0, guard.output());
    await until('its server to stop with it', async () => !isAlive(second.pid!), 30_000);
  });

  it('--lazy-start: no server until the first request, the lock and status say so; the first request starts it', async () => {
    const lazyHome = shortTempDir();
    try {
      const paths = lifeguardPaths({
        home: lazyHome,
        platform: process.platform,
        env: { MCP_LIFEGUARD_HOME: lazyHome },
      });
      const port = await freePort();
      const server = versionedServerPackage(lazyHome, '1.0.0');
      const env = { ...process.env, MCP_LIFEGUARD_HOME: lazyHome };
      const args = [cliPath, 'run', '--http', '--listen', `127.0.0.1:${port}`, '--lazy-start', '--stop-grace', '2'];
      const guard = spawnCollect(process.execPath, [...args, '--', server.command, ...server.args], {
        env,
        cwd: lazyHome,
      });
      pids.push(guard.child.pid!);
      await until('the URL on stdout', () => (guard.output().includes(`/mcp`) ? true : undefined), 90_000);
      const record = (await listLocks(paths.locks)).find((x) => x.state === 'live');
      assert.ok(record && record.state === 'live');
      assert.deepEqual(Object.keys(record.record.idle ?? {}), ['since'], 'idle, with no idle time: never started');
      const before = await controlStatus(record.record.control!);
      assert.ok(before.ok);
      assert.deepEqual([before.result.state, before.result.childPid], ['idle', undefined]);
      assert.match(guard.output(), /the server starts with the first client message \(--lazy-start\)/);
      // A GET of no session (what `ensure` sends to see that the URL answers) is answered by the front,
      // and starts nothing.
      const probe = await fetch(`http://127.0.0.1:${port}/mcp`, { headers: { accept: 'text/event-stream' } });
      assert.equal(probe.status, 405);
      await probe.body?.cancel();
      const still = await controlStatus(record.record.control!);
      assert.ok(still.ok);
      assert.deepEqual([still.result.state, still.result.childPid], ['idle', undefined]);

      const lazy = await connectClient(`http://127.0.0.1:${port}/mcp`);
      try {
        assert.equal(await echo(lazy.client, 'first'), 'Echo: first');
      } finally {
        await lazy.client.close().catch(() => undefined);
      }
      const after = await controlStatus(record.record.control!);
      assert.ok(after.ok);
      assert.equal(after.result.state, 'running');
      assert.equal(after.result.restarts, 0, 'a lazy start is no restart');
      assert.ok(after.result.childPid !== undefined);
      pids.push(after.result.childPid);
      guard.child.kill('SIGTERM');
      assert.equal(await guard.exited, 0, guard.output());
      await until('its server to stop with it', async () => !isAlive(after.result.childPid!), 30_000);
    } finally {
      fs.rmSync(lazyHome, { recursive: true, force: true });
    }
  });
});
