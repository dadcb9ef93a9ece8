import { thisMachinePath } from '../machine/live';
import type { ServerIdentity } from './types';
import { identityHash, nameSlug } from './naming';

/**
 * Where a guarded server's stderr is kept: one file per identity in MCP Lifeguard's logs folder,
 * named like its lock (`<slug>-<hash>.stderr.log`), so every face finds the same file.
 */
export function serverLogPathFor(logsDir: string, identity: ServerIdentity): string {
  // Written by the guard, here on this machine.
  return thisMachinePath().join(logsDir, `${nameSlug(identity.serverName)}-${identityHash(identity)}.stderr.log`);
}

/** The bound of one log file; one older file (`.1`) is kept beside it. */
export const SERVER_LOG_MAX_BYTES = 1024 * 1024;

/**
 * A server log named by a lock record, only when it is a `.stderr.log` inside our own logs folder:
 * a lock record is a file anyone of this user can write, and it must not make a face open or print
 * some other file.
 */
export function serverLogInside(logsDir: string, file: string | undefined, sep: string): string | undefined {
  if (!file) return undefined;
  const inside =
    file.startsWith(logsDir.endsWith(sep) ? logsDir : logsDir + sep) && !file.split(/[\\/]/).includes('..');
  return inside && /\.stderr\.log$/.test(file) ? file : undefined;
}

/** The log files of every identity named `serverName` (its guards under any resource key), by file name. */
export function serverLogNamePattern(serverName: string): RegExp {
  return new RegExp(`^${nameSlug(serverName).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]+\\.stderr\\.log$`);
}
