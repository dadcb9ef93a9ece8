import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MtimeCache, PROBE_TTL_MS } from '../../../src/core/versions/cache';
import { memoizedFs, sameAsSeen, sameSignature, shared, VersionFs } from '../../../src/core/versions/fs';
import { linksOnPath } from '../../../src/core/versions/linkChain';
import { keptMtimeCache, readJson } from '../../../src/core/versions/lookup';
import { EngineCache } from '../../../src/core/base/engineCache';
import { liveFs } from '../../../src/core/machine/liveFs';
import { resolveInstalled, Resolution } from '../../../src/core/versions/resolve';
import { ctxFor, npmPackage, tempDir } from './layouts';

describe('versions: the mtime cache', () => {
  it('answers from the cache until a file the answer was read from changes', async () => {
    const home = tempDir();
    const dir = npmPackage(path.join(home, 'nm'), 'srv', '1.0.0');
    const ctx = ctxFor(home);
    const cache = new MtimeCache<Resolution>(liveFs);
    const launch = { command: 'node', args: [path.join(dir, 'dist', 'index.js')] };
    const opts = { processArgv: ['/usr/bin/node', path.join(dir, 'dist', 'index.js')] };
    const get = () => cache.get('k', (fs) => resolveInstalled({ ...ctx, fs }, launch, opts));
    const first = await get();
    assert.equal(first.installed.state === 'installed' && first.installed.version, '1.0.0');
    assert.equal((await get()).installed, first.installed, 'the same answer object: nothing was re-read');
    assert.deepEqual([cache.hits, cache.misses], [1, 1]);

    // An upgrade rewrites package.json (new inode, size, times): the next call reads again.
    fs.rmSync(dir, { recursive: true });
    npmPackage(path.join(home, 'nm'), 'srv', '1.10.0');
    const after = await get();
    assert.equal(after.installed.state === 'installed' && after.installed.version, '1.10.0');
    assert.deepEqual([cache.hits, cache.misses], [1, 2]);
  });

  it('an answer two resolutions share in one pass is computed once and counts as read by each: a change to a file only it read invalidates both', async () => {
    const home = tempDir();
    const file = path.join(home, 'tree.json');
    fs.writeFileSync(file, '{"v":1}');
    const cache = new MtimeCache<unknown>(liveFs);
    let computed = 0;
    const resolve = (vfs: VersionFs) =>
      shared(vfs, 'tree', async (f) => {
        computed++;
        return readJson(f, file);
      });
    const pass = async () => {
      cache.newPass();
      try {
        return [await cache.get('a', resolve), await cache.get('b', resolve)];
      } finally {
        cache.endPass();
      }
    };
    assert.deepEqual(await pass(), [{ v: 1 }, { v: 1 }]);
    assert.equal(computed, 1, 'one computation for both keys in the pass');
    assert.deepEqual(await pass(), [{ v: 1 }, { v: 1 }]);
    assert.deepEqual([computed, cache.hits, cache.misses], [1, 2, 2], 'the next pass answers both from the cache');
    fs.writeFileSync(file, '{"v":22}');
    assert.deepEqual(await pass(), [{ v: 22 }, { v: 22 }], 'both keys read the rewritten file again');
    assert.equal(computed, 2);
  });

  it('notices at once a link retargeted to a new version while the old one stays on disk (a pnpm upgrade)', async () => {
    const home = tempDir();
    const store = path.join(home, 'nm', '.pnpm');
    const v1 = npmPackage(path.join(store, 'srv@1.0.0', 'node_modules'), 'srv', '1.0.0');
    const v2 = npmPackage(path.join(store, 'srv@2.0.0', 'node_modules'), 'srv', '2.0.0');
    const link = path.join(home, 'nm', 'srv');
    fs.symlinkSync(v1, link);
    const now = 1_000_000;
    const cache = new MtimeCache<Resolution>(liveFs, { now: () => now });
    const script = path.join(home, 'nm', '.bin', '..', 'srv', 'dist', 'index.js');
    const get = () =>
      cache.get('k', (fs) =>
        resolveInstalled(
          { ...ctxFor(home), fs },
          { command: 'node', args: [script] },
          { processArgv: ['/usr/bin/node', script] },
        ),
      );
    const before = (await get()).installed;
    assert.equal(before.state === 'installed' && before.location, v1);
    fs.rmSync(link);
    fs.symlinkSync(v2, link);
    const after = await get();
    assert.equal(
      after.installed.state === 'installed' && after.installed.location,
      v2,
      'no probe interval passed: the followed link is checked like content',
    );
  });

  it('keeps an answer while a folder on the way only gains entries (`/tmp`, a home), and reads again once the folder is a link', async () => {
    const home = tempDir();
    const file = path.join(home, 'a', 'b', 'index.js');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    let now = 1_000_000;
    const cache = new MtimeCache<Array<{ path: string }>>(liveFs, { now: () => now });
    const get = () => cache.get('k', (f) => linksOnPath({ ...ctxFor(home), fs: f }, file));
    assert.deepEqual(await get(), []);
    // Something else writes beside the folders on the way: their times move, what they are does not.
    fs.writeFileSync(path.join(home, 'a', 'other.txt'), '');
    fs.utimesSync(path.join(home, 'a'), new Date(5_000), new Date(5_000));
    now += PROBE_TTL_MS;
    assert.deepEqual(await get(), []);
    assert.deepEqual([cache.hits, cache.misses], [1, 1]);
    // The folder is now a link to another: the way is read again, and names the link.
    fs.renameSync(path.join(home, 'a'), path.join(home, 'a-2'));
    fs.symlinkSync(path.join(home, 'a-2'), path.join(home, 'a'));
    now += PROBE_TTL_MS;
    assert.deepEqual(
      (await get()).map((l) => l.path),
      [path.join(home, 'a')],
    );
    assert.deepEqual([cache.hits, cache.misses], [1, 2]);
  });

  it('invalidates when a path that was absent appears (a new npx cache entry), once probes are due', async () => {
    const home = tempDir();
    let now = 1_000_000;
    const cache = new MtimeCache<Resolution>(liveFs, { now: () => now });
    const ctx = ctxFor(home, { npm_config_cache: path.join(home, 'c') });
    const launch = { command: 'npx', args: ['-y', 'srv'] };
    const get = () => cache.get('k', (fs) => resolveInstalled({ ...ctx, fs }, launch));
    assert.equal((await get()).installed.state, 'missing');
    npmPackage(path.join(home, 'c', '_npx', 'abcd', 'node_modules'), 'srv', '2.0.0');
    // Places that were absent are probes: re-checked every PROBE_TTL_MS, not on every refresh.
    now += PROBE_TTL_MS - 1;
    assert.equal((await get()).installed.state, 'missing');
    now += 1;
    assert.equal((await get()).installed.state, 'installed');
  });

  it('looks a command up on PATH once per pass however many launches run it, and still notices when it moves', async () => {
    const home = tempDir();
    const dirs = ['a', 'b', 'c'].map((d) => path.join(home, d));
    for (const d of dirs) fs.mkdirSync(d);
    const exe = (dir: string) => {
      fs.writeFileSync(path.join(dir, 'srv'), '#!/bin/sh\n');
      fs.chmodSync(path.join(dir, 'srv'), 0o755);
    };
    exe(dirs[2]);
    const stats = new Map<string, number>();
    const count = (p: string) => stats.set(p, (stats.get(p) ?? 0) + 1);
    const counting: VersionFs = {
      ...liveFs,
      stat: (p) => (count(p), liveFs.stat(p)),
      statSync: (p) => (count(p), liveFs.statSync!(p)),
    };
    let now = 1_000_000;
    const cache = new MtimeCache<Resolution>(counting, { now: () => now });
    const ctx = ctxFor(home, { PATH: dirs.join(':') });
    const pass = async () => {
      cache.newPass();
      try {
        // 200 servers that differ only in their arguments: 200 cache keys, one command.
        return await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            cache.get(`k${i}`, (tfs) =>
              resolveInstalled({ ...ctx, fs: tfs }, { command: 'srv', args: ['--port', `${i}`] }),
            ),
          ),
        );
      } finally {
        cache.endPass();
      }
    };
    const where = (r: Resolution) => (r.installed.state === 'unversioned' ? r.installed.path : r.installed.state);
    const first = await pass();
    assert.deepEqual(new Set(first.map(where)), new Set([path.join(dirs[2], 'srv')]));
    assert.deepEqual(
      dirs.map((d) => stats.get(path.join(d, 'srv'))),
      [1, 1, 1],
      'each PATH folder probed once for 200 launches',
    );

    // The same command placed earlier on PATH: every answer that probed there is stale once probes are due.
    exe(dirs[0]);
    now += PROBE_TTL_MS;
    const second = await pass();
    assert.deepEqual(new Set(second.map(where)), new Set([path.join(dirs[0], 'srv')]));
  });

  it('a path under a file is absent to the synchronous stats as to the promise ones (the same answer in a pass and in its validation)', async () => {
    const file = path.join(tempDir(), 'f');
    fs.writeFileSync(file, '');
    const under = path.join(file, 'node');
    assert.equal(await liveFs.stat(under), undefined);
    assert.equal(liveFs.statSync!(under), undefined);
    assert.equal(liveFs.lstatSync!(under), undefined);
  });
});

