import type { HostEnv } from '../base/hostEnv';
import { pathFor } from '../base/hostEnv';
import { envVar } from './which';

/**
 * Where this user's package runners keep what they fetch and run: npx's cache (`<cache>/_npx/<hash>`),
 * uv's cache and tool folder, pipx's home (`.cache/<hash>` for `pipx run`, `venvs/` for installs),
 * bun's install cache (`.bunx-<uid>/<spec>` for `bunx`), pnpm's cache (`dlx/<hash>/` for `pnpm dlx`).
 * A process that runs a package from another cache runs another user's or home's copy: it is not an
 * entry's of this user. Derived from the injected home, platform and environment, as every path is.
 */
export interface RunnerHomes {
  npmCaches: string[];
  uv: string[];
  pipx: string[];
  bun: string[];
  /** pnpm's cache folder, where `pnpm dlx` installs each package it runs (`<cache>/dlx/<hash>/<id>/node_modules`). */
  pnpm: string[];
  /**
   * npm's global prefix on Windows, where `npm i -g` writes each bin as cmd-shim's three shims
   * (`<prefix>\<bin>.cmd`, `.ps1` and the sh form) beside the prefix's `node_modules`: the moved
   * prefix (`npm_config_prefix`, `.npmrc`'s `prefix=`) and the default `%APPDATA%\npm`. Empty
   * elsewhere: there a global bin is a link in `<prefix>/bin`.
   */
  npmShimFolders: string[];
}

/** An environment value as the OS reads it (case-insensitive on Windows), empty as absent. */
const value = (host: HostEnv, name: string): string | undefined => {
  const v = envVar(host.env, name);
  return v !== undefined && v !== '' ? v : undefined;
};

