import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Snapshot, Verdict } from '../../../src/core/base/model';
import { listLocks } from '../../../src/core/locks';
import { cliPath, fixturesDir } from '../../support/repo';
import { isAlive } from '../../support/liveness';
import { sleep, until } from '../../support/poll';
import { cli, server, statusJson } from '../processes/support/harness';
import { locksDir, spawnGuard, tempHome } from './support';

const tinyServer = path.join(fixturesDir, 'guard', 'tiny-server.mjs');
const idleOf = (s: Snapshot) =>
  server(s, 'idler')
    .instances.flatMap((i) => i.verdicts)
    .find((v): v is Extract<Verdict, { kind: 'idle' }> => v.kind === 'idle');

/**
 * `run --idle-stop`: a real SDK client of the built guard over the SDK's tiny server, configured in
 * Cursor. After the idle time the server process is gone and every face says idle; the client's next
 * call starts a new server in the same session (no new `initialize` from the client), answered.
 */
describe('guard: --idle-stop stops an idle server and the next request starts it again, in the same session', function () {
  this.timeout(120_000);
  let home: string;
  let client: Client | undefined;
  let transport: StdioClientTransport | undefined;
  let stderr = '';
  const serverPids: number[] = [];

  before(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-idle-'));
  });
  after(async () => {
    const pid = transport?.pid;
    await client?.close().catch(() => undefined);
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    for (const p of serverPids) if (isAlive(p)) process.kill(p, 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  });

  const echo = async (text: string): Promise<number> => {
    const result = await client!.callTool({ name: 'echo', arguments: { text } });
    const [pid, said] = (result.content as { text: string }[])[0].text.split(':');
    assert.equal(said, text);
    serverPids.push(Number(pid));
    return Number(pid);
  };

  it('idle after 2 s without a message (lock, status --json, status text); the next call is answered by a new server without a new initialize', async () => {
    const args = [cliPath, 'run', '--name', 'idler', '--idle-stop', '2', '--', process.execPath, tinyServer];
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { idler: { command: process.execPath, args } } }),
    );
    const lifeguard = path.join(home, '.lifeguard');
    transport = new StdioClientTransport({
      command: process.execPath,
      args,
      env: { ...(process.env as Record<string, string>), HOME: home, MCP_LIFEGUARD_HOME: lifeguard },
      cwd: home,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    client = new Client({ name: 'idle-test', version: '1.0.0' });
    await client.connect(transport);

    // Calls closer together than the idle time keep the server: one process answers all of them.
    const first = await echo('a');
    for (const text of ['b', 'c', 'd']) {
      await sleep(800);
      assert.equal(await echo(text), first, `'${text}': the server kept while messages come`);
    }
    assert.equal(idleOf(await statusJson(home)), undefined, 'serving: not idle');

    // Quiet: the server stops and the guard stays, saying so in its lock record.
    await until('the idle server to be stopped', async () => !isAlive(first), 15_000);
    assert.ok(isAlive(transport.pid!), 'the guard runs on');
    assert.match(stderr, /no client message for \d+ s; stopping the server \(pid \d+\) until the next one/);
    const locks = await listLocks(path.join(lifeguard, 'locks'));
    const record = locks.find((l) => l.state === 'live' && l.record.serverName === 'idler');
    assert.ok(record && record.state === 'live', JSON.stringify(locks));
    assert.equal(record.record.idle?.afterMs, 2000);

    const snapshot = await statusJson(home);
    const idle = idleOf(snapshot);
    assert.ok(idle, JSON.stringify(server(snapshot, 'idler').instances));
    assert.equal(idle.afterMs, 2000);
    const instance = server(snapshot, 'idler').instances[0];
    assert.equal(instance.pid, transport.pid, 'the instance is the guard');
    assert.equal(instance.versions, undefined, 'no version is judged while no server runs');
    const text = await cli(home, ['status']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /idle: its server was stopped at .* after 2\.0 s without a request/);

    // The next call: a new server, the session replayed to it by the guard, the answer to this client.
    const second = await echo('e');
    assert.notEqual(second, first, 'a new server process answered');
    assert.match(stderr, /a client message came: starting idler again/);
    assert.equal(await echo('f'), second, 'the started server serves on');
    // The record no longer says idle once it serves again.
    await until(
      'the lock record to drop idle',
      async () => {
        const live = (await listLocks(path.join(lifeguard, 'locks'))).find(
          (l) => l.state === 'live' && l.record.serverName === 'idler',
        );
        return live?.state === 'live' && live.record.idle === undefined;
      },
      10_000,
    );
    assert.equal(idleOf(await statusJson(home)), undefined, 'serving again: not idle');
  });

  it('a client that leaves while its server is stopped for idleness ends the guard and frees its lock, nothing left running', async () => {
    assert.ok(transport?.pid);
    const guardPid = transport.pid;
    await until('idle again', async () => idleOf(await statusJson(home)) !== undefined, 15_000);
    await client!.close();
    await until('the guard to exit', async () => !isAlive(guardPid), 15_000);
    const locks = await listLocks(path.join(home, '.lifeguard', 'locks'));
    assert.equal(locks.filter((l) => l.state === 'live').length, 0, JSON.stringify(locks));
    for (const p of serverPids) assert.equal(isAlive(p), false, `server pid ${p} left running`);
    const s = await statusJson(home);
    assert.equal(server(s, 'idler').instances.length, 0);
  });
});

/**
 * `run --lazy-start`: the guard holds its lock and says idle with no server until its client's
 * first message; that message (the client's `initialize`) starts the server and is answered by it.
 */
describe('guard: --lazy-start starts the server with the first client message', function () {
  this.timeout(60_000);
  it('idle with no server and no idle time until the initialize, which the started server answers', async () => {
    const home = tempHome();
    const guard = spawnGuard(home, ['--name', 'lazy', '--lazy-start', '--', process.execPath, tinyServer]);
    try {
      const record = await until(
        'the lock record saying idle',
        async () => {
          const live = (await listLocks(locksDir(home))).find((l) => l.state === 'live');
          return live?.state === 'live' && live.record.idle ? live.record : undefined;
        },
        20_000,
      );
      assert.equal(record.idle?.afterMs, undefined, 'never started: no idle time');
      assert.equal(record.child, undefined, 'no server was started');
      guard.stdin!.write(
        `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'lazy-test', version: '1' } } })}\n`,
      );
      await until('the initialize answered', () => (guard.output.stdout.includes('"id":1') ? true : undefined), 30_000);
      assert.match(guard.output.stdout, /"serverInfo"/);
      const live = await until(
        'the lock record naming the server, no longer idle',
        async () => {
          const l = (await listLocks(locksDir(home))).find((x) => x.state === 'live');
          return l?.state === 'live' && l.record.child && l.record.idle === undefined ? l.record : undefined;
        },
        20_000,
      );
      assert.ok(isAlive(live.child!.pid));
      guard.stdin!.end();
      assert.equal(await guard.exited, 0, guard.output.stderr);
      assert.equal(isAlive(live.child!.pid), false, 'the server stopped with its guard');
    } finally {
      if (guard.exitCode === null) guard.kill('SIGKILL');
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
