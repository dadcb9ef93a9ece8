import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from './run';

/**
 * Tools and files tests download (pnpm and yarn from npm, a pip wheel from PyPI), cached outside the
 * clone and keyed by version, so a fresh machine fetches them once and a warm one never again:
 * `${MCP_LIFEGUARD_TEST_CACHE:-~/.cache/mcp-lifeguard-test}/<kind>-<version>`.
 */

export function toolCacheRoot(): string {
  return process.env.MCP_LIFEGUARD_TEST_CACHE ?? path.join(os.homedir(), '.cache', 'mcp-lifeguard-test');
}

/**
 * The cache folder of one kind and version, filled by `fill` on first use. `fill` writes into a
 * temp folder beside it that is renamed into place when complete, so an interrupted run never
 * leaves a half-filled entry, and two runs racing both end up with the one that landed first.
 */
export async function cached(kind: string, version: string, fill: (dir: string) => Promise<void>): Promise<string> {
  const root = toolCacheRoot();
  const dir = path.join(root, `${kind}-${version}`);
  if (fs.existsSync(dir)) return dir;
  fs.mkdirSync(root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(root, `.${kind}-${version}-`));
  try {
    await fill(tmp);
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(dir)) throw err;
  }
  return dir;
}

/**
 * A copy of a folder as `cp -a` makes it (links as links, times kept): several times cheaper in
 * processor time than fs.cpSync for a tree of thousands of files, such as an npm prefix. `from`
 * ending in `/.` copies what the folder holds into `to`.
 */
export async function copyTree(from: string, to: string): Promise<void> {
  if (process.platform === 'win32')
    fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  else await run('cp', ['-a', from, to]);
}

/** copyTree, for a caller that cannot wait (a fixture written in one go). */
export function copyTreeSync(from: string, to: string): void {
  if (process.platform === 'win32')
    fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  else execFileSync('cp', ['-a', from, to], { stdio: 'ignore' });
}

async function exec(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await run(command, args, { env });
}

/**
 * A folder holding the wheel of PyPI project `name` at `version`, downloaded once (`pip download`),
 * for `pip install --no-index --find-links <folder> <name>==<version>`.
 */
export function pypiWheel(python: string, name: string, version: string): Promise<string> {
  return cached(name, version, (dir) =>
    exec(python, [
      '-m',
      'pip',
      'download',
      '-q',
      '--disable-pip-version-check',
      '--no-deps',
      '--only-binary=:all:',
      '-d',
      dir,
      `${name}==${version}`,
    ]),
  );
}

/** pip's own wheel (see pypiWheel). */
export function pipWheel(python: string, version: string): Promise<string> {
  return pypiWheel(python, 'pip', version);
}

/**
 * The `node_modules/.bin` folder of a real npm package `name@version` (pnpm, yarn), installed with
 * real npm and its own throwaway npm cache.
 */
export async function npmTool(name: string, version: string): Promise<string> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const dir = await cached(name.replace(/[\\/]/g, '+'), version, async (prefix) => {
    const cache = path.join(prefix, '.npm-cache');
    // Install scripts write their own temp folders (opencode's and Kilo's leave `$TMPDIR/opencode`, `$TMPDIR/kilo`): here, not in the run's.
    const tmp = path.join(prefix, '.tmp');
    fs.mkdirSync(tmp, { recursive: true });
    const env = {
      ...process.env,
      TMPDIR: tmp,
      npm_config_cache: cache,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };
    await exec(npm, ['install', '--prefix', prefix, '--no-save', `${name}@${version}`], env);
    fs.rmSync(cache, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  return path.join(dir, 'node_modules', '.bin');
}

/**
 * Every wheel `requirements` need, dependencies included (`pip download`), for offline installs
 * with `--no-index --find-links <folder>` (pip, uv, pipx's `--pip-args`). Keyed by `key`, which
 * must change whenever the pinned requirements do.
 */
export function pypiWheelhouse(python: string, key: string, requirements: string[]): Promise<string> {
  return pypiWheelhouseOf(python, key, [requirements]);
}

/**
 * One wheelhouse for several requirement sets, each resolved on its own (`pip download` once per
 * set, into the same folder): for pins no single resolution can hold, such as two releases of one
 * package installed one after the other. Keyed as pypiWheelhouse.
 */
export function pypiWheelhouseOf(python: string, key: string, sets: string[][]): Promise<string> {
  return cached('wheelhouse', key, async (dir) => {
    for (const requirements of sets)
      await exec(python, [
        '-m',
        'pip',
        'download',
        '-q',
        '--disable-pip-version-check',
        '--only-binary=:all:',
        '-d',
        dir,
        ...requirements,
      ]);
  });
}

/**
 * Every wheel `requirements` need, built where PyPI has only a source distribution (`pip wheel`:
 * serena-agent's `proxy_tools`), for offline installs as pypiWheelhouse's. Keyed by `key` likewise.
 */
export function pypiWheelsBuilt(python: string, key: string, requirements: string[]): Promise<string> {
  return cached('wheelhouse', key, (dir) =>
    exec(python, ['-m', 'pip', 'wheel', '-q', '--disable-pip-version-check', '-w', dir, ...requirements]),
  );
}

/**
 * A Python tool from PyPI installed with its dependencies into a plain folder (`pip install
 * --target`), so the cache entry can be renamed into place (a venv could not: its scripts name
 * their own path). `uv` and `uvx` are native binaries under `bin/`; a pure-Python tool runs as
 * `python -m <module>` with `PYTHONPATH=<folder>` (see pythonToolEnv).
 */
export function pythonTool(python: string, name: string, version: string): Promise<string> {
  return cached(`tool-${name}`, version, (dir) =>
    exec(python, [
      '-m',
      'pip',
      'install',
      '-q',
      '--disable-pip-version-check',
      '--no-warn-script-location',
      '--target',
      dir,
      `${name}==${version}`,
    ]),
  );
}

/** `uv` from PyPI: the folder holding the `uv` and `uvx` binaries. */
export async function uvBin(python: string, version = UV_VERSION): Promise<string> {
  return path.join(await pythonTool(python, 'uv', version), 'bin');
}

/** Versions the tests pin; a change here downloads once more into a new cache entry. */
export const UV_VERSION = '0.13.9';
export const PIPX_VERSION = '1.18.4';
