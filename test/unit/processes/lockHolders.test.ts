import * as assert from 'node:assert/strict';
import type { LockRecord } from '../../../src/core/locks/types';
import { holderRecordOf, lockHolders, lockOwners } from '../../../src/core/processes/guarded';

/** A share host's attached clients are looked up by its holder record for every instance of a snapshot: indexed once. */
describe('lock records by their holder, indexed once', () => {
  const record = (pid: number, startTime: number, child?: { pid: number; startTime: number }): LockRecord => ({
    protocol: 1,
    pid,
    startTime,
    serverName: `s${pid}`,
    resourceKey: `k${pid}`,
    command: ['mcp-lifeguard', 'run'],
    cwd: '/',
    startedAt: '2026-01-01T00:00:00.000Z',
    ...(child ? { child } : {}),
  });
  const records = [record(100, 5000, { pid: 101, startTime: 5100 }), record(200, 7000)];
  const asked = [
    { pid: 100, startTime: 5000 },
    // The server under its guard: the guard (its launcher) holds the record.
    { pid: 101, startTime: 5100, launcherChain: [{ pid: 100, startTime: 5000, commandLine: 'mcp-lifeguard run' }] },
    // The holder's child alone, no launcher seen: no holder of it.
    { pid: 101, startTime: 5100 },
    // A pid reused since (another start time).
    { pid: 200, startTime: 9000 },
    { pid: 200, startTime: 7000 },
  ];

  it('answers as the search of every record does, one lookup per step of the launch', () => {
    const holders = lockHolders(records);
    assert.deepEqual(
      asked.map((i) => holderRecordOf(i, holders)?.serverName),
      ['s100', 's100', undefined, undefined, 's200'],
    );
    assert.deepEqual(
      asked.map((i) => holderRecordOf(i, holders)),
      asked.map((i) => holderRecordOf(i, records)),
    );
    // Unlike the owners' index, which also names a launcher's recorded child.
    assert.equal(lockOwners(records).ownerOf(101, 5100)?.serverName, 's100');
    assert.equal(lockHolders(records).holderOf(101, 5100), undefined);
  });
});
