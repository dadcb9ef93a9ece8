import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { RefreshQueue } from '../../../src/extension/refreshQueue';
import { watchTargets } from '../../../src/extension/viewModel/watchTargets';
import { HIDDEN_POLL_MS, nextPollInMs, pollDelayMs } from '../../../src/extension/viewModel/pollDelay';
import { sleep } from '../../support/poll';

describe('extension: refresh scheduling', () => {
  it('debounces a burst of automatic requests into one load', async () => {
    let loads = 0;
    const q = new RefreshQueue(
      async () => void loads++,
      () => undefined,
      30,
    );
    for (let i = 0; i < 10; i++) q.soon();
    await sleep(80);
    assert.equal(loads, 1);
    q.close();
  });

  it('manual requests run at once, one load at a time, and requests during a load coalesce into one more', async () => {
    let running = 0;
    let maxRunning = 0;
    let loads = 0;
    const q = new RefreshQueue(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(20);
        loads++;
        running--;
      },
      () => undefined,
      1000,
    );
    const first = q.now();
    await sleep(5);
    const [a, b, c] = [q.now(), q.now(), q.now()];
    assert.equal(a, b);
    assert.equal(b, c);
    await Promise.all([first, a]);
    assert.equal(loads, 2);
    assert.equal(maxRunning, 1);
    q.close();
  });

  it('a failing load is reported and the next one still runs', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const q = new RefreshQueue(
      async () => {
        if (n++ === 0) throw new Error('boom');
      },
      (e) => errors.push(e),
      10,
    );
    await q.now();
    await q.now();
    assert.equal(n, 2);
    assert.equal((errors[0] as Error).message, 'boom');
    q.close();
  });

  it('a manual request cancels a pending debounced one; nothing runs after close', async () => {
    let loads = 0;
    const q = new RefreshQueue(
      async () => void loads++,
      () => undefined,
      30,
    );
    q.soon();
    await q.now();
    await sleep(60);
    assert.equal(loads, 1);
    q.close();
    q.soon();
    await q.now();
    await sleep(50);
    assert.equal(loads, 1);
  });

  it('watches every scanned config file (missing ones too) and installed package folders', () => {
    const targets = watchTargets(
      {
        files: [
          { file: '/h/.cursor/mcp.json', client: 'cursor', scope: 'user', state: 'missing', servers: 0 },
          {
            file: '/h/.config/Claude/claude_desktop_config.json',
            client: 'claude-desktop',
            scope: 'user',
            state: 'read',
            servers: 1,
          },
        ],
        servers: [
          { installed: { state: 'installed', location: '/h/.npm/_npx/ab/node_modules/pkg' } },
          { installed: { state: 'unknown' } },
          {},
        ],
      },
      path.posix.dirname,
      path.posix.basename,
    );
    assert.deepEqual(targets, [
      { base: '/h/.cursor', pattern: 'mcp.json' },
      { base: '/h/.config/Claude', pattern: 'claude_desktop_config.json' },
      { base: '/h/.npm/_npx/ab/node_modules/pkg', pattern: '*' },
    ]);
  });

  it('polls at the configured interval while a view shows, slower while only the badge does, slower again unfocused', () => {
    const at = (over: Partial<Parameters<typeof pollDelayMs>[0]>) =>
      pollDelayMs({ intervalMs: 5000, focused: true, viewVisible: true, settling: false, ...over }, 500);
    assert.equal(at({}), 5000);
    assert.equal(at({ viewVisible: false }), HIDDEN_POLL_MS);
    assert.equal(at({ focused: false }), 20000);
    assert.equal(at({ viewVisible: false, focused: false }), 4 * HIDDEN_POLL_MS);
    // A longer configured interval is kept while hidden; a verdict waiting for an installer looks soon anyway.
    assert.equal(at({ viewVisible: false, intervalMs: 120_000 }), 120_000);
    assert.equal(at({ viewVisible: false, focused: false, settling: true }), 500);
  });

  it('a view that shows brings a look that is due at once; one not due yet waits for the rest', () => {
    assert.equal(nextPollInMs(1000, 40_000, 5000), 0);
    assert.equal(nextPollInMs(1000, 3000, 5000), 3000);
  });
});