/** `cache=` or `prefix=` of an npmrc's text (npm's ini: `key = value`, `;`/`#` comments). */
export function npmrcFolder(text: string | undefined, key: 'cache' | 'prefix'): string | undefined {
  for (const line of (text ?? '').split(/\r?\n/)) {
    const m = /^\s*(\w+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[1] === key && m[2] !== '') return m[2].replace(/^["']|["']$/g, '');
  }
  return undefined;
}

/** uv's cache folder: `UV_CACHE_DIR`, then `$XDG_CACHE_HOME/uv` / `~/.cache/uv` (`%LOCALAPPDATA%\\uv\\cache`). */
export function uvCacheFolder(host: HostEnv): string {
  const p = pathFor(host);
  const env = value(host, 'UV_CACHE_DIR');
  if (env) return p.resolve(env);
  if (host.platform === 'win32')
    return p.join(value(host, 'LOCALAPPDATA') ?? p.join(host.home, 'AppData', 'Local'), 'uv', 'cache');
  return p.join(value(host, 'XDG_CACHE_HOME') ?? p.join(host.home, '.cache'), 'uv');
}

/** uv's tool folder (`uv tool install`): `UV_TOOL_DIR`, then `$XDG_DATA_HOME/uv/tools` / `~/.local/share/uv/tools` (`%APPDATA%\\uv\\data\\tools`). */
export function uvToolFolder(host: HostEnv): string {
  const p = pathFor(host);
  const env = value(host, 'UV_TOOL_DIR');
  if (env) return p.resolve(env);
  if (host.platform === 'win32')
    return p.join(value(host, 'APPDATA') ?? p.join(host.home, 'AppData', 'Roaming'), 'uv', 'data', 'tools');
  return p.join(value(host, 'XDG_DATA_HOME') ?? p.join(host.home, '.local', 'share'), 'uv', 'tools');
}

/** bun's install cache (what `bun add` links from, `bunx`'s `.bunx-<uid>/` installs): `BUN_INSTALL_CACHE_DIR`, then `$BUN_INSTALL/install/cache`, then `~/.bun/install/cache`. */
export function bunInstallCacheFolder(host: HostEnv): string {
  const p = pathFor(host);
  const env = value(host, 'BUN_INSTALL_CACHE_DIR');
  if (env) return p.resolve(env);
  const install = value(host, 'BUN_INSTALL');
  return install ? p.join(p.resolve(install), 'install', 'cache') : p.join(host.home, '.bun', 'install', 'cache');
}

/** pnpm's cache folder: `npm_config_cache_dir` (`cache-dir`), then `$XDG_CACHE_HOME/pnpm` / `~/.cache/pnpm` (`~/Library/Caches/pnpm`, `%LOCALAPPDATA%\\pnpm-cache`). */
export function pnpmCacheFolder(host: HostEnv): string {
  const p = pathFor(host);
  const env = value(host, 'npm_config_cache_dir');
  if (env) return p.resolve(env);
  if (host.platform === 'win32')
    return p.join(value(host, 'LOCALAPPDATA') ?? p.join(host.home, 'AppData', 'Local'), 'pnpm-cache');
  if (host.platform === 'darwin') return p.join(host.home, 'Library', 'Caches', 'pnpm');
  return p.join(value(host, 'XDG_CACHE_HOME') ?? p.join(host.home, '.cache'), 'pnpm');
}

/**
 * deno's own folder (`DENO_DIR`), where `deno run npm:pkg` keeps packages under `npm/<registry host>/<name>/<version>`:
 * `DENO_DIR`, else `$XDG_CACHE_HOME/deno` / `~/.cache/deno` (`~/Library/Caches/deno`, `%LOCALAPPDATA%\\deno`).
 */
export function denoDirFolder(host: HostEnv): string {
  const p = pathFor(host);
  const env = value(host, 'DENO_DIR');
  if (env) return p.resolve(env);
  if (host.platform === 'win32')
    return p.join(value(host, 'LOCALAPPDATA') ?? p.join(host.home, 'AppData', 'Local'), 'deno');
  if (host.platform === 'darwin') return p.join(host.home, 'Library', 'Caches', 'deno');
  return p.join(value(host, 'XDG_CACHE_HOME') ?? p.join(host.home, '.cache'), 'deno');
}

/** pipx's home: `PIPX_HOME`, else `~/.local/share/pipx`, else the older `~/.local/pipx`. */
export function pipxHomeFolders(host: HostEnv): string[] {
  const p = pathFor(host);
  const env = value(host, 'PIPX_HOME');
  if (env) return [p.resolve(env)];
  return [
    p.join(value(host, 'XDG_DATA_HOME') ?? p.join(host.home, '.local', 'share'), 'pipx'),
    p.join(host.home, '.local', 'pipx'),
  ];
}

/**
 * The folders of this host's runners. `npmrc` is the text of the user's .npmrc when it could be
 * read: its `cache=` moves npx's cache as `npm_config_cache` does.
 */
export function runnerHomes(host: HostEnv, npmrc?: string): RunnerHomes {
  const p = pathFor(host);
  const localAppData = value(host, 'LOCALAPPDATA') ?? p.join(host.home, 'AppData', 'Local');
  const npmDefault = host.platform === 'win32' ? p.join(localAppData, 'npm-cache') : p.join(host.home, '.npm');
  const npmSet = value(host, 'npm_config_cache') ?? npmrcFolder(npmrc, 'cache');
  const home = (folder: string) => p.resolve(folder.replace(/^~(?=$|[\\/])/, host.home));
  const prefixSet = value(host, 'npm_config_prefix') ?? npmrcFolder(npmrc, 'prefix');
  const roaming = value(host, 'APPDATA') ?? p.join(host.home, 'AppData', 'Roaming');
  return {
    npmCaches: [...new Set([...(npmSet !== undefined ? [home(npmSet)] : []), npmDefault])],
    uv: [uvCacheFolder(host), uvToolFolder(host)],
    pipx: pipxHomeFolders(host),
    bun: [bunInstallCacheFolder(host)],
    pnpm: [pnpmCacheFolder(host)],
    npmShimFolders:
      host.platform === 'win32'
        ? [...new Set([...(prefixSet !== undefined ? [home(prefixSet)] : []), p.join(roaming, 'npm')])]
        : [],
  };
}

/**
 * The runner folder a path lies in, by its shape: `<root>/_npx/`, `<root>/archive-v0/` (uv), `<root>/.cache/<hash>/`
 * or `venvs/` (pipx), `<root>/tools/` (uv), `<root>/.bunx-<uid>/` (bunx), `<root>/dlx/<hash>/<id>/node_modules/`
 * (pnpm dlx), `<temp>/xfs-<hex>/dlx-<pid>/` (yarn dlx: a project yarn makes for the run, whose root is that folder).
 */
export function runnerFolderOf(
  file: string,
): { kind: 'npx' | 'uv' | 'pipx' | 'bunx' | 'pnpm' | 'yarn-dlx'; root: string } | undefined {
  const f = file.replace(/\\/g, '/');
  const npx = /^(.*)\/_npx\/[^/]+\/node_modules\//.exec(f);
  if (npx) return { kind: 'npx', root: npx[1] };
  const bunx = /^(.*)\/\.bunx-[^/]+\/.+\/node_modules\//.exec(f);
  if (bunx) return { kind: 'bunx', root: bunx[1] };
  const pnpmDlx = /^(.*)\/dlx\/[^/]+\/[^/]+\/node_modules\//.exec(f);
  if (pnpmDlx) return { kind: 'pnpm', root: pnpmDlx[1] };
  const yarnDlx = /^(.*\/xfs-[0-9a-f]+\/dlx-\d+)\//.exec(f);
  if (yarnDlx) return { kind: 'yarn-dlx', root: yarnDlx[1] };
  const uv = /^(.*)\/(?:archive-v0|environments-v\d+|builds-v\d+)\/[^/]+\//.exec(f);
  if (uv) return { kind: 'uv', root: uv[1] };
  const uvTool = /^(.*\/uv\/(?:data\/)?tools)\/[^/]+\//.exec(f);
  if (uvTool) return { kind: 'uv', root: uvTool[1] };
  const pipx = /^(.*\/pipx)\/(?:\.cache|venvs)\/[^/]+\//.exec(f);
  if (pipx) return { kind: 'pipx', root: pipx[1] };
  return undefined;
}
