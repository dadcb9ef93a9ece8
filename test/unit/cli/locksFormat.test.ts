import * as assert from 'node:assert/strict';
import { formatLocks, sharedBy } from '../../../src/cli/format/locks';
import type { LockRecord } from '../../../src/core/locks/types';

const record: LockRecord = {
  protocol: 1,
  pid: 4242,
  startTime: 1,
  serverName: 'memory',
  resourceKey: '/data',
  command: ['mcp-server-memory'],
  cwd: '/',
  startedAt: '2026-11-23T00:00:00.000Z',
  holder: 'mcp-lifeguard-guard 0.1.0',
};

describe('locks: a shared server says how many clients it serves', () => {
  it('names the count and the clients of a sharing holder, and says nothing for one that does not share', () => {
    const shared = {
      ...record,
      share: true,
      attached: [
        { pid: 1, startTime: 1, clientName: 'claude-code' },
        { pid: 2, startTime: 2, clientName: 'cursor' },
        { pid: 3, startTime: 3 },
      ],
    };
    assert.equal(sharedBy(shared), 'shared by 3 clients (claude-code, cursor, ?)');
    assert.equal(sharedBy({ share: true, attached: [{ pid: 1, startTime: 1 }] }), 'shared by 1 client (?)');
    assert.equal(sharedBy({ share: true }), 'shared by 0 clients');
    assert.equal(sharedBy(record), '');
    const text = formatLocks('/locks', [{ lockPath: '/locks/m.lock', state: 'live', record: shared }]);
    assert.match(text, /mcp-lifeguard-guard 0\.1\.0, shared by 3 clients \(claude-code, cursor, \?\)/);
    assert.doesNotMatch(formatLocks('/locks', [{ lockPath: '/locks/m.lock', state: 'live', record }]), /shared/);
    // A share host's HTTP front: its URL beside its clients, when it is a plain loopback one.
    const front = { ...shared, shareUrl: 'http://127.0.0.1:3310/mcp' };
    assert.match(
      formatLocks('/locks', [{ lockPath: '/locks/m.lock', state: 'live', record: front }]),
      /shared by 3 clients \(claude-code, cursor, \?\), http:\/\/127\.0\.0\.1:3310\/mcp/,
    );
    const foreign = { ...shared, shareUrl: 'http://user:pw@example.com/mcp' };
    assert.doesNotMatch(
      formatLocks('/locks', [{ lockPath: '/locks/m.lock', state: 'live', record: foreign }]),
      /example|pw/,
    );
  });

  it('an HTTP guard says which clients use it, when any does', () => {
    const http = { ...record, holder: 'mcp-lifeguard-guard 0.1.0 http' };
    assert.equal(
      sharedBy({ ...http, attached: [{ clientName: 'claude-code' }, { pid: 7, startTime: 7, clientName: 'zed' }] }),
      'shared by 2 clients (claude-code, zed)',
    );
    assert.equal(sharedBy({ ...http, attached: [] }), '');
    assert.equal(sharedBy(http), '');
  });
});

describe('locks: each state names its record and its note', () => {
  it('a dead or unreadable lock says why, a free one when it was released, a live one who holds it', () => {
    const rows = formatLocks('/locks', [
      { lockPath: '/locks/a.lock', state: 'live', record: { ...record, control: '/run/c.sock' } },
      { lockPath: '/locks/b.lock', state: 'dead', record, reason: 'pid 4242 is gone' },
      { lockPath: '/locks/c.lock', state: 'unreadable', reason: 'c.lock/1 is not JSON' },
      { lockPath: '/locks/d.lock', state: 'free', released: { ...record, releasedAt: '2026-11-24T00:00:00.000Z' } },
      { lockPath: '/locks/e.lock', state: 'free' },
    ])
      .split('\n')
      .slice(1, 6)
      .map((line) => line.split(/\s{2,}/));
    assert.deepEqual(rows, [
      ['memory', 'live', '4242', '2026-11-23T00:00:00.000Z', '/data', 'mcp-lifeguard-guard 0.1.0, control /run/c.sock'],
      ['memory', 'dead', '4242', '2026-11-23T00:00:00.000Z', '/data', 'pid 4242 is gone'],
      ['?', 'unreadable', 'c.lock/1 is not JSON'],
      ['memory', 'free', '4242', '2026-11-23T00:00:00.000Z', '/data', 'released 2026-11-24T00:00:00.000Z'],
      ['?', 'free', 'never held'],
    ]);
  });
});
