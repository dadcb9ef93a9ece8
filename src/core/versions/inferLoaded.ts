import type { TarballFetch } from './npmCacheHistory';
import type { Ecosystem, Installed } from '../base/versionTypes';
import { CLOCK_SLACK_MS } from './clockSlack';
import type { ResolveContext } from './lookup';

/**
 * Which version a running process loaded, told from when npm's cache fetched each version's
 * tarball, for a process nothing of ours watched start. Pure: the fetches come from
 * `tarballFetches`/`npmCacheHistory`, the rest from the installed side and the process table.
 *
 * The rule: the version whose tarball npm fetched last before the process started is the one it
 * loaded. It holds for the common story (install A, start, upgrade to B through the same cache;
 * `npx -y pkg@A` fetching right before it spawns) and misleads when:
 * - the cache is shared by every project, npx run and global install of the user: the last fetch
 *   before the start may have been for another project while this one kept an older copy;
 * - installing a version already in the cache writes no index line (checked: reinstalling a cached
 *   tarball leaves its bucket as it was), so a copy installed from the cache is invisible, and a
 *   same-version reinstall after the start looks exactly like an upgrade from the cache;
 * - a revalidation (`--prefer-online`) moves a version's time later; `npm cache clean` forgets all;
 *   only the latest write of each version is known (earlier ones are not kept in order);
 * - the install may have used another cache (a project .npmrc, `npm_config_cache` in the client's
 *   env), another registry, or pnpm/yarn/bun, which never write npm's cache;
 * - only the versions asked about are seen (those the cached packument names, and the installed one);
 * - times are the machine's clock at the write and the process start as the process table gives
 *   it (to about a second), so fetches right around the start are not ordered against it.
 * So it answers `none` unless the cache tells one story:
 * - nothing changed after the start (nothing to recover), or nothing was fetched before it;
 * - another version was fetched within AMBIGUOUS_WINDOW_MS of the last one before the start (one
 *   install fetching both, or two runs in a row); "before the start" reaches START_SLACK_MS past
 *   the start time, which is coarse, and "after" begins there;
 * - the last one before the start is the installed version (a same-version reinstall, which a
 *   verdict turns into "current") but another version was fetched before the start too: the
 *   process may have been started on that one, its files replaced from the cache without a fetch;
 * - the last one before the start differs from the installed version (which a verdict turns into
 *   "stale") but the installed version was not fetched after the start: the replacement came from
 *   the cache or elsewhere, and the pre-start fetch may have been another project's.
 */

export type LoadedInference =
  { state: 'inferred'; version: string; fetchedAt: number; evidence: string } | { state: 'none'; reason: string };

export interface LoadedFacts {
  /** The version on disk now. */
  installedVersion: string;
  /** ms: the newest change of the installed package's files (`Installed.changedAt`), when known. */
  changedAt?: number;
  /** ms: when the process started. */
  processStart: number;
  /**
   * Whose history the fetches are, in words: `npm's cache` fetched (the default), `uv's cache`
   * unpacked (uvCacheHistory.ts: the same rule holds, a wheel unpacked once and linked into any
   * number of environments as a tarball fetched once and installed from the cache).
   */
  words?: { cache: string; did: string };
}

/** Two different versions fetched this close together before the start cannot be told apart. */
export const AMBIGUOUS_WINDOW_MS = 60_000;
/** How far after the start a fetch still counts as made before it (the start time is coarse). */
export const START_SLACK_MS = 2_000;

const at = (ms: number) => new Date(ms).toISOString();

/** The tarball's file name, as the evidence names it (`server-memory-2026.7.4.tgz`). */
function fileOf(f: TarballFetch): string {
  try {
    return decodeURIComponent(new URL(f.tarball).pathname.split('/').pop() || f.tarball);
  } catch {
    return f.tarball;
  }
}

const fetched = (f: TarballFetch) => `${fileOf(f)} at ${at(f.fetchedAt)}`;

