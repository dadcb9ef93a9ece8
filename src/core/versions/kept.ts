import { pathFor } from '../base/hostEnv';
import type { EngineCache } from '../base/engineCache';
import { lifeguardPaths } from '../base/paths';
import { appendPrivate } from '../machine/privateFs';
import type { Machine } from '../machine/types';
import { MtimeCache } from './cache';
import type { Resolution } from './resolve';

/**
 * What every engine keeps for version resolution, and where its quiet failures go: small on
 * purpose, so a guard's engine (engineCore.ts) loads it without the snapshot's versions step.
 */

const RESOLUTIONS = { name: 'resolutions', limit: 1 } as const;

/** The resolution cache of an engine: an answer built on absence (mid-install) must see the reinstall that ends it at once. */
export function resolutionCache(machine: Machine, cache: EngineCache): MtimeCache<Resolution> {
  return cache
    .bucket<string, MtimeCache<Resolution>>(RESOLUTIONS.name, RESOLUTIONS)
    .getOrSet('', () => new MtimeCache<Resolution>(machine.fs, { recheck: (r) => r.installed.state === 'missing' }));
}

/** A file logger into `<logs>/versions.log`: never through a link, never into a folder that is not private. */
export function versionsLog(machine: Machine): (message: string) => void {
  const { root, logs } = lifeguardPaths(machine.host);
  const file = pathFor(machine.host).join(logs, 'versions.log');
  return (message) => {
    // A refused line has nowhere better to go.
    appendPrivate(file, `${new Date(machine.now()).toISOString()} ${message}\n`, { root }).catch(() => undefined);
  };
}
