import * as assert from 'node:assert/strict';
import type { ServerStatus, Snapshot } from '../../../src/core/base/model';
import type { Installed } from '../../../src/core/base/versionTypes';
import { npmNameProblem, pathProblem, pythonNameProblem, versionProblem } from '../../../src/core/actions/installArgs';
import { commandText } from '../../../src/core/actions/installCommand';
import { rollbackPlan, rollbackText } from '../../../src/core/actions/rollback';
import { upgradePlan, upgradeText } from '../../../src/core/actions/upgrade';
import { applyInstall } from '../../../src/core/actions/applyInstall';
import { splitShellWords } from '../../../src/core/launch/shellWords';
import { facts, serverRunning } from './installFacts';

type Inst = Extract<Installed, { state: 'installed' }>;

/** A server whose pid 42 started with `ran` (its guard's record), with `installed` on disk now. */
const serverOf = (installed: Inst, ran = '1.0.0'): ServerStatus =>
  serverRunning(installed, { version: ran }, { verdict: 'stale', guardPid: 41 });

const npmAt = (location: string, name = '@acme/srv', version = '2.0.0'): Inst => ({
  state: 'installed',
  ecosystem: 'npm',
  name,
  version,
  how: 'x',
  location,
});

describe('install arguments: built from checked parts, shown as the shell runs them', () => {
  it('names by their registry’s rules, exact versions, absolute paths; nothing that reads as an option', () => {
    for (const ok of ['@modelcontextprotocol/server-memory', 'left-pad', 'JSONStream', 'a.b_c~d'])
      assert.equal(npmNameProblem(ok), undefined, ok);
    for (const bad of [
      '--registry=http://127.0.0.1:9/',
      '-g',
      './x',
      '../x',
      '/abs',
      'a b',
      '.hidden',
      '_x',
      'a/b',
      'x\n',
    ])
      assert.ok(npmNameProblem(bad), bad);
    for (const ok of ['mempalace', 'mcp-server-fetch', 'zope.interface', 'A1'])
      assert.equal(pythonNameProblem(ok), undefined);
    for (const bad of ['--index-url=http://x', '-e', './x', 'x-', 'git+https://x', 'a b'])
      assert.ok(pythonNameProblem(bad), bad);
    for (const ok of ['1.2.3', '2.0.0-rc.1', '0.0.0-alpha.7']) assert.equal(versionProblem('npm', ok), undefined, ok);
    for (const bad of ['^1.2.3', 'latest', 'v1.2.3', '1.2', '--tag', '1.2.3 || 2', 'file:../x', '1.2.3\n'])
      assert.ok(versionProblem('npm', bad), bad);
    for (const ok of ['1.2.3', '3.11', '1.0rc1', '2.0.post1', '1!2.0.dev3', '1.0+local.7'])
      assert.equal(versionProblem('python', ok), undefined, ok);
    for (const bad of ['>=1', '1.0 ; python_version', '--pre', '1..2', ''])
      assert.ok(versionProblem('python', bad), bad);
    assert.equal(pathProblem('/usr/local', 'linux'), undefined);
    assert.equal(pathProblem('C:\\nodejs', 'win32'), undefined);
    assert.ok(pathProblem('--prefix=/x', 'linux'));
    assert.ok(pathProblem('relative/x', 'linux'));
  });

  it('a package.json name of `--registry=...` is refused, never passed to npm', () => {
    const evil = '--registry=http://127.0.0.1:9/';
    const plan = rollbackPlan(serverOf(npmAt(`/usr/local/lib/node_modules/${evil}`, evil)), facts([]));
    assert.equal(plan.kind, 'refused');
    assert.match(plan.kind === 'refused' ? plan.message : '', /starts with '-' and would read as an option/);
    // A name that differs from the folder npm installed it as is not the name it was installed under.
    const renamed = upgradePlan(serverOf(npmAt('/usr/local/lib/node_modules/srv', 'other-srv')), '3.0.0', facts([]));
    assert.equal(renamed.kind, 'refused');
    assert.match(renamed.kind === 'refused' ? renamed.message : '', /installed as srv/);
    // A version that is not one exact release (a range, a tag, an option) is refused.
    const ranged = upgradePlan(serverOf(npmAt('/usr/local/lib/node_modules/@acme/srv')), '--tag=x', facts([]));
    assert.equal(ranged.kind, 'refused');
  });

  it('a package installed from a folder or a tarball is refused, saying where it came from', () => {
    // npm link / `npm install -g ./folder`: the global prefix holds a link to the folder.
    const linked = rollbackPlan(
      serverOf({
        ...npmAt('/usr/local/lib/node_modules/@acme/srv'),
        dev: { root: '/home/u/src/srv', how: 'a package folder outside node_modules', newest: [] },
      }),
      facts([]),
    );
    assert.equal(linked.kind, 'refused');
    assert.match(
      linked.kind === 'refused' ? linked.message : '',
      /from the folder \/home\/u\/src\/srv, not from a registry/,
    );
    // A project that installed a tarball: its lockfile says `file:`.
    const lock = JSON.stringify({
      packages: { 'node_modules/@acme/srv': { version: '2.0.0', resolved: 'file:../srv-2.0.0.tgz' } },
    });
    const tarball = rollbackPlan(
      serverOf(npmAt('/w/app/node_modules/@acme/srv')),
      facts(['/w/app/package.json'], [], {}, { '/w/app/package-lock.json': lock }),
    );
    assert.equal(tarball.kind, 'refused');
    assert.match(tarball.kind === 'refused' ? tarball.message : '', /installed from file:\.\.\/srv-2\.0\.0\.tgz/);
    // A pnpm project whose package.json takes it from a folder.
    const manifest = JSON.stringify({ dependencies: { '@acme/srv': 'file:../srv' } });
    const pnpm = upgradePlan(
      serverOf(npmAt('/w/app/node_modules/@acme/srv')),
      '3.0.0',
      facts(['/w/app/pnpm-lock.yaml'], [], { pnpm: '/usr/bin/pnpm' }, { '/w/app/package.json': manifest }),
    );
    assert.equal(pnpm.kind, 'refused');
    // From the registry (its lockfile's tarball URL): planned.
    const fromRegistry = JSON.stringify({
      packages: { 'node_modules/@acme/srv': { resolved: 'https://registry.npmjs.org/@acme/srv/-/srv-2.0.0.tgz' } },
    });
    const ok = rollbackPlan(
      serverOf(npmAt('/w/app/node_modules/@acme/srv')),
      facts(['/w/app/package.json'], [], { npm: '/usr/bin/npm' }, { '/w/app/package-lock.json': fromRegistry }),
    );
    assert.equal(ok.kind, 'plan');
    // Python (PEP 610): a direct_url.json says it came from a URL, a folder or a file.
    const site = '/w/.venv/lib/python3.11/site-packages';
    const dist = `${site}/srv-2.0.0.dist-info`;
    const py: Inst = { ...npmAt(dist, 'srv'), ecosystem: 'python', sitePackages: site };
    const direct = rollbackPlan(
      serverOf(py),
      facts(
        ['/w/.venv/pyvenv.cfg'],
        [`${site}/pip`],
        {},
        {
          [`${dist}/direct_url.json`]: JSON.stringify({ url: 'file:///home/u/srv-2.0.0.tar.gz', archive_info: {} }),
        },
      ),
    );
    assert.equal(direct.kind, 'refused');
    assert.match(
      direct.kind === 'refused' ? direct.message : '',
      /installed from file:\/\/\/home\/u\/srv-2\.0\.0\.tar\.gz/,
    );
  });

  it('what is shown before --yes is the command that runs, quoted for the shell', () => {
    const prefix = "/home/u/$(touch pwned)/it's";
    const plan = rollbackPlan(
      serverOf(npmAt(`${prefix}/lib/node_modules/@acme/srv`)),
      facts([], [], { npm: '/usr/bin/npm' }),
    );
    assert.ok(plan.kind === 'plan');
    const shown = rollbackText(plan)[2].trim();
    assert.equal(shown, `/usr/bin/npm install --global --prefix '/home/u/$(touch pwned)/it'\\''s' @acme/srv@1.0.0`);
    // A POSIX shell reads it back as the exact argv that runs.
    assert.deepEqual(splitShellWords(shown), [plan.command.command, ...plan.command.args]);
    // In a folder: `cd` there first, as the command runs there.
    const inProject = upgradePlan(
      serverOf(npmAt('/w/my app/node_modules/@acme/srv')),
      '3.0.0',
      facts(['/w/my app/package.json'], [], { npm: '/usr/bin/npm' }),
    );
    assert.ok(inProject.kind === 'install');
    assert.equal(upgradeText(inProject)[1].trim(), "cd '/w/my app' && /usr/bin/npm install @acme/srv@3.0.0");
    // Nothing a shell acts on, nothing quoted: `==` inside a word is plain; a leading `=` or `~` is not.
    assert.equal(
      commandText({ command: '/w/.venv/bin/python', args: ['-m', 'pip', 'install', 'srv==1.0.0'] }, 'linux'),
      '/w/.venv/bin/python -m pip install srv==1.0.0',
    );
    assert.equal(commandText({ command: 'x', args: ['=ls', '~/a', ''] }, 'linux'), "x '=ls' '~/a' ''");
    // Windows: PowerShell's quoting, its call operator for a quoted program.
    assert.equal(
      commandText(
        { command: 'C:\\Program Files\\nodejs\\npm.cmd', args: ['install', '@acme/srv@1.0.0'], cwd: "C:\\w\\o'x" },
        'win32',
      ),
      "Set-Location -LiteralPath 'C:\\w\\o''x'; & 'C:\\Program Files\\nodejs\\npm.cmd' install '@acme/srv@1.0.0'",
    );
  });

  it('an install that changed nothing says so and restarts nothing', async () => {
    const installed = { ...npmAt('/usr/local/lib/node_modules/@acme/srv'), environment: { hash: 'h', packages: {} } };
    const server = serverOf(installed);
    const snapshot = { servers: [server] } as unknown as Snapshot;
    const restarted: number[] = [];
    const deps = {
      run: async () => ({ exitCode: 0 }),
      look: async () => snapshot,
      restart: async (pid: number) => {
        restarted.push(pid);
        return [];
      },
    };
    const result = await applyInstall('srv', { command: 'npm', args: [] }, deps, {
      before: installed,
      alsoRestart: [41],
    });
    assert.deepEqual({ kind: result.kind, restarted }, { kind: 'unchanged', restarted: [] });
    // Once it changed, the guard the plan names restarts.
    const moved = await applyInstall('srv', { command: 'npm', args: [] }, deps, {
      before: { ...installed, version: '3.0.0' },
      alsoRestart: [41],
    });
    assert.deepEqual({ kind: moved.kind, restarted }, { kind: 'done', restarted: [41, 42] });
  });

  it("names the version installed from the instances' answer while the entry's own is read again", async () => {
    const installed = { ...npmAt('/usr/local/lib/node_modules/@acme/srv'), environment: { hash: 'h', packages: {} } };
    const server: ServerStatus = {
      ...serverOf(installed),
      installed: { state: 'unknown', ecosystem: 'npm', name: '@acme/srv', reason: 'files still changing' },
    };
    const result = await applyInstall(
      'srv',
      { command: 'npm', args: [] },
      {
        run: async () => ({ exitCode: 0 }),
        look: async () => ({ servers: [server] }) as unknown as Snapshot,
        restart: async () => [],
      },
      { before: { ...installed, version: '1.0.0' } },
    );
    assert.equal(result.kind === 'done' && result.installed, '2.0.0');
  });
});
