import * as assert from 'node:assert/strict';
import { pollUntil } from '../../../src/core/base/pollUntil';

/** A fake clock: sleeping moves it, and every pause is logged. */
function fakeClock() {
  let t = 0;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => t,
    sleep: async (ms: number) => {
      pauses.push(ms);
      t += ms;
    },
  };
}

describe('pollUntil: one wait with back-off', () => {
  it('asks at once, then after pauses that double up to the ceiling', async () => {
    const clock = fakeClock();
    let asked = 0;
    const r = await pollUntil(() => (++asked === 7 ? 'there' : undefined), { deadline: 10_000, ...clock });
    assert.deepEqual(r, { kind: 'done', value: 'there' });
    assert.deepEqual(clock.pauses, [25, 50, 100, 200, 200, 200]);
  });

  it('never sleeps past the deadline, and tries once more at it', async () => {
    const clock = fakeClock();
    const seen: number[] = [];
    const r = await pollUntil(
      () => {
        seen.push(clock.now());
        return undefined;
      },
      { deadline: 300, ...clock },
    );
    assert.deepEqual(r, { kind: 'timeout', tries: 5 });
    assert.deepEqual(seen, [0, 25, 75, 175, 300]);
  });

  it('an answer that is falsy but defined (0, false, an empty list) ends the wait', async () => {
    for (const value of [0, false, '', [] as unknown[]]) {
      const r = await pollUntil(() => value, { deadline: 0, ...fakeClock() });
      assert.deepEqual(r, { kind: 'done', value });
    }
  });

  it('a deadline already passed still asks once', async () => {
    let asked = 0;
    const r = await pollUntil(
      () => {
        asked++;
        return undefined;
      },
      { deadline: -1, ...fakeClock() },
    );
    assert.deepEqual([r, asked], [{ kind: 'timeout', tries: 1 }, 1]);
  });

  it('waits on the real clock when none is given', async () => {
    const started = Date.now();
    let asked = 0;
    const r = await pollUntil(() => (++asked === 3 ? asked : undefined), {
      deadline: started + 5000,
      backoff: { firstMs: 5, maxMs: 5 },
    });
    assert.deepEqual(r, { kind: 'done', value: 3 });
    assert.ok(Date.now() - started >= 8, 'two pauses of about 5 ms were slept');
  });
});
