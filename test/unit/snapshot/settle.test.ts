import * as assert from 'node:assert/strict';
import type { Snapshot } from '../../../src/core/base/model';
import { SETTLING_RECHECK_MS, settling, takeSettled } from '../../../src/core/snapshot/settle';

/** A snapshot with one instance whose version verdict is `verdict`. */
function snap(verdict: NonNullable<Snapshot['servers'][number]['instances'][number]['versions']>['verdict']): Snapshot {
  const installed = { state: 'unknown' as const, reason: 'r' };
  return {
    servers: [{ instances: [{ versions: { installed, running: { state: 'unknown', reason: 'r' }, verdict } }] }],
    notConfigured: [],
  } as unknown as Snapshot;
}

describe('snapshot: a one-shot answer waits for installs to settle', () => {
  const waiting = snap({ state: 'unknown', reason: 'npm ci (pid 9) is running', settling: true });
  const done = snap({ state: 'current', reason: 'same' });

  it('takes the snapshot again soon (SETTLING_RECHECK_MS) while a verdict is settling, and returns the settled one', async () => {
    const answers = [waiting, waiting, done];
    const slept: number[] = [];
    const got = await takeSettled(async () => answers.shift()!, { sleep: async (ms) => void slept.push(ms) });
    assert.equal(got, done);
    assert.deepEqual(slept, [SETTLING_RECHECK_MS, SETTLING_RECHECK_MS]);
    assert.equal(settling(got), false);
  });

  it('gives up after the bound and returns the verdict still saying it is settling', async () => {
    let takes = 0;
    const got = await takeSettled(async () => (takes++, waiting), { maxWaitMs: 1_200, sleep: async () => undefined });
    assert.equal(settling(got), true);
    assert.equal(takes, 4, 'three waits of 0.5 s fit in 1.2 s (the last one shortened), then it stops');
  });

  it('does not wait when nothing is settling', async () => {
    let takes = 0;
    await takeSettled(async () => (takes++, done), { sleep: async () => assert.fail('no wait expected') });
    assert.equal(takes, 1);
  });
});
