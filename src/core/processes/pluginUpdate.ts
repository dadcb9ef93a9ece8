import type { AddOnRef } from '../base/model';
import { pathFor } from '../base/hostEnv';

/**
 * A Claude Code plugin updated while a session runs its server: Claude Code installs the new version
 * beside the old one in its cache (`<plugins>/cache/<marketplace>/<name>/<version>`) and its entry
 * now names the new folder, while the session's server still runs from the old one. Such a process
 * is the entry's, on this proof only: its command line is the entry's launch with one other version
 * folder of the same plugin's cache folder in place of the entry's.
 */
export interface PluginCache {
  /** `<plugins>/cache/<marketplace>/<name>`: the folder of the plugin's version folders. */
  folder: string;
  /** The entry's version folder (`${CLAUDE_PLUGIN_ROOT}`), named by its version. */
  root: string;
  version: string;
}

/** A plugin entry's cache folder, when it runs from its cache's version folder (not a local marketplace's folder). */
export function pluginCacheOf(addOn: AddOnRef | undefined, platform: NodeJS.Platform): PluginCache | undefined {
  if (addOn?.kind !== 'claude-plugin' || addOn.version === undefined) return undefined;
  const p = pathFor({ platform });
  const folder = p.dirname(addOn.root);
  const holds = (dir: string, name: string) => p.basename(dir) === name;
  const cache = p.dirname(p.dirname(folder));
  return holds(addOn.root, addOn.version) &&
    holds(folder, addOn.name) &&
    holds(p.dirname(folder), addOn.marketplace) &&
    holds(cache, 'cache')
    ? { folder, root: addOn.root, version: addOn.version }
    : undefined;
}

/**
 * The other version an argv runs the plugin from, and the argv with the entry's folder in its place;
 * undefined unless it names exactly one other version (as a whole argument or after `=`).
 */
export function fromOtherVersion(
  argv: readonly string[],
  cache: PluginCache,
  platform: NodeJS.Platform,
): { version: string; argv: string[] } | undefined {
  const sep = pathFor({ platform }).sep;
  const prefix = cache.folder + sep;
  let version: string | undefined;
  const out: string[] = [];
  for (const token of argv) {
    const at = token.indexOf(prefix);
    if (at < 0 || (at > 0 && token[at - 1] !== '=')) {
      out.push(token);
      continue;
    }
    const rest = token.slice(at + prefix.length);
    const end = rest.indexOf(sep);
    const folder = end < 0 ? rest : rest.slice(0, end);
    if (folder === '' || folder === cache.version || (version !== undefined && folder !== version)) return undefined;
    version = folder;
    out.push(token.slice(0, at) + cache.root + rest.slice(folder.length));
  }
  return version !== undefined ? { version, argv: out } : undefined;
}