export function inferLoaded(fetches: TarballFetch[], facts: LoadedFacts): LoadedInference {
  const { installedVersion, changedAt, processStart } = facts;
  const { cache, did } = facts.words ?? { cache: "npm's cache", did: 'fetched' };
  const cacheDid = `${cache} ${did}`;
  const started = `the process started at ${at(processStart)}`;
  if (changedAt !== undefined && changedAt <= processStart) {
    return {
      state: 'none',
      reason: `the installed files (changed at ${at(changedAt)}) are older than ${started}: nothing to recover from ${cache}`,
    };
  }
  // The start time is known to about a second (Linux counts from a boot time in whole seconds) and
  // npx fetches right before it spawns: a fetch that close after the start counts as before it.
  const horizon = processStart + START_SLACK_MS;
  const upTo = (f: TarballFetch) => `${f.fetchedAt <= processStart ? 'before' : 'as'} ${started}`;
  const before = fetches.filter((f) => f.fetchedAt < horizon).sort((a, b) => b.fetchedAt - a.fetchedAt);
  const last = before[0];
  if (!last) {
    return {
      state: 'none',
      reason: `${cacheDid} no version of the package before ${started}: the copy it loaded came from elsewhere`,
    };
  }
  const rival = before.find((f) => f.version !== last.version && f.fetchedAt >= last.fetchedAt - AMBIGUOUS_WINDOW_MS);
  if (rival) {
    return {
      state: 'none',
      reason: `${cacheDid} ${fetched(last)} and ${fetched(rival)}, too close together before ${started} to tell which one it loaded`,
    };
  }
  if (last.version === installedVersion) {
    const other = before.find((f) => f.version !== installedVersion);
    if (other) {
      return {
        state: 'none',
        reason: `${cacheDid} ${fetched(last)}, the installed version, before ${started}, but also ${fetched(other)}; the files replaced after the start came from the cache without a ${did === 'fetched' ? 'fetch' : 'new unpack'}, so the process may have been started on either`,
      };
    }
    return {
      state: 'inferred',
      version: last.version,
      fetchedAt: last.fetchedAt,
      // The files changed after the start may be a reinstall of it or its dependencies moving: said apart.
      evidence: `${cacheDid} ${fetched(last)}, ${upTo(last)}, and no other version before it: it loaded the installed ${installedVersion}`,
    };
  }
  const installed = fetches.find((f) => f.version === installedVersion && f.fetchedAt >= horizon);
  if (!installed) {
    const earlier = fetches.find((f) => f.version === installedVersion);
    return {
      state: 'none',
      reason: `${cacheDid} ${fetched(last)} before ${started}, but the installed ${installedVersion} was ${earlier ? `${did} before it too (${at(earlier.fetchedAt)})` : `never ${did} into it`}: the install after the start did not go through this cache, so that fetch may have been another project's`,
    };
  }
  return {
    state: 'inferred',
    version: last.version,
    fetchedAt: last.fetchedAt,
    evidence: `${cacheDid} ${fetched(last)}, ${upTo(last)}; ${fetched(installed)}, after it`,
  };
}

/**
 * Whether a package manager's history is worth asking about an instance: a released package of
 * `ecosystem` (a development one's version does not name its code) whose files changed after the
 * process started. Otherwise the files themselves already say what it loaded.
 */
export function historyMayTell(
  installed: Installed,
  ecosystem: Ecosystem,
  start: number | undefined,
): installed is Extract<Installed, { state: 'installed' }> & { changedAt: number } {
  return (
    installed.state === 'installed' &&
    installed.ecosystem === ecosystem &&
    !installed.dev &&
    start !== undefined &&
    installed.changedAt !== undefined &&
    installed.changedAt > start + CLOCK_SLACK_MS
  );
}

/** A package whose files changed after its process started: what a history is asked of. */
export type ChangedPackage = Extract<Installed, { state: 'installed' }> & { changedAt: number };

/** A reader of a package manager's history: what it says the process that began at `start` loaded. */
export type HistoryReader<T> = (
  ctx: ResolveContext,
  installed: ChangedPackage,
  start: number,
  log: (message: string) => void,
) => Promise<T | undefined>;

/** A first look through `read`, asked only where the history may tell (historyMayTell): undefined elsewhere. */
export function historyInference<T>(
  ecosystem: Ecosystem,
  read: HistoryReader<T>,
): (
  ctx: ResolveContext,
  installed: Installed,
  start: number | undefined,
  log: (message: string) => void,
) => Promise<T | undefined> {
  return async (ctx, installed, start, log) =>
    start !== undefined && historyMayTell(installed, ecosystem, start) ? read(ctx, installed, start, log) : undefined;
}
