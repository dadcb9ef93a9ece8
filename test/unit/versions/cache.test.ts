import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MtimeCache, PROBE_TTL_MS } from '../../../src/core/versions/cache';
import { nodeFs } from '../../../src/core/versions/fs';
import { resolveInstalled, Resolution } from '../../../src/core/versions/resolve';
import { ctxFor, npmPackage, tempDir } from './layouts';

describe('versions: the mtime cache', () => {
  it('answers from the cache until a file the answer was read from changes', async () => {
    const home = tempDir();
    const dir = npmPackage(path.join(home, 'nm'), 'srv', '1.0.0');
    const ctx = ctxFor(home);
    const cache = new MtimeCache<Resolution>(nodeFs);
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

  it('invalidates when a path that was absent appears (a new npx cache entry), once probes are due', async () => {
    const home = tempDir();
    let now = 1_000_000;
    const cache = new MtimeCache<Resolution>(nodeFs, { now: () => now });
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
});
