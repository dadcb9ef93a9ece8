import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Installed } from '../../../src/core/base/versionTypes';
import { bucketPath, contentPath, requestKey } from '../../../src/core/versions/cacacheIndex';
import { fingerprint } from '../../../src/core/versions/fingerprint';
import { inferFromNpmCache } from '../../../src/core/versions/firstLook';
import { VersionFs } from '../../../src/core/versions/fs';
import { liveFs } from '../../../src/core/machine/liveFs';
import { ResolveContext } from '../../../src/core/versions/lookup';
import { defaultTarballUrl, DEFAULT_REGISTRY, packumentUrl } from '../../../src/core/versions/npmCacheHistory';
import type { Snapshot } from '../../../src/core/base/model';
import type { FileStat, Machine } from '../../../src/core/machine/types';
import type { ProcessInfo } from '../../../src/core/pids/table';
import { takeSnapshot } from '../../../src/core/snapshot/engine';
import { OWN_UID, testMachine } from '../../support/machines';
import { npmPackage, tempDir, write } from './layouts';

const START = Date.UTC(2026, 10, 20, 10, 0, 0);
const DAY = 24 * 3600_000;
const linux = { platform: 'linux' as const };

/** One write of a cache entry, as cacache's insert appends it. */
function entry(cacheDir: string, url: string, integrity: string, time: number): void {
  const key = requestKey(url);
  const json = JSON.stringify({ key, integrity, time, size: 1, metadata: { url } });
  const file = bucketPath(linux, path.join(cacheDir, '_cacache'), key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `\n${createHash('sha1').update(json).digest('hex')}\t${json}`);
}

/** A package's packument cached (naming `versions`) and its tarballs fetched at the given times. */
function cached(cacheDir: string, name: string, versions: string[], fetches: Array<[string, number]>): void {
  const text = JSON.stringify({
    name,
    versions: Object.fromEntries(
      versions.map((v) => [v, { dist: { tarball: defaultTarballUrl(DEFAULT_REGISTRY, name, v) } }]),
    ),
  });
  const integrity = `sha512-${createHash('sha512').update(text).digest('base64')}`;
  write(contentPath(linux, path.join(cacheDir, '_cacache'), integrity)!, text);
  entry(cacheDir, packumentUrl(DEFAULT_REGISTRY, name), integrity, START - 2 * DAY);
  for (const [v, at] of fetches)
    entry(cacheDir, defaultTarballUrl(DEFAULT_REGISTRY, name, v), `sha512-${v.replace(/\./g, '')}x==`, at);
}

/**
 * A project tree `<root>/app/node_modules/{srv,dep-a,dep-b}` and a context whose file times are the
 * given ones (ctimes cannot be set back on disk).
 */
function tree(times: Record<string, number>): { root: string; ctx: ResolveContext; installed: Installed } {
  const root = tempDir('lg-firstlook-');
  const nm = path.join(root, 'app', 'node_modules');
  const pkg = (name: string, version: string) =>
    write(path.join(nm, name, 'package.json'), JSON.stringify({ name, version }));
  pkg('srv', '1.0.0');
  pkg('dep-a', '1.1.0');
  pkg('dep-b', '2.0.0');
  const timed: VersionFs = {
    ...liveFs,
    stat: async (p) => {
      const s = await liveFs.stat(p);
      const rel = path.relative(nm, p);
      return s && times[rel] !== undefined ? { ...s, mtimeMs: times[rel], ctimeMs: times[rel] } : s;
    },
  };
  const ctx: ResolveContext = {
    host: { home: path.join(root, 'home'), platform: 'linux', env: { PATH: '', npm_config_cache: cacheOf(root) } },
    fs: timed,
  };
  const installed: Installed = {
    state: 'installed',
    ecosystem: 'npm',
    name: 'srv',
    version: '1.0.0',
    how: 'test',
    location: path.join(nm, 'srv'),
    environment: fingerprint({ 'dep-a': '1.1.0', 'dep-b': '2.0.0' }),
    changedAt: START + 60_000,
  };
  return { root, ctx, installed };
}

const cacheOf = (root: string) => path.join(root, 'npm-cache');
const after = {
  'srv/package.json': START - DAY,
  'dep-a/package.json': START + 60_000,
  'dep-b/package.json': START + 60_000,
};

