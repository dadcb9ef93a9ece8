import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { controlRestart, controlStatus } from '../../../src/core/control';
import { GuardErrorCode } from '../../../src/guard/wireErrors';
import { until } from '../../support/poll';
import { fixturesDir } from '../../support/repo';
import { MODERN_META, RawGuard } from './erasSupport';
import { liveRecords, tempHome } from './support';

const SERVER = [process.execPath, path.join(fixturesDir, 'eras', 'tasks', 'server.mjs')];

/**
 * Tasks belong to the server process that made them: the guard holds a restart while one runs
 * (bounded), and after a restart answers polls of the old process's tasks with a clear error
 * instead of passing them to a process that never heard of them. Both task designs: 2025-11-25's
 * experimental tasks (legacy era) and the 2026-07-28 tasks extension (modern era), spoken by a
 * hand-written server (the SDK 2.x has no task runtime).
 */
describe('guard: tasks across a restart (built CLI, both eras)', function () {
  this.timeout(120_000);
  let home: string;
  let raw: RawGuard | undefined;
  let next = 0;

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    raw?.stop();
    await raw?.exited;
    raw = undefined;
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function open(
    era: 'legacy' | 'modern',
  ): Promise<(method: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>> {
    raw = new RawGuard(home, ['--name', 'tk', '--', ...SERVER]);
    const g = raw;
    const ask = async (method: string, params: Record<string, unknown>) => {
      const id = `r${++next}`;
      g.send({ id, method, params: era === 'modern' ? { ...params, _meta: MODERN_META } : params });
      return g.answer(id);
    };
    if (era === 'legacy') {
      await ask('initialize', {
        protocolVersion: '2025-11-25',
        capabilities: { tasks: {} },
        clientInfo: { name: 'raw', version: '1' },
      });
      g.send({ method: 'notifications/initialized' });
    }
    return ask;
  }

  const taskOf = (answer: Record<string, unknown>, era: 'legacy' | 'modern') => {
    const result = answer.result as Record<string, unknown>;
    return (era === 'modern' ? result : (result.task as Record<string, unknown>)) as { taskId: string; status: string };
  };

  async function childPid(): Promise<number | undefined> {
    const [record] = await liveRecords(home);
    const status = await controlStatus(record.control!);
    return status.ok ? status.result.childPid : undefined;
  }

  for (const era of ['legacy', 'modern'] as const) {
    it(`${era}: holds a restart while a task runs, and restarts once it completed`, async () => {
      const ask = await open(era);
      const task = taskOf(await ask('tools/call', { name: 'job', arguments: { ms: 3000 } }), era);
      assert.equal(task.status, 'working');
      const first = await childPid();
      const [record] = await liveRecords(home);
      const restart = controlRestart(record.control!, 'test', { timeoutMs: 60_000 });
      await until(
        () => `the hold:\n${raw!.stderr}`,
        () => /holding the restart of tk \(test\): 1 task still running; waiting up to 20 s/.test(raw!.stderr),
        10_000,
        50,
      );
      assert.equal(await childPid(), first, 'the process that runs the task is not stopped');
      // The client polls as it should; once the task is done, the restart goes on.
      const done = await until(
        'the task completed',
        async () => {
          const polled = (await ask('tasks/get', { taskId: task.taskId })).result as {
            status: string;
            result?: { content: Array<{ text: string }> };
          };
          return polled.status === 'completed' && polled;
        },
        20_000,
        200,
      );
      assert.equal(done.result?.content[0].text, `${first}:done`);
      const restarted = await restart;
      assert.ok(restarted.ok, JSON.stringify(restarted));
      assert.notEqual(await childPid(), first);
    });

    it(`${era}: after the server crashed, a poll of its task gets a clear error, not the new process's "unknown task"`, async () => {
      const ask = await open(era);
      const task = taskOf(await ask('tools/call', { name: 'job', arguments: { ms: 0 } }), era);
      const first = await childPid();
      const crashed = await ask('tools/call', { name: 'exit', arguments: {} });
      assert.equal((crashed.error as { code: number }).code, GuardErrorCode.ServerExited);
      await until('the restarted server', async () => ((await childPid()) ?? first) !== first, 20_000, 100);
      const polled = await ask('tasks/get', { taskId: task.taskId });
      const error = polled.error as { code: number; message: string };
      assert.equal(error?.code, GuardErrorCode.TaskLost, JSON.stringify(polled));
      assert.equal(
        error.message,
        `tk: task ${task.taskId} ran in the server process that was restarted (pid ${first}); the new process does not know it, and its work and result are lost: start the request again`,
      );
      // Other requests reach the new process.
      assert.match(
        JSON.stringify((await ask('tools/call', { name: 'echo', arguments: { text: 'hi' } })).result),
        /:hi/,
      );
    });
  }
});
