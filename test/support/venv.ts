import * as fs from 'node:fs';
import * as path from 'node:path';
import { PYTHON, run } from './run';

export interface OfflineVenv {
  venv: string;
  py: string;
  /** `pip install` into the venv from the given folders only (no index, no user or site pip configuration). */
  pip(...args: string[]): Promise<string>;
}

/**
 * A real venv at `<root>/venv` whose pip installs from local wheel folders only (fixture wheels,
 * cached PyPI wheelhouses). `copies`: made with `--copies` (its interpreter is a copy, not a link);
 * `python`: the interpreter that makes it (PYTHON by default), the one its links point to.
 */
export async function offlineVenv(
  root: string,
  findLinks: readonly string[],
  opts: { copies?: boolean; python?: string } = {},
): Promise<OfflineVenv> {
  const venv = path.join(root, 'venv');
  await run(opts.python ?? PYTHON, ['-m', 'venv', ...(opts.copies ? ['--copies'] : []), venv]);
  const py = process.platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python');
  const pipEnv = {
    ...process.env,
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
  };
}

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
