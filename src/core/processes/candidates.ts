import { isShareRelay, LaunchKey, launchKeyOf, mayHaveKey, shareHostEntryArgv } from './argv';
import { ProcessInfo } from '../pids/table';
import { ProcessTree } from './tree';
import { fromOtherVersion, PluginCache, pluginCacheOf } from './pluginUpdate';
import type { MatchOptions } from './matchOptions';
import type { ConfigLaunch } from './configLaunches';
import { ownScriptOf } from './launchChain';

/** Our own process and its ancestors: never listed (nor, later, signalled). */
export function excludedPids(tree: ProcessTree, selfPid: number | undefined): Set<number> {
  const excluded = new Set<number>();
  if (selfPid !== undefined) {
    excluded.add(selfPid);
    for (const a of tree.ancestors(selfPid)) excluded.add(a.pid);
  }
  return excluded;
}

/** A process of another user: never one of this user's instances. */
export function isForeign(p: ProcessInfo, ownUid: number | undefined): boolean {
  return ownUid !== undefined && p.uid !== undefined && p.uid !== ownUid;
}

/** A process whose launch key some entry has, with its launch read in full and those entries. */
export interface Candidate {
  p: ProcessInfo;
  launch: LaunchKey;
  configs: ConfigLaunch[];
  /** A share host as the entry its clients configure (its command line without `--share-host`). */
  asEntry?: ProcessInfo;
  /** A process run from another version folder of a plugin's cache, as its entry launches it now. */
  asPlugin?: ProcessInfo;
}

/**
 * One pass: candidate roots by launch key (the cheap form; arguments only for candidates).
 * A shared server's relays run no server (they are its clients' ends, listed in its lock record):
 * never instances. Its share host is matched as the entry the clients configure (its command
 * line without `--share-host`), so the one server it runs is the entries' one instance.
 */
export function findCandidates(
  tree: ProcessTree,
  byKey: Map<string, ConfigLaunch[]>,
  plugins: readonly PluginCache[],
  excluded: ReadonlySet<number>,
  options: MatchOptions,
): Map<number, Candidate> {
  const candidates = new Map<number, Candidate>();
  for (const p of tree.processes) {
    if (excluded.has(p.pid) || isForeign(p, options.ownUid)) continue;
    const updated = plugins.length > 0 ? pluginCandidate(p, byKey, plugins, options.platform) : undefined;
    if (updated) {
      candidates.set(p.pid, updated);
      continue;
    }
    if (!mayHaveKey(p.argv, byKey)) continue;
    const key = launchKeyOf(p.argv, false)?.key;
    const configsForKey = key !== undefined ? byKey.get(key) : undefined;
    // (`--share-host` is an option of the guard: the launch key is the guard's program either way.)
    const ours = ownScriptOf(p, options);
    if (!configsForKey || isShareRelay(p.argv, ours)) continue;
    const hostEntry = shareHostEntryArgv(p.argv, ours);
    const argv = hostEntry ?? p.argv;
    candidates.set(p.pid, {
      p,
      launch: launchKeyOf(argv) as LaunchKey,
      configs: configsForKey,
      ...(hostEntry ? { asEntry: Object.assign({}, p, { argv: hostEntry }) } : {}),
    });
  }
  return candidates;
}

/**
 * A process run from another version folder of a plugin's cache: a candidate of that plugin's
 * entries only, matched as the launch they make now (the entry's folder in place of its own).
 */
export function pluginCandidate(
  p: ProcessInfo,
  byKey: Map<string, ConfigLaunch[]>,
  plugins: readonly PluginCache[],
  platform: NodeJS.Platform,
): Candidate | undefined {
  for (const plugin of plugins) {
    const moved = fromOtherVersion(p.argv, plugin, platform);
    const launch = moved && launchKeyOf(moved.argv);
    if (!moved || !launch) continue;
    const configs = (byKey.get(launch.key) ?? []).filter(
      (c) => pluginCacheOf(c.config.source.addOn, platform)?.folder === plugin.folder,
    );
    if (configs.length > 0) return { p, launch, configs, asPlugin: Object.assign({}, p, { argv: moved.argv }) };
  }
  return undefined;
}
