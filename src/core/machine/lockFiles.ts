import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
// Lock files are written here, on this machine: its own path rules.
import * as path from 'node:path';
import { CREATE_EXCLUSIVE } from './openFlags';

/**
 * The file operations of the lock protocol's writers (core/locks: acquire, hold, release), on this
 * machine: a lock's folder made without following a link, a temp file created O_EXCL|O_NOFOLLOW and
 * linked (create, atomic, fails when the name exists) or renamed (replace) to its record's name, and
 * what a new holder removes. Readers go through the Machine's `readNoFollow` instead.
 *
 * Every call is synchronous on purpose: each is one tiny system call on a local file, and an
 * acquisition needs about twenty of them. Sent through the thread pool one by one, each would wait
 * for the event loop again, which on a busy machine makes an acquisition tens of milliseconds slow.
 */

/** O_EXCL never follows a symlink and never reuses a file someone else prepared. */

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** Creates a folder (0700) where missing and says what is at its name now, never following a link. */
export function makeDirNoFollow(dir: string): 'dir' | 'link' | 'other' {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if (code(err) !== 'EEXIST') throw err;
  }
  const st = lstatSync(dir);
  return st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'other';
}

/** Writes `text` to a fresh temp file `<dir>/<prefix><pid>-<random>` (0600) and returns its path. */
export function writeTempFile(dir: string, prefix: string, text: string): string {
  const temp = path.join(dir, `${prefix}${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = openSync(temp, CREATE_EXCLUSIVE, 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return temp;
}

/** Removes a file; one already gone is fine. */
export function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err;
  }
}

/** link(2): true when `target` was created, false when the name was taken (EEXIST). */
export function linkNew(temp: string, target: string): boolean {
  try {
    linkSync(temp, target);
    return true;
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    throw err;
  }
}

/** rename(2): replaces `target` whole, a link at its name included, without following it. */
export function renameOver(temp: string, target: string): void {
  renameSync(temp, target);
}

/** The names in a folder; a missing folder has none. */
export function listNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if (code(err) === 'ENOENT') return [];
    throw err;
  }
}

/** A file's modification time without following a link; undefined when it is gone. */
export function mtimeNoFollow(file: string): number | undefined {
  try {
    return lstatSync(file).mtimeMs;
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    throw err;
  }
}
