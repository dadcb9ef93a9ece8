import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import { formatStatus } from '../../../src/cli/format/status';
import { cliPath, fixturesDir, repoRoot } from '../../support/repo';
import { stopChildren } from '../../support/liveness';
import { startReady, waitForOutput } from '../../support/startup';
import { instanceOf, project, PYTHON, run, snapshot, tempDir } from './support';
import { pypiWheel } from '../../support/toolCache';
import { connectGuarded, liveRecords, textOf } from '../guard/support';
import { controlRestart } from '../../../src/core/control';
import { GuardErrorCode } from '../../../src/guard/wireErrors';
import { until } from '../../support/poll';
import { pastJudgedStart } from '../../support/judgedStart';
import { testSettleEnv } from '../../support/settle';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** A local MCP server under development: a checkout with a package.json and a built dist/index.js (the real SDK). */
function checkout(root: string): { repo: string; script: string } {
  const repo = path.join(root, 'dev', 'my-dev-server');
  fs.mkdirSync(path.join(repo, 'dist'), { recursive: true });
  fs.writeFileSync(
    path.join(repo, 'package.json'),
    JSON.stringify({
      name: 'my-dev-server',
      version: '0.1.0',
      type: 'module',
      bin: { 'my-dev-server': 'dist/index.js' },
    }),
  );
  const script = path.join(repo, 'dist', 'index.js');
  fs.writeFileSync(
    script,
    `#!/usr/bin/env node\n${fs.readFileSync(path.join(fixturesDir, 'guard', 'tiny-server.mjs'), 'utf8')}\nconsole.error('my-dev-server ready');\n`,
  );
  fs.chmodSync(script, 0o755);
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(repo, 'node_modules'), 'dir');
  return { repo, script };
}

/** A rebuild: the build output rewritten (same version in package.json). */
function rebuild(script: string): void {
  fs.writeFileSync(script, `${fs.readFileSync(script, 'utf8')}// rebuilt ${Date.now()}\n`);
}

function changedOf(i: Instance): Extract<NonNullable<Instance['versions']>['verdict'], { state: 'changed' }> {
  const v = i.versions?.verdict;
  assert.equal(v?.state, 'changed', JSON.stringify(i.versions));
  return v as Extract<NonNullable<Instance['versions']>['verdict'], { state: 'changed' }>;
}

/**
 * Development servers (issue 11, case 2): their version does not change when they are rebuilt,
 * so they are judged by their own files, watched or not, guarded or not.
 */
