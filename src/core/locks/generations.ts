import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import * as path from 'node:path';
import { LockDirError } from './lockDir';
import { MAX_RECORD_BYTES, parseRecord } from './record';
import type { LockRecord } from './types';

/**
 * The files inside one lock's directory (docs/lock-protocol.md, "Names" and "Writing a record"): numbered records
 * `<n>.json`, the newest (highest n) being the one that counts, and temp files `.tmp-*` on their way
 * in. Records are created complete and never edited in place: a temp file is written, then linked
 * (create) or renamed (rewrite by the holder) to its number.
 *
 * Every call here is synchronous on purpose: each is one tiny system call on a local file, and an
 * acquisition needs about twenty of them. Sent through the thread pool one by one, each would wait
 * for the event loop again, which on a busy machine makes an acquisition tens of milliseconds slow.
 */

const RECORD_NAME = /^([1-9][0-9]{0,14})\.json$/;
/** Record numbers have at most 15 digits: a larger one would not be recognised as a record. */
export const MAX_RECORD_NUMBER = 999_999_999_999_999;
const TEMP_PREFIX = '.tmp-';

/** O_NOFOLLOW where the OS has it (not on Windows, which has no such symlinks in our directories). */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

export function recordPath(lockPath: string, n: number): string {
  return path.join(lockPath, `${n}.json`);
}

/** Creates the lock's own directory (0700) inside a checked lock directory and refuses a planted symlink. */
export function ensureLockSubdir(lockPath: string): void {
  try {
    mkdirSync(lockPath, { mode: 0o700 });
  } catch (err) {
    if (code(err) !== 'EEXIST') throw err;
  }
  const st = lstatSync(lockPath);
  if (!st.isDirectory())
    throw new LockDirError(
      lockPath,
      st.isSymbolicLink() ? 'is a symbolic link; refusing to follow it' : 'is not a directory',
    );
}

/** The record numbers present, ascending. A missing directory has none. */
export function listNumbers(lockPath: string): number[] {
  let names: string[];
  try {
    names = readdirSync(lockPath);
  } catch (err) {
    if (code(err) === 'ENOENT') return [];
    throw err;
  }
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
export function readRecordFile(file: string): ReadRecord {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | NOFOLLOW);
  } catch (err) {
    if (code(err) === 'ENOENT') return { kind: 'missing' };
    if (code(err) === 'ELOOP')
      return {
        kind: 'unreadable',
        reason: 'is a symbolic link, which is never followed',
        mtimeMs: lstatSync(file).mtimeMs,
      };
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { kind: 'unreadable', reason: 'is not a regular file', mtimeMs: st.mtimeMs };
    if (st.size > MAX_RECORD_BYTES)
      return {
        kind: 'unreadable',
        reason: `is ${st.size} bytes, larger than any record (${MAX_RECORD_BYTES})`,
        mtimeMs: st.mtimeMs,
      };
    const buf = Buffer.alloc(st.size);
    const bytesRead = st.size > 0 ? readSync(fd, buf, 0, st.size, 0) : 0;
    const parsed = parseRecord(buf.subarray(0, bytesRead).toString('utf8'));
    return parsed.ok
      ? { kind: 'record', record: parsed.record, mtimeMs: st.mtimeMs }
      : { kind: 'unreadable', reason: parsed.reason, mtimeMs: st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** O_EXCL never follows a symlink and never reuses a file someone else prepared. */
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;

function writeTemp(lockPath: string, text: string): string {
  const temp = path.join(lockPath, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = openSync(temp, TEMP_FLAGS, 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return temp;
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err;
  }
}

/**
 * Creates record `n` complete, or returns false when it already exists: link(2) of a finished temp
 * file is atomic and fails with EEXIST, so no reader ever sees a half-written record.
 */
export function createRecord(lockPath: string, n: number, text: string): boolean {
  const temp = writeTemp(lockPath, text);
  try {
    linkSync(temp, recordPath(lockPath, n));
    return true;
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    throw err;
  } finally {
    removeQuietly(temp);
  }
}

/** Replaces record `n` (by its holder only): rename(2) swaps the whole file at once. */
export function replaceRecord(lockPath: string, n: number, text: string): void {
  const temp = writeTemp(lockPath, text);
  try {
    renameSync(temp, recordPath(lockPath, n));
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
  for (const name of readdirSync(lockPath)) {
    const m = RECORD_NAME.exec(name);
    const file = path.join(lockPath, name);
    if (m && Number(m[1]) < n) {
      removeQuietly(file);
    } else if (name.startsWith(TEMP_PREFIX)) {
      let age: number;
      try {
        age = now - lstatSync(file).mtimeMs;
      } catch (err) {
        if (code(err) === 'ENOENT') continue;
        throw err;
      }
      if (age > STALE_TEMP_MS) removeQuietly(file);
    }
  }
}

/** Removes our own record `n` after losing the race for it to a newer number. */
export function removeOwnRecord(lockPath: string, n: number): void {
  removeQuietly(recordPath(lockPath, n));
}
