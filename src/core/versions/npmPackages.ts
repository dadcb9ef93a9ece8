// Each function from its own module: the package's index loads all of semver.
import semverSatisfies from 'semver/functions/satisfies';
import semverValidRange from 'semver/ranges/valid';
import semverRcompare from 'semver/functions/rcompare';
import semverValid from 'semver/functions/valid';
import { pathFor } from '../base/hostEnv';
import { changedAt, changedAtOf } from './fs';
import { parseLaunch } from '../launch/parse';
import type { ParsedLaunch } from '../launch/types';
import { devMembersOf } from './devSource';
import { treeEnvironment } from './nodeTree';
import { bunInstallCacheFolder, denoDirFolder } from '../launch/runnerHomes';
import { isShimLocation, MAX_SHIM_BYTES, parseBinShim } from '../launch/binShim';
import { envValue, isRecord, LaunchSpec, parseIni, readJson, ResolveContext, whichCommand } from './lookup';
import { ancestors } from './ancestors';
import { DevMember, EnvironmentFingerprint, Installed, Running } from '../base/versionTypes';

/**
 * npm-family resolution: which package a launch runs and what version of it is on disk now, with
 * the environment fingerprint of the tree it was installed into. Reads files only; never runs npm.
 */

export { parsePackageSpec } from '../launch/spec';

/** Whether an installed version is acceptable for a requested range (a dist-tag such as "latest" accepts any). */
export function satisfies(version: string, range: string | undefined): boolean {
  if (!range || semverValidRange(range) === null) return true;
  return semverSatisfies(version, range, { includePrerelease: true });
}

/** The npm-family runners whose caches are read here; deno for its `npm:` specifiers. */
export type NpmRunner = 'npx' | 'pnpm-dlx' | 'bunx' | 'deno';

export interface NpmRunnerLaunch {
  runner: NpmRunner;
  /** The spec as written: `@modelcontextprotocol/server-memory@2026.7.4`. */
  spec: string;
  name: string;
  range?: string;
}

/** Recognises `npx [-y] spec`, `npm exec|x [--] spec`, `pnpm dlx spec`, `pnpx spec`, `bunx spec`, `bun x spec`, `deno run npm:spec` (through wrappers too). */
export function parseNpmRunner(
  launch: LaunchSpec,
  { target }: ParsedLaunch = parseLaunch([launch.command, ...launch.args]),
): NpmRunnerLaunch | undefined {
  // yarn dlx keeps no cache this resolver reads: left to the executable reading, as before.
  if (
    target.kind !== 'package' ||
    (target.runner !== 'npx' && target.runner !== 'pnpm-dlx' && target.runner !== 'bunx' && target.runner !== 'deno')
  )
    return undefined;
  return {
    runner: target.runner,
    spec: target.spec,
    name: target.name,
    ...(target.version !== undefined ? { range: target.version } : {}),
  };
}

/**
 * What a `deno run npm:pkg@1.2.3` process runs, from its own command line: exactly the release its
 * specifier pins (deno resolves an exact version to that release alone, kept in a folder of its own
 * that is written once), whatever the entry says now. Undefined for any other process, or a range.
 */
export function denoPinnedRelease(argv: readonly string[]): Running | undefined {
  const { target } = parseLaunch(argv);
  if (target.kind !== 'package' || target.runner !== 'deno' || target.version === undefined) return undefined;
  if (semverValid(target.version) !== target.version) return undefined;
  return {
    state: 'known',
    version: target.version,
    source: 'launch-pin',
    how: `its command line runs npm:${target.name}@${target.version}, a release deno runs exactly`,
  };
}

/** The npm cache folder: `npm_config_cache`, then `cache=` in the user's .npmrc, then npm's default. */
export async function npmCacheDir(ctx: ResolveContext): Promise<string> {
  const p = pathFor(ctx.host);
  const set = await npmFolderSetting(ctx, 'cache');
  if (set) return set;
  if (ctx.host.platform === 'win32')
    return p.join(envValue(ctx.host, 'LOCALAPPDATA') ?? p.join(ctx.host.home, 'AppData', 'Local'), 'npm-cache');
  return p.join(ctx.host.home, '.npm');
}

