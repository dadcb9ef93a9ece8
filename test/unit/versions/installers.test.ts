import { noFiles } from '../../support/machines';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostEnv } from '../../../src/core/base/hostEnv';
import type { Ecosystem, Installed } from '../../../src/core/base/versionTypes';
import type { FileStat } from '../../../src/core/machine/types';
import { installerIn, installersIn } from '../../../src/core/versions/installers';
import {
  installerDone,
  installerHolding,
  installerScope,
  InstallerWatch,
  NPM_DEBUG_LOG,
  npmLogArgv,
  ScopeReaders,
  scopedInstallers,
} from '../../../src/core/versions/installerScope';
import { judgeInstance } from '../../../src/core/versions/instanceEvidence';
import { CLOCK_SLACK_MS } from '../../../src/core/versions/clockSlack';
import { judge } from '../../../src/core/versions/judge';
import { SETTLE_MS } from '../../../src/core/versions/settling';

/** The first installer of `ecosystem` among the processes, as the judgement would be told (no scope). */
const runningInstaller = (
  processes: Array<{ pid: number; argv: string[]; startTime?: number }>,
  ecosystem: Ecosystem,
) => {
  const found = installersIn(processes).find((i) => i.ecosystem === ecosystem);
  return found && { what: found.what, ...(found.startTime !== undefined ? { startTime: found.startTime } : {}) };
};

const p = (pid: number, argv: string[], startTime?: number) => ({
  pid,
  argv,
  ...(startTime !== undefined ? { startTime } : {}),
});

