// Each function from its own module: the package's index loads all of semver.
import semverParse from 'semver/functions/parse';
import {
  bucketPath,
  cacacheRoot,
  contentPath,
  currentEntry,
  IndexEntry,
  parseBucket,
  requestKey,
} from './cacacheIndex';
import type { VersionFs } from './fs';
import { envValue, isRecord, readJson, ResolveContext } from './lookup';
import { npmCacheDir, userNpmrc } from './npmPackages';

/**
 * What npm's cache remembers of a package: which of its versions' tarballs npm fetched, and when.
 * Every file is found by its key (never by listing the index) and read through `ctx.fs`, so the
 * mtime cache tracks the buckets and the packument an answer came from, absent ones included: the
 * next fetch changes the answer.
 */

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/** A bucket holds a few hundred bytes per write and is compacted on reads; more than this is not a bucket npm wrote. */
const MAX_BUCKET_BYTES = 1024 * 1024;
/** Packuments of busy packages reach tens of MB; a server's own package is far below this. */
export const MAX_PACKUMENT_BYTES = 16 * 1024 * 1024;
/** At most this many versions (newest first) are asked about: each costs up to two stats. */
export const MAX_VERSIONS = 500;

export interface TarballFetch {
  version: string;
  /** ms since the epoch: one write of the tarball's cache entry (its fetch, or a refetch); a version may have several. */
  fetchedAt: number;
  /** The tarball URL whose cache entry this is. */
  tarball: string;
  /** The index bucket that said so. */
  bucket: string;
}

export type CachedPackument =
  | {
      state: 'found';
      file: string;
      bytes: number;
      fetchedAt: number;
      versions: string[];
      tarballs: Record<string, string>;
      leftOut: number;
    }
  | { state: 'none'; reason: string };

export type NpmCacheHistory =
  | {
      state: 'found';
      cacheDir: string;
      registry: string;
      packument: { file: string; bytes: number; leftOut: number };
      fetches: TarballFetch[];
    }
  | { state: 'none'; reason: string };

export interface PackageInCache {
  /** npm's cache dir (`npmCacheDir`), the folder holding `_cacache`. */
  cacheDir: string;
  registry: string;
  name: string;
}

/**
 * The registry npm fetches `name` from, as the user's npm is configured: `@scope:registry=` in the
 * user's .npmrc, then `npm_config_registry`, then `registry=`, else the public registry. A
 * project's own .npmrc is not read (the process's project is not known here).
 */
export async function npmRegistryFor(ctx: ResolveContext, name: string): Promise<string> {
  const rc = await userNpmrc(ctx);
  const scope = name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined;
  const registry =
    (scope && rc.get(`${scope}:registry`)) ||
    envValue(ctx.host, 'npm_config_registry') ||
    rc.get('registry') ||
    DEFAULT_REGISTRY;
  return registry.endsWith('/') ? registry : `${registry}/`;
}

const trimmed = (registry: string) => registry.replace(/\/+$/, '');

/** The packument's URL as pacote asks for it: a scoped name's slash escaped (`@scope%2fname`). */
export function packumentUrl(registry: string, name: string): string {
  return `${trimmed(registry)}/${name.startsWith('@') ? name.replace('/', '%2f') : name}`;
}

/** The registry's usual tarball URL: `<registry>/<name>/-/<name without scope>-<version>.tgz`. */
export function defaultTarballUrl(registry: string, name: string, version: string): string {
  return `${trimmed(registry)}/${name}/-/${name.slice(name.lastIndexOf('/') + 1)}-${version}.tgz`;
}

type Bounded<T> =
  { state: 'read'; value: T; bytes: number } | { state: 'absent' } | { state: 'too-big'; bytes: number };

/**
 * Reads a file only when it is no bigger than `max` (a stat first: never a 100 MB string for
 * nothing), with `read`: its text, or its JSON value (parsed once per pass: a history is asked for
 * each version of one package, and every time reads the same packument).
 */
async function readBounded<T>(
  ctx: ResolveContext,
  file: string,
  max: number,
  read: (fs: VersionFs, file: string) => Promise<T | undefined>,
): Promise<Bounded<T>> {
  const s = await ctx.fs.stat(file);
  if (s?.kind !== 'file') return { state: 'absent' };
  if (s.size > max) return { state: 'too-big', bytes: s.size };
  const value = await read(ctx.fs, file);
  return value === undefined ? { state: 'absent' } : { state: 'read', value, bytes: s.size };
}

/** The current cache entry of a request URL, from its bucket. */
async function entryOf(
  ctx: ResolveContext,
  cacheDir: string,
  url: string,
): Promise<{ bucket: string; entry?: IndexEntry; writes?: IndexEntry[]; tooBig?: number }> {
  let key: string;
  try {
    key = requestKey(url);
  } catch {
    return { bucket: '' };
  }
  const bucket = bucketPath(ctx.host, cacacheRoot(ctx.host, cacheDir), key);
  const read = await readBounded(ctx, bucket, MAX_BUCKET_BYTES, (fs, f) => fs.readText(f));
  if (read.state === 'too-big') return { bucket, tooBig: read.bytes };
  const entries = read.state === 'read' ? parseBucket(read.value) : [];
  const entry = currentEntry(entries, key);
  // Every write the bucket still holds: a reinstall may refetch a version after the start, and
  // only the earlier write tells that it was there before.
  return { bucket, ...(entry ? { entry, writes: entries.filter((e) => e.key === key && e.integrity) } : {}) };
}