describe('versions (integration): a local server under development, rebuilt under a running instance', function () {
  this.timeout(300_000);
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await stopChildren(started.splice(0));
  });

  it('`node ~/dev/x/dist/index.js`: current, then changed since start after a rebuild, in a watched snapshot and on a first look', async () => {
    const root = tempDir('lg-dev-');
    const { repo, script } = checkout(root);
    const projectDir = project(root, 'dev', process.execPath, [script]);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const lg = path.join(root, 'lg');
    const child = await startReady(
      process.execPath,
      [script],
      { cwd: projectDir, ready: /my-dev-server ready/ },
      started,
    );
    const before = await instanceOf(() => snapshot(home, projectDir, lg), 'dev', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.equal(before.versions?.installed.state === 'installed' && before.versions.installed.dev?.root, repo);

    await pastJudgedStart(before.startTime);
    rebuild(script);
    const watched = changedOf(await instanceOf(() => snapshot(home, projectDir, lg), 'dev', child.pid!));
    assert.equal(watched.dev, true);
    assert.equal(watched.installed, '0.1.0');
    assert.deepEqual(
      watched.changedFiles.map((f) => f.path),
      [script],
    );
    const first = changedOf(
      await instanceOf(() => snapshot(home, projectDir, path.join(root, 'lg-first')), 'dev', child.pid!),
    );
    assert.deepEqual(
      first.changedFiles.map((f) => f.path),
      [script],
    );
    const text = formatStatus(await snapshot(home, projectDir, lg));
    assert.match(text, /CHANGED SINCE START: restart to load what is installed/);
    assert.match(text, /installed: 0\.1\.0 \(a development package: judged by its own files\)/);
  });

  it('a checkout first seen at 0.1.0, then bumped to 0.2.0 and rebuilt: stale naming both versions, not changed', async () => {
    const root = tempDir('lg-dev-bump-');
    const { repo, script } = checkout(root);
    const projectDir = project(root, 'dev', process.execPath, [script]);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));
    const child = await startReady(
      process.execPath,
      [script],
      { cwd: projectDir, ready: /my-dev-server ready/ },
      started,
    );
    const before = await instanceOf(take, 'dev', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.equal(before.versions?.installed.state === 'installed' && before.versions.installed.version, '0.1.0');

    await pastJudgedStart(before.startTime);
    const manifest = path.join(repo, 'package.json');
    fs.writeFileSync(manifest, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifest, 'utf8')), version: '0.2.0' }));
    rebuild(script);
    const after = await instanceOf(take, 'dev', child.pid!);
    const v = after.versions?.verdict;
    assert.equal(v?.state, 'stale', JSON.stringify(after.versions));
    if (v?.state !== 'stale') return;
    assert.equal(`${v.running} -> ${v.installed}`, '0.1.0 -> 0.2.0');
    assert.equal(v.runningLearnedFrom, 'first-seen');
    assert.match(formatStatus(await take()), /STALE: runs 0\.1\.0, installed 0\.2\.0/);
  });

  it('an `npm link`ed package started by its bin name, rebuilt: changed since start', async () => {
    const root = tempDir('lg-dev-link-');
    const { repo, script } = checkout(root);
    const globalPrefix = path.join(root, 'global');
    await run(npm, ['link', '--no-audit', '--no-fund'], {
      cwd: repo,
      env: {
        ...process.env,
        npm_config_prefix: globalPrefix,
        npm_config_cache: path.join(root, 'npm-cache'),
        npm_config_update_notifier: 'false',
      },
    });
    const bin = path.join(globalPrefix, 'bin', 'my-dev-server');
    assert.equal(fs.realpathSync(bin), script);
    const PATH = `${path.dirname(bin)}${path.delimiter}${process.env.PATH}`;
    const projectDir = project(root, 'dev', 'my-dev-server', []);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), { PATH, npm_config_prefix: globalPrefix });
    const child = await startReady(bin, [], { cwd: projectDir, env: { PATH }, ready: /my-dev-server ready/ }, started);
    const before = await instanceOf(take, 'dev', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    await pastJudgedStart(before.startTime);
    rebuild(script);
    const after = changedOf(await instanceOf(take, 'dev', child.pid!));
    assert.equal(after.dev, true);
    assert.deepEqual(
      after.changedFiles.map((f) => f.path),
      [script],
    );
  });

  it('a guarded dev server: the lock record names its version, and a rebuild is still changed since start', async () => {
    const root = tempDir('lg-dev-guard-');
    const { script } = checkout(root);
    const lg = path.join(root, 'lg');
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const runArgs = [cliPath, 'run', '--name', 'dev', '--', process.execPath, script];
    const projectDir = project(root, 'dev', process.execPath, runArgs);
    const guard = spawn(process.execPath, runArgs, {
      cwd: projectDir,
      env: { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: lg },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    started.push(guard);
    await waitForOutput(guard, /my-dev-server ready/, 60_000);
    const take = () => snapshot(home, projectDir, lg);
    const before = await instanceOf(take, 'dev', guard.pid!);
    assert.ok(before.lock, 'the instance is guarded');
    assert.equal(
      before.versions?.running.state === 'known' && before.versions.running.source,
      'lock-record',
      JSON.stringify(before.versions),
    );
    assert.equal(before.versions?.verdict.state, 'current');
    await pastJudgedStart(before.startTime);
    rebuild(script);
    const after = changedOf(await instanceOf(take, 'dev', guard.pid!));
    assert.equal(after.dev, true);
    guard.stdin?.end();
  });

  it('under `run --when-stale refuse-writes`, a rebuild makes the guard refuse writes naming the rebuilt file; a restart clears it', async () => {
    const root = tempDir('lg-dev-gate-');
    const { script } = checkout(root);
    const lg = path.join(root, 'lg');
    const g = await connectGuarded(
      lg,
      ['--name', 'dev', '--when-stale', 'refuse-writes', '--stale-interval', '1', '--', process.execPath, script],
      { cwd: root, env: testSettleEnv },
    );
    try {
      // The guard learns which tools are read-only from the server's own list.
      await g.client.listTools();
      assert.match(
        textOf(await g.client.callTool({ name: 'write_note', arguments: { text: 'before' } })),
        /wrote before/,
      );
      // File times after the start must be told from it: its child started before the guard answered.
      await pastJudgedStart(Date.now());
      rebuild(script);
      // Files written seconds ago may be a build still running: the verdict settles first (read-only calls ask for it).
      await until(
        () => `the changed verdict:\n${g.stderr()}`,
        async () => {
          await g.client.callTool({ name: 'echo', arguments: { text: 'wait' } });
          return /dev: Changed since start/.test(g.stderr());
        },
        30_000,
        500,
      );
      await assert.rejects(
        g.client.callTool({ name: 'write_note', arguments: { text: 'after' } }),
        (err: { code?: number; message: string }) => {
          assert.equal(err.code, GuardErrorCode.Stale);
          assert.match(
            err.message,
            /"dev": Changed since start: restart to load what is installed\. .*its own source files changed/,
          );
          assert.ok(err.message.includes(script), err.message);
          return true;
        },
      );
      // A read-only tool still answers.
      assert.match(textOf(await g.client.callTool({ name: 'echo', arguments: { text: 'hi' } })), /:hi$/);
      const [record] = await liveRecords(lg);
      const restarted = await controlRestart(record.control!, 'rebuilt', { timeoutMs: 60_000 });
      assert.ok(restarted.ok, JSON.stringify(restarted));
      assert.match(
        textOf(await g.client.callTool({ name: 'write_note', arguments: { text: 'after restart' } })),
        /wrote after restart/,
      );
    } finally {
      await g.client.close().catch(() => undefined);
    }
  });

  it('a `pip install -e` project whose source is edited: changed since start', async () => {
    const root = tempDir('lg-dev-py-');
    const proj = path.join(root, 'dev', 'devpkg');
    fs.mkdirSync(path.join(proj, 'devpkg'), { recursive: true });
    fs.writeFileSync(
      path.join(proj, 'pyproject.toml'),
      '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "devpkg"\nversion = "0.1.0"\n',
    );
    const source = path.join(proj, 'devpkg', '__main__.py');
    fs.writeFileSync(path.join(proj, 'devpkg', '__init__.py'), '');
    fs.writeFileSync(
      source,
      'import sys, time\nprint("devpkg ready", file=sys.stderr, flush=True)\nsys.stdin.read()\n',
    );
    const venv = path.join(root, 'venv');
    await run(PYTHON, ['-m', 'venv', venv]);
    const py = path.join(venv, 'bin', 'python');
    const pipEnv = { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
    // setuptools before 70 builds editables through `wheel`: a real one from PyPI, cached by version.
    const wheels = await pypiWheel(PYTHON, 'wheel', '0.45.1');
    await run(py, ['-m', 'pip', 'install', '-q', '--no-index', '--find-links', wheels, 'wheel==0.45.1'], {
      env: pipEnv,
    });
    await run(py, ['-m', 'pip', 'install', '-q', '--no-index', '--no-build-isolation', '-e', proj], { env: pipEnv });
    const projectDir = project(root, 'devpkg', py, ['-m', 'devpkg']);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));
    const child = await startReady(py, ['-m', 'devpkg'], { cwd: projectDir, ready: /devpkg ready/ }, started);
    const before = await instanceOf(take, 'devpkg', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.equal(before.versions?.installed.state === 'installed' && before.versions.installed.dev?.root, proj);
    await pastJudgedStart(before.startTime);
    fs.appendFileSync(source, '# edited\n');
    const after = changedOf(await instanceOf(take, 'devpkg', child.pid!));
    assert.equal(after.dev, true);
    assert.deepEqual(
      after.changedFiles.map((f) => f.path),
      [source],
    );
  });
});
