import type { ServerConfig } from '../base/model';

/**
 * The resource a wrapped entry's guard locks on (`run --resource=KEY`): the data the entry names
 * (its first data path's key, `data:<digest>`, core/sources/dataPaths.ts: the path itself is never
 * written, an env value being a secret), else the server's identity (its launch key: the
 * resolved command, arguments and configured folder, hashed), never the folder a client starts it
 * in. Without it the guard keys its lock by its working directory, and two clients started from two
 * folders would each run a copy on one store. Every entry of one server gets the same key (one
 * identity: one launch and the same env), so each client's guard finds the same lock.
 */
export function resourceKeyFor(s: Pick<ServerConfig, 'dataPaths' | 'launchKey'>): string {
  return s.dataPaths?.[0]?.key ?? s.launchKey;
}

/**
 * `--resource=KEY` as one argument: the value can never be read as an option of its own, whatever
 * it starts with (a key is `data:<hash>` or `stdio:<hash>`, but the form does not rely on it).
 */
export function resourceOption(key: string): string {
  return `--resource=${key}`;
}
