import { redactArgs, redactText } from '../../core/redact';
import type { FreeState, HolderState, LockRecord } from '../../core/locks';
import { table } from './status';

export type ListedLock = { lockPath: string } & (HolderState | FreeState);

/** Records hold command lines and resource keys, which may carry credentials: masked before printing. */
export function redactRecord(record: LockRecord): LockRecord {
  return {
    ...record,
    command: Array.isArray(record.command) ? redactArgs(record.command.map(String)) : record.command,
    resourceKey: redactResourceKey(record.resourceKey),
  };
}

/** The default resource key is a JSON array of cwd, command and args: redact it as a command line. */
function redactResourceKey(key: string): string {
  try {
    const parsed: unknown = JSON.parse(key);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return JSON.stringify(redactArgs(parsed as string[]));
  } catch {
    // not the default key: an explicit resource, free text
  }
  return redactText(key);
}

export function redactListed(lock: ListedLock): ListedLock {
  if (lock.state === 'live' || lock.state === 'dead') return { ...lock, record: redactRecord(lock.record) };
  if (lock.state === 'free' && lock.released) return { ...lock, released: redactRecord(lock.released) };
  return lock;
}

/** The human `locks`: one row per lock, newest record's state, then where to look. */
export function formatLocks(dir: string, locks: ListedLock[]): string {
  if (locks.length === 0) return `No locks in ${dir}.\n`;
  const rows = locks.map(redactListed).map((l) => {
    const record = l.state === 'live' || l.state === 'dead' ? l.record : l.state === 'free' ? l.released : undefined;
    const note =
      l.state === 'dead' ? l.reason : l.state === 'unreadable' ? l.reason : l.state === 'free' ? (record?.releasedAt ? `released ${record.releasedAt}` : 'never held') : [record?.holder, record?.control ? `control ${record.control}` : ''].filter(Boolean).join(', ');
    return [record?.serverName ?? '?', l.state, record ? String(record.pid) : '', record?.startedAt ?? '', record?.resourceKey ?? '', note];
  });
  return `${[...table(['SERVER', 'STATE', 'PID', 'STARTED', 'RESOURCE', 'NOTE'], rows), '', `Lock directory: ${dir}`].join('\n')}\n`;
}
