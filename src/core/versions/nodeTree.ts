import { joinBelow, normalized, pathFor } from '../base/hostEnv';
import { EnvironmentFingerprint } from '../base/versionTypes';
import { changedAt, changedAtOf, shared } from './fs';
import { fingerprint } from './fingerprint';
import { isRecord, readJson, ResolveContext } from './lookup';

/**
 * The dependency closure of an installed npm-family package: the packages it can load, as Node
 * resolves them, named and versioned. Packages of the same tree it never loads (a project's other
 * dependencies) are left out, so installing one of those does not make the server look stale.
 * Two readings, one answer: npm's hidden lockfile when it is there and not older than the tree,
 * else Node's own resolution walked on disk (yarn classic, pnpm, a hand-copied tree).
 */

export interface TreeEnvironment {
  environment?: EnvironmentFingerprint;
  /** ms since the epoch: the newest change among the files the closure was read from. */
  changed?: number;
  /** ms since the epoch, by member (the environment's names): when its package.json last changed. */
  times?: Record<string, number>;
  /**
   * Members whose real folder is outside every node_modules (a workspace package or an `npm link`ed
   * one): development packages, whose versions do not name their code (devSource.ts judges them).
   */
  linked?: LinkedMember[];
}

export interface LinkedMember {
  name: string;
  version: string;
  /** Its real folder. */
  dir: string;
}

/** Whether a real folder is outside every node_modules: not an installed release. */
function outsideNodeModules(dir: string): boolean {
  return !/(^|[\\/])node_modules([\\/]|$)/.test(dir);
}

/**
 * At most this many packages are walked. Real closures are a few hundred; the bound keeps one
 * resolution from reading a whole disk when a tree is pathological (a monorepo root linking every
 * workspace into every other). Past it the environment is left unknown rather than half-counted.
 */
const MAX_PACKAGES = 5000;

/** The layouts' own markers, rewritten by every install: yarn classic's and pnpm's. */
const LAYOUT_MARKERS = ['.yarn-integrity', '.modules.yaml'];

/** `node_modules/a/node_modules/b` -> `a > b`: nested copies are separate entries. */
function displayName(key: string): string {
  return key
    .split(/node_modules[\\/]/)
    .filter(Boolean)
    .map((s) => s.replace(/[\\/]$/, ''))
    .join(' > ');
}

function depNames(entry: unknown): string[] {
  if (!isRecord(entry)) return [];
  return ['dependencies', 'optionalDependencies', 'peerDependencies'].flatMap((k) =>
    isRecord(entry[k]) ? Object.keys(entry[k] as object) : [],
  );
}

function newest(times: Array<number | undefined>): number | undefined {
  return changedAtOf(times).changedAt;
}

/** Where Node would find `dep` required from the package at lockfile key `from` (nearest node_modules up). */
function resolveInTree(packages: Record<string, unknown>, from: string, dep: string): string | undefined {
  let cur = from;
  for (;;) {
    const cand = `${cur ? `${cur}/` : ''}node_modules/${dep}`;
    if (isRecord(packages[cand])) return cand;
    if (!cur) return undefined;
    const i = cur.lastIndexOf('node_modules/');
    cur = i <= 0 ? '' : cur.slice(0, i - 1);
  }
}

/**
 * The target of a link entry (`"node_modules/@acme/lib": { "link": true, "resolved": "packages/lib" }`:
 * a workspace package, an `npm link`): the key of the entry that holds its version.
 */
function linkTarget(packages: Record<string, unknown>, key: string): string | undefined {
  const entry = packages[key];
  return isRecord(entry) &&
    entry.link === true &&
    typeof entry.resolved === 'string' &&
    isRecord(packages[entry.resolved])
    ? entry.resolved
    : undefined;
}

/**
 * The closure from npm's hidden lockfile (`node_modules/.package-lock.json`) of the tree the package
 * sits in. Like npm, a lockfile older than the tree is not trusted: npm rejects it when any folder of
 * the tree is newer; here, when any package.json of the closure (the server's own included) changed
 * after it, which is what another installer (yarn, a hand copy) leaves behind. Undefined: no usable lockfile.
 */
