import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lockPathFor } from '../../src/core/locks';
import { thisMachine } from '../../src/core/machine/live';
import { readProcessIdentity } from '../../src/core/pids/identity';
import { commandHash } from '../../src/core/pids/identity';
import { repoRoot } from '../support/repo';
import { connectGuarded, GuardedClient, locksDir, tempHome } from '../integration/guard/support';
import { until } from '../support/poll';
import { isAlive } from '../support/liveness';

const tiny = path.join(repoRoot, 'test', 'fixtures', 'guard', 'tiny-server.mjs');
const RESOURCE = 'takeover-identity';

/** A pid that was just used and is free now: the dead guard of a forged record. */
async function deadPid(): Promise<number> {
  const p = spawn('true', { stdio: 'ignore' });
  await new Promise((r) => p.once('exit', r));
  return p.pid!;
}

/** Writes the record a guard killed with SIGKILL would have left, naming `child` as its server. */
async function forgeDeadGuardRecord(home: string, child: Record<string, unknown>): Promise<void> {
  const lockPath = lockPathFor(locksDir(home), { serverName: 'tiny', resourceKey: RESOURCE }, path);
  fs.mkdirSync(lockPath, { recursive: true, mode: 0o700 });
  fs.chmodSync(locksDir(home), 0o700);
  const record = {
    protocol: 1,
    pid: await deadPid(),
    startTime: Date.now() - 5000,
    serverName: 'tiny',
    resourceKey: RESOURCE,
    command: [process.execPath, tiny],
    cwd: repoRoot,
    startedAt: new Date(Date.now() - 5000).toISOString(),
    holder: 'mcp-lifeguard-guard test',
    child,
  };
  fs.writeFileSync(path.join(lockPath, '1.json'), JSON.stringify(record), { mode: 0o600 });
}

describe('reliability: a takeover signals only the server the dead guard left, exactly re-identified', function () {
  this.timeout(120_000);
  let home: string;
  let sleeper: ChildProcess;
  const open: GuardedClient[] = [];

  beforeEach(() => {
    home = tempHome();
    // An ordinary process started moments ago: what a reused pid looks like to a successor.
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  afterEach(async () => {
    for (const g of open.splice(0)) await g.client.close().catch(() => undefined);
    if (isAlive(sleeper.pid!)) process.kill(sleeper.pid!, 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function takeOver(): Promise<GuardedClient> {
    const g = await connectGuarded(home, [
      '--name',
      'tiny',
      '--resource',
      RESOURCE,
      '--stop-grace',
      '0.2',
      '--',
      process.execPath,
      tiny,
    ]);
    open.push(g);
    await g.client.listTools();
    assert.match(g.stderr(), /took over the lock of pid \d+/);
    return g;
  }

  const wrong: [
    string,
    (live: NonNullable<Awaited<ReturnType<typeof readProcessIdentity>>>) => Record<string, unknown>,
  ][] = [
    [
      'a start time 15 ms off',
      (live) => ({ pid: live.pid, startTime: live.startTime + 15, commandHash: commandHash(live.commandLine) }),
    ],
    [
      'start ticks 2 off (20 ms) on the same boot',
      (live) => ({
        pid: live.pid,
        startTime: live.startTime,
        commandHash: commandHash(live.commandLine),
        linux: live.linux && { ...live.linux, startTicks: live.linux.startTicks + 2 },
      }),
    ],
    [
      'the exact start but another command line',
      (live) => ({ pid: live.pid, startTime: live.startTime, commandHash: commandHash('sleep 61'), linux: live.linux }),
    ],
    [
      'the exact start and no command line hash',
      (live) => ({ pid: live.pid, startTime: live.startTime, linux: live.linux }),
    ],
  ];
  for (const [what, child] of wrong) {
    it(`a recorded server with ${what} names another process: it survives the takeover`, async () => {
      const live = (await readProcessIdentity(sleeper.pid!, thisMachine()))!;
      await forgeDeadGuardRecord(home, child(live));
      const g = await takeOver();
      assert.doesNotMatch(g.stderr(), /stopping the server pid/);
      assert.ok(isAlive(sleeper.pid!), `pid ${sleeper.pid} was signalled`);
      assert.equal(sleeper.exitCode, null);
      assert.equal(sleeper.signalCode, null);
    });
  }

  it('a recorded server with its full identity is stopped before the new one starts', async () => {
    const live = (await readProcessIdentity(sleeper.pid!, thisMachine()))!;
    await forgeDeadGuardRecord(home, {
      pid: live.pid,
      startTime: live.startTime,
      commandHash: commandHash(live.commandLine),
      linux: live.linux,
    });
    const g = await takeOver();
    assert.match(g.stderr(), new RegExp(`stopping the server pid ${sleeper.pid} left behind by the previous guard`));
    await until(
      'the recorded server to be reaped',
      () => sleeper.exitCode !== null || sleeper.signalCode !== null,
      20_000,
    );
  });
});
