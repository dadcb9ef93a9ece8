import { pathFor } from '../base/hostEnv';
import type { Installed } from '../base/versionTypes';
import { ResolveContext } from './lookup';
import {
  bunxCopies,
  denoCacheCopies,
  globalPackageDir,
  localProjectPackage,
  npmGlobalPrefix,
  npxCacheCopies,
  readNpmPackage,
} from './npmPackages';
import {
  envCacheCopies,
  normalizeName,
  pipxHomes,
  readPythonPackage,
  uvToolDir,
  uvxCacheRoots,
  venvSitePackages,
} from './python';

/**
 * Every copy of one package on this disk, wherever a launch might find it: npm's global prefix,
 * a project's `node_modules` (the one npx and a project's bin prefer over the global one), npx's
 * cache, bunx's folders in bun's install cache, deno's npm cache, a `uv tool`, uvx's cached
 * environments, a pipx venv, `pipx run`'s cache, a project's `.venv`. Reads files only (`mcp-lifeguard doctor` and Show Versions: why a server runs what it runs).
 */

/** Where a copy lives, by the installer or runner that put it there. */
export type CopyPlace =
  | 'npm-global'
  | 'npm-project'
  | 'npx-cache'
  | 'bunx-cache'
  | 'deno-cache'
  | 'uv-tool'
  | 'uvx-cache'
  | 'pipx'
  | 'pipx-run-cache'
  | 'venv';

export interface PackageCopy {
  place: CopyPlace;
  version: string;
  /** The package's own folder (npm) or dist-info (Python). */
  location: string;
  /** In words, as the resolvers say it: "npm global prefix /usr/local", "uv tool ~/.local/share/uv/tools/x". */
  how: string;
  /** ms since the epoch: the newest change among its files. */
  changedAt?: number;
}

export interface PackageRef {
  ecosystem: 'npm' | 'python';
  name: string;
}

/** The words each resolver starts its `how` with, for the place it read. */
const HOW_PLACES: ReadonlyArray<readonly [string, CopyPlace]> = [
  ['npm global prefix ', 'npm-global'],
  ['local node_modules of ', 'npm-project'],
  ['npx cache ', 'npx-cache'],
  ['bunx cache ', 'bunx-cache'],
  ['deno npm cache ', 'deno-cache'],
  ['uv tool ', 'uv-tool'],
  ['uvx environment ', 'uvx-cache'],
  ['pipx venv ', 'pipx'],
  ['pipx run environment ', 'pipx-run-cache'],
];

/**
 * Where an installed package lives: by the words of the resolver that read it, else by its path
 * (a package found from a script: "package.json above ..."), as the install planner reads paths.
 */
export function placeOf(installed: { how: string; location: string }): CopyPlace {
  const said = HOW_PLACES.find(([words]) => installed.how.startsWith(words));
  if (said) return said[1];
  const l = installed.location.replace(/\\/g, '/');
  if (l.includes('/_npx/')) return 'npx-cache';
  if (/\/lib\/node_modules\//.test(l) || /\/npm\/node_modules\//.test(l)) return 'npm-global';
  if (l.includes('/node_modules/')) return 'npm-project';
  if (/\/uv\/tools\/[^/]+\//.test(l)) return 'uv-tool';
  if (/\/uv\/(archive|environments)-v\d+\//.test(l)) return 'uvx-cache';
  if (/\/pipx\/venvs\/[^/]+\//.test(l)) return 'pipx';
  if (/\/pipx\/\.cache\//.test(l)) return 'pipx-run-cache';
  return 'venv';
}

/**
 * A copy placed by its folder as a global prefix's (`.../lib/node_modules/`) whose folder above
 * `node_modules` holds a package.json is a project's: a project can sit in a folder named `lib` (a
 * global prefix's `lib` has no package.json of its own).
 */
export async function copyOnDisk(ctx: ResolveContext, installed: Installed): Promise<PackageCopy | undefined> {
  const copy = copyOf(installed);
  if (copy?.place !== 'npm-global' || HOW_PLACES.some(([words]) => copy.how.startsWith(words))) return copy;
  const p = pathFor(ctx.host);
  const parts = copy.location.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at <= 0) return copy;
  const owner = parts.slice(0, at).join(p.sep) || p.sep;
  const manifest = await ctx.fs.stat(p.join(owner, 'package.json'));
  return manifest?.kind === 'file' ? { ...copy, place: 'npm-project' } : copy;
}

/** An installed package read by a resolver, as a copy. */
export function copyOf(installed: Installed): PackageCopy | undefined {
  if (installed.state !== 'installed') return undefined;
  return {
    place: placeOf(installed),
    version: installed.version,
    location: installed.location,
    how: installed.how,
    ...(installed.changedAt !== undefined ? { changedAt: installed.changedAt } : {}),
  };
}

/**
 * The copies of `pkg` on disk. `folders`: the folders whose projects count (workspace folders,
 * entries' working directories), each read as npm exec reads it (up to the nearest package.json)
 * and, for Python, its `.venv`.
 */
export async function copiesOf(
  ctx: ResolveContext,
  pkg: PackageRef,
  folders: readonly string[],
): Promise<PackageCopy[]> {
  const p = pathFor(ctx.host);
  const found: Installed[] = [];
  if (pkg.ecosystem === 'npm') {
    const prefix = await npmGlobalPrefix(ctx);
    if (prefix) {
      const global = await readNpmPackage(ctx, globalPackageDir(ctx, prefix, pkg.name), `npm global prefix ${prefix}`);
      if (global) found.push(global);
    }
    for (const folder of folders) {
      const local = await localProjectPackage(ctx, folder, pkg.name);
      if (local) found.push(local);
    }
    found.push(...(await npxCacheCopies(ctx, pkg.name)).map((c) => c.pkg));
    found.push(...(await bunxCopies(ctx, pkg.name)), ...(await denoCacheCopies(ctx, pkg.name)));
  } else {
    const name = normalizeName(pkg.name);
    const tool = p.join(uvToolDir(ctx), pkg.name);
    const venvs = [
      { venv: tool, how: `uv tool ${tool}` },
      ...(await pipxHomes(ctx)).map((h) => ({
        venv: p.join(h, 'venvs', pkg.name),
        how: `pipx venv ${p.join(h, 'venvs', pkg.name)}`,
      })),
      ...folders.map((f) => ({ venv: p.join(f, '.venv'), how: `venv ${p.join(f, '.venv')}` })),
    ];
    for (const v of venvs) {
      const sp = await venvSitePackages(ctx, v.venv);
      const read = sp ? await readPythonPackage(ctx, { dir: sp, how: v.how }, { hint: name }) : undefined;
      if (read?.state === 'installed') found.push(read);
    }
    found.push(...(await envCacheCopies(ctx, uvxCacheRoots(ctx), pkg.name, 'uvx environment')));
    found.push(
      ...(await envCacheCopies(
        ctx,
        (await pipxHomes(ctx)).map((h) => p.join(h, '.cache')),
        pkg.name,
        'pipx run environment',
      )),
    );
  }
  return mergeCopies(found.map(copyOf).filter((c): c is PackageCopy => c !== undefined));
}

/** One copy per location, the first reading kept (the copies a snapshot's launches resolved to join those found here). */
export function mergeCopies(copies: readonly PackageCopy[]): PackageCopy[] {
  const seen = new Map<string, PackageCopy>();
  for (const c of copies) if (!seen.has(c.location)) seen.set(c.location, c);
  return [...seen.values()];
}