describe("versions: the first look's inference from npm's cache", () => {
  it('names a dependency whose installed version was fetched after the start and an earlier one before it; a member reinstalled from the cache is not a move', async () => {
    const { root, ctx, installed } = tree(after);
    cached(cacheOf(root), 'srv', ['1.0.0'], [['1.0.0', START - DAY]]);
    cached(
      cacheOf(root),
      'dep-a',
      ['1.0.0', '1.1.0'],
      [
        ['1.0.0', START - DAY],
        ['1.1.0', START + 50_000],
      ],
    );
    cached(cacheOf(root), 'dep-b', ['2.0.0'], [['2.0.0', START - DAY]]);
    const inferred = await inferFromNpmCache(ctx, installed, START, () => undefined);
    assert.equal(inferred?.version, '1.0.0', JSON.stringify(inferred));
    assert.deepEqual(inferred?.moved, [{ name: 'dep-a', from: '1.0.0', to: '1.1.0' }]);
    assert.match(
      inferred?.movedHow ?? '',
      /^dependencies from npm's cache: dep-a: npm's cache fetched dep-a-1\.0\.0\.tgz at .* before the process started .*; dep-a-1\.1\.0\.tgz at .*, after it$/,
    );
  });

  it("the package's own version unknown to the cache: its own package.json, older than the start, tells it when a member moved", async () => {
    const { root, ctx, installed } = tree(after);
    cached(
      cacheOf(root),
      'dep-a',
      ['1.0.0', '1.1.0'],
      [
        ['1.0.0', START - DAY],
        ['1.1.0', START + 50_000],
      ],
    );
    const inferred = await inferFromNpmCache(ctx, installed, START, () => undefined);
    assert.equal(inferred?.version, '1.0.0');
    assert.match(inferred?.how ?? '', /srv\/package\.json unchanged since before the process started/);
    assert.deepEqual(inferred?.moved, [{ name: 'dep-a', from: '1.0.0', to: '1.1.0' }]);
    // Its own package.json rewritten after the start too: nothing tells its own version.
    const rewritten = tree({ ...after, 'srv/package.json': START + 60_000 });
    cached(
      cacheOf(rewritten.root),
      'dep-a',
      ['1.0.0', '1.1.0'],
      [
        ['1.0.0', START - DAY],
        ['1.1.0', START + 50_000],
      ],
    );
    assert.equal(await inferFromNpmCache(rewritten.ctx, rewritten.installed, START, () => undefined), undefined);
  });

  it('where the cache cannot tell (the new version not fetched after the start) or the member did not change after the start, no move', async () => {
    const { root, ctx, installed } = tree({ ...after, 'dep-b/package.json': START - DAY });
    cached(cacheOf(root), 'srv', ['1.0.0'], [['1.0.0', START - DAY]]);
    // 1.1.0 came from the cache (fetched before the start for another project): the pre-start fetch proves nothing.
    cached(
      cacheOf(root),
      'dep-a',
      ['1.0.0', '1.1.0'],
      [
        ['1.0.0', START - DAY],
        ['1.1.0', START - 3 * DAY],
      ],
    );
    cached(
      cacheOf(root),
      'dep-b',
      ['1.0.0', '2.0.0'],
      [
        ['1.0.0', START - DAY],
        ['2.0.0', START + 50_000],
      ],
    );
    const logged: string[] = [];
    const inferred = await inferFromNpmCache(ctx, installed, START, (m) => logged.push(m));
    assert.equal(inferred?.version, '1.0.0');
    assert.equal(inferred?.moved, undefined, JSON.stringify(inferred));
    // One line for the closure, naming why each member was not told.
    const closureLines = logged.filter((m) => m.startsWith("npm cache history of srv's closure"));
    assert.equal(closureLines.length, 1, logged.join('\n'));
    assert.match(
      closureLines[0],
      /1 members changed after the start; 0 proven moved; 1 not told \(dep-a: .*fetched before it too/,
    );
  });
});

/**
 * The first look replayed on a described machine: a project's server (`srv` 1.0.0, depending on
 * `dep-a`) whose recorded process started an hour ago, its tree rewritten since with only `dep-a`
 * moved, and npm's cache holding each fetch. What the snapshot says of it, from the tree and the
 * cache through the judgement to the verdict (the integration layer runs the same with real npm on
 * server-memory, once per install layout).
 */
describe("versions: a first look at a machine whose project's dependency moved under its running server", () => {
  function machine() {
    const root = tempDir('lg-firstlook-machine-');
    const start = Date.now() - 3600_000;
    const nm = path.join(root, 'app', 'node_modules');
    const pkg = npmPackage(nm, 'srv', '1.0.0', { bin: 'srv', deps: { 'dep-a': '1.1.0' } });
    npmPackage(nm, 'dep-a', '1.1.0');
    const script = path.join(pkg, 'dist', 'index.js');
    const project = path.join(root, 'project');
    write(
      path.join(project, '.mcp.json'),
      JSON.stringify({ mcpServers: { srv: { command: process.execPath, args: [script] } } }),
    );
    const cache = cacheOf(root);
    // Both releases of srv's own version and dep-a's old one fetched a day before the start; dep-a's new one after it.
    cached(cache, 'srv', ['1.0.0'], [['1.0.0', start - DAY]]);
    cached(
      cache,
      'dep-a',
      ['1.0.0', '1.1.0'],
      [
        ['1.0.0', start - DAY],
        ['1.1.0', Date.now() - 1000],
      ],
    );
    const host = {
      home: path.join(root, 'home'),
      platform: process.platform,
      env: { PATH: path.dirname(process.execPath), npm_config_cache: cache, MCP_LIFEGUARD_HOME: path.join(root, 'lg') },
    };
    const processes: ProcessInfo[] = [
      { pid: 4242, ppid: 4000, argv: [process.execPath, script], startTime: start, uid: OWN_UID },
      { pid: 4000, ppid: 1, argv: ['/usr/bin/code'], startTime: start - 1000, uid: OWN_UID },
    ];
    // A fresh state folder for each look (nothing of ours saw the process start), judged once the tree is quiet.
    let looks = 0;
    const look = () =>
      takeSnapshot({
        host: { ...host, env: { ...host.env, MCP_LIFEGUARD_HOME: path.join(root, `lg-${++looks}`) } },
        machine: untouched(
          testMachine({ host, processes, selfPid: 1, now: () => Date.now() + 60_000 }),
          pkg,
          start - DAY,
        ),
        engine: { registry: false, docker: false },
        workspaceFolders: [project],
      });
    return { root, pkg, look };
  }

  /** The machine with the files under `dir` written at `at` (ctimes cannot be set back on disk): npm left the server's own package alone. */
  function untouched(m: Machine, dir: string, at: number): Machine {
    const older = (s: FileStat | undefined, p: string) =>
      s && (p === dir || p.startsWith(dir + path.sep)) ? { ...s, mtimeMs: at, ctimeMs: at } : s;
    return {
      ...m,
      fs: {
        ...m.fs,
        stat: async (p) => older(await m.fs.stat(p), p),
        lstat: async (p) => older(await m.fs.lstat(p), p),
        statSync: (p) => older(m.fs.statSync(p), p),
        lstatSync: (p) => older(m.fs.lstatSync(p), p),
      },
    };
  }

  const verdictOf = (s: Snapshot) =>
    s.servers.find((x) => x.name === 'srv')?.instances.find((i) => i.pid === 4242)?.versions;

  it("stale naming the move, its running side inferred from npm's cache; with the cache gone, changed since start naming the rewritten tree", async () => {
    const { root, look } = machine();
    const seen = verdictOf(await look());
    const v = seen?.verdict;
    assert.equal(v?.state, 'stale', JSON.stringify(seen));
    if (v?.state !== 'stale') return;
    assert.equal(`${v.running} -> ${v.installed}`, '1.0.0 -> 1.0.0');
    assert.deepEqual(v.movedDependencies, [{ name: 'dep-a', from: '1.0.0', to: '1.1.0' }]);
    assert.equal(v.runningLearnedFrom, 'npm-cache');
    assert.equal(v.inferred, true);
    assert.match(
      v.runningHow,
      /dependencies from npm's cache: dep-a: .*dep-a-1\.0\.0\.tgz at .*; dep-a-1\.1\.0\.tgz at .*, after it/,
    );
    assert.match(v.summary, /dep-a 1\.0\.0 -> 1\.1\.0/);

    // npm's cache forgotten: nothing tells what moved.
    fs.rmSync(path.join(cacheOf(root), '_cacache'), { recursive: true, force: true });
    const bare = verdictOf(await look())?.verdict;
    assert.equal(bare?.state, 'changed', JSON.stringify(bare));
    assert.ok(
      bare?.state === 'changed' &&
        bare.changedFiles.some((f) => f.path.endsWith(path.join('node_modules', '.package-lock.json'))),
      JSON.stringify(bare),
    );
  });
});
