import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Guard } from '../../../src/guard/stdioGuard';
import { makeTempDir } from '../../support/temp';
import { until } from '../../support/poll';
import { fixturesDir } from '../../support/repo';
import { inProcessGuard } from './inProcessGuard';

const tasksServer = path.join(fixturesDir, 'eras', 'tasks', 'server.mjs');
type Line = { id?: unknown; result?: { task?: { taskId: string } }; error?: { code: number; message: string } };

/** The bound of a hold: work that never closes delays a restart by the hold time, never for ever, and is said lost. */
describe('Guard (in process): a restart held for open work is bounded', function () {
  this.timeout(60_000);
  let guard: Guard | undefined;
  const logs: string[] = [];

  afterEach(async () => {
    await guard?.shutdown('test over');
    await guard?.finished;
    guard = undefined;
    logs.length = 0;
  });

  it("restarts after holdTimeoutMs when a task never ends, says what is lost, and answers the old task's poll", async () => {
    const started = inProcessGuard(
      { script: tasksServer, cwd: makeTempDir('lgg-hold-'), serverName: 'tk', log: (line) => logs.push(line) },
      { holdTimeoutMs: 300 },
    );
    guard = started.guard;
    const lines: Line[] = [];
    let buf = '';
    started.output.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)) as Line);
        buf = buf.slice(i + 1);
      }
    });
    const send = (m: Record<string, unknown>) => started.input.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
    const answer = (id: number) => until(`answer ${id}`, () => lines.find((l) => l.id === id), 20_000, 10);
    send({
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    await answer(1);
    send({ method: 'notifications/initialized' });
    send({ id: 2, method: 'tools/call', params: { name: 'job', arguments: { ms: 0 } } });
    const taskId = (await answer(2)).result!.task!.taskId;
    const t0 = Date.now();
    const outcome = await guard.restart('test');
    assert.ok(Date.now() - t0 >= 300, 'held for the bound');
    assert.ok(outcome.restarts === 1);
    assert.match(logs.join('\n'), /holding the restart of tk \(test\): 1 task still running; waiting up to 0\.3 s/);
    assert.match(logs.join('\n'), /restarting tk anyway after 0\.3 s: 1 task still running will be lost/);
    send({ id: 3, method: 'tasks/get', params: { taskId } });
    assert.equal((await answer(3)).error?.code, -32044);
  });
});