describe('versions: the pass-wide file reads (memoizedFs)', () => {
  it('parses one JSON text once whatever paths hold it; a text that is not JSON is named by each path that holds it', async () => {
    const texts: Record<string, string> = {
      '/a/package.json': '{"name":"x","version":"1.0.0"}',
      '/b/package.json': '{"name":"x","version":"1.0.0"}',
      '/c/package.json': '{"name":"y"',
      '/d/package.json': '{"name":"y"',
    };
    let reads = 0;
    const inner = {
      readText: async (p: string) => {
        reads++;
        return texts[p];
      },
    } as unknown as VersionFs;
    const fs = memoizedFs(inner);
    const a = await fs.readJson!('/a/package.json');
    const b = await fs.readJson!('/b/package.json');
    assert.deepEqual(a, { name: 'x', version: '1.0.0' });
    assert.equal(a, b, 'one value for one text');
    assert.equal(await fs.readText('/a/package.json'), texts['/a/package.json']);
    assert.equal(reads, 2, 'each file read once, its text and its value from that one read');
    const c = await fs.readJson!('/c/package.json');
    const d = await fs.readJson!('/d/package.json');
    assert.ok(c instanceof Error && c.message.includes('/c/package.json'));
    assert.ok(d instanceof Error && d.message.includes('/d/package.json'));
    assert.equal(await fs.readJson!('/none/package.json'), undefined);
  });

  it('a folder read for its kind alone is the same while it is the same folder; anything else is compared whole', () => {
    const dir = { kind: 'dir' as const, mtimeMs: 1, ctimeMs: 2, size: 3, ino: 4 };
    const probe = { how: 'lstat' as const, seen: dir, content: false, kindOnly: true as const };
    assert.ok(sameAsSeen(probe, { ...dir, mtimeMs: 9, ctimeMs: 9, size: 9 }));
    assert.ok(!sameAsSeen(probe, { ...dir, ino: 9 }), 'another folder at the path');
    assert.ok(!sameAsSeen(probe, { ...dir, kind: 'link' }));
    assert.ok(!sameAsSeen(probe, undefined));
    const file = { ...dir, kind: 'file' as const };
    assert.ok(!sameAsSeen({ ...probe, seen: file }, { ...file, mtimeMs: 9 }), 'a file read so is compared whole');
    assert.ok(!sameAsSeen({ how: 'lstat', seen: dir, content: false }, { ...dir, mtimeMs: 9 }), 'a plain lstat');
  });

  it('a tracked stat is the same signature only when kind, times, size and inode all are', () => {
    const s = { kind: 'file' as const, mtimeMs: 1, ctimeMs: 2, size: 3, ino: 4 };
    assert.ok(sameSignature(s, { ...s }));
    assert.ok(sameSignature(undefined, undefined));
    assert.ok(!sameSignature(s, undefined));
    for (const change of [{ kind: 'dir' as const }, { mtimeMs: 9 }, { ctimeMs: 9 }, { size: 9 }, { ino: 9 }])
      assert.ok(!sameSignature(s, { ...s, ...change }), JSON.stringify(change));
  });
});