async function fromHiddenLockfile(
  ctx: ResolveContext,
  pkgDir: string,
  self: Record<string, unknown>,
): Promise<TreeEnvironment | undefined> {
  const p = pathFor(ctx.host);
  const candidates = [p.join(pkgDir, 'node_modules', '.package-lock.json')];
  const idx = pkgDir.lastIndexOf(`${p.sep}node_modules${p.sep}`);
  if (idx >= 0) candidates.push(p.join(pkgDir.slice(0, idx), 'node_modules', '.package-lock.json'));
  for (const file of candidates) {
    const json = await readJson(ctx.fs, file);
    if (json === undefined) continue;
    if (json instanceof Error) throw json;
    if (!isRecord(json) || !isRecord(json.packages)) continue;
    const packages = json.packages;
    const base = p.dirname(p.dirname(file));
    const selfKey = p.relative(base, pkgDir).split(p.sep).join('/');
    const seen = new Set<string>();
    const queue: Array<[string, string]> = depNames(isRecord(packages[selfKey]) ? packages[selfKey] : self).map((d) => [
      selfKey,
      d,
    ]);
    while (queue.length) {
      const [from, dep] = queue.shift()!;
      const key = resolveInTree(packages, from, dep);
      if (!key || seen.has(key)) continue;
      seen.add(key);
      for (const d of depNames(packages[key])) queue.push([key, d]);
    }
    const lockStat = await ctx.fs.stat(file);
    // npm's own slack for timestamp jitter between writing the tree and the lockfile.
    const trustedUntil = (lockStat?.mtimeMs ?? 0) + 10;
    const times: number[] = [];
    const byMember: Record<string, number> = {};
    for (const key of [selfKey, ...seen]) {
      const written = changedAt(await ctx.fs.stat(p.join(base, ...key.split('/'), 'package.json')));
      if (written !== undefined && written > trustedUntil) return undefined;
      if (written !== undefined) times.push(written);
      if (written !== undefined && key !== selfKey) byMember[displayName(key)] = written;
    }
    const env: Record<string, string> = {};
    const linked: LinkedMember[] = [];
    for (const key of seen) {
      const entry = packages[key];
      if (key !== selfKey && isRecord(entry) && typeof entry.version === 'string')
        env[displayName(key)] = entry.version;
      // A link's entry holds no version (its target's does): named as a development member, its
      // own dependencies not followed, so the fingerprint stays what earlier records hold.
      const target = linkTarget(packages, key);
      const held = target !== undefined ? packages[target] : undefined;
      if (target === undefined || !isRecord(held) || typeof held.version !== 'string') continue;
      const dir = p.join(base, ...target.split('/'));
      const real = (await ctx.fs.realpath(dir)) ?? dir;
      if (outsideNodeModules(real))
        linked.push({
          name: typeof held.name === 'string' ? held.name : displayName(key),
          version: held.version,
          dir: real,
        });
    }
    // The closure's own files say when it changed; the lockfile is rewritten by any install into
    // the tree, related or not, and would make a neighbour's install look like a change of this server.
    return {
      environment: fingerprint(env),
      changed: times.length ? Math.max(...times) : changedAt(lockStat),
      times: byMember,
      ...(linked.length ? { linked } : {}),
    };
  }
  return undefined;
}

export interface Found {
  /** The package's real directory (symlinks followed). */
  dir: string;
  version: string;
  json: Record<string, unknown>;
}

/**
 * Node's lookup of `name` required from a file in `fromDir`: `<dir>/node_modules/<name>` for each
 * folder from `fromDir` up (skipping folders that are themselves `node_modules`), links followed.
 * A folder without a readable, versioned package.json is passed over.
 */