/** A folder npm is told of: `npm_config_<key>`, then `<key>=` in the user's .npmrc (`~` its home). */
async function npmFolderSetting(ctx: ResolveContext, key: 'cache' | 'prefix'): Promise<string | undefined> {
  const p = pathFor(ctx.host);
  const fromEnv = envValue(ctx.host, `npm_config_${key}`);
  if (fromEnv) return p.resolve(fromEnv);
  const fromRc = (await userNpmrc(ctx)).get(key);
  return fromRc ? p.resolve(fromRc.replace(/^~(?=$|[\\/])/, ctx.host.home)) : undefined;
}

/** Keys of the user's .npmrc (`npm_config_userconfig` respected). */
export async function userNpmrc(ctx: ResolveContext): Promise<Map<string, string>> {
  const p = pathFor(ctx.host);
  const file = envValue(ctx.host, 'npm_config_userconfig') ?? p.join(ctx.host.home, '.npmrc');
  const text = await ctx.fs.readText(file);
  return text === undefined ? new Map() : (parseIni(text).get('') ?? new Map());
}

/**
 * npm's global prefix: `npm_config_prefix`, `prefix=` in .npmrc, else the install the `node` on
 * PATH belongs to (`<prefix>/bin/node`), as npm itself defaults to.
 */
export async function npmGlobalPrefix(ctx: ResolveContext): Promise<string | undefined> {
  const p = pathFor(ctx.host);
  const set = await npmFolderSetting(ctx, 'prefix');
  if (set) return set;
  if (ctx.host.platform === 'win32')
    return p.join(envValue(ctx.host, 'APPDATA') ?? p.join(ctx.host.home, 'AppData', 'Roaming'), 'npm');
  const node = await whichCommand('node', ctx);
  if (!node) return undefined;
  const real = (await ctx.fs.realpath(node)) ?? node;
  return p.dirname(p.dirname(real));
}

export function globalPackageDir(ctx: ResolveContext, prefix: string, name: string): string {
  const p = pathFor(ctx.host);
  return ctx.host.platform === 'win32'
    ? p.join(prefix, 'node_modules', name)
    : p.join(prefix, 'lib', 'node_modules', name);
}

/** A server name as the MCP Registry writes them: a reverse-DNS namespace, one slash, a name. */
export function isMcpName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 200 && /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/.test(name);
}

/** Reads an installed package's directory: its package.json, and the tree it sits in. */
export async function readNpmPackage(
  ctx: ResolveContext,
  pkgDir: string,
  how: string,
  fromProcess = false,
): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  const file = p.join(pkgDir, 'package.json');
  const json = await readJson(ctx.fs, file);
  if (json === undefined) return undefined;
  if (json instanceof Error) return { state: 'unknown', reason: json.message, ecosystem: 'npm' };
  if (!isNpmRelease(json)) {
    return { state: 'unknown', reason: `${file} has no name or version`, ecosystem: 'npm' };
  }
  const tree = await treeEnvironment(ctx, pkgDir, json);
  // Linked members (workspace packages) are code under development: their own files count too.
  const dev = await devMembersOf(
    ctx,
    (tree.linked ?? []).map((m) => ({ name: m.name, version: m.version, ecosystem: 'npm' as const, location: m.dir })),
  );
  return installedNpmPackage(json, how, pkgDir, {
    environment: tree.environment,
    changedAt: changedAtOf([changedAt(await ctx.fs.stat(file)), tree.changed, dev.changedAt]).changedAt,
    fromProcess,
    devMembers: dev.members,
  });
}

/** A package.json that names a release: a name and a version. */
export function isNpmRelease(json: unknown): json is NpmRelease {
  return isRecord(json) && typeof json.name === 'string' && typeof json.version === 'string';
}

type NpmRelease = Record<string, unknown> & { name: string; version: string };

/** An installed npm package as its package.json (one with a name and a version) and where it was read tell it. */
export function installedNpmPackage(
  json: NpmRelease,
  how: string,
  location: string,
  read: {
    environment?: EnvironmentFingerprint;
    changedAt?: number;
    fromProcess: boolean;
    devMembers?: DevMember[];
  },
): Extract<Installed, { state: 'installed' }> {
  return {
    state: 'installed',
    ecosystem: 'npm',
    name: json.name,
    version: json.version,
    how,
    location,
    ...(read.environment ? { environment: read.environment } : {}),
    ...(read.changedAt !== undefined ? { changedAt: read.changedAt } : {}),
    ...(read.fromProcess ? { fromProcess: true } : {}),
    ...(read.devMembers?.length ? { devMembers: read.devMembers } : {}),
    ...(isMcpName(json.mcpName) ? { mcpName: json.mcpName } : {}),
  };
}

