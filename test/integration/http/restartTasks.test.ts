import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { controlRestart } from '../../../src/core/control';
import { freePort } from '../../../src/guard/http/upstream';
import { killAndWait } from '../../support/liveness';
import { until } from '../../support/poll';
import { cliPath, fixturesDir } from '../../support/repo';
import { childPidOf, killMentioning, liveGuardOf, shortTempDir, spawnCollect } from './support';

const SERVER = [process.execPath, path.join(fixturesDir, 'eras', 'tasks', 'server.mjs')];
const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
};

/** Tasks across a restart through `mcp-lifeguard run --http` (built CLI): a raw client, both task designs. */
describe('run --http: tasks across a restart (both eras)', function () {
  this.timeout(180_000);
  let home: string;
  const pids: number[] = [];
  let next = 0;

  beforeEach(() => {
    home = shortTempDir();
  });
  afterEach(async () => {
    for (const pid of pids.splice(0)) await killAndWait(pid, 'SIGTERM');
    await killMentioning(home);
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function start(era: 'legacy' | 'modern') {
    const port = await freePort();
    const guard = spawnCollect(
      process.execPath,
      [cliPath, 'run', '--http', '--listen', `127.0.0.1:${port}`, '--stop-grace', '2', '--name', 'tk', '--', ...SERVER],
      { env: { ...process.env, MCP_LIFEGUARD_HOME: home }, cwd: home },
    );
    pids.push(guard.child.pid!);
    const url = `http://127.0.0.1:${port}/mcp`;
    await until(
      () => `the URL on stdout: ${guard.output()}`,
      () => guard.output().includes(url),
      90_000,
    );
    const record = await until('the guard lock', () => liveGuardOf(home), 30_000);
    const ask = async (method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(era === 'modern' ? { 'mcp-protocol-version': '2026-07-28' } : {}),
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: `r${++next}`,
          method,
          params: era === 'modern' ? { ...params, _meta: MODERN_META } : params,
        }),
      });
      return (await res.json()) as Record<string, unknown>;
    };
    if (era === 'legacy')
      await ask('initialize', {
        protocolVersion: '2025-11-25',
        capabilities: { tasks: {} },
        clientInfo: { name: 'raw', version: '1' },
      });
    return { ask, output: guard.output, control: record.control!, childPid: () => childPidOf(record) };
  }

  const taskOf = (answer: Record<string, unknown>, era: 'legacy' | 'modern') => {
    const result = answer.result as Record<string, unknown>;
    return (era === 'modern' ? result : (result.task as Record<string, unknown>)) as { taskId: string; status: string };
  };

  for (const era of ['legacy', 'modern'] as const) {
    it(`${era}: holds a restart while a task runs; after a crash, a poll of the old task gets a clear error`, async () => {
      const g = await start(era);
      const task = taskOf(await g.ask('tools/call', { name: 'job', arguments: { ms: 3000 } }), era);
      assert.equal(task.status, 'working');
      const first = await g.childPid();
      const restart = controlRestart(g.control, 'test', { timeoutMs: 60_000 });
      await until(
        () => `the hold:\n${g.output()}`,
        () => /holding the restart of tk \(test\): 1 task still running; waiting up to 20 s/.test(g.output()),
        10_000,
        50,
      );
      assert.equal(await g.childPid(), first, `the process that runs the task is not stopped:\n${g.output()}`);
      await until(
        'the task completed',
        async () =>
          ((await g.ask('tasks/get', { taskId: task.taskId })).result as { status: string }).status === 'completed',
        20_000,
        200,
      );
      assert.ok((await restart).ok);
      const second = await g.childPid();
      assert.notEqual(second, first);

      // A task that never ends, then the server crashes: its poll is the guard's to answer.
      const stuck = taskOf(await g.ask('tools/call', { name: 'job', arguments: { ms: 0 } }), era);
      await g.ask('tools/call', { name: 'exit', arguments: {} });
      await until('the restarted server', async () => ((await g.childPid()) ?? second) !== second, 30_000, 100);
      const polled = await g.ask('tasks/get', { taskId: stuck.taskId });
      assert.deepEqual(polled.error, {
        code: -32044,
        message: `tk: task ${stuck.taskId} ran in the server process that was restarted (pid ${second}); the new process does not know it, and its work and result are lost: start the request again`,
      });
    });
  }
});
