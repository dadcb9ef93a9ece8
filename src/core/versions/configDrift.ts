import valid from 'semver/functions/valid';
import { parseLaunch } from '../launch/parse';
import type { AddOnRef } from '../base/model';
import { isGuard } from '../processes/argv';
import { fromOtherVersion, pluginCacheOf } from '../processes/pluginUpdate';
import type { LaunchTarget } from '../launch/types';

/**
 * Config drift: the entry was edited while an instance kept running (`npx pkg@1.0.0` became
 * `pkg@2.0.0`). The instance matches the entry (same package), runs what it was started with, and
 * a restart would run the new launch. Told from the package spec the process was started with (the
 * launcher chain keeps it: `npm exec pkg@1.0.0`) against the one configured now. Only a requested
 * version is compared: other arguments are rewritten by runners (npm retitles its process) and
 * would raise false alarms.
 */

export interface Drift {
  package: string;
  /** What the process was started with, `pkg@1.0.0` (`pkg` when it named no version). */
  running: string;
  configured: string;
  /** Said instead of the configuration's words, where another change than an edit moved the launch. */
  summary?: string;
}

type PackageTarget = Extract<LaunchTarget, { kind: 'package' }>;

/** The package a command runs, seen through the guard (`mcp-lifeguard run [opts] -- cmd`). */
export function launchedPackage(argv: readonly string[]): PackageTarget | undefined {
  let words = argv;
  if (isGuard(words)) {
    const i = words.indexOf('--');
    if (i < 0) return undefined;
    words = words.slice(i + 1);
  }
  const { target } = parseLaunch(words);
  return target.kind === 'package' ? target : undefined;
}

/** A launch's package as a drift names it (`pkg@1.0.0`; `pkg` with no version): the config event's id is made of it. */
export const packageLabel = (name: string, version?: string): string => (version ? `${name}@${version}` : name);
const label = (t: PackageTarget) => packageLabel(t.name, t.version);

/**
 * `configured`: the package the entry launches now (`launchedPackage` of its command);
 * `started`: argvs of the launcher chain, outermost first, then the instance's own.
 */
export function configDrift(
  configured: PackageTarget | undefined,
  started: ReadonlyArray<readonly string[]>,
  runs?: { name: string; version: string },
): Drift | undefined {
  const now = configured;
  if (!now) return undefined;
  for (const argv of started) {
    const then = launchedPackage(argv);
    if (!then || then.ecosystem !== now.ecosystem) continue;
    if (then.name.toLowerCase() === now.name.toLowerCase()) {
      if ((then.version ?? '') === (now.version ?? '')) return undefined;
      return { package: now.name, running: label(then), configured: label(now) };
    }
    // `npx -p pkg@1.0.0 bin`: npm titles its process `npm exec bin`, so the spec it was started with
    // is not in the chain. The release the process runs stands for it, against an exact pin only (a
    // range or tag is what an update check weighs, not a drift).
    if (now.command !== undefined && then.name.toLowerCase() === now.command.toLowerCase() && runs) {
      if (runs.name.toLowerCase() !== now.name.toLowerCase() || valid(now.version ?? '') === null) return undefined;
      if (runs.version === valid(now.version ?? '')) return undefined;
      return { package: now.name, running: `${now.name}@${runs.version}`, configured: label(now) };
    }
  }
  return undefined;
}

/**
 * A Claude Code plugin updated under its running server (processes/pluginUpdate.ts): the entry now
 * runs the plugin's new version folder, the process (or a launcher above it, `started`) the old one.
 */
export function pluginUpdateDrift(
  addOn: AddOnRef | undefined,
  started: ReadonlyArray<readonly string[]>,
  platform: NodeJS.Platform,
): Drift | undefined {
  const cache = pluginCacheOf(addOn, platform);
  if (!cache || addOn?.kind !== 'claude-plugin') return undefined;
  for (const argv of started) {
    const moved = fromOtherVersion(argv, cache, platform);
    if (moved)
      return {
        package: `plugin ${addOn.id}`,
        running: moved.version,
        configured: cache.version,
        summary: `${addOn.id} was updated under it: it runs plugin version ${moved.version}, ${cache.version} is installed; restart Claude Code's session to load it`,
      };
  }
  return undefined;
}
