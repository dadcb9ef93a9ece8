import { redactRecord } from '../../core/locks/redactRecord';
import type { FreeState, HolderState, LockRecord } from '../../core/locks';
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
      const record = recordOf(l);
      return [
        record?.serverName ?? '?',
        l.state,
        record ? String(record.pid) : '',
        record?.startedAt ?? '',
        record?.resourceKey ?? '',
        noteOf(l),
      ];
    });
  return `${[...table(['SERVER', 'STATE', 'PID', 'STARTED', 'RESOURCE', 'NOTE'], rows), '', `Lock directory: ${terminalSafe(dir)}`].join('\n')}\n`;
}

/** The record a row shows: the holder's, or the last one released. */
function recordOf(l: ListedLock): LockRecord | undefined {
  switch (l.state) {
    case 'live':
    case 'dead':
      return l.record;
    case 'free':
      return l.released;
    case 'unreadable':
      return undefined;
  }
}

/** The NOTE cell: why a lock is dead or unreadable, when a free one was released, or who holds a live one. */
function noteOf(l: ListedLock): string {
  switch (l.state) {
    case 'dead':
    case 'unreadable':
      return l.reason;
    case 'free':
      return l.released?.releasedAt ? `released ${l.released.releasedAt}` : 'never held';
    case 'live':
      return [
        l.record.holder,
        sharedBy(l.record),
        shareUrlField(l.record).shareUrl ?? '',
        l.record.control ? `control ${l.record.control}` : '',
      ]
        .filter(Boolean)
        .join(', ');
  }
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
