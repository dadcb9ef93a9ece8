import { randomBytes } from 'node:crypto';
import { constants, promises as fs, closeSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { LockDirError } from './lockDir';
import { MAX_RECORD_BYTES, parseRecord } from './record';
import type { LockRecord } from './types';

/**
 * The files inside one lock's directory (docs/lock-protocol.md, "Layout"): numbered records
 * `<n>.json`, the newest (highest n) being the one that counts, and temp files `.tmp-*` on their way
 * in. Records are created complete and never edited in place: a temp file is written, then linked
 * (create) or renamed (rewrite by the holder) to its number.
 */

const RECORD_NAME = /^([1-9][0-9]{0,14})\.json$/;
const TEMP_PREFIX = '.tmp-';

/** O_NOFOLLOW where the OS has it (not on Windows, which has no such symlinks in our directories). */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export function recordPath(lockPath: string, n: number): string {
  return path.join(lockPath, `${n}.json`);
}

/** Creates the lock's own directory (0700) inside a checked lock directory and refuses a planted symlink. */
export async function ensureLockSubdir(lockPath: string): Promise<void> {
  try {
    await fs.mkdir(lockPath, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = await fs.lstat(lockPath);
  if (!st.isDirectory()) throw new LockDirError(lockPath, st.isSymbolicLink() ? 'is a symbolic link; refusing to follow it' : 'is not a directory');
}

/** The record numbers present, ascending. A missing directory has none. */
export async function listNumbers(lockPath: string): Promise<number[]> {
  let names: string[];
  try {
    names = await fs.readdir(lockPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return recordNumbers(names);
}

/** listNumbers for exit handlers. */
export function listNumbersSync(lockPath: string): number[] {
  try {
    return recordNumbers(readdirSync(lockPath));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function recordNumbers(names: readonly string[]): number[] {
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
export async function readRecordFile(file: string): Promise<ReadRecord> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') return { kind: 'unreadable', reason: 'is a symbolic link, which is never followed', mtimeMs: (await fs.lstat(file)).mtimeMs };
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { kind: 'unreadable', reason: 'is not a regular file', mtimeMs: st.mtimeMs };
    if (st.size > MAX_RECORD_BYTES) return { kind: 'unreadable', reason: `is ${st.size} bytes, larger than any record (${MAX_RECORD_BYTES})`, mtimeMs: st.mtimeMs };
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await handle.read(buf, 0, st.size, 0);
    const parsed = parseRecord(buf.subarray(0, bytesRead).toString('utf8'));
    return parsed.ok ? { kind: 'record', record: parsed.record, mtimeMs: st.mtimeMs } : { kind: 'unreadable', reason: parsed.reason, mtimeMs: st.mtimeMs };
  } finally {
    await handle.close();
  }
}

function tempName(lockPath: string): string {
  return path.join(lockPath, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
}

/** O_EXCL never follows a symlink and never reuses a file someone else prepared. */
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;

async function writeTemp(lockPath: string, text: string): Promise<string> {
  const temp = tempName(lockPath);
  const handle = await fs.open(temp, TEMP_FLAGS, 0o600);
  try {
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
  return temp;
}

/**
 * Creates record `n` complete, or returns false when it already exists: link(2) of a finished temp
 * file is atomic and fails with EEXIST, so no reader ever sees a half-written record.
 */
export async function createRecord(lockPath: string, n: number, text: string): Promise<boolean> {
  const temp = await writeTemp(lockPath, text);
  try {
    await fs.link(temp, recordPath(lockPath, n));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await fs.unlink(temp).catch(() => undefined); // already gone is fine: it was our own temp file
  }
}

/** Replaces record `n` (by its holder only): rename(2) swaps the whole file at once. */
export async function replaceRecord(lockPath: string, n: number, text: string): Promise<void> {
  const temp = await writeTemp(lockPath, text);
  try {
    await fs.rename(temp, recordPath(lockPath, n));
  } catch (err) {
    await fs.unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** replaceRecord for exit handlers, where only synchronous calls run. */
export function replaceRecordSync(lockPath: string, n: number, text: string): void {
  const temp = tempName(lockPath);
  const fd = openSync(temp, TEMP_FLAGS, 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, recordPath(lockPath, n));
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // the rename error below is the one worth reporting
    }
    throw err;
  }
}

/** Temp files older than this were left by a writer that died between writing and linking. */
const STALE_TEMP_MS = 60_000;

/**
 * Housekeeping by a new holder of record `n`: older records are superseded for good (the newest
 * never goes away, so numbers only grow), and temp files of crashed writers are removed.
 */
export async function removeSuperseded(lockPath: string, n: number): Promise<void> {
  const names = await fs.readdir(lockPath);
  const now = Date.now();
  await Promise.all(
    names.map(async (name) => {
      const m = RECORD_NAME.exec(name);
      const file = path.join(lockPath, name);
      try {
        if (m && Number(m[1]) < n) await fs.unlink(file);
        else if (name.startsWith(TEMP_PREFIX) && now - (await fs.lstat(file)).mtimeMs > STALE_TEMP_MS) await fs.unlink(file);
      } catch (err) {
        // Another new holder may be cleaning up at the same time.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }),
  );
}

/** Removes our own record `n` after losing the race for it to a newer number. */
export async function removeOwnRecord(lockPath: string, n: number): Promise<void> {
  await fs.unlink(recordPath(lockPath, n)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