/**
 * The package's packument as npm cached it: every version it named, newest first (at most
 * MAX_VERSIONS; `leftOut` counts the rest), and each version's tarball URL.
 */
export async function cachedPackument(ctx: ResolveContext, pkg: PackageInCache): Promise<CachedPackument> {
  const url = packumentUrl(pkg.registry, pkg.name);
  const { bucket, entry, tooBig } = await entryOf(ctx, pkg.cacheDir, url);
  if (tooBig !== undefined)
    return {
      state: 'none',
      reason: `npm's cache index bucket ${bucket} for ${url} is ${tooBig} bytes, more than npm writes`,
    };
  if (!entry?.integrity)
    return { state: 'none', reason: `npm's cache (${pkg.cacheDir}) holds no packument of ${pkg.name} from ${url}` };
  const file = contentPath(ctx.host, cacacheRoot(ctx.host, pkg.cacheDir), entry.integrity);
  if (!file)
    return {
      state: 'none',
      reason: `the cached packument of ${pkg.name} has an integrity npm's cache does not store (${entry.integrity.slice(0, 16)}…)`,
    };
  const read = await readBounded(ctx, file, MAX_PACKUMENT_BYTES, readJson);
  if (read.state === 'absent')
    return { state: 'none', reason: `npm's cache indexes a packument of ${pkg.name} but its content ${file} is gone` };
  if (read.state === 'too-big')
    return {
      state: 'none',
      reason: `the cached packument of ${pkg.name} (${file}) is ${read.bytes} bytes, more than the ${MAX_PACKUMENT_BYTES} read`,
    };
  const json = read.value;
  if (json instanceof Error)
    return {
      state: 'none',
      reason: `the cached packument of ${pkg.name}: ${json.message}`,
    };
  if (!isRecord(json) || !isRecord(json.versions))
    return { state: 'none', reason: `the cached packument of ${pkg.name} (${file}) lists no versions` };
  // Each version parsed once: a sort by semver's own compare would parse both sides of every comparison.
  const all = Object.keys(json.versions)
    .flatMap((key) => {
      const parsed = semverParse(key);
      return parsed ? [{ key, parsed }] : [];
    })
    .sort((a, b) => b.parsed.compare(a.parsed))
    .map((v) => v.key);
  const versions = all.slice(0, MAX_VERSIONS);
  const tarballs: Record<string, string> = {};
  for (const v of versions) {
    const meta = json.versions[v];
    const tarball = isRecord(meta) && isRecord(meta.dist) ? meta.dist.tarball : undefined;
    if (typeof tarball === 'string') tarballs[v] = tarball;
  }
  return {
    state: 'found',
    file,
    bytes: read.bytes,
    fetchedAt: entry.time,
    versions,
    tarballs,
    leftOut: all.length - versions.length,
  };
}

/**
 * When npm last fetched each version's tarball into its cache (versions it never fetched, or whose
 * entry was deleted, are left out), oldest first. A tarball is looked up under the URL the packument
 * gives and under the registry's usual layout (npm rewrites registry.npmjs.org tarball URLs to the
 * configured registry); the later write of the two wins.
 */
export async function tarballFetches(
  ctx: ResolveContext,
  pkg: PackageInCache & { versions: string[]; tarballs?: Record<string, string> },
): Promise<TarballFetch[]> {
  const found = await Promise.all(
    pkg.versions.map(async (version) => {
      const urls = [
        ...new Set(
          [pkg.tarballs?.[version], defaultTarballUrl(pkg.registry, pkg.name, version)].filter((u): u is string => !!u),
        ),
      ];
      const writes: TarballFetch[] = [];
      for (const tarball of urls) {
        const { bucket, writes: found } = await entryOf(ctx, pkg.cacheDir, tarball);
        for (const w of found ?? []) writes.push({ version, fetchedAt: w.time, tarball, bucket });
      }
      return writes;
    }),
  );
  return found.flat().sort((a, b) => a.fetchedAt - b.fetchedAt);
}

/**
 * Everything npm's cache tells of `name` under the user's npm configuration: the cache dir, the
 * registry, and the fetches of every version its cached packument names, and of `alsoAsk` (pass
 * the installed version: a packument cached before it was published does not name it). `none` when
 * the packument is not cached: the versions to ask about are then unknown, and asking about the
 * installed one alone would hide the others. `npm ci` from a lockfile with `resolved` URLs fetches
 * tarballs without the packument (checked), so an upgrade made only that way finds nothing here.
 */
export async function npmCacheHistory(
  ctx: ResolveContext,
  name: string,
  alsoAsk: readonly string[] = [],
): Promise<NpmCacheHistory> {
  const cacheDir = await npmCacheDir(ctx);
  const registry = await npmRegistryFor(ctx, name);
  const packument = await cachedPackument(ctx, { cacheDir, registry, name });
  if (packument.state === 'none') return packument;
  const versions = [...new Set([...packument.versions, ...alsoAsk])];
  const fetches = await tarballFetches(ctx, { cacheDir, registry, name, versions, tarballs: packument.tarballs });
  return {
    state: 'found',
    cacheDir,
    registry,
    packument: { file: packument.file, bytes: packument.bytes, leftOut: packument.leftOut },
    fetches,
  };
}
