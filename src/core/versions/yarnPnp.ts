import { pathFor } from '../base/hostEnv';
import { Installed, Running } from '../base/versionTypes';
import type { FileStat } from '../machine/types';
import { changedAt } from './fs';
import { installedNpmPackage, isNpmRelease } from './npmPackages';
import { isRecord, ResolveContext } from './lookup';
import { readZipEntry } from './zipArchive';

/**
 * yarn Plug'n'Play: no node_modules; every package stays in yarn's cache as a zip
 * (`<cache>/<slug>-npm-1.2.3-<hash>.zip`) and Node, through the project's `.pnp.cjs`, runs files
 * inside it (`.../x-npm-1.2.3-<hash>.zip/node_modules/x/dist/index.js`). A process's script there is
 * read inside its archive, and judged against what the project resolves now (its `.pnp.cjs`, or
 * `.pnp.data.json`): `yarn up x@NEW` leaves the old archive in the cache.
 */

/** A path inside an archive: the archive's own path and the path within it (`/` separated). */
export interface InArchive {
  zip: string;
  inner: string;
}

/**
 * Where a path of yarn's virtual folders (`.yarn/__virtual__/<x>-virtual-<hash>/<n>/<rest>`, one per
 * set of peers) really is: `<rest>` from `n` folders above the one holding `__virtual__`.
 */
export function devirtualize(file: string, sep: string): string {
  const parts = file.split(/[\\/]/);
  const i = parts.lastIndexOf('__virtual__');
  const depth = Number(parts[i + 2]);
  if (i < 1 || !Number.isInteger(depth) || depth < 0 || i - depth < 1) return file;
  return [...parts.slice(0, i - depth), ...parts.slice(i + 3)].join(sep);
}

/** The archive a path lies in (the last `*.zip` folder of it), when it does. */
export function inArchive(file: string, sep: string): InArchive | undefined {
  const parts = devirtualize(file, sep).split(/[\\/]/);
  for (let i = parts.length - 2; i >= 1; i--)
    if (parts[i].toLowerCase().endsWith('.zip'))
      return { zip: parts.slice(0, i + 1).join(sep), inner: parts.slice(i + 1).join('/') };
  return undefined;
}

/** The package folder of a path within an archive: `node_modules/@s/n/dist/x.js` -> `node_modules/@s/n`. */
function packageDirWithin(inner: string): string | undefined {
  const parts = inner.split('/');
  const i = parts.lastIndexOf('node_modules');
  if (i < 0 || i + 1 >= parts.length) return undefined;
  const n = parts[i + 1].startsWith('@') ? 3 : 2;
  return parts.length >= i + n ? parts.slice(0, i + n).join('/') : undefined;
}

/** The package.json of the package a path within an archive lies in, with the archive's stat. */
async function archivedJson(
  ctx: ResolveContext,
  at: InArchive,
): Promise<{ json: unknown; dir: string; s: FileStat } | undefined> {
  const dir = packageDirWithin(at.inner);
  const s = await ctx.fs.stat(at.zip);
  if (!dir || s?.kind !== 'file' || !ctx.fs.readBytes) return undefined;
  const bytes = await readZipEntry((pos, len) => ctx.fs.readBytes!(at.zip, pos, len), s.size, `${dir}/package.json`);
  if (!bytes) return undefined;
  try {
    return { json: JSON.parse(bytes.toString('utf8')) as unknown, dir, s };
  } catch {
    return { json: new Error(`${at.zip}: ${dir}/package.json is not valid JSON`), dir, s };
  }
}

/** A package read from a cache archive: its package.json inside it. Undefined when the archive is not there or holds none. */
export async function readArchivedPackage(
  ctx: ResolveContext,
  at: InArchive,
  how: string,
  fromProcess: boolean,
): Promise<Extract<Installed, { state: 'installed' }> | Extract<Installed, { state: 'unknown' }> | undefined> {
  const read = await archivedJson(ctx, at);
  if (!read) return undefined;
  const { json, dir, s } = read;
  if (json instanceof Error) return { state: 'unknown', ecosystem: 'npm', reason: json.message };
  if (!isNpmRelease(json)) return undefined;
  const p = pathFor(ctx.host);
  return installedNpmPackage(json, how, p.join(at.zip, ...dir.split('/')), { changedAt: changedAt(s), fromProcess });
}

/** The package of a script inside a yarn cache archive, read inside the archive; undefined when the path is in none. */
export async function archivedPackageOfScript(
  ctx: ResolveContext,
  script: string,
  fromProcess: boolean,
): Promise<Installed | undefined> {
  const at = inArchive(script, pathFor(ctx.host).sep);
  if (!at) return undefined;
  return readArchivedPackage(ctx, at, `package.json inside yarn's cache archive ${at.zip}`, fromProcess);
}

