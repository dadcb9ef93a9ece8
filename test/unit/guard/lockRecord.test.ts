import * as assert from 'node:assert/strict';
import type { HeldLock, LockRecord, RecordedServerInfo } from '../../../src/core/locks';
import { recordChildVersion, recordServerInfo } from '../../../src/guard/host/lockRecord';

/** A held lock that keeps its record in memory: what the guard writes is what this test reads. */
function memoryLock(): HeldLock {
  let record = {
    protocol: 1,
    pid: 1,
    startTime: 0,
    serverName: 's',
    resourceKey: 'r',
    command: [],
    cwd: '/',
  } as unknown as LockRecord;
  return {
    lockPath: '/nowhere',
    get record() {
      return record;
    },
    update: async (changes) => void (record = { ...record, ...changes }),
    release: async () => undefined,
    releaseSync: () => undefined,
  };
}

const known = { state: 'known', name: 'lg-dual-stdio', version: '9.9.9', ecosystem: 'npm' } as const;
const said = (pid: number): RecordedServerInfo => ({
  name: 'lg-dual-stdio',
  version: '9.9.9',
  era: 'modern',
  how: 'result _meta',
  pid,
});

describe('guard: the versions in the lock record', () => {
  it('records what the child said beside the package, and a new child clears it', async () => {
    const lock = memoryLock();
    await recordChildVersion(lock, known, () => undefined, 10);
    await recordServerInfo(lock, said(10), () => undefined);
    assert.deepEqual(lock.record.versions, {
      package: { name: 'lg-dual-stdio', version: '9.9.9', ecosystem: 'npm' },
      serverInfo: said(10),
    });
    await recordChildVersion(lock, known, () => undefined, 11);
    assert.equal(lock.record.versions?.serverInfo, undefined, 'child 11 said nothing yet');
    await recordServerInfo(lock, said(11), () => undefined);
    await recordChildVersion(lock, { state: 'unknown', reason: 'x' }, () => undefined, 12);
    assert.deepEqual(
      lock.record.versions,
      { package: { name: 'lg-dual-stdio', version: '9.9.9', ecosystem: 'npm' } },
      'an unresolved version keeps the package as before',
    );
  });

  it('keeps what the same child said when its version is resolved after it spoke', async () => {
    const lock = memoryLock();
    await recordServerInfo(lock, said(20), () => undefined);
    await recordChildVersion(lock, known, () => undefined, 20);
    assert.deepEqual(lock.record.versions?.serverInfo, said(20));
  });
});
