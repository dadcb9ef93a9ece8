import type { LockRecord, RecordedServerInfo, RecordedVersions } from '../locks/types';
import type { ServerInfoStatement } from '../base/versionTypes';
import { isVersionLine } from '../base/versionText';

const WAYS: Record<RecordedServerInfo['how'], string> = {
  'result _meta': "a result's _meta",
  'server/discover': 'server/discover',
  initialize: 'the initialize answer',
};

/**
 * The serverInfo a guard relayed for this process: its lock record's `versions.serverInfo`, when the
 * child that said it is this very process (`pid`). A statement of an earlier child (before a
 * restart) or of another process says nothing of this one. A stdio server is never asked directly
 * (a second process would be the duplicate the guard prevents): this is its only serverInfo.
 */
export function serverInfoFromLock(lock: LockRecord | undefined, pid: number): ServerInfoStatement | undefined {
  return serverInfoFromVersions(lock?.versions, pid);
}

/** The same, from the versions a guard records (it asks about its own child before its record is rewritten). */
export function serverInfoFromVersions(
  versions: RecordedVersions | undefined,
  pid: number,
): ServerInfoStatement | undefined {
  const stated = versions?.serverInfo;
  // A lock record is a file anyone of this user can write: a version that is not one printable line is none.
  if (!stated || stated.pid !== pid || typeof stated.name !== 'string' || !isVersionLine(stated.version))
    return undefined;
  const era = stated.era === 'modern' || stated.era === 'legacy' ? stated.era : undefined;
  const way = Object.hasOwn(WAYS, stated.how) ? WAYS[stated.how] : 'MCP';
  return {
    name: stated.name,
    version: stated.version,
    ...(era ? { era } : {}),
    how: `${way}, relayed by the guard (its lock record)`,
  };
}