/** One package of a `.pnp.cjs` registry: its location (relative to the project) and what it depends on. */
interface PnpPackage {
  packageLocation: string;
  packageDependencies: Array<[string, unknown]>;
}

export interface PnpState {
  /** The workspaces: `{name, reference}`. */
  roots: Array<{ name: string; reference: string }>;
  /** name -> reference -> package. */
  packages: Map<string, Map<string, PnpPackage>>;
}

/**
 * The runtime state of a Plug'n'Play project: `.pnp.data.json` as it is, or the JSON `.pnp.cjs`
 * inlines as a string (`const RAW_RUNTIME_STATE = '{...}';`). Undefined when neither.
 */
export function parsePnpState(text: string): PnpState | undefined {
  let json = text.trimStart().startsWith('{') ? text : undefined;
  if (json === undefined) {
    const m = /RAW_RUNTIME_STATE\s*=\s*'((?:[^'\\]|\\[\s\S])*)'/.exec(text);
    if (!m) return undefined;
    json = m[1].replace(/\\\r?\n/g, '\n').replace(/\\([\s\S])/g, '$1');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isRecord(raw) || !Array.isArray(raw.packageRegistryData)) return undefined;
  const packages = new Map<string, Map<string, PnpPackage>>();
  for (const item of raw.packageRegistryData) {
    if (!Array.isArray(item) || !Array.isArray(item[1])) continue;
    const byRef = new Map<string, PnpPackage>();
    for (const pair of item[1]) {
      if (!Array.isArray(pair) || !isRecord(pair[1]) || typeof pair[1].packageLocation !== 'string') continue;
      const deps = Array.isArray(pair[1].packageDependencies) ? pair[1].packageDependencies : [];
      byRef.set(String(pair[0]), {
        packageLocation: pair[1].packageLocation,
        packageDependencies: deps.filter((d): d is [string, unknown] => Array.isArray(d) && typeof d[0] === 'string'),
      });
    }
    packages.set(String(item[0]), byRef);
  }
  const roots = Array.isArray(raw.dependencyTreeRoots)
    ? raw.dependencyTreeRoots.filter(
        (r): r is { name: string; reference: string } =>
          isRecord(r) && typeof r.name === 'string' && typeof r.reference === 'string',
      )
    : [];
  return { roots, packages };
}

/** What a PnP project resolves for `name`: the archive of each release its workspaces depend on, and whether `zip` is any release of it there. */
export function pnpResolves(
  state: PnpState,
  name: string,
  zip: string,
  resolveLocation: (location: string) => string,
  sep: string,
): { direct: InArchive[]; inTree: boolean } {
  const archiveOf = (pkg: PnpPackage | undefined) =>
    pkg ? inArchive(resolveLocation(pkg.packageLocation), sep) : undefined;
  const inTree = [...(state.packages.get(name)?.values() ?? [])].some((pkg) => archiveOf(pkg)?.zip === zip);
  const direct = new Map<string, InArchive>();
  for (const root of state.roots) {
    const ws = state.packages.get(root.name)?.get(root.reference);
    const ref = ws?.packageDependencies.find((d) => d[0] === name)?.[1];
    // An alias (`[otherName, ref]`) or a missing peer (null) is not this package's release.
    const at = typeof ref === 'string' ? archiveOf(state.packages.get(name)?.get(ref)) : undefined;
    if (at) direct.set(at.zip, at);
  }
  return { direct: [...direct.values()], inTree };
}

/** The folder of a PnP project the process belongs to: the nearest with `.pnp.cjs` (or `.pnp.data.json`) at or above its folder. */
async function pnpProjectOf(
  ctx: ResolveContext,
  from: string | undefined,
): Promise<{ root: string; file: string; text: string } | undefined> {
  const p = pathFor(ctx.host);
  let dir = from;
  for (let depth = 0; dir !== undefined && depth < 32; depth++) {
    for (const name of ['.pnp.cjs', '.pnp.data.json']) {
      const file = p.join(dir, name);
      const text = await ctx.fs.readText(file);
      if (text !== undefined) return { root: dir, file, text };
    }
    const up = p.dirname(dir);
    dir = up === dir ? undefined : up;
  }
  return undefined;
}

/**
 * A package the process runs from a yarn cache archive, judged against what its Plug'n'Play project
 * resolves now: undefined when the archive is still the project's (or no project is found), else
 * the release the project installs now (or `missing`), with the release the process runs, which the
 * archive its script lies in names (a cache archive holds one release, and is never rewritten).
 */
