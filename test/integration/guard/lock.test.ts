import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { controlStatus } from '../../../src/core/control';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { stopLeftoverServer } from '../../../src/guard/leftoverServer';
import { probeProcess } from '../../../src/core/locks';
import { recordIdentity } from '../../../src/core/pids/reidentify';
import { repoRoot } from '../../support/repo';
import { connectGuarded, GuardedClient, liveRecords, memoryBin, spawnGuard, tempHome, textOf } from './support';
import { until } from '../../support/poll';
import { isAlive } from '../../support/liveness';

describe('guard: one instance per identity (built CLI, real server-memory)', function () {
  this.timeout(300_000);
  let home: string;
  const open: GuardedClient[] = [];
  const pids: number[] = [];

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const g of open.splice(0)) await g.client.close().catch(() => undefined);
    for (const pid of pids.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  });

  const env = () => ({ MEMORY_FILE_PATH: `${home}/memory.jsonl` });
  async function guarded(args: string[]): Promise<GuardedClient> {
    const g = await connectGuarded(home, args, { env: env() });
    open.push(g);
    if (g.transport.pid) pids.push(g.transport.pid);
    return g;
  }

  it('a second guard for the same identity refuses with one stderr line naming the holder pid, server and lock path', async () => {
    const first = await guarded(['--', memoryBin]);
    await first.client.listTools();
    const [holder] = await liveRecords(home);
    const second = spawnGuard(home, ['--', memoryBin]);
    pids.push(second.pid!);
    assert.equal(await second.exited, 1);
    const lines = second.output.stderr.trim().split('\n');
    assert.equal(lines.length, 1, second.output.stderr);
    assert.match(
      lines[0],
      new RegExp(
        `server-memory is already running under pid ${holder.pid} \\(lock ${home}/locks/server-memory-[0-9a-f]{16}\\.lock\\)`,
      ),
    );
    assert.equal(second.output.stdout, '', 'nothing but protocol bytes on stdout');
    // The first keeps working.
    assert.match(textOf(await first.client.callTool({ name: 'read_graph', arguments: {} })), /entities/);
  });

  it('--on-conflict replace asks the holder to shut down over its control endpoint and takes over', async () => {
    const first = await guarded(['--', memoryBin]);
    await first.client.listTools();
    const [holder] = await liveRecords(home);
    const second = await guarded(['--on-conflict', 'replace', '--', memoryBin]);
    await second.client.listTools();
    const [now] = await liveRecords(home);
    assert.notEqual(now.pid, holder.pid);
    await until('the first guard to exit', () => !isAlive(holder.pid));
  });

  it('kill -9 of the guard: its server gets EOF and exits, and the next guard takes over at once', async () => {
    const first = await guarded(['--', memoryBin]);
    await first.client.listTools();
    const [holder] = await liveRecords(home);
    const status = await controlStatus(holder.control!);
    assert.ok(status.ok);
    const childPid = status.result.childPid!;
    assert.ok(isAlive(childPid));
    process.kill(holder.pid, 'SIGKILL');
    await until('the orphaned server to exit', () => !isAlive(childPid));
    const next = await guarded(['--', memoryBin]);
    assert.ok((await next.client.listTools()).tools.length > 0);
    const [taker] = await liveRecords(home);
    assert.notEqual(taker.pid, holder.pid);
    assert.match(next.stderr(), new RegExp(`took over the lock of pid ${holder.pid}`));
  });

  it('kill -9 of the guard whose server ignores EOF: the next guard stops the server left behind before starting its own', async () => {
    const tiny = path.join(repoRoot, 'test', 'fixtures', 'guard', 'tiny-server.mjs');
    const first = await connectGuarded(home, ['--name', 'tiny', '--', process.execPath, tiny], {
      env: { TINY_SERVER_IGNORE_EOF: '1' },
    });
    open.push(first);
    await first.client.listTools();
    const [holder] = await liveRecords(home);
    pids.push(holder.pid);
    const childPid = await until(
      'the lock record to name the server',
      async () => (await liveRecords(home))[0]?.child?.pid,
    );
    pids.push(childPid);
    const status = await controlStatus(holder.control!);
    assert.ok(status.ok && status.result.childPid === childPid);
    process.kill(holder.pid, 'SIGKILL');
    await until('the guard to die', () => !isAlive(holder.pid));
    // The problem this prevents: the server outlives its guard.
    assert.ok(isAlive(childPid), 'a server that ignores EOF outlives its guard');
    const next = await connectGuarded(home, ['--name', 'tiny', '--stop-grace', '0.2', '--', process.execPath, tiny], {
      env: { TINY_SERVER_IGNORE_EOF: '1' },
    });
    open.push(next);
    assert.ok((await next.client.listTools()).tools.length > 0);
    assert.match(next.stderr(), new RegExp(`stopping the server pid ${childPid} left behind by the previous guard`));
    // Dead, or a zombie waiting for init to reap it: either way no longer running.
    assert.ok(['gone', 'zombie'].includes((await probeProcess(childPid)).kind), 'the server left behind was stopped');
    const [taker] = await liveRecords(home);
    pids.push(taker.pid);
    if (taker.child) pids.push(taker.child.pid);
    assert.notEqual(taker.child?.pid, childPid);
  });

  it('a recorded server pid that now names another process (another start time) is never signalled', async () => {
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    pids.push(other.pid!);
    const id = (await recordIdentity(other.pid!))!;
    const lines: string[] = [];
    // The same pid and command line, started a minute earlier: a process that has since exited.
    await stopLeftoverServer(
      {
        ...id,
        startTime: id.startTime - 60_000,
        linux: id.linux && { ...id.linux, startTicks: id.linux.startTicks - 6000 },
      },
      100,
      (l) => lines.push(l),
    );
    assert.ok(isAlive(other.pid!));
    assert.equal(lines.length, 0, lines.join('\n'));
    await stopLeftoverServer(id, 100, (l) => lines.push(l));
    await until('the recorded process to stop', () => !isAlive(other.pid!));
  });
});
