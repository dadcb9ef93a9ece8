import * as assert from 'node:assert/strict';
import type { LockRecord, RecordedServerInfo } from '../../../src/core/locks/types';
import { serverInfoFromLock } from '../../../src/core/versions/lockServerInfo';

describe("versions: serverInfo from a guard's lock record", () => {
  const lock = (serverInfo?: Partial<RecordedServerInfo>): LockRecord => ({
    protocol: 1,
    pid: 10,
    startTime: 1,
    serverName: 's',
    resourceKey: 'k',
    command: [],
    cwd: '/',
    startedAt: new Date(1).toISOString(),
    ...(serverInfo
      ? {
          versions: {
            serverInfo: {
              name: 'srv',
              version: '1.0.0',
              era: 'modern',
              how: 'server/discover',
              pid: 11,
              ...serverInfo,
            } as RecordedServerInfo,
          },
        }
      : {}),
  });

  it('names the way it was learned, for the child that said it only', () => {
    assert.deepEqual(serverInfoFromLock(lock({}), 11), {
      name: 'srv',
      version: '1.0.0',
      era: 'modern',
      how: 'server/discover, relayed by the guard (its lock record)',
    });
    assert.equal(serverInfoFromLock(lock({}), 10), undefined, 'the guard itself said nothing');
    assert.equal(serverInfoFromLock(lock({}), 12), undefined);
    assert.equal(serverInfoFromLock(lock(), 11), undefined);
    assert.equal(serverInfoFromLock(undefined, 11), undefined);
  });

  it('a record of another implementation with fields it does not know says only what it can', () => {
    const odd = serverInfoFromLock(
      lock({ how: 'constructor' as RecordedServerInfo['how'], era: 'future' as RecordedServerInfo['era'] }),
      11,
    );
    assert.deepEqual(odd, { name: 'srv', version: '1.0.0', how: 'MCP, relayed by the guard (its lock record)' });
    assert.equal(serverInfoFromLock(lock({ version: 7 as unknown as string }), 11), undefined);
  });
});