export async function pnpProjectNow(
  ctx: ResolveContext,
  own: Extract<Installed, { state: 'installed' }>,
  cwd: string | undefined,
): Promise<{ installed: Installed; running?: Running } | undefined> {
  const p = pathFor(ctx.host);
  const at = inArchive(own.location, p.sep);
  if (own.ecosystem !== 'npm' || !at) return undefined;
  // The process's folder (yarn runs a script in its workspace), else the project whose `.yarn/cache` holds the archive.
  const cacheOwner = p.basename(p.dirname(at.zip)) === 'cache' ? p.dirname(p.dirname(p.dirname(at.zip))) : undefined;
  const project = (await pnpProjectOf(ctx, cwd)) ?? (await pnpProjectOf(ctx, cacheOwner));
  const state = project && parsePnpState(project.text);
  if (!project || !state) return undefined;
  const facts = pnpResolves(state, own.name, at.zip, (loc) => p.resolve(project.root, loc), p.sep);
  if (facts.inTree) return undefined;
  const why = `${project.file} no longer has ${at.zip}, which yarn keeps in its cache`;
  let installed: Installed;
  if (facts.direct.length > 1)
    installed = {
      state: 'unknown',
      ecosystem: 'npm',
      name: own.name,
      reason: `the yarn project ${project.root} depends on ${own.name} from ${facts.direct.map((d) => d.zip).join(' and ')}: which one replaces the release it runs is not known`,
    };
  else {
    const now = facts.direct[0]
      ? await readArchivedPackage(
          ctx,
          facts.direct[0],
          `what the yarn project ${project.root} resolves now: ${facts.direct[0].zip} (${why})`,
          false,
        )
      : undefined;
    installed = now ?? {
      state: 'missing',
      ecosystem: 'npm',
      name: own.name,
      how: `the yarn project ${project.root} no longer installs ${own.name} (${why})`,
      location: own.location,
    };
  }
  const same = installed.state === 'installed' && installed.version === own.version;
  const running: Running = {
    state: 'known',
    version: own.version,
    source: 'launch-pin',
    how: `its command line runs a file inside yarn's cache archive ${p.basename(at.zip)}, which holds ${own.name} ${own.version} alone`,
  };
  return { installed, ...(same ? {} : { running }) };
}

/** yarn's own commands: `yarn <name>` with any other name runs a script or a bin of the project. */
const YARN_COMMANDS = new Set(
  'add bin cache config constraints dedupe dlx exec explain info init install link node npm pack patch patch-commit plugin rebuild remove run search set stage unlink unplug up upgrade-interactive version why workspace workspaces'.split(
    ' ',
  ),
);

/**
 * What `yarn [--cwd DIR] [run] <name>` runs, read from its arguments (those after the yarn program):
 * the bin or script `name`, in DIR. Undefined for yarn's own commands.
 */
export function yarnRunTarget(args: readonly string[]): { bin: string; cwd?: string } | undefined {
  let cwd: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    if (args[i] === '--cwd' && i + 1 < args.length) cwd = args[++i];
    else if (args[i].startsWith('--cwd=')) cwd = args[i].slice('--cwd='.length);
    else break;
  }
  if (args[i] === 'run') i++;
  else if (args[i] === undefined || YARN_COMMANDS.has(args[i])) return undefined;
  const bin = args[i];
  if (bin === undefined || bin.startsWith('-')) return undefined;
  return { bin, ...(cwd !== undefined ? { cwd } : {}) };
}

/** The bins a package.json declares: `bin: "x.js"` is the package's own (unscoped) name. */
function binNames(json: Record<string, unknown>): string[] {
  if (typeof json.bin === 'string' && typeof json.name === 'string') return [json.name.replace(/^@[^/]+\//, '')];
  return isRecord(json.bin) ? Object.keys(json.bin) : [];
}

/**
 * The package whose bin `yarn run <bin>` runs in a Plug'n'Play project at or above `dir`: among
 * what the project's workspaces depend on, read inside the cache archives. Undefined when the
 * folder is in no PnP project or no dependency has that bin (a package.json script, say).
 */
export async function pnpBinPackage(ctx: ResolveContext, dir: string, bin: string): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  const project = await pnpProjectOf(ctx, dir);
  const state = project && parsePnpState(project.text);
  if (!project || !state) return undefined;
  for (const root of state.roots) {
    for (const [name, ref] of state.packages.get(root.name)?.get(root.reference)?.packageDependencies ?? []) {
      const pkg = typeof ref === 'string' ? state.packages.get(name)?.get(ref) : undefined;
      const at = pkg && inArchive(p.resolve(project.root, pkg.packageLocation), p.sep);
      const read = at && (await archivedJson(ctx, at));
      if (!at || !read || !isRecord(read.json) || !binNames(read.json).includes(bin)) continue;
      return readArchivedPackage(
        ctx,
        at,
        `the bin ${bin} of the yarn project ${project.root} (${project.file}): ${at.zip}`,
        false,
      );
    }
  }
  return undefined;
}
