import * as assert from 'node:assert/strict';
import { runStopLadder, StopTarget } from '../../../src/core/actions/stopLadder';
import { serverStopStages } from '../../../src/guard/host/supervisor';

/** The stages without their function: what a stop does, in order, with its waits. */
const shape = (stages: ReturnType<typeof serverStopStages>) =>
  stages.map((s) => (s.kind === 'ask' ? ['ask', s.waitMs, s.waitFor] : [s.signal, s.waitMs]));

const grace = { eofMs: 3000, termMs: 5000 };

describe("a guarded server's stop, stage by stage", () => {
  it('Windows: closing the stdin the guard owns comes first, then one TerminateProcess (no SIGTERM grace to wait out)', () => {
    assert.deepEqual(shape(serverStopStages('win32', { closeStdin: () => undefined, grace, killWaitMs: 5000 })), [
      ['ask', 3000, 'first'],
      ['SIGKILL', 5000],
    ]);
    // An HTTP server's stdin is not the guard's: nothing gentle to do, one terminate.
    assert.deepEqual(shape(serverStopStages('win32', { grace, killWaitMs: 5000 })), [['SIGKILL', 5000]]);
  });

  it('Linux and macOS: stdin closed, then SIGTERM and its grace, then SIGKILL', () => {
    for (const platform of ['linux', 'darwin'] as const)
      assert.deepEqual(
        shape(serverStopStages(platform, { closeStdin: () => undefined, grace, killWaitMs: Infinity })),
        [
          ['ask', 3000, 'first'],
          ['SIGTERM', 5000],
          ['SIGKILL', Infinity],
        ],
      );
  });

  it('Windows: a server that ends when its stdin closes is never terminated', async () => {
    const sent: string[] = [];
    let alive = true;
    const server: StopTarget<string> = {
      identify: async () => (alive ? { ok: true } : { ok: false, refusal: 'exited' }),
      signal: (signal) => void sent.push(signal),
      isGone: async () => !alive,
    };
    const stages = serverStopStages('win32', {
      closeStdin: () => {
        sent.push('stdin closed');
        alive = false;
      },
      grace,
      killWaitMs: 5000,
    });
    const result = await runStopLadder([server], stages, { sleep: async () => undefined, now: () => 0 });
    assert.deepEqual(result, { outcome: 'stopped', stage: 'ask' });
    assert.deepEqual(sent, ['stdin closed']);
  });
});
