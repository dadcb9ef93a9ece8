import { thisMachine, thisMachinePath } from '../machine/live';
import { ensureLockDir, LockDirError } from './lockDir';
import { recordIdentity } from '../pids/reidentify';
import { judgeRecord } from './liveness';
import { lockPathFor } from './naming';
import { PROTOCOL_VERSION, serializeRecord } from './record';
import {
  createRecord,
  ensureLockSubdir,
  listNumbers,
  MAX_RECORD_NUMBER,
  readRecordFile,
  recordPath,
  removeOwnRecord,
  removeSuperseded,
} from './generations';
import { Held } from './held';
import { redactRecord } from './redactRecord';
import type { AcquireResult, LockRecord, ServerIdentity } from './types';

/**
 * An unreadable newest record younger than this may be a non-conforming writer still writing its
 * file in place; older ones (a crash, a reboot that lost the file's data, garbage) are superseded.
 */
export const UNREADABLE_GRACE_MS = 2000;

/** Each attempt that does not settle saw another process make progress; this only bounds pathological churn. */
const MAX_ATTEMPTS = 200;

export interface AcquireOptions {
  dir: string;
  identity: ServerIdentity;
  record: Omit<LockRecord, 'protocol' | 'serverName' | 'resourceKey'>;
}

/**
 * Acquires the lock of `identity` (docs/lock-protocol.md, "Acquire"): look at the newest record; if
 * its holder is live, the lock is held; otherwise create the next number with link(2), which exactly
 * one contender wins; then make sure no newer number appeared meanwhile.
 */
export async function acquireLock(opts: AcquireOptions): Promise<AcquireResult> {
  // A lock is taken here, on this machine: named by its path rules.
  const lockPath = lockPathFor(opts.dir, opts.identity, thisMachinePath());
  try {
    await ensureLockDir(opts.dir);
    ensureLockSubdir(lockPath);
  } catch (err) {
    if (err instanceof LockDirError) return { kind: 'error', message: err.message, lockPath };
    return { kind: 'error', message: `cannot prepare ${lockPath}: ${(err as Error).message}`, lockPath };
  }
  const { serverName, resourceKey } = opts.identity;
  // The lock's path comes from the identity as given; the record keeps only the masked command and key.
  const record: LockRecord = redactRecord({ protocol: PROTOCOL_VERSION, serverName, resourceKey, ...opts.record });
  if (record.linux === undefined || record.commandHash === undefined) {
    // Optional for judging (startTime still judges), needed to ever signal the holder (reidentify.ts).
    const own = await recordIdentity(record.pid).catch(() => undefined);
    if (record.linux === undefined && own?.linux) record.linux = own.linux;
    if (record.commandHash === undefined && own?.commandHash) record.commandHash = own.commandHash;
  }
  const text = serializeRecord(record);
  // A lock is taken here, on this machine: its records are read where they are written.
  const { fs } = thisMachine();
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const numbers = listNumbers(lockPath, fs);
      const newest = numbers.length > 0 ? numbers[numbers.length - 1] : 0;
      let tookOverFrom: LockRecord | undefined;
      let takeoverReason: string | undefined;
      if (newest > 0) {
        const file = recordPath(lockPath, newest, thisMachinePath());
        const read = readRecordFile(file, fs);
        if (read.kind === 'missing') continue; // superseded while we looked: look again
        if (read.kind === 'unreadable') {
          if (Date.now() - read.mtimeMs < UNREADABLE_GRACE_MS) {
            return {
              kind: 'error',
              message: `${file} ${read.reason}; it was written less than ${UNREADABLE_GRACE_MS / 1000} s ago, so it may still be in the making: try again`,
              lockPath,
            };
          }
          takeoverReason = `${file} ${read.reason}`;
        } else if (read.record.releasedAt === undefined) {
          const judged = await judgeRecord(read.record);
          if (judged.state === 'live') return { kind: 'held', holder: read.record, lockPath };
          if (judged.state === 'dead') {
            tookOverFrom = read.record;
            takeoverReason = judged.reason;
          }
        }
      }
      const mine = newest + 1;
      if (mine > MAX_RECORD_NUMBER)
        return {
          kind: 'error',
          message: `${lockPath}: record numbers are used up (the newest is ${newest}); remove the directory if no server holds it`,
          lockPath,
        };
      if (!createRecord(lockPath, mine, text)) continue; // another contender created it first
      // A slow contender can create a number that a newer holder already superseded; newer wins.
      const after = listNumbers(lockPath, fs);
      if (after[after.length - 1] > mine) {
        removeOwnRecord(lockPath, mine);
        continue;
      }
      removeSuperseded(lockPath, mine);
      return { kind: 'acquired', lock: new Held(lockPath, mine, record, fs), tookOverFrom, takeoverReason };
    }
  } catch (err) {
    return { kind: 'error', message: `${lockPath}: ${(err as Error).message}`, lockPath };
  }
  return {
    kind: 'error',
    message: `${lockPath}: the lock changed hands ${MAX_ATTEMPTS} times while acquiring it; giving up`,
    lockPath,
  };
}