/** Whether a file is where package managers write shims: a `.bin` folder, npm's Windows shims (launch/binShim.ts). */
export async function inShimFolder(ctx: ResolveContext, file: string): Promise<boolean> {
  const prefix = ctx.host.platform === 'win32' ? await npmGlobalPrefix(ctx) : undefined;
  return isShimLocation(file, prefix !== undefined ? [prefix] : []);
}

/**
 * The script a bin shim (a script, not a link) runs, resolved against the shim's folder: a shim of a
 * `node_modules/.bin` folder, or one of npm's global prefix on Windows (`<prefix>\x.cmd`, `.ps1`, sh
 * `x` run `<prefix>\node_modules\<pkg>\...`), followed only into that prefix's node_modules.
 */
async function shimTarget(ctx: ResolveContext, real: string): Promise<string | undefined> {
  const p = pathFor(ctx.host);
  const inBin = p.basename(p.dirname(real)) === '.bin';
  if (!(await inShimFolder(ctx, real))) return undefined;
  const s = await ctx.fs.stat(real);
  if (s?.kind !== 'file' || s.size > MAX_SHIM_BYTES) return undefined;
  const rel = parseBinShim((await ctx.fs.readText(real)) ?? '');
  // A shim pointing into another `.bin` would loop: only a target outside it is followed.
  const target = rel === undefined ? undefined : p.resolve(p.dirname(real), ...rel.split('/'));
  if (!target || p.basename(p.dirname(target)) === '.bin') return undefined;
  return inBin || target.startsWith(p.join(p.dirname(real), 'node_modules') + p.sep) ? target : undefined;
}

/**
 * The package that owns a script file (a bin's target, `dist/index.js`): the nearest package.json
 * above it with a name and a version, not past the node_modules folder it is installed in.
 */
export async function npmPackageOfScript(
  ctx: ResolveContext,
  file: string,
  fromProcess: boolean,
): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  const real = await ctx.fs.realpath(file);
  if (!real) return undefined;
  const shimmed = await shimTarget(ctx, real);
  if (shimmed) return npmPackageOfScript(ctx, shimmed, fromProcess);
  let dir = p.dirname(real);
  for (let depth = 0; depth < 12; depth++) {
    const json = await readJson(ctx.fs, p.join(dir, 'package.json'));
    // A package.json with only {"type": "module"} (common under dist/) is not the package.
    if (isRecord(json) && typeof json.name === 'string' && typeof json.version === 'string') {
      return readNpmPackage(ctx, dir, `package.json above ${real}`, fromProcess);
    }
    const up = p.dirname(dir);
    if (up === dir || p.basename(dir) === 'node_modules') return undefined;
    dir = up;
  }
  return undefined;
}

/** Newest first: the most recently written candidate is the one a runner used last. */
function newest(found: Installed[]): Installed | undefined {
  return [...found].sort((a, b) =>
    b.state === 'installed' && a.state === 'installed' ? (b.changedAt ?? 0) - (a.changedAt ?? 0) : 0,
  )[0];
}

/** Every copy of a package in npx's cache (`<cache>/_npx/<hash>/node_modules/<name>`), with the specs that folder was fetched for. */
export async function npxCacheCopies(
  ctx: ResolveContext,
  name: string,
): Promise<Array<{ pkg: Extract<Installed, { state: 'installed' }>; specs: unknown[] }>> {
  const p = pathFor(ctx.host);
  const root = p.join(await npmCacheDir(ctx), '_npx');
  const out: Array<{ pkg: Extract<Installed, { state: 'installed' }>; specs: unknown[] }> = [];
  for (const d of (await ctx.fs.readdir(root)) ?? []) {
    const dir = p.join(root, d);
    const manifest = await readJson(ctx.fs, p.join(dir, 'package.json'));
    const specs =
      isRecord(manifest) && isRecord(manifest._npx) && Array.isArray(manifest._npx.packages)
        ? manifest._npx.packages
        : [];
    const pkg = await readNpmPackage(ctx, p.join(dir, 'node_modules', name), `npx cache ${dir}`);
    if (pkg?.state === 'installed') out.push({ pkg, specs });
  }
  return out;
}