describe('versions: one snapshot, one read of each file', () => {
  it("the resolutions' pass and the kept histories read through the snapshot's reads; what is kept is checked against the machine afterwards", async () => {
    const home = tempDir();
    const file = path.join(home, 'history.json');
    fs.writeFileSync(file, '{"v":1}');
    let reads = 0;
    const counting: VersionFs = {
      ...liveFs,
      readText: async (p: string) => {
        reads++;
        return liveFs.readText(p);
      },
    };
    const cache = new EngineCache();
    const read = async (snapshot: VersionFs) => {
      const resolutions = new MtimeCache<unknown>(counting);
      resolutions.newPass(snapshot);
      const ctx = { host: { home, platform: process.platform, env: {} }, fs: counting, cache, pass: snapshot };
      const resolved = await resolutions.get('r', (f) => readJson(f, file));
      const history = await keptMtimeCache<unknown>(ctx, 'history').get('h', (f) => readJson(f, file));
      resolutions.endPass();
      return { resolved, history };
    };
    const first = await read(memoizedFs(counting));
    assert.deepEqual(first, { resolved: { v: 1 }, history: { v: 1 } });
    assert.equal(reads, 1, 'the file was read once for both');

    fs.writeFileSync(file, '{"v":22}');
    const second = await read(memoizedFs(counting));
    assert.deepEqual(
      second.history,
      { v: 22 },
      'the kept history saw the change: it is not checked against the last snapshot',
    );
  });
});
