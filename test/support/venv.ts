import * as fs from 'node:fs';
import * as path from 'node:path';
import { PYTHON, run } from './run';
import { cached, copyTree, toolCacheRoot, uvBin } from './toolCache';

export interface OfflineVenv {
  venv: string;
  py: string;
  /** `pip install` into the venv from the given folders only (no index, no user or site pip configuration). */
  pip(...args: string[]): Promise<string>;
  /**
   * The same requirements from the same folders installed by uv instead: a test's setup, not its
   * subject (see seedVenv). `pip` stays the installer whose work a test judges.
   */
  seed(...args: string[]): Promise<string>;
}

/**
 * What a test's venv holds before the test runs: `requirements`, installed offline from `findLinks`
 * only. Its bytecode is not in the distributions' RECORD (uv compiles after installing), so a pip
 * upgrade leaves the `__pycache__` of modules it removes: where a removed module must stop
 * importing (a folder left behind imports as a namespace package), pip installs it in the test.
 */
export interface VenvHolding {
  requirements: string[];
  /** The folders these are resolved from (cached wheelhouses): the same ones for the same requirements. */
  findLinks: readonly string[];
}

/**
 * A real venv at `<root>/venv` whose pip installs from local wheel folders only (fixture wheels,
 * cached PyPI wheelhouses). `copies`: made with `--copies` (its interpreter is a copy, not a link);
 * `python`: the interpreter that makes it (PYTHON by default), the one its links point to. Such a
 * venv is made on the spot: its making is what those tests look at. `holding`: what it holds
 * besides pip before the test runs (setup, not a test's subject: a server to run, an SDK release).
 *
 * Otherwise it is a copy of a template made once per machine (templateVenv): the pip its
 * interpreter bundles (the one `python -m venv` would install, same release) and what it holds,
 * byte-compiled, so no pip run and no server start compiles them again in every test (a fresh
 * venv's first pip run compiled pip's own modules: seconds of processor time per venv).
 */
export async function offlineVenv(
  root: string,
  findLinks: readonly string[],
  opts: { copies?: boolean; python?: string; holding?: VenvHolding } = {},
): Promise<OfflineVenv> {
  const venv = path.join(root, 'venv');
  let py: string;
  if (opts.copies || opts.python) {
    py = await quickVenv(venv, { copies: opts.copies, python: opts.python });
    if (opts.holding) await seedVenv(py, opts.holding.findLinks, opts.holding.requirements);
  } else py = await templateVenv(venv, opts.holding);
  // Where pip was seeded without bytecode (a venv made on the spot), its first run compiles pip's
  // modules and the next ones load them.
  const pipEnv = {
    ...process.env,
    ...writeBytecode,
    PIP_CONFIG_FILE: process.platform === 'win32' ? 'nul' : '/dev/null',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_FIND_LINKS: '',
    PIP_EXTRA_INDEX_URL: '',
  };
  const links = findLinks.flatMap((l) => ['--find-links', l]);
  return {
    venv,
    py,
    pip: (...args) => run(py, ['-m', 'pip', 'install', '-q', '--no-index', ...links, ...args], { env: pipEnv }),
    seed: (...args) => seedVenv(py, findLinks, args),
  };
}

/**
 * A venv at `venv` with pip (and setuptools, as quickVenv) and `holding` in it, all byte-compiled;
 * its interpreter's path. A copy (`cp -a`: times kept, so the bytecode stays valid) of a venv made
 * once per machine (cachedVenv) with the pip and setuptools PYTHON bundles: relocatable (its
 * scripts find their interpreter beside them), so `<venv>/bin/pip` runs the copy's own
 * interpreter, and a test's installs land in the copy, never in the template. Where PYTHON bundles
 * no pip wheel, quickVenv's venv, `holding` seeded into it.
 */
export async function templateVenv(venv: string, holding?: VenvHolding): Promise<string> {
  const bundled = await bundledPip(PYTHON);
  if (!bundled) {
    const py = await quickVenv(venv);
    if (holding) await seedVenv(py, holding.findLinks, holding.requirements);
    return py;
  }
  const requirements = [...bundled.pins, ...(holding?.requirements ?? [])];
  const key = `py${bundled.python}-${requirements
    .join('+')
    .replace(/==/g, '-')
    .replace(/[^A-Za-z0-9._+-]/g, '_')}`;
  const template = await cachedVenv(key, [bundled.dir, ...(holding?.findLinks ?? [])], requirements);
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  await copyTree(template.venv, venv);
  return venvPython(venv);
}

/**
 * A venv at `venv` with pip in it (and setuptools, where the interpreter bundles it: what
 * `python -m venv` installs, same releases); its interpreter's path. Where the interpreter bundles no pip wheel (a distribution that strips
 * ensurepip), `python -m venv` itself.
 */
export async function quickVenv(venv: string, opts: { copies?: boolean; python?: string } = {}): Promise<string> {
  const python = opts.python ?? PYTHON;
  const copies = opts.copies ? ['--copies'] : [];
  const py = venvPython(venv);
  const bundled = await bundledPip(python);
  if (!bundled) {
    await run(python, ['-m', 'venv', ...copies, venv]);
    return py;
  }
  await run(python, ['-m', 'venv', '--without-pip', ...copies, venv]);
  await seedVenv(py, [bundled.dir], bundled.projects);
  return py;
}