/** The npx cache folder that holds a spec: the one whose `_npx.packages` names it exactly, else one whose version satisfies it. */
async function fromNpxCache(ctx: ResolveContext, r: NpmRunnerLaunch): Promise<Installed | undefined> {
  const exact: Installed[] = [];
  const loose: Installed[] = [];
  for (const { pkg, specs } of await npxCacheCopies(ctx, r.name)) {
    if (specs.includes(r.spec)) exact.push(pkg);
    else if (satisfies(pkg.version, r.range)) loose.push(pkg);
  }
  return newest(exact) ?? newest(loose);
}

/** pnpm's dlx cache: `<cache>/dlx/<hash>/<stamp>/node_modules/<name>`. */
async function fromPnpmDlx(ctx: ResolveContext, r: NpmRunnerLaunch): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  const env = ctx.host.env;
  const base =
    envValue(ctx.host, 'XDG_CACHE_HOME') ??
    (ctx.host.platform === 'darwin'
      ? p.join(ctx.host.home, 'Library', 'Caches')
      : ctx.host.platform === 'win32'
        ? (env.LOCALAPPDATA ?? p.join(ctx.host.home, 'AppData', 'Local'))
        : p.join(ctx.host.home, '.cache'));
  const root = p.join(base, ctx.host.platform === 'win32' ? 'pnpm-cache' : 'pnpm', 'dlx');
  const found: Installed[] = [];
  for (const h of (await ctx.fs.readdir(root)) ?? []) {
    for (const stamp of (await ctx.fs.readdir(p.join(root, h))) ?? []) {
      if (stamp === 'pkg') continue;
      const pkg = await readNpmPackage(
        ctx,
        p.join(root, h, stamp, 'node_modules', r.name),
        `pnpm dlx cache ${p.join(root, h, stamp)}`,
      );
      if (pkg?.state === 'installed' && satisfies(pkg.version, r.range)) found.push(pkg);
    }
  }
  return newest(found);
}

/**
 * bunx installs into its own folder per spec: `<tmp>/bunx-<uid>-<spec>/node_modules/<name>` (bun 1.1),
 * `<install cache>/.bunx-<uid>/<spec>/node_modules/<name>` (bun 1.2 and later, a scoped spec in its
 * scope's folder). Every copy of `name` there.
 */
export async function bunxCopies(
  ctx: ResolveContext,
  name: string,
): Promise<Array<Extract<Installed, { state: 'installed' }>>> {
  const p = pathFor(ctx.host);
  const tmp =
    envValue(ctx.host, 'TMPDIR') ??
    (ctx.host.platform === 'win32'
      ? (envValue(ctx.host, 'TEMP') ?? p.join(ctx.host.home, 'AppData', 'Local', 'Temp'))
      : '/tmp');
  // The folder names encode the spec in ways that vary by bun version: trust only what is inside them.
  const folders: string[] = [];
  for (const d of (await ctx.fs.readdir(tmp)) ?? []) if (d.startsWith('bunx-')) folders.push(p.join(tmp, d));
  const cache = bunInstallCacheFolder(ctx.host);
  for (const d of (await ctx.fs.readdir(cache)) ?? []) {
    if (!d.startsWith('.bunx-')) continue;
    for (const e of (await ctx.fs.readdir(p.join(cache, d))) ?? []) {
      if (!e.startsWith('@')) folders.push(p.join(cache, d, e));
      else for (const f of (await ctx.fs.readdir(p.join(cache, d, e))) ?? []) folders.push(p.join(cache, d, e, f));
    }
  }
  const found: Array<Extract<Installed, { state: 'installed' }>> = [];
  for (const dir of folders) {
    const pkg = await readNpmPackage(ctx, p.join(dir, 'node_modules', name), `bunx cache ${dir}`);
    if (pkg?.state === 'installed') found.push(pkg);
  }
  return found;
}

