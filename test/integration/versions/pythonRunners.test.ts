import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { instanceOf, project, PYTHON, run, serverIn, snapshot, tempDir } from './support';
import { NEW, OLD, staleVerdict, startMcp, TIME, timeWheels, toolHome } from './pythonTools';
import { killAll, stopChildren } from '../../support/liveness';
import { pypiWheelhouse } from '../../support/toolCache';
import { quickVenv, seedVenv, templateVenv } from '../../support/venv';
import { poetryEnvHash, poetryEnvName } from '../../../src/core/launch/projectEnv';

/** The poetry the tests run, from PyPI (a change downloads once more into a new cache entry). */
const POETRY_VERSION = '2.5.1';

/**
 * pyenv: the machine's own (this machine kind keeps it at ~/.pyenv; PYENV_ROOT names another). Its
 * shims and versions are the test's own, under a PYENV_ROOT in the temp folder.
 */
function pyenvBin(): string {
  const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  const bin = path.join(root, 'libexec', 'pyenv');
  assert.ok(fs.existsSync(bin), `pyenv is not installed at ${root} (this test runs the real pyenv)`);
  return bin;
}

/** pip offline from the given wheel folders, with no user or site configuration. */
function pipOffline(wheels: readonly string[]): Record<string, string> {
  return {
    PIP_NO_INDEX: '1',
    PIP_FIND_LINKS: wheels.join(' '),
    PIP_CONFIG_FILE: '/dev/null',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
  };
}

/**
 * Python servers started through a version manager's shim or a project runner, as users configure
 * them: `python3 -m pkg` where `python3` on PATH is pyenv's shim, and `poetry run pkg` with the
 * environment in poetry's cache. Each process is its entry's (never "Not configured"), current at
 * start and stale after the package is upgraded in its environment, naming both versions.
 */