describe('versions: installers running now', () => {
  it('knows npm, pnpm, yarn, pip, uv and pipx writing a tree, as the process table shows them (npm retitles itself)', () => {
    assert.equal(runningInstaller([p(10, ['npm', 'ci'])], 'npm')?.what, 'npm ci (pid 10)');
    assert.equal(
      runningInstaller([p(11, ['/usr/bin/node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'install', 'x'])], 'npm')
        ?.what,
      'npm install (pid 11)',
    );
    assert.equal(
      runningInstaller([p(12, ['node', '/h/.cache/pnpm/pnpm.cjs', 'add', 'x'])], 'npm')?.what,
      'pnpm add (pid 12)',
    );
    assert.equal(runningInstaller([p(13, ['yarn'])], 'npm')?.what, 'yarn (pid 13)');
    assert.equal(
      runningInstaller([p(14, ['/v/bin/python', '-m', 'pip', 'install', '-U', 'pip'])], 'python')?.what,
      'pip install (pid 14)',
    );
    assert.equal(
      runningInstaller([p(15, ['pip3.11', 'uninstall', '-y', 'x'])], 'python')?.what,
      'pip uninstall (pid 15)',
    );
    assert.equal(runningInstaller([p(16, ['uv', 'tool', 'upgrade', 'x'])], 'python')?.what, 'uv tool (pid 16)');
    assert.equal(runningInstaller([p(17, ['pipx', 'inject', 'x', 'y'])], 'python')?.what, 'pipx inject (pid 17)');
  });

  it('ignores `uv tool run` / `uv tool uvx` (what uvx runs, a server) and read-only uv pip verbs; uv tool install and uv pip sync write', () => {
    assert.equal(
      runningInstaller(
        [
          p(1, ['/x/uv', 'tool', 'uvx', 'mcp-server-time@1']),
          p(2, ['uv', 'tool', 'run', '--from', 'x', 'x']),
          p(3, ['uv', 'pip', 'list']),
          p(4, ['uv', 'tool', 'list']),
        ],
        'python',
      ),
      undefined,
    );
    assert.equal(
      runningInstaller([p(5, ['uv', 'tool', 'install', '--reinstall', 'x'])], 'python')?.what,
      'uv tool (pid 5)',
    );
    assert.equal(runningInstaller([p(6, ['uv', 'pip', 'sync', 'r.txt'])], 'python')?.what, 'uv pip (pid 6)');
  });

  it('ignores runners that only start a server (npx, npm exec, uvx, pipx run) and the other ecosystem', () => {
    assert.equal(
      runningInstaller(
        [
          p(1, ['npm', 'exec', 'pkg@1']),
          p(2, ['npx', '-y', 'pkg']),
          p(3, ['uvx', 'x']),
          p(4, ['pipx', 'run', 'x']),
          p(5, ['npm', 'ls']),
        ],
        'npm',
      ),
      undefined,
    );
    assert.equal(runningInstaller([p(6, ['npm', 'ci'])], 'python'), undefined);
    assert.equal(runningInstaller([p(7, ['node', 'server.js', 'install'])], 'npm'), undefined);
  });

  it('holds a verdict as settling only for a change the installer may be writing', () => {
    const START = Date.parse('2026-11-20T10:00:00Z');
    const installed = {
      state: 'installed' as const,
      ecosystem: 'npm' as const,
      name: 'srv',
      version: '2.0.0',
      how: 'h',
      location: '/app/node_modules/srv',
      changedAt: START + 60_000,
    };
    const now = START + 600_000;
    const during = judge({
      installed,
      processStart: START,
      now,
      installing: { what: 'npm ci (pid 9)', startTime: START + 50_000 },
    });
    assert.equal(
      during.verdict.state === 'unknown' && during.verdict.reason,
      'npm ci (pid 9) is running: judged once it is done',
    );
    // An installer that started after the change did not write it: the change is judged.
    const later = judge({
      installed,
      processStart: START,
      now,
      installing: { what: 'npm install (pid 9)', startTime: START + 300_000 },
    });
    assert.equal(later.verdict.state, 'changed');
    // Nothing changed since the start: nothing to wait for.
    const untouched = judge({
      installed: { ...installed, changedAt: START - 1000 },
      processStart: START,
      now,
      installing: { what: 'npm ci (pid 9)' },
    });
    assert.equal(untouched.verdict.state, 'current');
  });

  it('holds a verdict while an installer runs and dependencies the process had are gone (their folders carry no time); a moved one alone is judged', () => {
    const START = Date.parse('2026-11-20T10:00:00Z');
    const now = START + 600_000;
    const env = (packages: Record<string, string>) => ({
      scope: 'closure' as const,
      hash: JSON.stringify(packages),
      packages,
    });
    const installed = {
      state: 'installed' as const,
      ecosystem: 'python' as const,
      name: 'srv',
      version: '1.0',
      how: 'h',
      location: '/v/site-packages',
      changedAt: START - 5000,
      environment: env({ anyio: '4.9.0' }),
    };
    const firstSeen = {
      name: 'srv',
      version: '1.0',
      firstSeenAt: new Date(START).toISOString(),
      environment: env({ anyio: '4.9.0', httpx: '0.28.1' }),
    };
    const installing = { what: 'pip install (pid 9)', startTime: START + 300_000 };
    const during = judge({ installed, processStart: START, now, firstSeen, installing });
    assert.equal(
      during.verdict.state === 'unknown' && during.verdict.settling && during.verdict.reason,
      'pip install (pid 9) is running: judged once it is done',
    );
    const done = judge({ installed, processStart: START, now, firstSeen });
    assert.equal(done.verdict.state, 'stale');
    // A dependency that moved to another version with an unrelated installer running: judged (the change has a time, before the installer).
    const moved = judge({
      installed: { ...installed, environment: env({ anyio: '4.9.0', httpx: '0.27.0' }) },
      processStart: START,
      now,
      firstSeen,
      installing,
    });
    assert.equal(moved.verdict.state, 'stale');
  });
});

/** A fixture file system: the files given (their folders exist too), real paths through `links`. */
function fixtureReaders(
  files: Record<string, string>,
  procs: Record<number, { cwd?: string; env?: { PATH?: string; VIRTUAL_ENV?: string }; exe?: string }> = {},
  links: Record<string, string> = {},
): ScopeReaders & { fs: { readText(p: string): Promise<string | undefined> } } {
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) for (let d = f; d !== '/';) dirs.add((d = d.slice(0, d.lastIndexOf('/')) || '/'));
  const stat = (kind: FileStat['kind']): FileStat => ({ kind, mtimeMs: 0, ctimeMs: 0, size: 0, ino: 0 });
  return {
    fs: {
      stat: async (p) => (p in files ? stat('file') : dirs.has(p) ? stat('dir') : undefined),
      realpath: async (p) => links[p] ?? (p in files || dirs.has(p) ? p : undefined),
      readText: async (p) => files[p],
    },
    cwd: async (pid) => procs[pid]?.cwd,
    envOf: async (pid, name) => procs[pid]?.env?.[name],
    exe: async (pid) => procs[pid]?.exe,
  };
}

const HOST: HostEnv = { home: '/home/u', platform: 'linux', env: {} };
type InstalledPkg = Extract<Installed, { state: 'installed' }>;
const npmAt = (location: string): InstalledPkg => ({
  state: 'installed',
  ecosystem: 'npm',
  name: 'srv',
  version: '1.0.0',
  how: 'h',
  location,
});
const pyAt = (venv: string): InstalledPkg => ({
  state: 'installed',
  ecosystem: 'python',
  name: 'srv',
  version: '1.0',
  how: 'h',
  location: `${venv}/lib/python3.12/site-packages/srv-1.0.dist-info`,
});

describe('versions: every form of an installer in the process table', () => {
  const name = (argv: string[]) => {
    const i = installerIn({ pid: 1, argv });
    return i && `${i.name} ${i.verb ?? ''}`.trim();
  };

  it('pip as its script run by the venv interpreter (what `pip install` is once its shebang ran), as a module, by version', () => {
    assert.equal(name(['/venv/bin/python', '/venv/bin/pip', 'install', 'x']), 'pip install');
    assert.equal(name(['/venv/bin/python3.12', '/venv/bin/pip3.12', 'install', '-U', 'x']), 'pip install');
    assert.equal(name(['/usr/bin/python3', '-I', '/home/u/.local/bin/pip3', 'uninstall', '-y', 'x']), 'pip uninstall');
    assert.equal(name(['python3', '-W', 'ignore', '-m', 'pip', 'install', 'x']), 'pip install');
    assert.equal(name(['/venv/bin/pip', 'install', 'x']), 'pip install');
    assert.equal(name(['pip3.12', 'install', 'x']), 'pip install');
    assert.equal(
      installerIn({ pid: 1, argv: ['/venv/bin/python', '/venv/bin/pip', 'install', 'x'] })?.interpreter,
      '/venv/bin/python',
    );
    // Reading pip, or a server that happens to be a script: not an install.
    assert.equal(name(['/venv/bin/python', '/venv/bin/pip', 'list']), undefined);
    assert.equal(name(['/venv/bin/python', '-c', 'import pip']), undefined);
    assert.equal(name(['/venv/bin/python', '/srv/server.py', 'install']), undefined);
  });

  it('pipx, poetry and uv as scripts, modules or binaries', () => {
    assert.equal(name(['/usr/bin/python3', '/home/u/.local/bin/pipx', 'install', 'x']), 'pipx install');
    assert.equal(
      name(['/home/u/.local/share/pypoetry/venv/bin/python', '/home/u/.local/bin/poetry', 'add', 'x']),
      'poetry add',
    );
    assert.equal(name(['python3', '-m', 'pipx', 'upgrade', 'x']), 'pipx upgrade');
    assert.equal(name(['python', '-m', 'uv', 'pip', 'install', 'x']), 'uv pip');
    assert.equal(name(['/home/u/.cargo/bin/uv', 'sync']), 'uv sync');
    assert.equal(name(['/usr/bin/python3', '/home/u/.local/bin/pipx', 'run', 'x']), undefined);
  });

  it('npm, pnpm and yarn as Node scripts (npm-cli.js, the npm bin, pnpm.cjs, a yarn release), by path, retitled, with options before the verb', () => {
    assert.equal(name(['/usr/bin/node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'ci']), 'npm ci');
    assert.equal(name(['node', '/usr/local/bin/npm', 'install', 'x']), 'npm install');
    assert.equal(name(['/usr/local/bin/npm', 'i', 'x']), 'npm i');
    assert.equal(name(['npm', 'install', 'x']), 'npm install');
    assert.equal(
      name(['node', '--max-old-space-size=4096', '/p/.yarn/releases/yarn-4.1.0.cjs', 'add', 'x']),
      'yarn add',
    );
    assert.equal(name(['node', '/h/.local/share/pnpm/pnpm.cjs', 'install']), 'pnpm install');
    assert.equal(name(['npm', '--prefix', '/srv/app', 'install', 'x']), 'npm install');
    assert.equal(name(['pnpm', '-C', 'packages/a', 'add', 'x']), 'pnpm add');
    assert.equal(name(['yarn', 'global', 'add', 'x']), 'yarn global');
    assert.equal(name(['node', '/usr/local/bin/npm', 'exec', 'x']), undefined);
    assert.equal(name(['node', '/srv/npm-helper.js', 'install']), undefined);
  });
});

describe('versions: what an installer can write', () => {
  const scoped = async (argv: string[], readers: ReturnType<typeof fixtureReaders>, host = HOST) =>
    (await scopedInstallers([{ pid: 7, argv, startTime: 100 }], host, readers))[0];

  it("pip writes its interpreter's environment: the venv of its path (pyvenv.cfg), not another one", async () => {
    const r = fixtureReaders(
      { '/a/.venv/pyvenv.cfg': '', '/b/.venv/pyvenv.cfg': '' },
      { 7: { cwd: '/elsewhere' } },
      {
        '/a/.venv/bin/python': '/usr/bin/python3.12',
      },
    );
    const pip = await scoped(['/a/.venv/bin/python', '/a/.venv/bin/pip', 'install', 'x'], r);
    assert.deepEqual(pip.scope.roots, ['/a/.venv']);
    assert.ok(installerHolding([pip], pyAt('/a/.venv')));
    assert.equal(installerHolding([pip], pyAt('/b/.venv')), undefined);
    assert.equal(installerHolding([pip], npmAt('/a/.venv/node_modules/srv')), undefined, 'the other ecosystem');
    assert.match(installerHolding([pip], pyAt('/a/.venv'))!.why!, /writes the environment \/a\/\.venv/);
    // A script outside the venv it imports from: pip writing that venv holds its verdict (one look, not one per package pip has reached).
    const script: InstalledPkg = {
      ...pyAt('/a/.venv'),
      name: 'srv.py',
      version: 'mcp 2.3.0',
      location: '/w/srv.py',
      sitePackages: '/a/.venv/lib/python3.12/site-packages',
      dev: { root: '/w', how: 'a script', newest: [], script: true },
    };
    assert.ok(installerHolding([pip], script));
    assert.equal(
      installerHolding([pip], { ...script, sitePackages: '/b/.venv/lib/python3.12/site-packages' }),
      undefined,
    );
    // The pip script alone (no interpreter in argv) names its venv the same way.
    assert.deepEqual((await scoped(['/b/.venv/bin/pip', 'install', 'x'], r)).scope.roots, ['/b/.venv']);
  });

  it('pip of a system interpreter writes its prefix; --user the user site; --target and --prefix their folder (relative to its cwd)', async () => {
    const r = fixtureReaders(
      { '/usr/bin/python3.12': '' },
      { 7: { cwd: '/w' } },
      { '/usr/bin/python3': '/usr/bin/python3.12' },
    );
    assert.deepEqual((await scoped(['/usr/bin/python3', '-m', 'pip', 'install', 'x'], r)).scope.roots, ['/usr']);
    assert.deepEqual((await scoped(['/usr/bin/python3', '-m', 'pip', 'install', '--user', 'x'], r)).scope.roots, [
      '/home/u/.local',
    ]);
    assert.deepEqual((await scoped(['/usr/bin/python3', '-m', 'pip', 'install', '-t', 'vendor', 'x'], r)).scope.roots, [
      '/w/vendor',
    ]);
  });

  it('`python -m pip` by a bare name: its VIRTUAL_ENV, else its PATH; unreadable: unknown, holding every Python verdict and saying why', async () => {
    const files = { '/a/.venv/pyvenv.cfg': '', '/a/.venv/bin/python': '', '/b/.venv/pyvenv.cfg': '' };
    const venv = await scoped(
      ['python', '-m', 'pip', 'install', 'x'],
      fixtureReaders(files, { 7: { env: { VIRTUAL_ENV: '/b/.venv' } } }),
    );
    assert.deepEqual(venv.scope.roots, ['/b/.venv']);
    const onPath = await scoped(
      ['python', '-m', 'pip', 'install', 'x'],
      fixtureReaders(files, { 7: { env: { PATH: '/nowhere:/a/.venv/bin:/usr/bin' } } }),
    );
    assert.deepEqual(onPath.scope.roots, ['/a/.venv']);
    const unknown = await scoped(['python', '-m', 'pip', 'install', 'x'], fixtureReaders(files));
    assert.equal(unknown.scope.roots, undefined);
    const held = installerHolding([unknown], pyAt('/b/.venv'));
    assert.match(held!.why!, /what it writes is not known: its interpreter \(python\) could not be found/);
    const v = judge({
      installed: { ...pyAt('/b/.venv'), changedAt: 60_000 },
      processStart: 0,
      now: 600_000,
      installing: held,
    }).verdict;
    assert.match(
      v.state === 'unknown' ? v.reason : '',
      /pip install \(pid 7\) is running \(what it writes is not known: .*\): judged once it is done/,
    );
  });

  it("npm writes its working directory's project (the nearest package.json, then its workspace root), --prefix its folder, -g the global prefix", async () => {
    const files = {
      '/mono/package.json': JSON.stringify({ workspaces: ['packages/*'] }),
      '/mono/packages/a/package.json': '{}',
      '/mono/packages/a/src/x.ts': '',
      '/other/package.json': '{}',
      '/home/u/.npmrc': 'prefix=~/.npm-global\n',
    };
    const r = fixtureReaders(files, { 7: { cwd: '/mono/packages/a/src', exe: '/usr/bin/node' } });
    const ws = await scoped(['/usr/bin/node', '/usr/bin/npm', 'install', 'x'], r);
    assert.deepEqual(ws.scope.roots, ['/mono']);
    assert.ok(installerHolding([ws], npmAt('/mono/node_modules/srv')));
    assert.ok(installerHolding([ws], npmAt('/mono/packages/a/node_modules/srv')));
    assert.equal(installerHolding([ws], npmAt('/other/node_modules/srv')), undefined);
    assert.equal(installerHolding([ws], npmAt('/usr/lib/node_modules/srv')), undefined);
    const other = await scoped(
      ['/usr/bin/node', '/usr/bin/npm', 'install'],
      fixtureReaders(files, { 7: { cwd: '/other' } }),
    );
    assert.deepEqual(other.scope.roots, ['/other']);
    // A folder with no package.json above it: npm makes its node_modules there.
    assert.deepEqual(
      (await scoped(['/usr/bin/node', '/usr/bin/npm', 'i', 'x'], fixtureReaders(files, { 7: { cwd: '/tmp/t' } }))).scope
        .roots,
      ['/tmp/t'],
    );
    assert.deepEqual(
      (await scoped(['/usr/bin/node', '/usr/bin/npm', 'install', '--prefix', '../p', 'x'], r)).scope.roots,
      ['/mono/packages/a/p'],
    );
    const global = await scoped(['/usr/bin/node', '/usr/bin/npm', 'install', '-g', 'x'], r);
    assert.ok(global.scope.roots?.includes('/home/u/.npm-global'), JSON.stringify(global.scope));
    assert.ok(global.scope.roots?.includes('/usr'), JSON.stringify(global.scope));
    assert.ok(installerHolding([global], npmAt('/usr/lib/node_modules/srv')));
    assert.equal(installerHolding([global], npmAt('/mono/node_modules/srv')), undefined);
    assert.deepEqual(
      (await scoped(['/usr/bin/node', '/usr/bin/npm', 'i', '--global', '--prefix', '/opt/g', 'x'], r)).scope.roots,
      ['/opt/g'],
    );
    // No readable working directory: unknown, holding every npm verdict.
    const blind = await scoped(['/usr/bin/node', '/usr/bin/npm', 'ci'], fixtureReaders(files));
    assert.match(
      installerHolding([blind], npmAt('/other/node_modules/srv'))!.why!,
      /working directory is not readable/,
    );
  });

  it('pnpm workspaces, uv projects, uv tools, uv pip environments and pipx homes', async () => {
    const files = {
      '/ws/pnpm-workspace.yaml': '',
      '/ws/package.json': '{}',
      '/ws/apps/s/package.json': '{}',
      '/py/pyproject.toml': '',
      '/py/.venv/pyvenv.cfg': '',
      '/py/sub/x.py': '',
    };
    const r = fixtureReaders(files, { 7: { cwd: '/ws/apps/s' } });
    assert.deepEqual((await scoped(['pnpm', 'add', 'x'], r)).scope.roots, ['/ws']);
    const py = fixtureReaders(files, { 7: { cwd: '/py/sub' } });
    const sync = await scoped(['uv', 'sync'], py);
    assert.deepEqual(sync.scope.roots, ['/py']);
    assert.ok(installerHolding([sync], pyAt('/py/.venv')));
    assert.equal(installerHolding([sync], pyAt('/other/.venv')), undefined);
    assert.deepEqual((await scoped(['uv', 'sync', '--project', '/elsewhere'], py)).scope.roots, ['/elsewhere']);
    assert.deepEqual((await scoped(['uv', 'pip', 'install', 'x'], py)).scope.roots, ['/py/.venv']);
    assert.deepEqual((await scoped(['uv', 'pip', 'install', '--python', '/py/.venv', 'x'], py)).scope.roots, [
      '/py/.venv',
    ]);
    const tool = await scoped(['uv', 'tool', 'install', 'x'], py);
    assert.deepEqual(tool.scope.roots, ['/home/u/.local/share/uv/tools']);
    assert.ok(installerHolding([tool], pyAt('/home/u/.local/share/uv/tools/x')));
    assert.equal(installerHolding([tool], pyAt('/py/.venv')), undefined);
    const pipx = await scoped(['/usr/bin/python3', '/home/u/.local/bin/pipx', 'install', 'x'], py, {
      ...HOST,
      env: { PIPX_HOME: '/opt/pipx' },
    });
    assert.deepEqual(pipx.scope.roots, ['/opt/pipx']);
    assert.ok(installerHolding([pipx], pyAt('/opt/pipx/venvs/x')));
    assert.equal(installerHolding([pipx], pyAt('/py/.venv')), undefined);
  });

  it('a folder seen through a link is matched by its real path too', async () => {
    const r = fixtureReaders(
      { '/real/app/package.json': '{}' },
      { 7: { cwd: '/link/app' } },
      { '/link/app': '/real/app' },
    );
    const inst = await installerScope(installerIn({ pid: 7, argv: ['/usr/bin/node', '/usr/bin/npm', 'ci'] })!, HOST, {
      ...r,
      fs: { ...r.fs, stat: async (p) => r.fs.stat(p.replace('/link/', '/real/')) },
    });
    assert.deepEqual(inst.roots, ['/link/app', '/real/app']);
  });
});

describe('versions: the wait ends when the installer that wrote a change has exited', () => {
  const START = Date.parse('2026-11-20T10:00:00Z');
  const installed = { ...npmAt('/app/node_modules/srv'), version: '2.0.0', changedAt: START + 60_000 };
  const npm = { ...installerIn({ pid: 9, argv: ['npm', 'install', 'srv@2'] })!, startTime: START + 55_000 };
  const scopedNpm = { ...npm, startTime: START + 55_000, scope: { roots: ['/app'], words: 'the tree in /app' } };

  it('an installer seen at work and gone since is remembered as done (for a while); one still there is not', () => {
    const watch = new InstallerWatch();
    assert.deepEqual(watch.observe(START + 56_000, [scopedNpm]), []);
    assert.deepEqual(watch.observe(START + 57_000, [scopedNpm]), []);
    const gone = watch.observe(START + 61_000, []);
    assert.equal(gone.length, 1);
    assert.deepEqual(installerDone(gone, installed), { what: 'npm install (pid 9)', startTime: START + 55_000 });
    assert.equal(installerDone(gone, npmAt('/elsewhere/node_modules/srv')), undefined);
    assert.equal(watch.observe(START + 61_000 + 10 * 60_000, []).length, 0);
  });

  it("an installer's reach is read once while it runs, and again for a new process", async () => {
    const watch = new InstallerWatch();
    let reads = 0;
    const read = async () => (reads++, scopedNpm.scope);
    await watch.scopeOf(npm, read);
    await watch.scopeOf(npm, read);
    assert.equal(reads, 1);
    watch.observe(START + 56_000, [scopedNpm]);
    await watch.scopeOf(npm, read);
    assert.equal(reads, 1);
    watch.observe(START + 57_000, []);
    await watch.scopeOf(npm, read);
    assert.equal(reads, 2, 'gone: a pid reused later is read anew');
  });

  it('files changed a moment ago by an installer that has exited are judged at once; without one seen, after the quiet period', () => {
    const now = START + 60_000 + 500;
    const quiet = judge({ installed, processStart: START, now });
    assert.ok(quiet.verdict.state === 'unknown' && quiet.verdict.settling, JSON.stringify(quiet.verdict));
    const done = judge({
      installed,
      processStart: START,
      now,
      installedBy: { what: npm.what, startTime: npm.startTime },
    });
    assert.equal(done.verdict.state, 'changed');
    // An installer still at work holds it; one that began after the change did not write it.
    const running = judge({
      installed,
      processStart: START,
      now,
      installedBy: { what: npm.what, startTime: npm.startTime },
      installing: { what: 'npm ci (pid 10)', startTime: START + 50_000 },
    });
    assert.ok(running.verdict.state === 'unknown' && running.verdict.settling);
    const later = judge({
      installed,
      processStart: START,
      now,
      installedBy: { what: npm.what, startTime: installed.changedAt + CLOCK_SLACK_MS + 1 },
    });
    assert.ok(later.verdict.state === 'unknown' && later.verdict.settling);
    assert.ok(now - installed.changedAt < SETTLE_MS);
    // A package removed a moment ago by an uninstall that has exited: judged at once (stale, its code gone).
    const removed = judge({
      installed: {
        state: 'missing',
        ecosystem: 'npm',
        name: 'srv',
        how: 'h',
        location: '/app/node_modules/srv',
        goneAt: START + 60_000,
      },
      processStart: START,
      now,
      lock: { versions: { package: { name: 'srv', version: '1.0.0', ecosystem: 'npm' } } },
      installedBy: { what: 'npm uninstall (pid 9)', startTime: npm.startTime },
    });
    assert.equal(removed.verdict.state, 'stale', JSON.stringify(removed.verdict));
  });
});

describe("versions: a Node tree's last-written file says its installer is done", () => {
  const START = Date.parse('2026-11-20T10:00:00Z');
  const changedAt = START + 60_000;
  const now = changedAt + 500;
  const installed = { ...npmAt('/app/node_modules/srv'), version: '2.0.0', changedAt };
  const readers = {
    readMaps: async () => undefined,
    fs: noFiles,
    compareReplaced: async () => new Map(),
  };
  const judgeWith = (files: Array<{ path: string; at: number }>, installing?: { what: string; startTime?: number }) =>
    judgeInstance(
      { pid: 5, startTime: START, installed, files: () => files, installing: { known: installing }, now },
      readers,
    );

  it("npm's hidden lockfile (yarn's integrity file, pnpm's modules file) newest: judged at once; older than the change, or the installer still there: settling", async () => {
    const pkg = { path: '/app/node_modules/srv/package.json', at: changedAt - 200 };
    for (const mark of ['.package-lock.json', '.yarn-integrity', '.modules.yaml']) {
      const done = await judgeWith([pkg, { path: `/app/node_modules/${mark}`, at: changedAt }]);
      assert.equal(done.verdict.state, 'changed', `${mark}: ${JSON.stringify(done.verdict)}`);
    }
    const midway = await judgeWith([
      { path: '/app/node_modules/.package-lock.json', at: changedAt - 5000 },
      { ...pkg, at: changedAt },
    ]);
    assert.ok(midway.verdict.state === 'unknown' && midway.verdict.settling, JSON.stringify(midway.verdict));
    const running = await judgeWith([pkg, { path: '/app/node_modules/.package-lock.json', at: changedAt }], {
      what: 'npm ci (pid 9)',
      startTime: START + 50_000,
    });
    assert.ok(running.verdict.state === 'unknown' && running.verdict.settling, JSON.stringify(running.verdict));
  });
});

describe('versions: npm under its own title', () => {
  const stored = fs.readFileSync(path.join(__dirname, 'data', 'npm-debug-argv.log'), 'utf8');

  it("reads npm's arguments from the `verbose argv` line of its debug log (its title keeps only the positional ones)", () => {
    assert.deepEqual(npmLogArgv(stored), [
      'install',
      'is-number',
      '--prefix',
      '/srv/app/pfx',
      '--global',
      '--registry',
      'http://registry.example/',
      '--fetch-retries',
      '0',
      '--cache',
      '/home/u/.npm',
    ]);
    assert.equal(npmLogArgv('0 verbose cli /usr/bin/node /usr/bin/npm\n'), undefined);
    assert.ok(NPM_DEBUG_LOG.test('/home/u/.npm/_logs/2026-11-23T23_17_03_934Z-debug-0.log'));
  });

  it('a retitled `npm ci` is scoped by the options its log gives (--prefix, -g); with no log, unknown (holding every npm verdict, saying why)', async () => {
    const r = fixtureReaders({ '/w/package.json': '{}' }, { 7: { cwd: '/w' } });
    const inst = installerIn({ pid: 7, argv: ['npm', 'ci'] })!;
    const withLog = await installerScope(inst, HOST, { ...r, npmArgv: async () => ['ci', '--prefix', '/srv/app'] });
    assert.deepEqual(withLog.roots, ['/srv/app']);
    const global = await installerScope(inst, HOST, { ...r, npmArgv: async () => npmLogArgv(stored) });
    assert.deepEqual(global.roots, ['/srv/app/pfx']);
    const blind = await installerScope(inst, HOST, { ...r, npmArgv: async () => undefined });
    assert.equal(blind.roots, undefined);
    assert.match(blind.roots ? '' : blind.unknown, /npm shows only its title .* could not be read from its debug log/);
    // A npm run by its path keeps its own argv: no log needed.
    const byPath = installerIn({ pid: 7, argv: ['/usr/bin/node', '/usr/bin/npm', 'ci'] })!;
    assert.deepEqual((await installerScope(byPath, HOST, r)).roots, ['/w']);
  });
});
