import { redactRecord } from '../../core/locks/redactRecord';
import type { FreeState, HolderState } from '../../core/locks';
import { terminalSafe, terminalSafeDeep } from '../../core/base/terminalSafe';
import { sharedByClients, table } from './status';
import { attachedOf, isHttpGuardRecord, shareUrlField } from '../../core/processes/guarded';

export type ListedLock = { lockPath: string } & (HolderState | FreeState);

/** Records hold command lines and resource keys: masked again before printing (older records, other writers). */
export function redactListed(lock: ListedLock): ListedLock {
  if (lock.state === 'live' || lock.state === 'dead') return { ...lock, record: redactRecord(lock.record) };
  if (lock.state === 'free' && lock.released) return { ...lock, released: redactRecord(lock.released) };
  return lock;
}

/** The human `locks`: one row per lock, newest record's state, then where to look. */
export function formatLocks(dir: string, locks: ListedLock[]): string {
  if (locks.length === 0) return `No locks in ${terminalSafe(dir)}.\n`;
  const rows = locks
    .map(redactListed)
    .map(terminalSafeDeep)
    .map((l) => {
      const record = l.state === 'live' || l.state === 'dead' ? l.record : l.state === 'free' ? l.released : undefined;
      const note =
        l.state === 'dead'
          ? l.reason
          : l.state === 'unreadable'
            ? l.reason
            : l.state === 'free'
              ? record?.releasedAt
                ? `released ${record.releasedAt}`
                : 'never held'
              : [
                  record?.holder,
                  sharedBy(record),
                  record ? (shareUrlField(record).shareUrl ?? '') : '',
                  record?.control ? `control ${record.control}` : '',
                ]
                  .filter(Boolean)
                  .join(', ');
      return [
        record?.serverName ?? '?',
        l.state,
        record ? String(record.pid) : '',
        record?.startedAt ?? '',
        record?.resourceKey ?? '',
        note,
      ];
    });
  return `${[...table(['SERVER', 'STATE', 'PID', 'STARTED', 'RESOURCE', 'NOTE'], rows), '', `Lock directory: ${terminalSafe(dir)}`].join('\n')}\n`;
}

/**
 * `shared by 3 clients (claude-code, cursor, ...)` for a holder started with --on-conflict share,
 * or an HTTP guard with clients now.
 */
export function sharedBy(record: { share?: boolean; attached?: unknown; holder?: unknown } | undefined): string {
  if (!record) return '';
  const attached = Array.isArray(record.attached) ? attachedOf(record.attached) : [];
  if (record.share !== true && !(isHttpGuardRecord(record) && attached.length > 0)) return '';
  return sharedByClients(attached.map((a) => a.clientName));
}
