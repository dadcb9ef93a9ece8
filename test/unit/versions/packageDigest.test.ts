import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { posix } from 'node:path';
import { liveFs } from '../../../src/core/machine/liveFs';
import { packageDigest } from '../../../src/core/versions/packageDigest';
import { judge } from '../../../src/core/versions/judge';
import { tempDir, write } from './layouts';

describe('versions: a package packed again under the same version', () => {
  it("digests a package's own files: equal for the same files, other for other code, blind to the packages nested in it", async () => {
    const dir = tempDir('lg-digest-');
    write(path.join(dir, 'package.json'), '{"name":"x","version":"1.0.0"}');
    write(path.join(dir, 'dist', 'index.js'), 'one');
    const first = await packageDigest(liveFs, posix, dir);
    assert.match(first ?? '', /^[0-9a-f]{64}$/);
    // Rewritten with the same bytes (a reinstall), and a dependency nested in it changed: the same.
    write(path.join(dir, 'dist', 'index.js'), 'one');
    write(path.join(dir, 'node_modules', 'dep', 'index.js'), 'anything');
    assert.equal(await packageDigest(liveFs, posix, dir), first);
    write(path.join(dir, 'dist', 'index.js'), 'two');
    assert.notEqual(await packageDigest(liveFs, posix, dir), first);
    // A file moved is other code too.
    fs.renameSync(path.join(dir, 'dist', 'index.js'), path.join(dir, 'dist', 'main.js'));
    write(path.join(dir, 'dist', 'main.js'), 'one');
    assert.notEqual(await packageDigest(liveFs, posix, dir), first);
    assert.equal(await packageDigest(liveFs, posix, path.join(dir, 'nowhere')), undefined);
  });

  it('the version first seen with other files now is changed; with no digest to compare it is as before', () => {
    const start = Date.parse('2026-11-28T10:00:00Z');
    const installed = {
      state: 'installed',
      ecosystem: 'npm',
      name: 'x',
      version: '1.0.0',
      how: 'npm global prefix /p',
      location: '/p/lib/node_modules/x',
      changedAt: start + 60_000,
    } as const;
    const firstSeen = { name: 'x', version: '1.0.0', firstSeenAt: '2026-11-28T10:00:05Z', digest: 'a'.repeat(64) };
    const base = {
      installed,
      processStart: start,
      firstSeen,
      changedFiles: [{ path: '/p/lib/node_modules/x/package.json', at: new Date(start + 60_000).toISOString() }],
      now: start + 120_000,
    };
    assert.equal(judge({ ...base, contentMoved: true }).verdict.state, 'changed');
    assert.equal(judge(base).verdict.state, 'current');
  });
});
