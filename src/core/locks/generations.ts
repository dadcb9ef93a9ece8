import type { PathRules } from '../base/hostEnv';
import {
  linkNew,
  listNames,
  makeDirNoFollow,
  mtimeNoFollow,
  removeQuietly,
  renameOver,
  writeTempFile,
} from '../machine/lockFiles';
import { thisMachinePath } from '../machine/live';
import type { MachineFs } from '../machine/types';
import { LockDirError } from './lockDir';
import { MAX_RECORD_BYTES, parseRecord } from './record';
import type { LockRecord } from './types';

/**
 * The files inside one lock's directory (docs/lock-protocol.md, "Names" and "Writing a record"): numbered records
 * `<n>.json`, the newest (highest n) being the one that counts, and temp files `.tmp-*` on their way
 * in. Records are created complete and never edited in place: a temp file is written, then linked
 * (create) or renamed (rewrite by the holder) to its number.
 *
 * Every call here is synchronous on purpose (machine/lockFiles.ts says why). Reads go through a
 * MachineFs, so a snapshot's look at the locks is recorded and replayed like the rest of its reads.
 */

const RECORD_NAME = /^([1-9][0-9]{0,14})\.json$/;
/** Record numbers have at most 15 digits: a larger one would not be recognised as a record. */
export const MAX_RECORD_NUMBER = 999_999_999_999_999;
const TEMP_PREFIX = '.tmp-';

/** Record `n` of a lock, named by the path rules of the machine it is on. */
export function recordPath(lockPath: string, n: number, rules: PathRules): string {
  return rules.join(lockPath, `${n}.json`);
}

/** Creates the lock's own directory (0700) inside a checked lock directory and refuses a planted symlink. */
export function ensureLockSubdir(lockPath: string): void {
  const kind = makeDirNoFollow(lockPath);
  if (kind !== 'dir')
    throw new LockDirError(
      lockPath,
      kind === 'link' ? 'is a symbolic link; refusing to follow it' : 'is not a directory',
    );
}

/** The record numbers present, ascending. A missing directory has none. */
export function listNumbers(lockPath: string, fs: MachineFs): number[] {
  const names = fs.readdirSync(lockPath) ?? [];
  const numbers: number[] = [];
  for (const name of names) {
    const m = RECORD_NAME.exec(name);
    if (m) numbers.push(Number(m[1]));
  }
  return numbers.sort((a, b) => a - b);
}

export type ReadRecord =
  | { kind: 'missing' }
  | { kind: 'record'; record: LockRecord; mtimeMs: number }
  | { kind: 'unreadable'; reason: string; mtimeMs: number };

/** Reads one record file without following a symlink. `missing` when it vanished meanwhile. */
export function readRecordFile(file: string, fs: MachineFs): ReadRecord {
  const read = fs.readNoFollowSync(file, MAX_RECORD_BYTES);
  if (!read) return { kind: 'missing' };
  const mtimeMs = read.stat.mtimeMs;
  switch (read.kind) {
    case 'link':
      return { kind: 'unreadable', reason: 'is a symbolic link, which is never followed', mtimeMs };
    case 'other':
      return { kind: 'unreadable', reason: 'is not a regular file', mtimeMs };
    case 'too-big':
      return {
        kind: 'unreadable',
        reason: `is ${read.stat.size} bytes, larger than any record (${MAX_RECORD_BYTES})`,
        mtimeMs,
      };
    case 'file': {
      const parsed = parseRecord(read.text);
      return parsed.ok
        ? { kind: 'record', record: parsed.record, mtimeMs }
        : { kind: 'unreadable', reason: parsed.reason, mtimeMs };
    }
  }
}

/**
 * Creates record `n` complete, or returns false when it already exists: link(2) of a finished temp
 * file is atomic and fails with EEXIST, so no reader ever sees a half-written record.
 */
export function createRecord(lockPath: string, n: number, text: string): boolean {
  const temp = writeTempFile(lockPath, TEMP_PREFIX, text);
  try {
    return linkNew(temp, recordPath(lockPath, n, thisMachinePath()));
  } finally {
    removeQuietly(temp);
  }
}

/** Replaces record `n` (by its holder only): rename(2) swaps the whole file at once. */
export function replaceRecord(lockPath: string, n: number, text: string): void {
  const temp = writeTempFile(lockPath, TEMP_PREFIX, text);
  try {
    renameOver(temp, recordPath(lockPath, n, thisMachinePath()));
  } catch (err) {
    removeQuietly(temp);
    throw err;
  }
}

/** Temp files older than this were left by a writer that died between writing and linking. */
const STALE_TEMP_MS = 60_000;

/**
 * Housekeeping by a new holder of record `n`: older records are superseded for good (the newest
 * never goes away, so numbers only grow), and temp files of crashed writers are removed.
 * ENOENT is expected: another new holder may be cleaning up at the same time.
 */
export function removeSuperseded(lockPath: string, n: number): void {
  const now = Date.now();
  for (const name of listNames(lockPath)) {
    const m = RECORD_NAME.exec(name);
    const file = thisMachinePath().join(lockPath, name);
    if (m && Number(m[1]) < n) {
      removeQuietly(file);
    } else if (name.startsWith(TEMP_PREFIX)) {
      const mtime = mtimeNoFollow(file);
      if (mtime !== undefined && now - mtime > STALE_TEMP_MS) removeQuietly(file);
    }
  }
}

/** Removes our own record `n` after losing the race for it to a newer number. */
export function removeOwnRecord(lockPath: string, n: number): void {
  removeQuietly(recordPath(lockPath, n, thisMachinePath()));
}
