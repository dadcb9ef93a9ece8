import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PYTHON, run } from './run';
import { cached, uvBin } from './toolCache';
import { seedVenv, venvPython } from './venv';

/**
 * Mistral Vibe from PyPI (`mistral-vibe`), pinned to the version whose config was verified
 * (docs/clients.md). It needs Python 3.12 or later, which the tests' default `python3` may not be.
 */
export const MISTRAL_VIBE = { name: 'mistral-vibe', version: '3.0.3' } as const;

/**
 * Its wheel pins `certifi==2026.10.19`, a release the package index here does not serve (only its `.post1`): the
 * wheel goes in without its dependencies, and those from its own list with that one pin moved on.
 */
const PIN_MOVED: readonly [string, string] = ['certifi==2026.10.19', 'certifi==2026.10.19.post1'];

/**
 * A Python 3.12 or later: `python3.12`, `python3.13` on PATH, else pyenv's
 * `~/.pyenv/versions/3.1[2-9]*`. Throws, saying what to install, when there is none.
 */
export async function python312(): Promise<string> {
  for (const name of ['python3.12', 'python3.13'])
    try {
      const exe = (await run(name, ['-c', 'import sys; print(sys.executable)'])).trim();
      if (exe) return exe;
    } catch {
      // not on PATH (or a pyenv shim with no such version): the next one
    }
  const versions = path.join(os.homedir(), '.pyenv', 'versions');
  const found = fs.existsSync(versions)
    ? fs
        .readdirSync(versions)
        .filter((v) => /^3\.1[2-9]/.test(v))
        .map((v) => path.join(versions, v, 'bin', 'python3'))
        .find((p) => fs.existsSync(p))
    : undefined;
  if (found) return found;
  throw new Error(
    `${MISTRAL_VIBE.name} ${MISTRAL_VIBE.version} needs Python 3.12 or later: install python3.12 (on PATH) or pyenv's 3.12 (~/.pyenv/versions/3.12.*)`,
  );
}

/**
 * The `vibe` script of a venv holding mistral-vibe, made once per machine in the test cache (a
 * relocatable venv, by uv), its wheels downloaded once into their own wheelhouse for offline reruns.
 */
export async function vibeBin(): Promise<string> {
  const python = await python312();
  const pyVersion = (await run(python, ['-c', 'import platform; print(platform.python_version())'])).trim();
  const key = `${MISTRAL_VIBE.name}-${MISTRAL_VIBE.version}-py${pyVersion}`;
  const wheels = await cached('wheelhouse', key, async (dir) => {
    const download = (...args: string[]) =>
      run(python, [
        '-m',
        'pip',
        'download',
        '-q',
        '--disable-pip-version-check',
        '--only-binary=:all:',
        '-d',
        dir,
        ...args,
      ]);
    await download('--no-deps', `${MISTRAL_VIBE.name}==${MISTRAL_VIBE.version}`);
    const requirements = (await run(python, ['-c', REQUIREMENTS_OF_WHEEL, dir]))
      .trim()
      .split('\n')
      .map((r) => r.replace(PIN_MOVED[0], PIN_MOVED[1]));
    fs.writeFileSync(path.join(dir, 'requirements.txt'), requirements.join('\n') + '\n');
    await download('-r', path.join(dir, 'requirements.txt'));
  });
  const venvDir = await cached('venv', key, async (tmp) => {
    const uv = path.join(await uvBin(PYTHON), 'uv');
    const venv = path.join(tmp, 'venv');
    await run(uv, ['venv', '-q', '--relocatable', '--python', python, venv], {
      env: { ...process.env, UV_NO_CONFIG: '1', UV_PYTHON_DOWNLOADS: 'never' },
    });
    const py = venvPython(venv);
    await seedVenv(py, [wheels], ['--compile-bytecode', '--no-deps', `${MISTRAL_VIBE.name}==${MISTRAL_VIBE.version}`]);
    await seedVenv(py, [wheels], ['--compile-bytecode', '-r', path.join(wheels, 'requirements.txt')]);
  });
  return path.join(path.dirname(venvPython(path.join(venvDir, 'venv'))), 'vibe');
}

/** Prints the `Requires-Dist` lines of the one wheel in the folder given. */
const REQUIREMENTS_OF_WHEEL = `
import email, glob, sys, zipfile
wheel = zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0])
meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
print("\\n".join(email.message_from_bytes(wheel.read(meta)).get_all("Requires-Dist")))
`;
