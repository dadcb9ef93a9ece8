import semverCompare from 'semver/functions/compare';
import semverPrerelease from 'semver/functions/prerelease';
import semverValid from 'semver/functions/valid';
import { pathFor } from '../base/hostEnv';
import { parseLaunch } from '../launch/parse';
import type { ParsedLaunch } from '../launch/types';
import type { Installed } from '../base/versionTypes';
import { changedAt } from './fs';
import { envValue, LaunchSpec, ResolveContext } from './lookup';

/**
 * `go run example.com/x/cmd/srv@v1.2.3`: Go fetches the module into its module cache, builds the
 * package into a temporary folder (`$GOTMPDIR/go-build*\/b001/exe/srv`) and runs that binary as its
 * child, the server. What runs is read from that binary's build information (goBinary.ts, through
 * `/proc/<pid>/exe`); what a start runs now is the release the launch names: a version exactly, or
 * for `@latest` the newest release Go has fetched into its module cache (a start asks the module
 * proxy, which has at least that one; a newer release only the proxy has is not known here, without
 * the network). Other queries (a branch, a version prefix) are not told.
 */

export interface GoRunLaunch {
  /** The package path (`example.com/x/cmd/srv`). */
  name: string;
  /** The query after `@`: `v1.2.3`, `latest`, `upgrade`, `patch`, a branch... */
  query: string;
  spec: string;
}

export function parseGoRun(
  launch: LaunchSpec,
  { target }: ParsedLaunch = parseLaunch([launch.command, ...launch.args]),
): GoRunLaunch | undefined {
  if (target.kind !== 'package' || target.runner !== 'go-run' || target.version === undefined) return undefined;
  return { name: target.name, query: target.version, spec: target.spec };
}

/** A module version as Go writes it (`v1.2.3`, `v1.2.3-rc.1`, `v2.0.0+incompatible`, a pseudo-version). */
export function goVersionValid(v: string): boolean {
  return v.startsWith('v') && semverValid(v.slice(1)) !== null;
}

/** A pseudo-version (`v0.0.0-20260101000000-abcdef123456`): a commit, not a release. */
function isPseudo(v: string): boolean {
  return /-(0\.)?\d{14}-[0-9a-f]{12}$/.test(v) || /\.0\.\d{14}-[0-9a-f]{12}$/.test(v);
}

/**
 * What `@latest` picks among `versions`: the newest release, else the newest pre-release (Go never
 * picks a pseudo-version when a tagged one exists, and these are the tagged ones fetched).
 */
export function newestRelease(versions: readonly string[]): string | undefined {
  const tagged = versions.filter((v) => goVersionValid(v) && !isPseudo(v));
  const releases = tagged.filter((v) => semverPrerelease(v.slice(1)) === null);
  const pool = releases.length ? releases : tagged;
  return [...pool].sort((a, b) => semverCompare(b.slice(1), a.slice(1)))[0];
}

/** A module path as the module cache spells it: each capital as `!` and its lower case. */
export function escapeModulePath(module: string): string {
  return module.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** Go's module cache: `GOMODCACHE`, else the first `GOPATH` entry's `pkg/mod`, else `~/go/pkg/mod`. */
export function goModCache(ctx: ResolveContext): string {
  const p = pathFor(ctx.host);
  const explicit = envValue(ctx.host, 'GOMODCACHE');
  if (explicit) return explicit;
  const gopath = envValue(ctx.host, 'GOPATH')?.split(ctx.host.platform === 'win32' ? ';' : ':')[0];
  return p.join(gopath || p.join(ctx.host.home, 'go'), 'pkg', 'mod');
}

/**
 * The module of a package path among those the cache holds (the longest prefix with a download
 * folder), with that folder.
 */
async function cachedModule(
  ctx: ResolveContext,
  cache: string,
  pkg: string,
): Promise<{ module: string; dir: string } | undefined> {
  const p = pathFor(ctx.host);
  const parts = pkg.split('/');
  for (let n = parts.length; n >= 1; n--) {
    const module = parts.slice(0, n).join('/');
    const dir = p.join(cache, 'cache', 'download', ...escapeModulePath(module).split('/'), '@v');
    if ((await ctx.fs.stat(dir))?.kind === 'dir') return { module, dir };
  }
  return undefined;
}

export async function resolveGoRun(ctx: ResolveContext, r: GoRunLaunch): Promise<Installed> {
  const p = pathFor(ctx.host);
  const cache = goModCache(ctx);
  const found = await cachedModule(ctx, cache, r.name);
  const module = found?.module ?? r.name;
  if (goVersionValid(r.query)) {
    // A version is immutable: what a start builds is that release, whatever the cache holds.
    return {
      state: 'installed',
      ecosystem: 'binary',
      name: module,
      version: r.query,
      how: `go run ${r.spec}: the release its command line names`,
      location: p.join(cache, `${escapeModulePath(module)}@${r.query}`),
      builtBy: 'go-run',
    };
  }
  if (!['latest', 'upgrade', 'patch'].includes(r.query))
    return {
      state: 'unknown',
      ecosystem: 'binary',
      name: r.name,
      reason: `go run ${r.spec}: what the query ${r.query} resolves to is asked of the module proxy at start, not told here`,
    };
  if (!found)
    return {
      state: 'unknown',
      ecosystem: 'binary',
      name: r.name,
      reason: `go run ${r.spec}: no release of it in Go's module cache (${cache})`,
    };
  const fetched = ((await ctx.fs.readdir(found.dir)) ?? [])
    .filter((f) => f.endsWith('.zip'))
    .map((f) => f.slice(0, -'.zip'.length));
  const newest = newestRelease(fetched);
  if (!newest)
    return {
      state: 'unknown',
      ecosystem: 'binary',
      name: module,
      reason: `go run ${r.spec}: no release of ${module} in Go's module cache (${found.dir})`,
    };
  const zip = p.join(found.dir, `${newest}.zip`);
  const at = changedAt(await ctx.fs.stat(zip));
  return {
    state: 'installed',
    ecosystem: 'binary',
    name: module,
    version: newest,
    how: `go run ${r.spec}: the newest release of ${module} Go has fetched (${zip}); a start asks the module proxy, which has at least that one`,
    location: zip,
    builtBy: 'go-run',
    ...(at !== undefined ? { changedAt: at } : {}),
  };
}
