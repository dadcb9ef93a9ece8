import * as assert from 'node:assert/strict';
import { IdleWaiters } from '../../../src/guard/host/idleWaiters';

describe('guard: waits for no request in flight (both transports)', () => {
  it('ends at once when idle, with true at the next wake, with false after the timeout; none is kept after it ended', async () => {
    const waiters = new IdleWaiters();
    assert.equal(await waiters.wait(true, 1000), true);
    assert.equal(waiters.size, 0);
    const woken = waiters.wait(false, 10_000);
    const timedOut = waiters.wait(false, 20);
    assert.equal(waiters.size, 2);
    assert.equal(await timedOut, false);
    assert.equal(waiters.size, 1, 'a wait that timed out is forgotten');
    waiters.wake();
    assert.equal(await woken, true);
    assert.equal(waiters.size, 0);
    waiters.wake();
  });
});
