import { liveMachine, currentHostEnv } from '../../core/machine/live';
import type { LifeguardPaths } from '../../core/base/paths';
import { RegistryChecker, registryCacheFile } from '../../core/versions/registry';
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
    const reader = new RegistryChecker({
      ctx: { host: machine.host, fs: machine.fs },
      fs: machine.fs,
      net: machine.net,
      cacheFile: registryCacheFile(paths),
      root: paths.root,
      log,
    });
    const update = await reader.cached({
      ecosystem: installed.ecosystem,
      name: installed.name,
      current: installed.version,
    });
    return update && { name: installed.name, installed: update.current, latest: update.latest };
  };
}
