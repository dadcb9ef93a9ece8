import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock, defaultResourceKey, lockPathFor, processStartTime, readHolder } from '../../../src/core/locks';
import { redactResourceKey } from '../../../src/core/locks/redactRecord';

describe('locks: a record stores the command line and the resource key with credentials masked', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-redact-'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the file holds no secret; the lock is still found under the identity of the raw argv', async () => {
    const dir = path.join(root, 'locks');
    const argv = ['/usr/bin/node', 'srv.js', '--pass', 'hunter2-secret', '--header', 'X-API-Key: abc-secret-123'];
    const identity = {
      serverName: 'db',
      resourceKey: defaultResourceKey({ cwd: '/w', command: argv[0], args: argv.slice(1) }),
    };
    const result = await acquireLock({
      dir,
      identity,
      record: {
        pid: process.pid,
        startTime: await processStartTime(),
        command: argv,
        cwd: '/w',
        startedAt: new Date().toISOString(),
      },
    });
    assert.equal(result.kind, 'acquired');
    if (result.kind !== 'acquired') return;
    try {
      assert.equal(result.lock.lockPath, lockPathFor(dir, identity, path));
      const files = fs
        .readdirSync(result.lock.lockPath)
        .map((f) => fs.readFileSync(path.join(result.lock.lockPath, f), 'utf8'));
      for (const text of files) assert.ok(!text.includes('hunter2-secret') && !text.includes('abc-secret-123'), text);
      const holder = await readHolder({ dir, identity });
      assert.equal(holder.state, 'live');
      if (holder.state === 'live') {
        assert.deepEqual(holder.record.command, [
          '/usr/bin/node',
          'srv.js',
          '--pass',
          '<redacted>',
          '--header',
          'X-API-Key: <redacted>',
        ]);
        assert.equal(
          holder.record.resourceKey,
          JSON.stringify([
            '/w',
            '/usr/bin/node',
            'srv.js',
            '--pass',
            '<redacted>',
            '--header',
            'X-API-Key: <redacted>',
          ]),
        );
      }
    } finally {
      await result.lock.release();
    }
  });

  it('a key with nothing to mask keeps its exact text', () => {
    for (const key of ['/data/memory', '["/w","node","srv.js","--port","3000"]', '[ "/w", "node" ]'])
      assert.equal(redactResourceKey(key), key);
  });

  it('an explicit key is masked as one argument: URL user info, DSN passwords, headers, token shapes', () => {
    const cases: Array<[string, string]> = [
      ['postgres://app:pw-123456@db.local/app', 'postgres://<redacted>@db.local/app'],
      ['redis://:secretpass@127.0.0.1:6379/0', 'redis://<redacted>@127.0.0.1:6379/0'],
      ['https://kb.local/?token=abcdef123', 'https://kb.local/?token=<redacted>'],
      ['host=db password=hunter22 user=x', 'host=db password=<redacted> user=x'],
      ['Authorization: Bearer abcdefghijk', 'Authorization: Bearer <redacted>'],
    ];
    for (const [key, masked] of cases) assert.equal(redactResourceKey(key), masked);
  });
});
