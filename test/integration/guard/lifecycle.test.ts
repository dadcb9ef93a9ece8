import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { constants } from 'node:os';
import { controlStatus } from '../../../src/core/control';
import { readHolder } from '../../../src/core/locks';
import { liveRecords, locksDir, memoryBin, spawnGuard, tempHome } from './support';
import { until } from '../../support/poll';
import { isAlive } from '../../support/liveness';

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});

describe('guard: lifecycle of `mcp-lifeguard run` (built CLI, real server-memory)', function () {
  this.timeout(300_000);
  let home: string;
  const pids: number[] = [];

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const pid of pids.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function startedGuard(extra: string[] = []) {
    const guard = spawnGuard(home, [...extra, '--', memoryBin]);
    pids.push(guard.pid!);
    guard.stdin!.write(`${initialize}\n`);
    await until('the initialize answer', () => guard.output.stdout.includes('"id":0'));
    const [record] = await liveRecords(home);
    const status = await controlStatus(record.control!);
    assert.ok(status.ok);
    pids.push(status.result.childPid!);
    return { guard, record, childPid: status.result.childPid! };
  }

  it('when the client closes stdin, the server gets EOF, the guard exits with its code and frees the lock', async () => {
    const { guard, record, childPid } = await startedGuard();
    guard.stdin!.end();
    assert.equal(await guard.exited, 0);
    assert.ok(!isAlive(childPid));
    const holder = await readHolder({
      dir: locksDir(home),
      identity: { serverName: record.serverName, resourceKey: record.resourceKey },
    });
    assert.equal(holder.state, 'free');
    // stdout carried the server's answer and nothing of the guard's own.
    for (const line of guard.output.stdout.trim().split('\n')) assert.equal(JSON.parse(line).jsonrpc, '2.0');
  });

  it("forwards SIGTERM to the server and exits with the server's status", async () => {
    const { guard, childPid } = await startedGuard();
    guard.kill('SIGTERM');
    assert.equal(await guard.exited, 128 + constants.signals.SIGTERM);
    assert.ok(!isAlive(childPid));
    assert.deepEqual(await liveRecords(home), []);
  });

  it('--on-conflict wait starts once the holder is gone; with a short --wait-timeout it gives up naming the holder', async () => {
    const first = await startedGuard();
    const impatient = spawnGuard(home, ['--on-conflict', 'wait', '--wait-timeout', '0.5', '--', memoryBin]);
    pids.push(impatient.pid!);
    assert.equal(await impatient.exited, 1);
    assert.match(
      impatient.output.stderr,
      new RegExp(`already running under pid ${first.guard.pid}.*did not go within`),
    );

    const waiter = spawnGuard(home, ['--on-conflict', 'wait', '--wait-timeout', '120', '--', memoryBin]);
    pids.push(waiter.pid!);
    // The client's initialize waits in the pipe until the guard has the lock and a server.
    waiter.stdin!.write(`${initialize}\n`);
    await until('the waiter to say it waits', () => /waiting up to 120 s for it to go/.test(waiter.output.stderr));
    assert.equal(waiter.output.stdout, '');
    first.guard.stdin!.end();
    await first.guard.exited;
    await until('the waiter to answer initialize', () => waiter.output.stdout.includes('"id":0'));
    const [record] = await liveRecords(home);
    assert.equal(record.pid, waiter.pid);
  });
});
