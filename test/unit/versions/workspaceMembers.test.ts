import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { devMembersOf } from '../../../src/core/versions/devSource';
import { fingerprint } from '../../../src/core/versions/fingerprint';
import { CLOCK_SLACK_MS } from '../../../src/core/versions/clockSlack';
import { judge } from '../../../src/core/versions/judge';
import { treeEnvironment } from '../../../src/core/versions/nodeTree';
import { MtimeCache } from '../../../src/core/versions/cache';
import { liveFs } from '../../../src/core/machine/liveFs';
import { Resolution, resolveInstalled } from '../../../src/core/versions/resolve';
import { DevMember, Installed } from '../../../src/core/base/versionTypes';
import { ctxFor, plainPackage, tempDir, venv, write } from './layouts';

const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
const START = Date.parse('2026-11-20T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A workspace monorepo laid out as npm leaves it: packages/lib linked as node_modules/@acme/lib. */
function npmWorkspace(home: string): { ws: string; server: string; lib: string } {
  const ws = path.join(home, 'ws');
  write(path.join(ws, 'package.json'), JSON.stringify({ name: 'acme', private: true, workspaces: ['packages/*'] }));
  const lib = plainPackage(path.join(ws, 'packages', 'lib'), '@acme/lib', '1.0.0', { dependencies: { dep: '^1' } });
  const server = plainPackage(path.join(ws, 'packages', 'server'), '@acme/server', '1.0.0', {
    dependencies: { '@acme/lib': '1.0.0' },
  });
  plainPackage(path.join(ws, 'node_modules', 'dep'), 'dep', '1.0.0');
  fs.mkdirSync(path.join(ws, 'node_modules', '@acme'), { recursive: true });
  fs.symlinkSync('../../packages/lib', path.join(ws, 'node_modules', '@acme', 'lib'));
  fs.symlinkSync('../../packages/server', path.join(ws, 'node_modules', '@acme', 'server'));
  return { ws, server, lib };
}

describe('versions: development members of a closure (workspace packages, editable installs)', () => {
  it("Node's resolution names a workspace package linked into node_modules as a linked member; installed releases are not", async () => {
    const home = tempDir();
    const { server, lib } = npmWorkspace(home);
    const tree = await treeEnvironment(ctxFor(home), server, json(path.join(server, 'package.json')));
    assert.deepEqual(tree.linked, [{ name: '@acme/lib', version: '1.0.0', dir: lib }]);
    assert.deepEqual(Object.values(tree.environment?.packages ?? {}).sort(), ['1.0.0', '1.0.0']);
  });

  it("npm's hidden lockfile: a link entry names its target as a linked member, the fingerprint as before", async () => {
    const home = tempDir();
    const app = path.join(home, 'app');
    const nm = path.join(app, 'node_modules');
    const srv = plainPackage(path.join(nm, 'srv'), 'srv', '2.0.0', { dependencies: { '@acme/lib': '*', dep: '^1' } });
    plainPackage(path.join(nm, 'dep'), 'dep', '1.0.0');
    const lib = plainPackage(path.join(app, 'packages', 'lib'), '@acme/lib', '1.0.0');
    fs.mkdirSync(path.join(nm, '@acme'));
    fs.symlinkSync('../../packages/lib', path.join(nm, '@acme', 'lib'));
    await new Promise((r) => setTimeout(r, 20));
    write(
      path.join(nm, '.package-lock.json'),
      JSON.stringify({
        name: 'app',
        lockfileVersion: 3,
        packages: {
          '': { name: 'app' },
          'node_modules/srv': { version: '2.0.0', dependencies: { '@acme/lib': '*', dep: '^1' } },
          'node_modules/dep': { version: '1.0.0' },
          'node_modules/@acme/lib': { resolved: 'packages/lib', link: true },
          'packages/lib': { name: '@acme/lib', version: '1.0.0' },
        },
      }),
    );
    const tree = await treeEnvironment(ctxFor(home), srv, json(path.join(srv, 'package.json')));
    assert.deepEqual(tree.environment?.packages, { dep: '1.0.0' });
    assert.deepEqual(tree.linked, [{ name: '@acme/lib', version: '1.0.0', dir: lib }]);
  });

  it('a resolved server carries its development members with their newest files, and its change time covers them', async () => {
    const home = tempDir();
    const { server, lib } = npmWorkspace(home);
    const script = path.join(server, 'dist', 'index.js');
    const ctx = ctxFor(home, { PATH: path.dirname(process.execPath) });
    const resolve = async () => {
      const r = await resolveInstalled(ctx, { command: process.execPath, args: [script] });
      assert.equal(r.installed.state, 'installed', JSON.stringify(r.installed));
      return r.installed as Extract<Installed, { state: 'installed' }>;
    };
    const before = await resolve();
    assert.deepEqual(
      before.devMembers?.map((m) => [m.name, m.version, m.root]),
      [['@acme/lib', '1.0.0', lib]],
    );
    await new Promise((r) => setTimeout(r, 30));
    const built = write(path.join(lib, 'dist', 'index.js'), 'export const x = 2;\n');
    const after = await resolve();
    assert.equal(after.devMembers?.[0].newest[0].path, built);
    const st = fs.statSync(built);
    assert.equal(after.changedAt, Math.max(st.mtimeMs, st.ctimeMs), "the member's rebuild is the newest change");
  });

  it('Python: a closure member installed editable (PEP 610) is a development member; a regular one is not', async () => {
    const home = tempDir();
    const project = path.join(home, 'src', 'acme-lib');
    const source = write(path.join(project, 'acme_lib', '__init__.py'), 'X = 1\n');
    const sp = venv(path.join(home, 'v'), [
      { name: 'srv', version: '1.0.0', requires: ['acme-lib', 'plain'] },
      { name: 'acme-lib', version: '1.0.0' },
      { name: 'plain', version: '2.0.0' },
    ]);
    write(
      path.join(sp, 'acme_lib-1.0.0.dist-info', 'direct_url.json'),
      JSON.stringify({ url: pathToFileURL(project).href, dir_info: { editable: true } }),
    );
    write(
      path.join(sp, 'plain-2.0.0.dist-info', 'direct_url.json'),
      JSON.stringify({ url: pathToFileURL(path.join(home, 'src', 'plain')).href, dir_info: {} }),
    );
    const py = path.join(home, 'v', 'bin', 'python');
    const r = await resolveInstalled(ctxFor(home), { command: py, args: ['-m', 'srv'] });
    const inst = r.installed as Extract<Installed, { state: 'installed' }>;
    assert.equal(inst.dev, undefined, 'the server itself is a release');
    assert.deepEqual(
      inst.devMembers?.map((m) => [m.name, m.version, m.root, m.newest.map((f) => f.path)]),
      [['acme-lib', '1.0.0', project, [source]]],
    );
  });

  it("Python: one snapshot walks a site-packages' closure once for the server and its instance; a change to an editable member's file reaches both", async () => {
    const home = tempDir();
    const project = path.join(home, 'src', 'acme-lib');
    const source = write(path.join(project, 'acme_lib', '__init__.py'), 'X = 1\n');
    const sp = venv(path.join(home, 'v'), [
      { name: 'srv', version: '1.0.0', requires: ['acme-lib'] },
      { name: 'acme-lib', version: '1.0.0' },
    ]);
    write(
      path.join(sp, 'acme_lib-1.0.0.dist-info', 'direct_url.json'),
      JSON.stringify({ url: pathToFileURL(project).href, dir_info: { editable: true } }),
    );
    const py = path.join(home, 'v', 'bin', 'python');
    const cache = new MtimeCache<Resolution>(liveFs);
    // What a snapshot asks: the configured entry's launch, and the running process's argv.
    const pass = async () => {
      cache.newPass();
      try {
        const server = await cache.get('server', (fs) =>
          resolveInstalled({ ...ctxFor(home), fs }, { command: py, args: ['-m', 'srv'] }),
        );
        const instance = await cache.get('instance', (fs) =>
          resolveInstalled(
            { ...ctxFor(home), fs },
            { command: py, args: ['-m', 'srv'] },
            { processArgv: [py, '-m', 'srv'] },
          ),
        );
        return [server, instance].map((r) => r.installed as Extract<Installed, { state: 'installed' }>);
      } finally {
        cache.endPass();
      }
    };
    const [server, instance] = await pass();
    assert.equal(server.sitePackages, sp);
    assert.equal(instance.sitePackages, sp);
    assert.equal(server.devMembers, instance.devMembers, 'one walk: the same members, not two equal copies');
    assert.deepEqual(server.environment, instance.environment);
    const before = server.changedAt!;
    // The member is rebuilt: both resolutions read its file through the shared walk, so both are stale.
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(source, later, later);
    const [server2, instance2] = await pass();
    assert.ok(server2.changedAt! > before, "the server's resolution sees the member's rebuild");
    assert.ok(instance2.changedAt! > before, "the instance's resolution sees it too");
  });

  it('at most 32 members are walked; a folder inside node_modules is a release, not a member', async () => {
    const home = tempDir();
    const candidates = Array.from({ length: 40 }, (_, i) => {
      const dir = plainPackage(path.join(home, 'packages', `p${i}`), `p${i}`, '1.0.0');
      return { name: `p${i}`, version: '1.0.0', ecosystem: 'npm' as const, location: dir };
    });
    assert.equal((await devMembersOf(ctxFor(home), candidates)).members.length, 32);
    const installed = plainPackage(path.join(home, 'node_modules', 'x'), 'x', '1.0.0');
    const none = await devMembersOf(ctxFor(home), [
      { name: 'x', version: '1.0.0', ecosystem: 'npm', location: installed },
    ]);
    assert.deepEqual(none, { members: [] });
  });
});

describe('versions: the judgement of a closure with development members', () => {
  const member = (at: number): DevMember => ({
    name: '@acme/lib',
    version: '1.0.0',
    root: '/ws/packages/lib',
    how: 'a package folder outside node_modules',
    newest: [{ path: '/ws/packages/lib/dist/index.js', at: iso(at) }],
  });
  const server = (memberAt: number, dev = false): Installed => ({
    state: 'installed',
    ecosystem: 'npm',
    name: '@acme/server',
    version: '1.0.0',
    how: 'h',
    location: '/ws/packages/server',
    environment: fingerprint({ '@acme/lib': '1.0.0' }),
    changedAt: Math.max(START - 60_000, memberAt),
    devMembers: [member(memberAt)],
    ...(dev
      ? {
          dev: {
            root: '/ws/packages/server',
            how: 'h',
            newest: [{ path: '/ws/packages/server/dist/index.js', at: iso(START - 60_000) }],
          },
        }
      : {}),
  });
  const lock = {
    versions: {
      package: { name: '@acme/server', version: '1.0.0', ecosystem: 'npm' as const },
      dependencies: { '@acme/lib': '1.0.0' },
      dependenciesScope: 'closure' as const,
    },
  };

  it('a member rebuilt after the start is changed naming it and its files, whatever was recorded; the server dev or not', () => {
    for (const dev of [false, true])
      for (const record of [{ lock }, {}]) {
        const { verdict } = judge({ installed: server(START + 60_000, dev), processStart: START, ...record });
        assert.equal(verdict.state, 'changed', JSON.stringify(verdict));
        if (verdict.state !== 'changed') continue;
        assert.equal(verdict.dev, true);
        assert.deepEqual(verdict.changedMembers, ['@acme/lib 1.0.0']);
        assert.deepEqual(
          verdict.changedFiles.map((f) => f.path),
          ['/ws/packages/lib/dist/index.js'],
        );
        assert.match(
          verdict.summary,
          /the source files of @acme\/lib 1\.0\.0, a package under development it depends on \(\/ws\/packages\/lib\) changed/,
        );
      }
  });

  it('a member whose files all predate the start leaves the verdict current; a version move is still stale naming both', () => {
    assert.equal(judge({ installed: server(START - 60_000), processStart: START, lock }).verdict.state, 'current');
    assert.equal(
      judge({ installed: server(START + CLOCK_SLACK_MS - 1), processStart: START }).verdict.state,
      'current',
    );
    const moved = judge({
      installed: server(START + 60_000),
      processStart: START,
      lock: { versions: { ...lock.versions, package: { ...lock.versions.package, version: '0.9.0' } } },
    }).verdict;
    assert.equal(moved.state === 'stale' && `${moved.running} -> ${moved.installed}`, '0.9.0 -> 1.0.0');
  });
});
