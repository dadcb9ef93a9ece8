import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { isAlive, killAndWait, stopChildren } from '../support/liveness';
import { sleep, until, waitUntil } from '../support/poll';

/** The shared test helpers (test/support): what every suite's waits and teardowns rest on. */
describe('test helpers: polling and liveness', function () {
  this.timeout(30_000);

  it('until returns the first value that holds, polling through undefined, false and errors', async () => {
    let calls = 0;
    const value = await until(
      'the third call',
      () => {
        calls += 1;
        if (calls === 1) throw new Error('not yet');
        return calls === 2 ? false : calls;
      },
      5000,
      1,
    );
    assert.equal(value, 3);
  });

  it('until fails after its bound, naming what it waited for and the last error', async () => {
    await assert.rejects(
      until(
        'the door to open',
        () => {
          throw new Error('locked');
        },
        50,
        5,
      ),
      /timed out after 50 ms waiting for the door to open \(last error: locked\)/,
    );
  });

  it('waitUntil says whether the condition held in time', async () => {
    assert.equal(await waitUntil(() => true, 50), true);
    assert.equal(await waitUntil(() => false, 50, 5), false);
  });

  it('a slow check is polled with a pause of twice its length after it, a cheap one every everyMs', async () => {
    // A check taking 60 ms never holds for 900 ms: polled every 10 ms it would run ~12 times; with a
    // pause of at least 120 ms after each, at most 900 / 180 + 1. A loaded machine only makes it fewer.
    let slow = 0;
    await waitUntil(async () => (slow++, await sleep(60), false), 900, 10);
    assert.ok(slow <= 6, `the slow check ran ${slow} times`);
    let cheap = 0;
    await waitUntil(() => (cheap++, false), 300, 10);
    assert.ok(cheap >= 3, `the cheap check ran only ${cheap} times`);
  });

  it('a child runs until it is killed, and is gone once killAndWait returns', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      assert.equal(isAlive(child.pid!), true);
      await killAndWait(child.pid!);
      assert.equal(isAlive(child.pid!), false);
    } finally {
      await stopChildren([child]);
    }
  });

  it('stopChildren ends a child that ignores SIGTERM once the grace is over', async () => {
    const child = spawn(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); console.log('up'); setTimeout(() => {}, 60000)"],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise((resolve) => child.stdout.once('data', resolve));
    await stopChildren([child], 200);
    assert.equal(child.signalCode, 'SIGKILL');
  });
});