/** The interpreter of the venv at `venv`. */
export function venvPython(venv: string): string {
  return process.platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python');
}

/**
 * `uv pip install` of `args` into the environment of `py`, offline from the `findLinks` folders,
 * files copied (never linked: a file shared with the cache would change under another test's
 * install) from one uv cache that every run of this machine's tests shares, so each wheel is
 * unpacked once; no bytecode compiled (Python writes it on import). For setup installs only.
 */
export async function seedVenv(py: string, findLinks: readonly string[], args: string[]): Promise<string> {
  const uv = path.join(await uvBin(PYTHON), process.platform === 'win32' ? 'uv.exe' : 'uv');
  const links = findLinks.flatMap((l) => ['--find-links', l]);
  return run(uv, ['pip', 'install', '-q', '--python', py, '--offline', '--no-index', ...links, ...args], {
    env: uvSetupEnv(),
  });
}

/** uv's environment for setup installs: the one cache every run of this machine's tests shares, files copied, offline. */
function uvSetupEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    UV_CACHE_DIR: path.join(toolCacheRoot(), 'uv-setup-cache'),
    UV_LINK_MODE: 'copy',
    UV_NO_CONFIG: '1',
    UV_PYTHON_DOWNLOADS: 'never',
  };
}

/** The pip (and setuptools) wheels an interpreter's ensurepip bundles. */
interface BundledPip {
  dir: string;
  /** Their projects (pip, maybe setuptools). */
  projects: string[];
  /** `project==version` of each. */
  pins: string[];
  /** The interpreter's version (`3.11.7`). */
  python: string;
}

const bundledPips = new Map<string, Promise<BundledPip | undefined>>();

/** The folder of the wheels `python`'s ensurepip bundles and their projects, if it has pip's. */
function bundledPip(python: string): Promise<BundledPip | undefined> {
  let found = bundledPips.get(python);
  if (!found) {
    found = run(python, [
      '-c',
      'import ensurepip, os, platform; print(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")); print(platform.python_version())',
    ]).then(
      (out) => {
        const [dir, version] = out
          .trim()
          .split('\n')
          .map((l) => l.trim());
        const wheels = fs.existsSync(dir)
          ? fs.readdirSync(dir).flatMap((f) => {
              const m = /^([A-Za-z0-9_.]+)-([^-]+)-.*\.whl$/.exec(f);
              return m ? [{ project: m[1], version: m[2] }] : [];
            })
          : [];
        const projects = wheels.map((w) => w.project);
        return projects.includes('pip')
          ? { dir, projects, pins: wheels.map((w) => `${w.project}==${w.version}`), python: version }
          : undefined;
      },
      () => undefined,
    );
    bundledPips.set(python, found);
  }
  return found;
}

/**
 * Python writing bytecode beside what it imports, as it does by default: where the machine's
 * environment says PYTHONDONTWRITEBYTECODE (container images do), every start of a server compiles
 * every module it imports again, seconds of CPU for a large one (mempalace's chromadb, poetry). An
 * empty value is Python's "not set". For the env of servers and tools a test starts more than once.
 */
export const writeBytecode: Readonly<Record<string, string>> = { PYTHONDONTWRITEBYTECODE: '' };

/**
 * HOME and the XDG folders under `home` (created), for a process or tool that must write nothing
 * of the user's: what a server or installer started by a test gets in its env.
 */
export function isolatedHome(home: string): Record<string, string> {
  const env: Record<string, string> = {
    HOME: home,
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    XDG_BIN_HOME: path.join(home, '.local', 'bin'),
  };
  for (const dir of Object.values(env)) fs.mkdirSync(dir, { recursive: true });
  return env;
}

/**
 * A venv holding `requirements` (installed offline from the `findLinks` folders by uv, bytecode
 * compiled), made once per machine in the test cache under `key` (which must change whenever the
 * requirements do) and shared by every test that only runs what it holds: a Python SDK client or
 * server, a console script; a test that installs copies it (templateVenv). Tests never install
 * into it or write to it. Made relocatable (its
 * scripts find their interpreter beside them), so the cache may move it into place. Its bytecode
 * spares each Python start the compile of every module it imports (PYTHONDONTWRITEBYTECODE keeps a
 * fresh venv from ever having it).
 */
export async function cachedVenv(
  key: string,
  findLinks: readonly string[],
  requirements: string[],
): Promise<{ venv: string; py: string; bin: (script: string) => string }> {
  const dir = await cached('venv', key, async (tmp) => {
    const uv = path.join(await uvBin(PYTHON), process.platform === 'win32' ? 'uv.exe' : 'uv');
    const venv = path.join(tmp, 'venv');
    await run(uv, ['venv', '-q', '--relocatable', '--python', PYTHON, venv], { env: uvSetupEnv() });
    await seedVenv(venvPython(venv), findLinks, ['--compile-bytecode', ...requirements]);
  });
  const venv = path.join(dir, 'venv');
  const scripts = path.dirname(venvPython(venv));
  return { venv, py: venvPython(venv), bin: (script) => path.join(scripts, script) };
}