export async function findDependency(ctx: ResolveContext, fromDir: string, name: string): Promise<Found | undefined> {
  const p = pathFor(ctx.host);
  const below = ['node_modules', ...name.split('/')];
  let dir = normalized(p, fromDir);
  for (;;) {
    if (p.basename(dir) !== 'node_modules') {
      const real = await ctx.fs.realpath(joinBelow(p, dir, below));
      if (real) {
        const json = await readJson(ctx.fs, joinBelow(p, real, ['package.json']));
        if (isRecord(json) && typeof json.version === 'string') return { dir: real, version: json.version, json };
      }
    }
    const up = p.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The newest change time among the existing folders Node would look in for `name` from `fromDir`
 * (each `node_modules`, and its `@scope` folder for a scoped name): removing an entry changes its folder.
 */
async function lastLookupChange(ctx: ResolveContext, fromDir: string, name: string): Promise<number | undefined> {
  const p = pathFor(ctx.host);
  const scope = name.startsWith('@') ? name.split('/')[0] : undefined;
  const times: Array<number | undefined> = [];
  let dir = normalized(p, fromDir);
  for (;;) {
    if (p.basename(dir) !== 'node_modules') {
      times.push(changedAt(await ctx.fs.stat(joinBelow(p, dir, ['node_modules']))));
      if (scope) times.push(changedAt(await ctx.fs.stat(joinBelow(p, dir, ['node_modules', scope]))));
    }
    const up = p.dirname(dir);
    if (up === dir) return newest(times);
    dir = up;
  }
}

/**
 * How a closure member is named, as npm's lockfile keys name it: its path below the tree (`a > b`
 * for a nested copy, `srv > c` for one inside the server), so a tree read either way gives the same
 * names; for a pnpm store entry, its path below that entry's own node_modules, so an upgrade reads
 * as one name moving from one version to another.
 */
function memberKey(ctx: ResolveContext, treeRoot: string | undefined, dir: string): string {
  const p = pathFor(ctx.host);
  const store = `${p.sep}node_modules${p.sep}.pnpm${p.sep}`;
  const s = dir.lastIndexOf(store);
  if (s >= 0) {
    const afterStore = dir.slice(s + store.length);
    const cut = afterStore.indexOf(`${p.sep}node_modules${p.sep}`);
    if (cut >= 0)
      return displayName(
        afterStore
          .slice(cut + 1)
          .split(p.sep)
          .join('/'),
      );
  }
  if (treeRoot && dir.startsWith(treeRoot + p.sep))
    return displayName(p.relative(treeRoot, dir).split(p.sep).join('/'));
  return dir;
}

/** The folder above the outermost node_modules the package is in (a pnpm store's is the project's). */
export function treeRootOf(ctx: ResolveContext, dir: string): string | undefined {
  const p = pathFor(ctx.host);
  const i = dir.indexOf(`${p.sep}node_modules${p.sep}`);
  return i >= 0 ? dir.slice(0, i) : undefined;
}

/**
 * The closure walked as Node resolves it: from the package's real directory, each name in its
 * `dependencies`, `optionalDependencies` and `peerDependencies` found in the nearest node_modules
 * up from the real path (which is how pnpm's `.pnpm/<id>/node_modules/` siblings are found), then
 * theirs, each package once. A missing optional or peer dependency is simply not there.
 */
async function fromNodeResolution(
  ctx: ResolveContext,
  pkgDir: string,
  self: Record<string, unknown>,
  /** The folder above the tree when the walk starts from a project's own folder, outside every node_modules. */
  projectRoot?: string,
): Promise<TreeEnvironment> {
  const p = pathFor(ctx.host);
  const start = (await ctx.fs.realpath(pkgDir)) ?? pkgDir;
  const treeRoot = treeRootOf(ctx, start) ?? projectRoot;
  const visited = new Set<string>([start]);
  const env: Record<string, string> = {};
  const keyOf = new Map<string, string>([[start, '']]);
  const times: Array<number | undefined> = [];
  const byMember: Record<string, number> = {};
  const queue: Array<{ dir: string; json: Record<string, unknown> }> = [{ dir: start, json: self }];
  const linked: LinkedMember[] = [];
  while (queue.length) {
    const from = queue.shift()!;
    const required = new Set(isRecord(from.json.dependencies) ? Object.keys(from.json.dependencies) : []);
    for (const dep of depNames(from.json)) {
      const found = await findDependency(ctx, from.dir, dep);
      // A required dependency that is gone went at the latest when a folder it was looked up in
      // last changed: an install removing the tree shows as a change now, not as a moved closure.
      if (!found && required.has(dep)) times.push(await lastLookupChange(ctx, from.dir, dep));
      if (!found || visited.has(found.dir)) continue;
      if (visited.size > MAX_PACKAGES) return { changed: newest(times) };
      visited.add(found.dir);
      const written = changedAt(await ctx.fs.stat(joinBelow(p, found.dir, ['package.json'])));
      times.push(written);
      let key = memberKey(ctx, treeRoot, found.dir);
      // Two copies under one name (pnpm keeps every version flat): the second is named through its dependent, like npm's nested copies.
      if (key in env) key = `${keyOf.get(from.dir) || 'self'} > ${key}`;
      if (key in env) key = `${key}@${found.version}`;
      keyOf.set(found.dir, key);
      env[key] = found.version;
      if (written !== undefined) byMember[key] = written;
      if (outsideNodeModules(found.dir))
        linked.push({
          name: typeof found.json.name === 'string' ? found.json.name : dep,
          version: found.version,
          dir: found.dir,
        });
      queue.push({ dir: found.dir, json: found.json });
    }
  }
  if (treeRoot !== undefined) {
    const store = start.indexOf(`${p.sep}node_modules${p.sep}.pnpm${p.sep}`);
    const nodeModules = store >= 0 ? start.slice(0, store) + `${p.sep}node_modules` : p.join(treeRoot, 'node_modules');
    for (const marker of LAYOUT_MARKERS) times.push(changedAt(await ctx.fs.stat(p.join(nodeModules, marker))));
  }
  return {
    environment: fingerprint(env),
    changed: newest(times),
    times: byMember,
    ...(linked.length ? { linked } : {}),
  };
}

/** The package's environment and the newest change among what it was read from. */
export async function treeEnvironment(
  ctx: ResolveContext,
  pkgDir: string,
  self: Record<string, unknown>,
): Promise<TreeEnvironment> {
  // `self` is the package.json in pkgDir, read in the same pass: the folder names the whole answer.
  return shared(ctx.fs, `npm-tree:${pkgDir}`, async (fs) => {
    const within = { ...ctx, fs };
    const fromLockfile = await fromHiddenLockfile(within, pkgDir, self);
    if (fromLockfile) return fromLockfile;
    // A package that declares no dependency has no environment to compare, as before this walk existed.
    if (depNames(self).length === 0) return {};
    return fromNodeResolution(within, pkgDir, self);
  });
}

/**
 * The closure of what a loose script imports from a project's tree (`root`: the folder above its
 * node_modules): the packages `names` and what they load, named as a package's closure names them.
 * The project's other dependencies are left out, as a package's neighbours are.
 */
export function importsEnvironment(
  ctx: ResolveContext,
  root: string,
  names: readonly string[],
): Promise<TreeEnvironment> {
  const wanted = [...new Set(names)].sort();
  const self = { dependencies: Object.fromEntries(wanted.map((n) => [n, '*'])) };
  return shared(ctx.fs, `npm-imports:${root}:${wanted.join(' ')}`, async (fs) => {
    const within = { ...ctx, fs };
    return (await fromHiddenLockfile(within, root, self)) ?? fromNodeResolution(within, root, self, root);
  });
}

/**
 * Where a closure member named `a > b` (npm's lockfile keys: a nested copy under its dependent)
 * may be on disk: below the tree the package is installed in, or below the package's own folder
 * (a global install keeps its tree there).
 */
export function memberDirs(ctx: ResolveContext, location: string, key: string): string[] {
  const p = pathFor(ctx.host);
  // A member outside every tree (a development package's own walk) is named by its folder.
  if (p.isAbsolute(key)) return [key];
  const below = key.split(' > ').flatMap((s) => ['node_modules', ...s.split('/')]);
  const at = normalized(p, location);
  const bases = [at];
  const i = at.lastIndexOf(`${p.sep}node_modules${p.sep}`);
  if (i >= 0) bases.push(at.slice(0, i));
  return bases.map((b) => joinBelow(p, b, below));
}
