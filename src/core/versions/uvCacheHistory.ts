import { pathFor } from '../base/hostEnv';
import { changedAt } from './fs';
import { ResolveContext } from './lookup';
import type { TarballFetch } from './npmCacheHistory';
import { normalizeName } from './pythonClosure';

/**
 * What uv's cache remembers of a distribution: which of its versions' wheels uv unpacked, and when.
 * uv keeps every wheel it installs unpacked in `<cache>/archive-v0/<id>/` and never rewrites one (a
 * refreshed wheel gets a new id); environments are linked from there (hardlinks, clones or copies).
 * It finds an archive by a pointer named after the wheel, one folder per distribution:
 * `<cache>/wheels-v<N>/pypi/<name>/<version>-<tags>` (PyPI), `.../index/<digest>/<name>/...` (other
 * indexes and find-links folders), `.../url/<digest>/<name>/...` (direct URLs), a symlink to
 * `../../../../archive-v0/<id>` beside `.http`/`.rev`/`.lock`/`.msgpack` files (seen with uv 0.13.9;
 * older buckets `wheels-v5`.. are read alike). The archive folder's own time is when it was unpacked:
 * nothing writes into it afterwards (linking its files into an environment changes the files' link
 * counts, not the folder). Pointers are read by the distribution's folder, never by listing the
 * archive. Wheels built from source distributions (`sdists-v*`) are not read: their builds say
 * nothing of a version here.
 */

/** Folders of a wheels bucket that hold one folder per distribution directly (`pypi`) or under a digest (`index`, `url`). */
const FLAT = ['pypi'];
const BY_DIGEST = ['index', 'url'];

/** `2026.8.18-py3-none-any` -> its version; undefined for the pointer's side files and anything else. */
export function parseWheelPointer(entry: string): { version: string; tags: string } | undefined {
  if (/\.(http|rev|lock|msgpack|tmp)$/.test(entry)) return undefined;
  const m = /^([0-9][A-Za-z0-9.+!_]*)-((?:\d[^-]*-)?[^-]+-[^-]+-[^-]+)$/.exec(entry);
  return m ? { version: m[1], tags: m[2] } : undefined;
}

/** `wheels-v8` -> 8; other entries of the cache folder -> undefined. */
function bucketVersion(entry: string): number | undefined {
  const m = /^wheels-v(\d+)$/.exec(entry);
  return m ? Number(m[1]) : undefined;
}

export type UvCacheHistory =
  { state: 'found'; cacheDir: string; unpacks: TarballFetch[] } | { state: 'none'; reason: string };

/**
 * Every unpack of `name`'s wheels uv's cache at `cacheDir` still points at, oldest first. Each is
 * a TarballFetch (the shape npm's history has) whose `tarball` names the distribution, the version
 * and its archive, and `bucket` the pointer. `none` when the cache has no wheels bucket at all.
 */
export async function uvCacheHistory(ctx: ResolveContext, cacheDir: string, name: string): Promise<UvCacheHistory> {
  const p = pathFor(ctx.host);
  const dist = normalizeName(name);
  const buckets = ((await ctx.fs.readdir(cacheDir)) ?? []).filter((e) => bucketVersion(e) !== undefined);
  if (!buckets.length) return { state: 'none', reason: `uv's cache ${cacheDir} holds no wheels bucket` };
  const folders: string[] = [];
  for (const bucket of buckets) {
    const root = p.join(cacheDir, bucket);
    for (const flat of FLAT) folders.push(p.join(root, flat, dist));
    for (const kind of BY_DIGEST) {
      for (const digest of (await ctx.fs.readdir(p.join(root, kind))) ?? [])
        folders.push(p.join(root, kind, digest, dist));
    }
  }
  const unpacks: TarballFetch[] = [];
  for (const folder of folders) {
    for (const entry of (await ctx.fs.readdir(folder)) ?? []) {
      const wheel = parseWheelPointer(entry);
      if (!wheel) continue;
      const pointer = p.join(folder, entry);
      // The pointer is a symlink to the archive: its real path names the archive, a stat through it dates it.
      const [archive, st] = await Promise.all([ctx.fs.realpath(pointer), ctx.fs.stat(pointer)]);
      if (!archive || st?.kind !== 'dir') continue;
      unpacks.push({
        version: wheel.version,
        fetchedAt: changedAt(st)!,
        tarball: `${dist} ${wheel.version} (${archive})`,
        bucket: pointer,
      });
    }
  }
  return { state: 'found', cacheDir, unpacks: unpacks.sort((a, b) => a.fetchedAt - b.fetchedAt) };
}
