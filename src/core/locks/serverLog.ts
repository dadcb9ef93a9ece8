import * as path from 'node:path';
import type { ServerIdentity } from './types';
import { identityHash, nameSlug } from './naming';

/**
 * Where a guarded server's stderr is kept: one file per identity in MCP Lifeguard's logs folder,
 * named like its lock (`<slug>-<hash>.stderr.log`), so every face finds the same file.
 */
export function serverLogPathFor(logsDir: string, identity: ServerIdentity): string {
  return path.join(logsDir, `${nameSlug(identity.serverName)}-${identityHash(identity)}.stderr.log`);
}

/** The bound of one log file; one older file (`.1`) is kept beside it. */
export const SERVER_LOG_MAX_BYTES = 1024 * 1024;
