import { currentHostEnv } from '../../core/base/hostEnv';
import { nodeFs } from '../../core/versions/fs';
import { RegistryChecker } from '../../core/versions/registry';
import type { ResolvedVersion } from './staleness';
import type { UpdateAvailableNotice } from './staleNotice';

/** Where the daily registry check keeps its answers (the one attach.ts writes by default). */
export interface RegistryCacheFile {
  file: string;
  /** MCP Lifeguard's root: every folder from it down to the file is checked before it is read. */
  root: string;
}

/**
 * A newer release than the one installed, as the cached daily registry check knows it. Reads the
 * cache file only: the guard never asks the registry itself, so a tool result never waits on the
 * network, and with nothing cached nothing is said. A fresh reader each time: the VS Code
 * extension and the CLI rewrite the file while the guard runs.
 */
export function cachedUpdateLookup(cache: RegistryCacheFile, env: NodeJS.ProcessEnv, log: (line: string) => void) {
  return async (installed: ResolvedVersion & { state: 'known' }): Promise<UpdateAvailableNotice | undefined> => {
    if (env.MCP_LIFEGUARD_UPDATE_CHECK === '0') return undefined;
    if (installed.ecosystem !== 'npm' && installed.ecosystem !== 'python') return undefined;
    const reader = new RegistryChecker({ ctx: { host: currentHostEnv(env), fs: nodeFs }, cacheFile: cache.file, root: cache.root, log });
    const update = await reader.cached({ ecosystem: installed.ecosystem, name: installed.name, current: installed.version });
    return update && { name: installed.name, installed: update.current, latest: update.latest };
  };
}
