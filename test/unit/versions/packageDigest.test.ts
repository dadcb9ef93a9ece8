import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { posix } from 'node:path';
import { liveFs } from '../../../src/core/machine/liveFs';
import { digestsDiffer, packageDigest } from '../../../src/core/versions/packageDigest';
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

  // mcp-server-time 2026.8.18's .dist-info as uv 0.13.9 installed it in a uv tool and, from the same
  // cache, in uvx's environment: the files are the same but the RECORD row of the launcher uv wrote in
  // each environment's bin folder, whose first line names that environment's interpreter.
  const DATA = path.join(__dirname, 'data');
  const DIST = 'mcp_server_time-2026.8.18.dist-info';
  const tool = path.join(DATA, 'uv-0.13.9-tool', DIST);
  const uvx = path.join(DATA, 'uv-0.13.9-uvx', DIST);

  it("the same release in two of uv's environments has one digest: the launchers' RECORD rows name their environment, not the package's code", async () => {
    const [a, b] = [
      fs.readFileSync(path.join(tool, 'RECORD'), 'utf8'),
      fs.readFileSync(path.join(uvx, 'RECORD'), 'utf8'),
    ];
    assert.notEqual(a, b, 'the stored RECORDs differ (their launchers)');
    const seen = (await packageDigest(liveFs, posix, tool))!;
    const now = (await packageDigest(liveFs, posix, uvx))!;
    assert.match(seen, /^rows:[0-9a-f]{64}$/);
    assert.equal(now, seen);
    assert.equal(digestsDiffer(seen, now), false);

    // Another module's bytes under the same version (a repack) still move it.
    const repacked = path.join(tempDir('lg-digest-repack-'), DIST);
    fs.cpSync(uvx, repacked, { recursive: true });
    write(
      path.join(repacked, 'RECORD'),
      b.replace(/(mcp_server_time\/server\.py,sha256=)[^,]+/, '$1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
    );
    const other = (await packageDigest(liveFs, posix, repacked))!;
    assert.equal(digestsDiffer(seen, other), true);
    // A RECORD without launchers is hashed as its whole file, as before: digests first seen by an
    // earlier version of ours still compare.
    write(path.join(repacked, 'RECORD'), a.replace(/^\.\.\/\.\.\/\.\.\/bin\/.*\n/m, ''));
    const noLaunchers = (await packageDigest(liveFs, posix, repacked))!;
    assert.match(noLaunchers, /^[0-9a-f]{64}$/);
    const wholeFiles = { ...liveFs, readTextSync: () => undefined };
    assert.equal(await packageDigest(wholeFiles, posix, repacked), noLaunchers);
    assert.equal(digestsDiffer(noLaunchers, 'c'.repeat(64)), true);
    // One taken with the launchers' rows (before they were left out) says nothing against one without.
    assert.equal(digestsDiffer('b'.repeat(64), seen), false);
  });
});
