import { liveMachine, currentHostEnv } from '../../core/machine/live';
import type { LifeguardPaths } from '../../core/base/paths';
import { packageKey, readRegistryCache, registryCacheFile, updateOf } from '../../core/versions/registry';
import type { UpdateLookup } from './staleNotice';

/**
 * A newer release than the one installed, as the cached daily registry check knows it. Reads the
 * cache file only: the guard never asks the registry itself, so a tool result never waits on the
 * network, and with nothing cached nothing is said. A fresh reader each time: the VS Code
 * extension and the CLI rewrite the file while the guard runs.
 */
export function cachedUpdateLookup(
  paths: Pick<LifeguardPaths, 'cache' | 'root' | 'platform'>,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): UpdateLookup {
  return async (installed) => {
    if (env.MCP_LIFEGUARD_UPDATE_CHECK === '0') return undefined;
    if (installed.ecosystem !== 'npm' && installed.ecosystem !== 'python') return undefined;
    const machine = liveMachine(currentHostEnv(env));
    // The cache's reader alone: the checker that asks the registries is no part of the guard.
    const entries = await readRegistryCache({
      cacheFile: registryCacheFile(paths),
      fs: machine.fs,
      platform: machine.host.platform,
      root: paths.root,
      log,
    });
    const ref = { ecosystem: installed.ecosystem, name: installed.name, current: installed.version };
    const update = updateOf(entries.get(packageKey(ref)), ref);
    return update && { name: installed.name, installed: update.current, latest: update.latest };
  };
}
