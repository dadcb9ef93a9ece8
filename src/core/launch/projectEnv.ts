import { createHash } from 'node:crypto';
import { envVar } from './which';

/**
 * Where a project runner keeps a project's environment: `uv run`, `pdm run` and poetry (with
 * `virtualenvs.in-project`) in `<project>/.venv`; poetry otherwise in its `virtualenvs` folder, one
 * environment per project named `<name>-<hash>-py<X.Y>`, the hash being the first 8 characters of
 * the url-safe base64 of the SHA-256 of the project folder's real path (poetry's
 * `EnvManager.generate_env_name`). So the folder of an environment proves which project it is,
 * without running poetry.
 */

/** `timeproj-Ab3_x9Zq-py3.12` -> its hash and Python. */
const POETRY_ENV = /^(.+)-([A-Za-z0-9_-]{8})-py(\d+\.\d+)$/;

export function poetryEnvName(folderName: string): { name: string; hash: string; python: string } | undefined {
  const m = POETRY_ENV.exec(folderName);
  return m ? { name: m[1], hash: m[2], python: m[3] } : undefined;
}

/** The hash poetry names a project's environment by, from the project folder's real path. */
export function poetryEnvHash(realProjectDir: string): string {
  return createHash('sha256').update(realProjectDir, 'utf8').digest('base64url').slice(0, 8);
}

/**
 * The folders poetry puts project environments in, for this host: `POETRY_VIRTUALENVS_PATH`,
 * `POETRY_CACHE_DIR/virtualenvs`, else its cache folder's (`~/.cache/pypoetry/virtualenvs`,
 * `~/Library/Caches/pypoetry/virtualenvs`, `%LOCALAPPDATA%\pypoetry\Cache\virtualenvs`). A
 * `virtualenvs.path` set in poetry's config.toml is not read.
 */
export function poetryVirtualenvFolders(host: {
  home: string;
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
}): string[] {
  const sep = host.platform === 'win32' ? '\\' : '/';
  const join = (...parts: string[]): string => parts.join(sep);
  const out: string[] = [];
  const named = envVar(host.env, 'POETRY_VIRTUALENVS_PATH');
  if (named) out.push(named);
  const cache = envVar(host.env, 'POETRY_CACHE_DIR');
  if (cache) out.push(join(cache, 'virtualenvs'));
  else if (host.platform === 'win32')
    out.push(
      join(envVar(host.env, 'LOCALAPPDATA') ?? join(host.home, 'AppData', 'Local'), 'pypoetry', 'Cache', 'virtualenvs'),
    );
  else if (host.platform === 'darwin') out.push(join(host.home, 'Library', 'Caches', 'pypoetry', 'virtualenvs'));
  else out.push(join(envVar(host.env, 'XDG_CACHE_HOME') ?? join(host.home, '.cache'), 'pypoetry', 'virtualenvs'));
  return out;
}

/** The runners that run a command in a project's environment: the launchers a parsed launch names. */
export const PROJECT_ENV_RUNNERS = /^(poetry|pdm|hatch|uv)$/;