describe('versions (integration): Python through a pyenv shim and poetry run', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  const roots: string[] = [];
  after(async () => {
    await stopChildren(started);
    for (const r of roots) await killAll([], path.basename(r));
  });

  const realPython = async (): Promise<string> =>
    (await run(PYTHON, ['-c', 'import sys; print(sys.executable)'])).trim();

  it("python3 -m mcp_server_time, python3 being a pyenv shim: its process is the entry's, current, then stale after pip upgraded it", async () => {
    const root = tempDir('lg-pyenv-');
    roots.push(root);
    const pyenv = pyenvBin();
    const wheels = await timeWheels();
    const { home, env: homeEnv } = toolHome(root);
    const pyenvRoot = path.join(root, 'pyenv');
    // A version that is a venv of the machine's interpreter (as pyenv-virtualenv makes them), selected globally.
    const version = path.join(pyenvRoot, 'versions', 'lg-time');
    // The server there before the test (setup: a copy of a per-machine template); the upgrade under it is pip's.
    const versionPython = await templateVenv(version, { requirements: [`${TIME}==${OLD}`], findLinks: [wheels[0]] });
    const pipEnv = { ...process.env, ...pipOffline(wheels) };
    // --no-compile: the bytecode of what pip installs is nothing the test judges (the server has loaded its code).
    const pip = (spec: string) =>
      run(versionPython, ['-m', 'pip', 'install', '-q', '--no-compile', spec], { env: pipEnv });
    fs.writeFileSync(path.join(pyenvRoot, 'version'), 'lg-time\n');
    await run(pyenv, ['rehash'], { env: { ...process.env, PYENV_ROOT: pyenvRoot } });
    const shim = path.join(pyenvRoot, 'shims', 'python3');
    assert.match(fs.readFileSync(shim, 'utf8'), /pyenv" exec "\$program"/, 'python3 is a pyenv shim script');

    const PATH = `${path.join(pyenvRoot, 'shims')}${path.delimiter}${process.env.PATH}`;
    const env: NodeJS.ProcessEnv = { ...process.env, ...homeEnv, PATH, PYENV_ROOT: pyenvRoot };
    delete env.PYENV_VERSION;
    const projectDir = project(root, 'time', 'python3', ['-m', 'mcp_server_time']);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), { ...homeEnv, PATH, PYENV_ROOT: pyenvRoot });
    const server = await startMcp('python3', ['-m', 'mcp_server_time'], projectDir, env, started);
    // The shim's `pyenv exec` replaced itself with the version's interpreter.
    assert.match(fs.readFileSync(`/proc/${server.pid}/cmdline`, 'utf8'), /versions\/lg-time\/bin\/python3/);

    const before = await instanceOf(take, 'time', server.pid!);
    assert.ok(!before.verdicts.some((v) => v.kind === 'unknown'), JSON.stringify(before.verdicts));
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    const installed = before.versions?.installed;
    assert.equal(installed?.state === 'installed' && installed.version, OLD, JSON.stringify(before.versions));
    // The entry itself reads the version the shim selects, not the shim.
    const configured = serverIn(await take(), 'time').installed;
    assert.equal(configured?.state === 'installed' && configured.version, OLD, JSON.stringify(configured));
    assert.equal(
      (await take()).notConfigured.some((i) => i.pid === server.pid),
      false,
      'listed as not configured',
    );

    await pip(`${TIME}==${NEW}`);
    const v = staleVerdict(await instanceOf(take, 'time', server.pid!), 'after pip upgraded it in the pyenv version');
    assert.equal(v.running, OLD);
    assert.equal(v.installed, NEW);
    const now = serverIn(await take(), 'time').installed;
    assert.equal(now?.state === 'installed' && now.version, NEW, JSON.stringify(now));
    await stopChildren([server]);
  });

  it("poetry run mcp-server-time, its environment in poetry's cache: the entry's, current, then stale after an upgrade; another project's is not", async () => {
    const root = tempDir('lg-poetry-');
    roots.push(root);
    const [wheels, poetryWheels] = await Promise.all([
      timeWheels(),
      pypiWheelhouse(PYTHON, `poetry-${POETRY_VERSION}`, [`poetry==${POETRY_VERSION}`]),
    ]);
    const { home, env: homeEnv } = toolHome(root);
    const python = await realPython();
    // poetry in a venv of its own (installed by uv: setup), its command on PATH (as pipx installs it).
    const poetryVenv = path.join(root, 'poetry');
    await seedVenv(await quickVenv(poetryVenv, { python }), [poetryWheels], [`poetry==${POETRY_VERSION}`]);
    const offline = pipOffline([poetryWheels, ...wheels]);
    const bin = path.join(root, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(path.join(poetryVenv, 'bin', 'poetry'), path.join(bin, 'poetry'));
    const PATH = `${bin}${path.delimiter}${process.env.PATH}`;
    const env: NodeJS.ProcessEnv = { ...process.env, ...homeEnv, ...offline, PATH, POETRY_NO_INTERACTION: '1' };
    delete env.VIRTUAL_ENV;

    /**
     * A poetry project whose environment (in poetry's cache under the temp home, made by poetry) has
     * the server at `version`, installed by uv (setup); the upgrade is `poetry run pip`'s.
     */
    const poetryProject = async (dir: string, name: string, version: string): Promise<string> => {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'pyproject.toml'),
        `[project]\nname = "${name}"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n\n[tool.poetry]\npackage-mode = false\n`,
      );
      // poetry says where it made the environment ("Using virtualenv: PATH"), as `poetry env info --path` would.
      const made = await run('poetry', ['env', 'use', python], { cwd: dir, env });
      const envPath = /^Using virtualenv: (.+)$/m.exec(made)?.[1]?.trim();
      assert.ok(envPath, `poetry env use named no environment: ${made}`);
      await seedVenv(path.join(envPath, 'bin', 'python'), wheels, [`${TIME}==${version}`]);
      return envPath;
    };
    // The entry names its project (`-C`): what poetry runs depends on it, as `cwd` would.
    const projectDir = project(root, 'time', 'poetry', ['-C', path.join(root, 'project'), 'run', TIME]);
    const envPath = await poetryProject(projectDir, 'timeproj', OLD);
    const virtualenvs = path.join(home, '.cache', 'pypoetry', 'virtualenvs');
    assert.equal(path.dirname(envPath), virtualenvs, "poetry's environment is in its cache");
    // Named by the hash of the project's folder, as MCP Lifeguard computes it without running poetry.
    assert.equal(poetryEnvName(path.basename(envPath))?.hash, poetryEnvHash(fs.realpathSync(projectDir)), envPath);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), { ...homeEnv, PATH });

    const server = await startMcp('poetry', ['-C', projectDir, 'run', TIME], home, env, started);
    // Another project's poetry environment running the same command: not this entry's.
    const otherDir = path.join(root, 'other');
    await poetryProject(otherDir, 'timeproj', OLD);
    const other = await startMcp('poetry', ['-C', otherDir, 'run', TIME], home, env, started);

    const before = await instanceOf(take, 'time', server.pid!);
    assert.ok(!before.verdicts.some((v) => v.kind === 'unknown'), JSON.stringify(before.verdicts));
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    const installed = before.versions?.installed;
    assert.equal(installed?.state === 'installed' && installed.version, OLD, JSON.stringify(before.versions));
    assert.match(installed?.state === 'installed' ? installed.how : '', new RegExp(envPath.replace(/[\\/.]/g, '\\$&')));
    const snap = await take();
    assert.deepEqual(
      serverIn(snap, 'time').instances.map((i) => i.pid),
      [server.pid],
      `the other project's process (pid ${other.pid}) is not the entry's`,
    );
    const configured = serverIn(snap, 'time').installed;
    assert.equal(configured?.state === 'installed' && configured.version, OLD, JSON.stringify(configured));

    await run('poetry', ['run', 'pip', 'install', '-q', '--no-compile', `${TIME}==${NEW}`], { cwd: projectDir, env });
    const v = staleVerdict(await instanceOf(take, 'time', server.pid!), "after the upgrade in poetry's environment");
    assert.equal(v.running, OLD);
    assert.equal(v.installed, NEW);
    await stopChildren([server, other]);
  });
});
