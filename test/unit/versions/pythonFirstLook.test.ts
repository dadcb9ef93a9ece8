import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeVerdict } from '../../../src/core/report/evidence';
import type { VmVerdict } from '../../../src/core/report/input';
import { inferLoaded } from '../../../src/core/versions/inferLoaded';
import {
  inferFromPipxLogs,
  parsePipxLog,
  PIPX_START_SLACK_MS,
  PipxLog,
  pipxLogDirs,
} from '../../../src/core/versions/pipxLog';
import { inferFromPythonHistory } from '../../../src/core/versions/pythonFirstLook';
import { parseWheelPointer, uvCacheHistory } from '../../../src/core/versions/uvCacheHistory';
import type { InferredSource, Installed } from '../../../src/core/base/versionTypes';
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
/** Two real pipx 1.18.4 logs (home folders renamed): `pipx install mcp-server-time==2026.8.18`, then `pipx upgrade`. */
const INSTALL_LOG = fs.readFileSync(path.join(DATA, 'pipx-1.18.4-install.log'), 'utf8');
const UPGRADE_LOG = fs.readFileSync(path.join(DATA, 'pipx-1.18.4-upgrade.log'), 'utf8');
const VENV = '/home/u/.local/share/pipx/venvs/mcp-server-time';
const S = 1000;

describe("versions: uv's cache and pipx's logs at a Python server's first look", () => {
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

  it("parses pipx's real logs: each pip run into a venv, what it replaced and installed, at absolute times from the log's mtime", () => {
    const end = Date.UTC(2026, 10, 23, 23, 0, 20, 956);
    const up = parsePipxLog('/l/up.log', UPGRADE_LOG, end);
    assert.equal(
      up.command,
      'pipx upgrade --pip-args --no-index --find-links /home/u/wheels/wheelhouse-mcp-server-time-2026.10.19 mcp-server-time',
    );
    assert.equal(up.endedAt, end);
    assert.equal(up.startedAt, Math.round(end - 922.1 + 41.8));
    assert.equal(up.runs.length, 1);
    const [run] = up.runs;
    assert.equal(run.venv, VENV);
    assert.equal(run.startedAt, Math.round(end - 922.1 + 67.9));
    assert.equal(run.endedAt, Math.round(end - 922.1 + 862.8));
    assert.deepEqual(run.replaced, { mcp: '1.30.0', 'mcp-server-time': '2026.8.18' });
    assert.equal(run.installed['mcp-server-time'], '2026.10.19');
    assert.equal(run.installed['opentelemetry-api'], '1.45.2');

    const inst = parsePipxLog('/l/inst.log', INSTALL_LOG, end - 5000);
    assert.equal(inst.command, 'pipx install mcp-server-time==2026.8.18');
    // The shared libraries' pip upgrade, then the package's install into a fresh venv (nothing replaced).
    assert.deepEqual(
      inst.runs.map((r) => r.venv),
      ['/home/u/.local/share/pipx/shared', VENV],
    );
    assert.deepEqual(inst.runs[1].replaced, {});
    assert.equal(inst.runs[1].installed['mcp-server-time'], '2026.8.18');
  });

  describe("pipx's logs: the version the first change after the start replaced", () => {
    const T = Date.UTC(2026, 10, 23, 23, 0, 0);
    const installLog = (endedAt: number) => parsePipxLog('/l/cmd_1.log', INSTALL_LOG, endedAt);
    const upgradeLog = (endedAt: number) => parsePipxLog('/l/cmd_2.log', UPGRADE_LOG, endedAt);
    const facts = (processStart: number) => ({ venv: VENV, name: 'mcp-server-time', processStart });

    it('an upgrade after the start: the version it replaced, naming the log and both versions', () => {
      const got = inferFromPipxLogs([upgradeLog(T + 60 * S), installLog(T)], facts(T + 10 * S));
      assert.equal(got.state, 'inferred');
      if (got.state !== 'inferred') return;
      assert.equal(got.version, '2026.8.18');
      assert.match(
        got.evidence,
        /^pipx's log \/l\/cmd_2\.log \(pipx upgrade .*\) replaced mcp-server-time 2026\.8\.18 with 2026\.10\.19 in .* the first change of it after the process started/,
      );
    });

    it('the process started right after the install (within the slack): the install replaced nothing, so it still tells', () => {
      const got = inferFromPipxLogs([upgradeLog(T + 60 * S), installLog(T)], facts(T + 500));
      assert.equal(got.state === 'inferred' && got.version, '2026.8.18');
    });

    it('none: no log begun before the start (the one after it may have been deleted), no change since, an upgrade too close to the start', () => {
      const onlyAfter = inferFromPipxLogs([upgradeLog(T + 60 * S)], facts(T - 60 * S));
      assert.match(onlyAfter.state === 'none' ? onlyAfter.reason : '', /kept no log begun before/);
      const nothing = inferFromPipxLogs([installLog(T)], facts(T + 10 * S));
      assert.match(nothing.state === 'none' ? nothing.reason : '', /logged no change of mcp-server-time/);
      const close = inferFromPipxLogs(
        [upgradeLog(T + 60 * S), installLog(T)],
        facts(upgradeLog(T + 60 * S).runs[0].startedAt - PIPX_START_SLACK_MS / 2),
      );
      assert.match(close.state === 'none' ? close.reason : '', /too close to the process started/);
      const otherVenv = inferFromPipxLogs([upgradeLog(T + 60 * S), installLog(T)], {
        ...facts(T + 10 * S),
        venv: '/elsewhere/venv',
      });
      assert.equal(otherVenv.state, 'none');
    });

    it('a first change after the start that replaced nothing (the venv recreated): none', () => {
      const recreated: PipxLog = {
        ...installLog(T + 60 * S),
        file: '/l/cmd_3.log',
      };
      const got = inferFromPipxLogs([recreated, installLog(T)], facts(T + 10 * S));
      assert.match(got.state === 'none' ? got.reason : '', /replacing no logged version/);
    });

    it("pipx's log folders: PIPX_HOME's own, else the homes' and the platform's", () => {
      assert.deepEqual(pipxLogDirs({ home: '/h', platform: 'linux', env: { PIPX_HOME: '/p' } }), ['/p/logs']);
      assert.deepEqual(pipxLogDirs({ home: '/h', platform: 'linux', env: {} }), [
        '/h/.local/share/pipx/logs',
        '/h/.local/pipx/logs',
        '/h/.local/state/pipx/log',
      ]);
    });
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

  it('a stale verdict says which history its running version is inferred from', () => {
    const v = (inferredFrom?: InferredSource) =>
      describeVerdict({
        kind: 'restart',
        cause: 'version',
        package: 'mcp-server-time',
        running: '2026.8.18',
        installed: '2026.10.19',
        inferred: true,
        ...(inferredFrom ? { inferredFrom } : {}),
        summary: 's',
      } as VmVerdict);
    assert.match(v('uv-cache'), /\(the running version is inferred from uv's cache\)$/);
    assert.match(v('pipx-log'), /\(the running version is inferred from pipx's log\)$/);
    assert.match(v(), /\(the running version is inferred from npm's cache\)$/);
  });
});
