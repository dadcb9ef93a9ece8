import { redactArgs } from '../base/redact';
import type { LockRecord } from './types';

/**
 * Records are readable by anyone on the account (docs/lock-protocol.md), so the command line and
 * the resource key a record carries are stored with credentials masked; readers mask again, for
 * records written by older versions or other implementations. The lock's name is derived from the
 * unmasked resource key, so no one recomputes a lock's path from a record's key.
 */
export function redactRecord(record: LockRecord): LockRecord {
  return {
    ...record,
    command: Array.isArray(record.command) ? redactArgs(record.command.map(String)) : record.command,
    resourceKey: redactResourceKey(record.resourceKey),
  };
}

/**
 * The default resource key is a JSON array of cwd, command and args: masked as a command line. An
 * explicit one (`--resource`) is masked as one argument would be: a connection URL's user info, a
 * DSN's `password=`, a header, and token shapes anywhere in it (redactArgs ends with redactText).
 */
export function redactResourceKey(key: string): string {
  try {
    const parsed: unknown = JSON.parse(key);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) {
      const masked = redactArgs(parsed as string[]);
      // Unchanged keys keep their exact text.
      return masked.every((m, i) => m === parsed[i]) ? key : JSON.stringify(masked);
    }
  } catch {
    // not the default key: an explicit resource, free text
  }
  return redactArgs([key])[0];
}
