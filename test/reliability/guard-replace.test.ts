import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { thisMachine } from '../../src/core/machine/live';
import { readProcessTable } from '../../src/core/pids/table';
import { Guard } from '../../src/guard/stdioGuard';
import { PassThrough } from 'node:stream';
import { repoRoot } from '../support/repo';
import { liveRecords, spawnGuard, tempHome } from '../integration/guard/support';
import { until, waitUntil } from '../support/poll';
import { isAlive } from '../support/liveness';

const tiny = path.join(repoRoot, 'test', 'fixtures', 'guard', 'tiny-server.mjs');

/** The pids of the tiny servers started with `token` (guards carry it too, but run dist/cli.js). */
async function serversWith(token: string): Promise<number[]> {
  const table = await readProcessTable(thisMachine());
  if (table.state !== 'ok') throw new Error(table.reason);
  return table.processes
    .filter((p) => p.argv.includes(tiny) && p.argv.includes(token) && !p.argv.some((a) => a.endsWith('cli.js')))
    .map((p) => p.pid);
}

describe('reliability: --on-conflict replace never leaves two writers', function () {
  this.timeout(240_000);
  let home: string;
  const pids: number[] = [];

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const pid of pids.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** A guard in this process over `node -e script`, with short grace periods. */
  const nodeGuard = (serverName: string, script: string): Guard =>
    new Guard({
      spec: { command: process.execPath, args: ['-e', script], cwd: home, env: process.env },
      serverName,
      input: new PassThrough(),
      output: new PassThrough(),
      log: () => undefined,
      crashLoop: { windowMs: 10_000, limit: 3 },
      grace: { eofMs: 100, termMs: 100 },
      drainTimeoutMs: 100,
      initTimeoutMs: 1000,
    });

  it('a shutdown that arrives before start: the guard finishes and never spawns its server', async () => {
    const marker = path.join(home, 'spawned');
    // The server would leave a file behind the moment it ran.
    const guard = nodeGuard(
      'early-shutdown',
      `require('fs').writeFileSync(${JSON.stringify(marker)}, String(process.pid)); setInterval(() => {}, 1000)`,
    );
    const shutdown = guard.shutdown('asked over the control endpoint before start');
    guard.start();
    const childPid = guard.status().childPid;
    if (childPid !== undefined) pids.push(childPid);
    await shutdown;
    assert.equal(await guard.finished, 0);
    assert.equal(childPid, undefined, 'no server may run after the guard was told to shut down');
  });

  it('a shutdown right after start: the guard finishes only once its server has exited', async () => {
    // A server that ignores stdin EOF and SIGTERM: only the last stage stops it.
    const guard = nodeGuard('stubborn', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)");
    guard.start();
    const childPid = guard.status().childPid!;
    pids.push(childPid);
    void guard.shutdown('asked over the control endpoint during start');
    await guard.finished;
    assert.equal(isAlive(childPid), false, 'the guard finished while its server still ran');
  });

  it('a storm of replacing guards: at no sampled moment two servers run, and one guard with its server holds the lock at the end', async () => {
    const STORMS = 4;
    const REPLACERS = 16;
    for (let storm = 0; storm < STORMS; storm++) {
      const token = `storm-${randomBytes(4).toString('hex')}`;
      const args = (extra: string[]) => [
        ...extra,
        '--name',
        'tiny',
        '--stop-grace',
        '0.5',
        '--wait-timeout',
        '90',
        '--',
        process.execPath,
        tiny,
        token,
      ];
      const holder = spawnGuard(home, args([]));
      pids.push(holder.pid!);
      await until(
        'the holder to record its server',
        async () => (await liveRecords(home)).find((r) => r.pid === holder.pid)?.child,
      );
      const guards = [holder];
      for (let i = 0; i < REPLACERS; i++) {
        const g = spawnGuard(home, args(['--on-conflict', 'replace']));
        pids.push(g.pid!);
        guards.push(g);
      }
      let worst: number[] = [];
      // Sample until the storm settles: every guard but one has ended (refused or replaced), and that
      // one holds the lock (a replacer whose holder just let go takes it within a poll).
      await waitUntil(
        async () => {
          const servers = (await serversWith(token)).filter(isAlive);
          if (servers.length > worst.length) worst = servers;
          const running = guards.filter((g) => g.exitCode === null && g.signalCode === null);
          const holders = running.length === 1 ? (await liveRecords(home)).filter((r) => r.pid === running[0].pid) : [];
          return holders.length === 1 || running.length === 0;
        },
        60_000,
        20,
      );
      assert.ok(
        worst.length <= 1,
        `storm ${storm + 1}: ${worst.length} servers ran at once (pids ${worst.join(', ')})`,
      );
      const running = guards.filter((g) => g.exitCode === null && g.signalCode === null);
      assert.equal(
        running.length,
        1,
        `storm ${storm + 1}: ${running.length} guards still run: ${running.map((g) => g.pid).join(', ')}`,
      );
      const records = await liveRecords(home);
      assert.equal(
        records.length,
        1,
        `storm ${storm + 1}: ${records.length} live lock records while guard ${running[0].pid} runs:\n${running[0].output.stderr}`,
      );
      assert.equal(records[0].pid, running[0].pid, 'the one guard left holds the lock');
      // The record names the server once the guard has read its identity.
      const child = await until(
        'the lock record to name the server',
        async () => (await liveRecords(home))[0]?.child,
        20_000,
      );
      assert.deepEqual(await serversWith(token), [child.pid], 'and its server is the only one');
      for (const g of guards) if (g.exitCode === null && g.signalCode === null) g.stdin!.end();
      await Promise.all(guards.map((g) => g.exited));
      await until('the last server to exit', async () => (await serversWith(token)).length === 0, 20_000);
    }
  });
});
