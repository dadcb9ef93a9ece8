import { joinBelow, pathFor } from '../base/hostEnv';
import { Installed, MovedDependency } from '../base/versionTypes';
import { changedAt } from './fs';
import { CLOCK_SLACK_MS } from './clockSlack';
import { historyInference, inferLoaded } from './inferLoaded';
import { isRecord, keptMtimeCache, readJson, ResolveContext } from './lookup';
import { npmCacheHistory, NpmCacheHistory } from './npmCacheHistory';
import { memberDirs } from './nodeTree';

/**
 * The first look: what the machine still knows of a process nothing of ours saw start. For npm,
 * its cache's fetch history (npmCacheHistory, inferLoaded) and the project's lockfile.
 */

/** What npm's cache tells the process loaded; `closureHow` when the lockfile also vouches for its dependencies. */
export interface NpmCacheInference {
  version: string;
  how: string;
  closureHow?: string;
  /**
   * Closure members npm's cache proves moved after the start: the version fetched last before it
   * (`from`) replaced by the installed one, fetched after it (`to`). Named as the closure names them.
   */
  moved?: MovedDependency[];
  /** The cache's evidence for `moved`, in words. */
  movedHow?: string;
}

/**
 * At most this many closure members changed after the start are asked about: each may read a
 * packument. An `npm ci` rewrites every member (the same versions, nothing moved); past the bound,
 * the rest is not asked (a move found among the first is proof enough, none found says nothing).
 */
export const MAX_MEMBERS_ASKED = 32;

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

/** The cached history of one package (a refresh re-stats the buckets it read). */
async function historyOf(ctx: ResolveContext, name: string, version: string): Promise<NpmCacheHistory> {
  const { host } = ctx;
  // Kept across refreshes like resolutions, by the engine.
  return keptMtimeCache<NpmCacheHistory>(ctx, 'npm-cache-history').get(
    JSON.stringify([name, version, host.env.npm_config_cache ?? null]),
    (tfs) => npmCacheHistory({ host, fs: tfs }, name, [version]),
  );
}

/**
 * The closure members npm's cache proves moved after the start: for each member whose
 * package.json changed after it (the tree changed), the version whose tarball was fetched last
 * before the start, when it differs from the installed one and the installed one was fetched
 * after the start (inferLoaded's rule, with all its refusals). Members the cache cannot tell about
 * are left out: they are not proof of anything.
 */
async function movedInCache(
  ctx: ResolveContext,
  installed: Extract<Installed, { state: 'installed' }>,
  start: number,
  log: (message: string) => void,
): Promise<{ moved: MovedDependency[]; how: string[] }> {
  const moved: MovedDependency[] = [];
  const how: string[] = [];
  const p = pathFor(ctx.host);
  // The members' package.json files were just read by the closure's walk: asked of the snapshot's reads.
  const files = ctx.pass ?? ctx.fs;
  const changed: Array<{ key: string; name: string; version: string; at: number }> = [];
  for (const [key, version] of Object.entries(installed.environment?.packages ?? {})) {
    for (const dir of memberDirs(ctx, installed.location, key)) {
      const file = joinBelow(p, dir, ['package.json']);
      const at = changedAt(await files.stat(file));
      if (at === undefined) continue;
      if (at > start + CLOCK_SLACK_MS) {
        const json = await readJson(files, file);
        if (isRecord(json) && typeof json.name === 'string' && json.version === version)
          changed.push({ key, name: json.name, version, at });
      }
      break;
    }
  }
  // One line for the closure, whatever its size: a refresh logs it again.
  const untold: string[] = [];
  for (const m of changed.slice(0, MAX_MEMBERS_ASKED)) {
    const h = await historyOf(ctx, m.name, m.version);
    const answer =
      h.state === 'found'
        ? inferLoaded(h.fetches, { installedVersion: m.version, changedAt: m.at, processStart: start })
        : h;
    if (answer.state !== 'inferred') {
      untold.push(`${m.name}: ${answer.reason}`);
      continue;
    }
    if (answer.version === m.version) continue;
    moved.push({ name: m.key, from: answer.version, to: m.version });
    how.push(`${m.key}: ${answer.evidence}`);
  }
  if (untold.length || changed.length > MAX_MEMBERS_ASKED)
    log(
      `npm cache history of ${installed.name}'s closure: ${changed.length} members changed after the start${changed.length > MAX_MEMBERS_ASKED ? `, the first ${MAX_MEMBERS_ASKED} asked about` : ''}; ${moved.length} proven moved; ${untold.length} not told${untold.length ? ` (${untold.slice(0, 3).join('; ')}${untold.length > 3 ? '; ...' : ''})` : ''}`,
    );
  return { moved, how };
}

/**
 * What npm's cache says this process loaded, for a first look at a package changed after the
 * start (cached like a resolution: a refresh re-stats the buckets it read). The project's
 * lockfile, unchanged since before the start, vouches for the dependencies of a same-version
 * answer; closure members the cache proves moved (fetched before the start, replaced by a version
 * fetched after it) are named. When the cache cannot tell the package's own version but proves a
 * member moved, the package's own package.json unchanged since before the start tells its version.
 */
export const inferFromNpmCache = historyInference(
  'npm',
  async (ctx, installed, start, log): Promise<NpmCacheInference | undefined> => {
    const h = await historyOf(ctx, installed.name, installed.version);
    const answer =
      h.state === 'found'
        ? inferLoaded(h.fetches, {
            installedVersion: installed.version,
            changedAt: installed.changedAt,
            processStart: start,
          })
        : h;
    if (answer.state !== 'inferred') log(`npm cache history of ${installed.name}: ${answer.reason}`);
    const { moved, how } = await movedInCache(ctx, installed, start, log);
    const members = moved.length ? { moved, movedHow: `dependencies from npm's cache: ${how.join('; ')}` } : {};
    if (answer.state !== 'inferred') {
      if (!moved.length) return undefined;
      const own = pathFor(ctx.host).join(installed.location, 'package.json');
      const ownAt = changedAt(await ctx.fs.stat(own));
      if (ownAt === undefined || ownAt > start + CLOCK_SLACK_MS) return undefined;
      return {
        version: installed.version,
        how: `${own} unchanged since before the process started (${new Date(start).toISOString()})`,
        ...members,
      };
    }
    const lockfile = await projectLockfile(ctx, installed.location);
    return {
      version: answer.version,
      how: answer.evidence,
      ...(lockfile && lockfile.at <= start + CLOCK_SLACK_MS
        ? { closureHow: `${lockfile.path} unchanged since before the process started` }
        : {}),
      ...members,
    };
  },
);
