import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inferLoaded } from '../../../src/core/versions/inferLoaded';
import { inferFromPythonHistory } from '../../../src/core/versions/pythonFirstLook';
import { parseWheelPointer, uvCacheHistory } from '../../../src/core/versions/uvCacheHistory';
import type { Installed } from '../../../src/core/base/versionTypes';
import { ctxFor, tempDir, write } from './layouts';

const DATA = path.join(__dirname, 'data');
/** `find wheels-v8 -printf '%y %p -> %l'` of two real uv 0.13.9 caches: find-links installs of mcp-server-time at two releases, and pycowsay from PyPI. */
const LISTING = fs
  .readFileSync(path.join(DATA, 'uv-0.13.9-wheels-v8.txt'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const m = /^(\w) (\S+)(?: -> (\S+))?$/.exec(line)!;
    return { kind: m[1], path: m[2], target: m[3] };
  });
const S = 1000;

describe("versions: uv's cache at a Python server's first look", () => {
  it("reads every wheel pointer of uv's real cache listing, and nothing else", () => {
    const links = LISTING.filter((e) => e.kind === 'l');
    assert.ok(links.length > 30);
    for (const e of links) {
      const name = path.basename(e.path);
      const got = parseWheelPointer(name);
      assert.ok(got, name);
      assert.match(e.target!, /archive-v0\/[\w-]+$/);
    }
    for (const e of LISTING.filter((x) => x.kind !== 'l'))
      assert.equal(parseWheelPointer(path.basename(e.path)), undefined, e.path);
    assert.deepEqual(parseWheelPointer('2026.8.18-py3-none-any'), { version: '2026.8.18', tags: 'py3-none-any' });
    assert.equal(parseWheelPointer('2.1.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64')?.version, '2.1.1');
    assert.equal(parseWheelPointer('1.0-1-py3-none-any')?.version, '1.0');
  });

  it("finds each version's archive through uv's pointers (PyPI and find-links indexes), dated by the archive", async () => {
    const cache = path.join(tempDir('lg-uvcache-'), 'uv');
    for (const e of LISTING) {
      const p = path.join(cache, e.path);
      if (e.kind === 'd') fs.mkdirSync(p, { recursive: true });
      else if (e.kind === 'f') write(p, '');
      else {
        fs.mkdirSync(path.resolve(path.dirname(p), e.target!), { recursive: true });
        fs.symlinkSync(e.target!, p);
      }
    }
    const ctx = ctxFor(path.dirname(cache));
    const h = await uvCacheHistory(ctx, cache, 'MCP_Server.Time');
    assert.equal(h.state, 'found');
    if (h.state !== 'found') return;
    assert.deepEqual(h.unpacks.map((u) => u.version).sort(), ['2026.10.19', '2026.8.18']);
    for (const u of h.unpacks) {
      assert.match(
        u.tarball,
        new RegExp(`^mcp-server-time ${u.version.replace(/\./g, '\\.')} \\(.*archive-v0/[\\w-]+\\)$`),
      );
      assert.ok(Math.abs(u.fetchedAt - Date.now()) < 60_000);
    }
    const pypi = await uvCacheHistory(ctx, cache, 'pycowsay');
    assert.deepEqual(pypi.state === 'found' && pypi.unpacks.map((u) => u.version), ['0.0.0.2']);
    const absent = await uvCacheHistory(ctx, cache, 'absent');
    assert.deepEqual(absent.state === 'found' && absent.unpacks, []);
    assert.equal((await uvCacheHistory(ctx, path.join(cache, 'nowhere'), 'pycowsay')).state, 'none');
  });

  it("words an inference from uv's cache as uv's: unpacked, not fetched", () => {
    const T = Date.UTC(2026, 10, 23, 22, 0, 0);
    const unpack = (version: string, at: number) => ({
      version,
      fetchedAt: at,
      tarball: `mcp-server-time ${version} (/c/uv/archive-v0/${version})`,
      bucket: '/c/uv/wheels-v8/pypi/mcp-server-time/x',
    });
    const words = { cache: "uv's cache", did: 'unpacked' };
    const up = inferLoaded([unpack('1.0.0', T), unpack('1.1.0', T + 60 * S)], {
      installedVersion: '1.1.0',
      changedAt: T + 61 * S,
      processStart: T + 10 * S,
      words,
    });
    assert.equal(up.state === 'inferred' && up.version, '1.0.0');
    assert.match(
      up.state === 'inferred' ? up.evidence : '',
      /^uv's cache unpacked mcp-server-time 1\.0\.0 \(\/c\/uv\/archive-v0\/1\.0\.0\) at .*, before the process started at .*; mcp-server-time 1\.1\.0 .* after it$/,
    );
    const none = inferLoaded([unpack('1.0.0', T), unpack('1.1.0', T + 5 * S)], {
      installedVersion: '1.1.0',
      changedAt: T + 61 * S,
      processStart: T + 10 * S,
      words,
    });
    assert.match(none.state === 'none' ? none.reason : '', /^uv's cache unpacked .* too close together/);
  });

  it("a uv-installed environment reinstalled at the same versions after the start: inferred the same, its dependencies vouched for by uv's cache", async () => {
    const home = tempDir('lg-uvfirst-');
    const cache = path.join(home, '.cache', 'uv');
    const archive = (id: string) => fs.mkdirSync(path.join(cache, 'archive-v0', id), { recursive: true });
    const pointer = (name: string, version: string, id: string) => {
      const dir = path.join(cache, 'wheels-v8', 'pypi', name);
      fs.mkdirSync(dir, { recursive: true });
      fs.symlinkSync(`../../../archive-v0/${id}`, path.join(dir, `${version}-py3-none-any`));
    };
    archive('A');
    archive('B');
    pointer('srv', '1.0.0', 'A');
    pointer('dep', '2.0.0', 'B');
    const sp = path.join(home, 'tool', 'lib', 'python3.12', 'site-packages');
    write(path.join(sp, 'srv-1.0.0.dist-info', 'INSTALLER'), 'uv\n');
    const start = Date.now() + 10 * S;
    const installed: Installed = {
      state: 'installed',
      ecosystem: 'python',
      name: 'srv',
      version: '1.0.0',
      how: `uv tool ${path.join(home, 'tool')}`,
      location: path.join(sp, 'srv-1.0.0.dist-info'),
      environment: { hash: 'h', packages: { dep: '2.0.0' }, scope: 'closure' },
      changedAt: start + 10 * S,
    };
    const logs: string[] = [];
    const ctx = ctxFor(home);
    const same = await inferFromPythonHistory(ctx, installed, start, (m) => logs.push(m));
    assert.equal(same?.version, '1.0.0');
    assert.equal(same?.source, 'uv-cache');
    assert.match(same?.closureHow ?? '', /uv's cache unpacked no other version of its 1 dependencies/);

    // Another version of the dependency unpacked before the start: it may have been the one loaded.
    archive('C');
    pointer('dep', '1.9.0', 'C');
    const other = await inferFromPythonHistory(ctxFor(home), installed, start, (m) => logs.push(m));
    assert.equal(other?.version, '1.0.0');
    assert.equal(other?.closureHow, undefined);
    assert.match(logs.join('\n'), /dep, a dependency of srv: 1\.9\.0 also unpacked before/);

    // Not installed by uv: uv's cache says nothing of it.
    write(path.join(sp, 'srv-1.0.0.dist-info', 'INSTALLER'), 'pip\n');
    assert.equal(await inferFromPythonHistory(ctxFor(home), installed, start, () => undefined), undefined);
  });
});
