import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostEnv } from '../../../src/core/base/hostEnv';
import { liveFs } from '../../../src/core/machine/liveFs';
import type { FileStat } from '../../../src/core/machine/types';
import { ResolveContext } from '../../../src/core/versions/lookup';
import { makeTempDir } from '../../support/temp';

/** Builders for on-disk layouts that mirror what npm, npx, pnpm, bun, uv, pipx and venvs leave behind. */

export function tempDir(prefix = 'lg-versions-'): string {
  return makeTempDir(prefix);
}

export function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

export function ctxFor(home: string, env: Record<string, string | undefined> = {}): ResolveContext {
  const host: HostEnv = { home, platform: 'linux', env: { PATH: '', ...env } };
  return { host, fs: liveFs };
}

/**
 * A context whose files read an hour older than they are, but for those `fresh` picks: a tree
 * installed long before a process started and partly replaced after it, without waiting for clocks.
 */
export function agedCtx(ctx: ResolveContext, fresh: (file: string) => boolean): ResolveContext {
  const hour = 3_600_000;
  const aged = (file: string, st: FileStat | undefined) =>
    st && !fresh(file) ? { ...st, mtimeMs: st.mtimeMs - hour, ctimeMs: st.ctimeMs - hour } : st;
  return {
    ...ctx,
    fs: {
      ...ctx.fs,
      stat: async (f) => aged(f, await ctx.fs.stat(f)),
      lstat: async (f) => aged(f, await ctx.fs.lstat(f)),
      statSync: undefined,
      lstatSync: undefined,
    },
  };
}

/** An installed npm package with a bin, and optionally the hidden lockfile of its tree. */
export function npmPackage(
  nodeModules: string,
  name: string,
  version: string,
  opts: { bin?: string; deps?: Record<string, string> } = {},
): string {
  const dir = path.join(nodeModules, name);
  write(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name,
      version,
      ...(opts.bin ? { bin: { [opts.bin]: 'dist/index.js' } } : {}),
      ...(opts.deps ? { dependencies: opts.deps } : {}),
    }),
  );
  write(path.join(dir, 'dist', 'package.json'), JSON.stringify({ type: 'module' }));
  write(path.join(dir, 'dist', 'index.js'), '#!/usr/bin/env node\n');
  if (opts.bin) {
    fs.mkdirSync(path.join(nodeModules, '.bin'), { recursive: true });
    const link = path.join(nodeModules, '.bin', opts.bin);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.relative(path.join(nodeModules, '.bin'), path.join(dir, 'dist', 'index.js')), link);
  }
  if (opts.deps) {
    const packages: Record<string, unknown> = {
      '': { name: 'x' },
      [`node_modules/${name}`]: { version, dependencies: opts.deps },
    };
    for (const [n, v] of Object.entries(opts.deps)) packages[`node_modules/${n}`] = { version: v };
    write(path.join(nodeModules, '.package-lock.json'), JSON.stringify({ name: 'x', lockfileVersion: 3, packages }));
  }
  return dir;
}

/** A venv: pyvenv.cfg, bin/python, lib/python3.11/site-packages with the given distributions. */
/** A distribution to lay out: `requires` are written as `Requires-Dist` lines (with their markers) into METADATA. */
export interface DistSpec {
  name: string;
  version: string;
  scripts?: string[];
  topLevel?: string;
  requires?: string[];
}

export function venv(root: string, dists: DistSpec[]): string {
  write(path.join(root, 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.11.7\n');
  write(path.join(root, 'bin', 'python'), '');
  fs.chmodSync(path.join(root, 'bin', 'python'), 0o755);
  const sp = path.join(root, 'lib', 'python3.11', 'site-packages');
  fs.mkdirSync(sp, { recursive: true });
  for (const d of dists) distInfo(sp, d);
  return sp;
}

export function distInfo(sp: string, d: DistSpec): string {
  const dir = path.join(sp, `${d.name.replace(/-/g, '_')}-${d.version}.dist-info`);
  const requires = (d.requires ?? []).map((r) => `Requires-Dist: ${r}\n`).join('');
  write(
    path.join(dir, 'METADATA'),
    `Metadata-Version: 2.1\nName: ${d.name}\nVersion: ${d.version}\n${requires}\nA description: Version: 9.9.9\nRequires-Dist: not-a-header\n`,
  );
  write(path.join(dir, 'RECORD'), `${d.topLevel ?? d.name.replace(/-/g, '_')}/__init__.py,,\n`);
  if (d.scripts)
    write(
      path.join(dir, 'entry_points.txt'),
      `[console_scripts]\n${d.scripts.map((s) => `${s} = ${d.name.replace(/-/g, '_')}:main`).join('\n')}\n`,
    );
  if (d.topLevel) write(path.join(dir, 'top_level.txt'), `${d.topLevel}\n`);
  write(path.join(sp, d.topLevel ?? d.name.replace(/-/g, '_'), '__init__.py'), '');
  return dir;
}

export function removeDist(sp: string, name: string): void {
  for (const e of fs.readdirSync(sp))
    if (e.startsWith(`${name.replace(/-/g, '_')}-`) && e.endsWith('.dist-info'))
      fs.rmSync(path.join(sp, e), { recursive: true });
}

type Deps = {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

/** A package folder with only its package.json (no hidden lockfile): what yarn classic and pnpm leave. */
export function plainPackage(dir: string, name: string, version: string, deps: Deps = {}): string {
  write(path.join(dir, 'package.json'), JSON.stringify({ name, version, ...deps }));
  write(path.join(dir, 'dist', 'index.js'), '#!/usr/bin/env node\n');
  return dir;
}

/**
 * A pnpm tree: each package in `node_modules/.pnpm/<name>@<version>/node_modules/<name>`, its
 * dependencies symlinked beside it, `node_modules/<top>` a symlink into the store, and `.modules.yaml`.
 * `packages` maps `name@version` to its dependencies (`name -> version` of the copy it links).
 */
export function pnpmTree(project: string, top: string[], packages: Record<string, Record<string, string>>): string {
  const nm = path.join(project, 'node_modules');
  const entry = (id: string) => {
    const at = id.lastIndexOf('@');
    const name = id.slice(0, at);
    return {
      name,
      version: id.slice(at + 1),
      dir: path.join(nm, '.pnpm', `${name.replace('/', '+')}@${id.slice(at + 1)}`, 'node_modules', name),
    };
  };
  const link = (target: string, at: string) => {
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(at), target), at);
  };
  for (const [id, deps] of Object.entries(packages)) {
    const e = entry(id);
    plainPackage(e.dir, e.name, e.version, {
      dependencies: Object.fromEntries(Object.entries(deps).map(([n, v]) => [n, `^${v}`])),
    });
    const storeNm = e.dir.slice(
      0,
      e.dir.lastIndexOf(`${path.sep}node_modules${path.sep}`) + `${path.sep}node_modules`.length,
    );
    for (const [n, v] of Object.entries(deps)) link(entry(`${n}@${v}`).dir, path.join(storeNm, n));
  }
  for (const id of top) link(entry(id).dir, path.join(nm, entry(id).name));
  write(path.join(nm, '.modules.yaml'), 'layoutVersion: 5\nnodeLinker: isolated\n');
  return nm;
}
