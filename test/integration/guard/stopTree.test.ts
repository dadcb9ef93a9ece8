import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { killAll, waitForExit } from '../../support/liveness';
import { until } from '../../support/poll';
import { recordedMembers, stillRuns, survivors, treeOf, treeServer } from '../../support/serverTree';
import { connectGuarded, GuardedClient, runCli, tempHome, textOf } from './support';

/**
 * A real guard (`mcp-lifeguard run`) over a server that starts processes of its own (a plain child,
 * a child in a session of its own with two children, a writer that left the tree at once by a double
 * fork): every way the guard stops it ends them all, judged by the pids and start ticks they
 * recorded themselves.
 */
describe('guard: a stop ends every process the server started', function () {
  this.timeout(120_000);
  let home: string;
  let record: string;
  let guarded: GuardedClient | undefined;

  before(function () {
    // The tree records its start ticks from /proc/self/stat.
    if (process.platform !== 'linux') this.skip();
  });
  beforeEach(() => {
    home = tempHome();
    record = path.join(home, 'tree-record');
  });
  afterEach(async () => {
    const guardPid = guarded?.transport.pid ?? undefined;
    await guarded?.client.close().catch(() => undefined);
    guarded = undefined;
    await killAll([...(guardPid ? [guardPid] : []), ...recordedMembers(record).map((m) => m.pid)], path.basename(home));
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** The tree server behind a real guard named `tree`, with the guard's options `options`. */
  const startTree = (options: string[] = []): Promise<GuardedClient> =>
    connectGuarded(home, [
      '--name',
      'tree',
      ...options,
      '--',
      process.execPath,
      treeServer,
      'server',
      record,
      'daemon',
    ]);

  const serverPid = async (): Promise<number> =>
    Number(textOf(await guarded!.client.callTool({ name: 'echo', arguments: { text: 'hi' } })).split(':')[0]);

  it('a restart (mcp-lifeguard restart) ends the old server and everything it started, and any copy its check started; the new one serves', async () => {
    guarded = await startTree();
    const first = await serverPid();
    await treeOf(record, first, true);
    const restart = await runCli(home, ['restart', 'tree']);
    assert.equal(restart.code, 0, restart.stdout + restart.stderr);
    const second = await serverPid();
    assert.notEqual(second, first);
    // Every process of every other server (the old one, and any copy the restart's check started) is gone.
    const others = recordedMembers(record).filter((m) => m.server !== second);
    assert.ok(
      others.some((m) => m.server === first && m.role === 'session'),
      'the old tree was recorded',
    );
    assert.deepEqual(await survivors(others), [], 'no process of a stopped server runs');
    // The new one and its tree run (but the daemon's first parent, which exits as it starts it).
    const serving = (await treeOf(record, second, true)).filter((m) => m.role !== 'daemonize');
    assert.equal((await survivors(serving)).length, serving.length, 'the new server and its tree run');
  });

  it('an idle stop (--idle-stop) ends the server and everything it started', async () => {
    guarded = await startTree(['--idle-stop', '1']);
    const tree = await treeOf(record, await serverPid(), true);
    await until(
      'the idle stop to end the server and every process it started',
      async () => (await survivors(tree)).length === 0,
      30_000,
    );
  });

  it('the client leaving (its stdin closed) ends the server and everything it started, and the guard exits', async () => {
    guarded = await startTree();
    const tree = await treeOf(record, await serverPid(), true);
    const guardPid = guarded.transport.pid as number;
    await guarded.client.close();
    await waitForExit(guardPid);
    assert.deepEqual(await survivors(tree), [], 'no process the server started runs after its guard ended');
  });

  it('the guard told to end (SIGTERM) ends the server and everything it started before it exits', async () => {
    guarded = await startTree();
    const tree = await treeOf(record, await serverPid(), true);
    const guardPid = guarded.transport.pid as number;
    process.kill(guardPid, 'SIGTERM');
    await waitForExit(guardPid);
    assert.deepEqual(await survivors(tree), [], 'no process the server started runs after its guard ended');
  });

  it('a guard killed (SIGKILL) leaves its server, which ends on EOF, and what it started: the next guard ends them before its own server serves', async () => {
    guarded = await startTree();
    const first = await serverPid();
    const tree = (await treeOf(record, first, true)).filter((m) => m.role !== 'daemonize');
    const guardPid = guarded.transport.pid as number;
    process.kill(guardPid, 'SIGKILL');
    await waitForExit(guardPid);
    await guarded.client.close().catch(() => undefined);
    // The server sees EOF and ends; what it started runs on under init, no longer below it.
    const server = tree.find((m) => m.role === 'server')!;
    await until('the server to end on EOF', async () => !(await stillRuns(server)));
    assert.equal((await survivors(tree)).length, tree.length - 1, 'what it started runs on without it');
    guarded = await startTree();
    assert.notEqual(await serverPid(), first);
    assert.deepEqual(await survivors(tree), [], "no process of the killed guard's server runs");
  });
});
