import * as assert from 'node:assert/strict';
import type { Instance } from '../../../src/core/base/model';
import type { LockRecord } from '../../../src/core/locks/types';
import { downOf, markGuarded } from '../../../src/core/processes/guarded';

const record = (down: unknown): LockRecord =>
  ({
    protocol: 1,
    pid: 40,
    startTime: 1000,
    serverName: 'notes',
    resourceKey: 'k',
    command: ['python', 'srv.py'],
    cwd: '/w',
    startedAt: '2026-11-25T07:00:00.000Z',
    holder: 'mcp-lifeguard-guard 0.1.0',
    down,
  }) as LockRecord;

const guard = (): Instance =>
  ({
    pid: 40,
    startTime: 1000,
    launcherChain: [],
    verdicts: [],
    client: { id: 'cursor', name: 'Cursor' },
  }) as unknown as Instance;

describe('a lock record that says its server is down', () => {
  it('gives the guard it names a down verdict with the reason and the output, once', () => {
    const i = guard();
    const r = record({
      since: '2026-11-25T07:04:10.296Z',
      reason: 'gave up. Its last output: Boom',
      output: ['a', 'Boom'],
    });
    markGuarded([i], [r]);
    markGuarded([i], [r]);
    assert.deepEqual(i.verdicts, [
      {
        kind: 'down',
        since: '2026-11-25T07:04:10.296Z',
        reason: 'gave up. Its last output: Boom',
        output: ['a', 'Boom'],
      },
    ]);
    assert.equal(i.lock?.serverName, 'notes');
  });

  it('a record is anyone’s to write: a malformed down is no verdict, non-strings are dropped, sizes are bounded', () => {
    for (const bad of [undefined, null, 'down', [], { since: 1, reason: 'x' }, { since: 'x' }]) {
      const i = guard();
      markGuarded([i], [record(bad)]);
      assert.deepEqual(i.verdicts, [], JSON.stringify(bad));
    }
    const many = Array.from({ length: 100 }, (_, k) => `line ${k}`);
    const d = downOf(record({ since: 's', reason: 'r'.repeat(10_000), output: [...many, 7, { x: 1 }] }));
    assert.equal(d?.reason.length, 2000);
    assert.deepEqual(d?.output, many.slice(-20));
  });
});
