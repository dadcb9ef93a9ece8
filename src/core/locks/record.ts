import type { LockRecord } from './types';

export const PROTOCOL_VERSION = 1;

/** Records are small; anything larger is not one of ours and is not read whole. */
export const MAX_RECORD_BYTES = 64 * 1024;

export type ParsedRecord = { ok: true; record: LockRecord } | { ok: false; reason: string };

/**
 * Parses the text of a record file. Only what judging a holder needs is required (protocol, pid,
 * startTime, serverName, resourceKey); other fields are kept as written. A record of a later
 * protocol version is accepted: pid and startTime keep their meaning in every version.
 */
export function parseRecord(text: string): ParsedRecord {
  if (text.trim().length === 0) return { ok: false, reason: 'the record is empty' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `the record is not valid JSON (${(err as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'the record is not a JSON object' };
  const r = value as Record<string, unknown>;
  if (!Number.isInteger(r.protocol) || (r.protocol as number) < 1)
    return { ok: false, reason: `the record has no valid "protocol" (got ${JSON.stringify(r.protocol)})` };
  // pid 0 and negative pids address process groups in kill(2): never accept them.
  if (!Number.isInteger(r.pid) || (r.pid as number) <= 0)
    return { ok: false, reason: `the record has no valid "pid" (got ${JSON.stringify(r.pid)})` };
  if (typeof r.startTime !== 'number' || !Number.isFinite(r.startTime))
    return { ok: false, reason: `the record has no valid "startTime" (got ${JSON.stringify(r.startTime)})` };
  if (typeof r.serverName !== 'string') return { ok: false, reason: 'the record has no "serverName" string' };
  if (typeof r.resourceKey !== 'string') return { ok: false, reason: 'the record has no "resourceKey" string' };
  return { ok: true, record: r as unknown as LockRecord };
}

export function serializeRecord(record: LockRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}