/** The copy `bunx spec` runs: the newest bunx folder whose version satisfies the spec. */
async function fromBunx(ctx: ResolveContext, r: NpmRunnerLaunch): Promise<Installed | undefined> {
  return newest((await bunxCopies(ctx, r.name)).filter((pkg) => satisfies(pkg.version, r.range)));
}

/** Every release of `name` in deno's npm cache: `<DENO_DIR>/npm/<registry host>/<name>/<version>`. */
export async function denoCacheCopies(
  ctx: ResolveContext,
  name: string,
): Promise<Array<Extract<Installed, { state: 'installed' }>>> {
  const p = pathFor(ctx.host);
  const root = p.join(denoDirFolder(ctx.host), 'npm');
  const found: Array<Extract<Installed, { state: 'installed' }>> = [];
  for (const registry of (await ctx.fs.readdir(root)) ?? []) {
    const dir = p.join(root, registry, ...name.split('/'));
    for (const version of (await ctx.fs.readdir(dir)) ?? []) {
      if (semverValid(version) === null) continue;
      const pkg = await readNpmPackage(ctx, p.join(dir, version), `deno npm cache ${p.join(root, registry)}`);
      if (pkg?.state === 'installed' && pkg.version === version) found.push(pkg);
    }
  }
  return found;
}

/**
 * What `deno run npm:spec` runs: a project's `node_modules` when deno uses one (a package.json at or
 * above the folder), else deno's npm cache, `<DENO_DIR>/npm/<registry host>/<name>/<version>`, where
 * the highest version the spec allows is the one deno picks. Read with the DENO_DIR of this host's
 * environment: a process started with another one keeps its packages there.
 */
async function fromDeno(
  ctx: ResolveContext,
  r: NpmRunnerLaunch,
  cwd: string | undefined,
): Promise<Installed | undefined> {
  const local = await localProjectPackage(ctx, cwd, r.name);
  if (local?.state === 'installed' && satisfies(local.version, r.range)) return local;
  const allowed = (await denoCacheCopies(ctx, r.name)).filter((pkg) => satisfies(pkg.version, r.range));
  return allowed.sort((a, b) => semverRcompare(a.version, b.version))[0];
}

/** The project folder npm exec runs in: the nearest folder above cwd with a package.json or node_modules. */
export async function localProjectPackage(
  ctx: ResolveContext,
  cwd: string | undefined,
  name: string,
): Promise<Installed | undefined> {
  if (!cwd) return undefined;
  const p = pathFor(ctx.host);
  for (const dir of ancestors(p, cwd, 32)) {
    const pkg = await readNpmPackage(ctx, p.join(dir, 'node_modules', name), `local node_modules of ${dir}`);
    if (pkg) return pkg;
    if ((await ctx.fs.stat(p.join(dir, 'package.json'))) !== undefined) return undefined;
  }
  return undefined;
}

/**
 * What a package runner launch would run now: like npm exec, a satisfying copy in the local project
 * or the global prefix first, then the runner's cache. `missing` when no copy is on disk.
 */
export async function resolveNpmRunner(
  ctx: ResolveContext,
  r: NpmRunnerLaunch,
  cwd: string | undefined,
): Promise<Installed> {
  if (r.runner === 'npx') {
    const local = await localProjectPackage(ctx, cwd, r.name);
    if (local?.state === 'installed' && satisfies(local.version, r.range)) return local;
    const prefix = await npmGlobalPrefix(ctx);
    if (prefix) {
      const global = await readNpmPackage(ctx, globalPackageDir(ctx, prefix, r.name), `npm global prefix ${prefix}`);
      if (global?.state === 'installed' && satisfies(global.version, r.range)) return global;
    }
  }
  const cached =
    r.runner === 'npx'
      ? await fromNpxCache(ctx, r)
      : r.runner === 'pnpm-dlx'
        ? await fromPnpmDlx(ctx, r)
        : r.runner === 'deno'
          ? await fromDeno(ctx, r, cwd)
          : await fromBunx(ctx, r);
  return (
    cached ?? {
      state: 'missing',
      ecosystem: 'npm',
      name: r.name,
      how: `${r.runner} ${r.spec}: not in the local project, the global prefix or the ${r.runner} cache`,
    }
  );
}
