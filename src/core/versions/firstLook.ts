import { pathFor } from '../base/hostEnv';
import { Installed } from '../base/versionTypes';
import { MtimeCache } from './cache';
import { changedAt, VersionFs } from './fs';
import { CLOCK_SLACK_MS } from './judge';
import { inferLoaded } from './inferLoaded';
import { ResolveContext } from './lookup';
import { npmCacheHistory, NpmCacheHistory } from './npmCacheHistory';

/**
 * The first look: what the machine still knows of a process nothing of ours saw start. For npm,
 * its cache's fetch history (npmCacheHistory, inferLoaded) and the project's lockfile.
 */

/** What npm's cache tells the process loaded; `closureHow` when the lockfile also vouches for its dependencies. */
export interface NpmCacheInference {
  version: string;
  how: string;
  closureHow?: string;
}

/** npm cache histories, by the file reads they were made with (kept across refreshes like resolutions). */
const historyCaches = new WeakMap<VersionFs, MtimeCache<NpmCacheHistory>>();

/** The lockfile of the tree a package is installed in (`<root>/node_modules/<name>`), with its change time. */
async function projectLockfile(
  ctx: ResolveContext,
  location: string,
): Promise<{ path: string; at: number } | undefined> {
  const p = pathFor(ctx.host);
  const i = location.lastIndexOf(`${p.sep}node_modules${p.sep}`);
  if (i < 0) return undefined;
  for (const name of ['npm-shrinkwrap.json', 'package-lock.json']) {
    const file = p.join(location.slice(0, i), name);
    const st = await ctx.fs.stat(file);
    if (st?.kind === 'file') return { path: file, at: changedAt(st)! };
  }
  return undefined;
}

/**
 * What npm's cache says this process loaded, for a first look at a package changed after the
 * start (cached like a resolution: a refresh re-stats the buckets it read). The project's
 * lockfile, unchanged since before the start, vouches for the dependencies of a same-version answer.
 */
export async function inferFromNpmCache(
  ctx: ResolveContext,
  installed: Installed,
  start: number | undefined,
  log: (message: string) => void,
): Promise<NpmCacheInference | undefined> {
  const { host, fs } = ctx;
  if (
    installed.state !== 'installed' ||
    installed.ecosystem !== 'npm' ||
    installed.dev ||
    start === undefined ||
    installed.changedAt === undefined ||
    installed.changedAt <= start + CLOCK_SLACK_MS
  )
    return undefined;
  let histories = historyCaches.get(fs);
  if (!histories) historyCaches.set(fs, (histories = new MtimeCache<NpmCacheHistory>(fs)));
  const h = await histories.get(
    JSON.stringify([installed.name, installed.version, host.env.npm_config_cache ?? null]),
    (tfs) => npmCacheHistory({ host, fs: tfs }, installed.name, [installed.version]),
  );
  if (h.state !== 'found') {
    log(`npm cache history of ${installed.name}: ${h.reason}`);
    return undefined;
  }
  const answer = inferLoaded(h.fetches, {
    installedVersion: installed.version,
    changedAt: installed.changedAt,
    processStart: start,
  });
  if (answer.state !== 'inferred') {
    log(`npm cache history of ${installed.name}: ${answer.reason}`);
    return undefined;
  }
  const lockfile = await projectLockfile(ctx, installed.location);
  return {
    version: answer.version,
    how: answer.evidence,
    ...(lockfile && lockfile.at <= start + CLOCK_SLACK_MS
      ? { closureHow: `${lockfile.path} unchanged since before the process started` }
      : {}),
  };
}
