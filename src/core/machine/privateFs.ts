import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  promises as fsp,
  readFileSync,
  renameSync,
  Stats,
  unlinkSync,
  writeSync,
} from 'node:fs';
// What this module creates and writes is on this machine, by its own path rules; a check read through
// a replay's record takes the record's platform (rulesOf).
import * as path from 'node:path';
import { PathRules, pathFor } from '../base/hostEnv';
import type { LifeguardPaths } from '../base/paths';
import { liveFs } from './liveFs';
import { FileStat, fsError, MachineFs } from './types';
import { readTail, Tail } from '../base/tail';
import { CREATE_EXCLUSIVE, isLinkRefusal, NOFOLLOW, READ_NOFOLLOW } from './openFlags';

/**
 * Every folder and file MCP Lifeguard keeps under its root (src/core/base/paths.ts) goes through here, so
 * another local user can neither redirect our writes (a planted symlink: appending to a victim's
 * file), feed us files of theirs, nor make a folder of ours theirs. A folder is trusted when it is a
 * real directory (lstat, never stat), owned by this user and not writable by group or others, and so
 * is every folder between it and the root: then nobody else can swap anything below it. Files are
 * opened with O_NOFOLLOW and checked after opening (a regular file of ours); whole files are written
 * to a fresh temp file (O_EXCL, 0600) and renamed into place, which replaces a link, never follows it.
 *
 * Windows has ACLs, not mode bits, and %LOCALAPPDATA% is private to the user: the owner and mode
 * checks are skipped there; the symlink and file-type checks stay.
 */

/** A folder that must not be trusted: names it, says why, and what to do. */
export class PrivateDirError extends Error {
  constructor(
    readonly dir: string,
    /** What is wrong, e.g. "is writable by group or others (mode 777)". */
    readonly problem: string,
    /** What the user can do about it. */
    readonly fix: string,
  ) {
    super(`${dir} is not private: it ${problem}; ${fix}`);
    this.name = 'PrivateDirError';
  }
}

/** A file of ours that must not be used (a link, a fifo, another user's file). */
export class PrivateFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file} ${problem}; refusing to use it (remove it, or set MCP_LIFEGUARD_HOME to a private directory)`);
    this.name = 'PrivateFileError';
  }
}

export interface PrivacyOptions {
  platform?: NodeJS.Platform;
  /** How a folder is looked at without following it; defaults to this machine's (a replay passes its record's). */
  lstat?: (path: string) => FileStat | undefined;
  /** The uid that must own our folders and files; defaults to this process's (tests inject another). */
  uid?: number;
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

function expectedUid(o: PrivacyOptions): number | undefined {
  if (o.uid !== undefined) return o.uid;
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

const ELSEWHERE = 'or set MCP_LIFEGUARD_HOME to a private directory';

/** Why a folder (its lstat) cannot be trusted, or undefined when it can. */
export function dirProblem(dir: string, st: FileStat, o: PrivacyOptions = {}): PrivateDirError | undefined {
  if (st.kind === 'link')
    return new PrivateDirError(dir, 'is a symbolic link; refusing to follow it', `remove the link, ${ELSEWHERE}`);
  if (st.kind !== 'dir') return new PrivateDirError(dir, 'is not a directory', `move it away, ${ELSEWHERE}`);
  if ((o.platform ?? process.platform) === 'win32') return undefined;
  const uid = expectedUid(o);
  if (uid !== undefined && st.uid !== uid)
    return new PrivateDirError(
      dir,
      `is owned by uid ${st.uid}, not by this user (uid ${uid}); refusing to use it`,
      `remove it (its owner or root can), ${ELSEWHERE}`,
    );
  if (((st.mode ?? 0) & 0o022) !== 0) {
    const mode = ((st.mode ?? 0) & 0o777).toString(8).padStart(3, '0');
    return new PrivateDirError(
      dir,
      `is writable by group or others (mode ${mode})`,
      `make it private with: chmod 700 '${dir}', ${ELSEWHERE}`,
    );
  }
  return undefined;
}

/** Checks an existing folder; throws a PrivateDirError (or ENOENT when it is missing). */
export function checkPrivateDir(dir: string, o: PrivacyOptions = {}): void {
  const st = (o.lstat ?? liveFs.lstatSync)(dir);
  if (!st) throw fsError('ENOENT', `ENOENT: no such file or directory, lstat '${dir}'`);
  const problem = dirProblem(dir, st, o);
  if (problem) throw problem;
}

/** The path rules of the machine whose folders are checked: a replay's platform, else this one's. */
function rulesOf(o: PrivacyOptions): PathRules {
  return pathFor({ platform: o.platform ?? process.platform });
}

/** The folders from `root` down to `dir`, root first; `dir` alone when it is not inside `root`. */
function chain(dir: string, root: string, p: PathRules): string[] {
  const rel = p.relative(root, dir);
  if (rel === '') return [root];
  if (rel.startsWith('..') || p.isAbsolute(rel)) return [dir];
  const out = [root];
  for (const part of rel.split(p.sep)) out.push(p.join(out[out.length - 1], part));
  return out;
}

/**
 * Creates `dir` and the folders between `root` and it (each 0700) where missing, and checks every
 * one of them from `root` down (root included). `root`'s own parents are created when missing but
 * not judged: they are the user's (a home, /tmp). Throws a PrivateDirError.
 */
export function ensurePrivateDir(dir: string, root: string = dir, o: PrivacyOptions = {}): void {
  // Created here, on this machine: its own path rules.
  const folders = chain(path.resolve(dir), path.resolve(root), path);
  const parent = path.dirname(folders[0]);
  try {
    mkdirSync(parent, { recursive: true, mode: 0o700 });
  } catch (err) {
    // A file in the way: said plainly, not as an EEXIST a caller could take for "already there".
    if (errno(err) === 'EEXIST') throw new Error(`cannot create ${parent}: a file is in the way`);
    throw err;
  }
  for (const folder of folders) {
    try {
      mkdirSync(folder, { mode: 0o700 });
    } catch (err) {
      if (errno(err) !== 'EEXIST') throw err;
    }
    checkPrivateDir(folder, o);
  }
}

/**
 * Checks existing folders from `root` down to `dir` without creating any. Returns false when one is
 * missing (nothing of ours is there yet); throws a PrivateDirError for one that cannot be trusted.
 */
export function checkPrivateChain(dir: string, root: string = dir, o: PrivacyOptions = {}): boolean {
  const p = rulesOf(o);
  for (const folder of chain(p.resolve(dir), p.resolve(root), p)) {
    const st = (o.lstat ?? liveFs.lstatSync)(folder);
    if (!st) return false;
    const problem = dirProblem(folder, st, o);
    if (problem) throw problem;
  }
  return true;
}

/** Checks what an open descriptor turned out to be: a regular file of ours. */
function checkOpened(file: string, st: Stats, o: PrivacyOptions): void {
  if (!st.isFile()) throw new PrivateFileError(file, 'is not a regular file');
  checkOwner(file, st.uid, o);
}

/** A file of ours is owned by this user (Windows: by ACLs, not checked here). */
function checkOwner(file: string, owner: number | undefined, o: PrivacyOptions): void {
  if ((o.platform ?? process.platform) === 'win32') return;
  const uid = expectedUid(o);
  if (uid !== undefined && owner !== uid)
    throw new PrivateFileError(file, `is owned by uid ${owner}, not by this user (uid ${uid})`);
}

function openFailure(file: string, err: unknown): Error {
  if (isLinkRefusal(err)) return new PrivateFileError(file, 'is a symbolic link');
  return err as Error;
}

export interface PrivateFileOptions extends PrivacyOptions {
  /** The root of our folders: every folder from it down to the file's is checked (default: the file's folder only). */
  root?: string;
}

/**
 * Opens a file in a private folder (created and checked first) without following a link at its
 * name, and checks it is a regular file of ours. `flags` are added to O_NOFOLLOW; files created get
 * `mode` (0600 by default). Returns the descriptor (the caller closes it).
 */
export function openPrivateSync(file: string, flags: number, o: PrivateFileOptions & { mode?: number } = {}): number {
  ensurePrivateDir(path.dirname(file), o.root ?? path.dirname(file), o);
  let fd: number;
  try {
    fd = openSync(file, flags | NOFOLLOW, o.mode ?? 0o600);
  } catch (err) {
    throw openFailure(file, err);
  }
  try {
    checkOpened(file, fstatSync(fd), o);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/** Appends to a private file (created 0600), never through a link. */
export async function appendPrivate(file: string, text: string, o: PrivateFileOptions = {}): Promise<void> {
  ensurePrivateDir(path.dirname(file), o.root ?? path.dirname(file), o);
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NOFOLLOW, 0o600);
  } catch (err) {
    throw openFailure(file, err);
  }
  try {
    checkOpened(file, await handle.stat(), o);
    await handle.appendFile(text);
  } finally {
    await handle.close();
  }
}

function tempName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Replaces a private file at once: a fresh temp file (O_EXCL: never an existing file or link) with
 * `mode` (0600 by default), then rename(2), which replaces whatever was at the name, a link included,
 * without following it. Readers see the old content or the new, never a part.
 */
export async function writePrivateAtomic(
  file: string,
  data: string | Uint8Array,
  o: PrivateFileOptions & { mode?: number } = {},
): Promise<void> {
  ensurePrivateDir(path.dirname(file), o.root ?? path.dirname(file), o);
  const tmp = tempName(file);
  const handle = await fsp.open(tmp, CREATE_EXCLUSIVE, o.mode ?? 0o600);
  try {
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** writePrivateAtomic for synchronous callers. */
export function writePrivateAtomicSync(
  file: string,
  data: string | Uint8Array,
  o: PrivateFileOptions & { mode?: number } = {},
): void {
  ensurePrivateDir(path.dirname(file), o.root ?? path.dirname(file), o);
  const tmp = tempName(file);
  const fd = openSync(tmp, CREATE_EXCLUSIVE, o.mode ?? 0o600);
  try {
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw err;
  }
}

/**
 * Removes a file of ours; one already gone is fine. Removing a name never follows a link at it: a
 * link planted there goes, never the file it points to.
 */
export async function removePrivate(file: string): Promise<void> {
  await fsp.rm(file, { force: true });
}

/** Our own files are small; one past this is not read. */
const MAX_PRIVATE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a private file: undefined when it (or a folder on its way) is missing. Throws a
 * PrivateDirError for an untrusted folder and a PrivateFileError for a link, a fifo or another
 * user's file: callers report it and go on as if nothing were stored. Never follows a link. Read
 * through a Machine's files when given (`fs`: a replay reads its record), else this machine's.
 */
export async function readPrivate(
  file: string,
  o: PrivateFileOptions & { fs?: MachineFs } = {},
): Promise<string | undefined> {
  const fs = o.fs ?? liveFs;
  const p = rulesOf(o);
  if (!checkPrivateChain(p.dirname(file), o.root ?? p.dirname(file), { ...o, lstat: fs.lstatSync })) return undefined;
  const read = await fs.readNoFollow(file, MAX_PRIVATE_BYTES);
  if (!read) return undefined;
  switch (read.kind) {
    case 'link':
      throw new PrivateFileError(file, 'is a symbolic link');
    case 'other':
      throw new PrivateFileError(file, 'is not a regular file');
    case 'too-big':
      throw new PrivateFileError(file, `is ${read.stat.size} bytes, more than any file of ours`);
    case 'file':
      checkOwner(file, read.stat.uid, o);
      return read.text;
  }
}

/** A private file opened to read, checked as readPrivate says (the caller closes it); undefined when it is missing. */
async function openPrivateForRead(
  file: string,
  o: PrivateFileOptions,
): Promise<{ handle: fsp.FileHandle; size: number } | undefined> {
  if (!checkPrivateChain(path.dirname(file), o.root ?? path.dirname(file), o)) return undefined;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, READ_NOFOLLOW);
  } catch (err) {
    if (errno(err) === 'ENOENT') return undefined;
    throw openFailure(file, err);
  }
  try {
    const st = await handle.stat();
    checkOpened(file, st, o);
    return { handle, size: st.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** What readPrivateTail read: the file's last lines, and whether it stopped short of the file's start. */
export type PrivateTail = Tail;

/**
 * The last `lines` lines of a private file (checked as readPrivate checks it), read backwards from
 * its end, never more than `maxBytes` (base/tail.ts). Undefined when the file does not exist.
 */
export async function readPrivateTail(
  file: string,
  lines: number,
  maxBytes: number,
  o: PrivateFileOptions = {},
): Promise<PrivateTail | undefined> {
  const opened = await openPrivateForRead(file, o);
  if (!opened) return undefined;
  try {
    return await readTail(opened.handle, opened.size, lines, maxBytes);
  } finally {
    await opened.handle.close();
  }
}

/** readPrivate for synchronous callers; returns the bytes. */
export function readPrivateSync(file: string, o: PrivateFileOptions = {}): Buffer | undefined {
  if (!checkPrivateChain(path.dirname(file), o.root ?? path.dirname(file), o)) return undefined;
  let fd: number;
  try {
    fd = openSync(file, READ_NOFOLLOW);
  } catch (err) {
    if (errno(err) === 'ENOENT') return undefined;
    throw openFailure(file, err);
  }
  try {
    checkOpened(file, fstatSync(fd), o);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The root and the folders of ours in it, root first. */
function homeFolders(paths: LifeguardPaths): string[] {
  return [paths.root, paths.locks, paths.state, paths.cache, paths.bin, paths.logs];
}

/**
 * What a guard (`run`, `run --http`, `ensure`) does before anything else: creates the root and its
 * folders (0700) where missing and checks each. Throws a PrivateDirError: a guard without private
 * folders must not start (its lock could be faked or removed by another user).
 */
export function ensurePrivateHome(paths: LifeguardPaths, o: PrivacyOptions = {}): void {
  for (const folder of homeFolders(paths)) ensurePrivateDir(folder, paths.root, o);
}

/**
 * What `status` asks: the first of the root and its existing folders that cannot be trusted, if any.
 * Creates nothing (a missing root is fine: nothing is kept yet).
 */
export function homeProblem(paths: LifeguardPaths, o: PrivacyOptions = {}): PrivateDirError | undefined {
  try {
    for (const folder of homeFolders(paths)) checkPrivateChain(folder, paths.root, o);
    return undefined;
  } catch (err) {
    if (err instanceof PrivateDirError) return err;
    const e = err as Error;
    return new PrivateDirError(paths.root, `cannot be checked (${e.message})`, ELSEWHERE.replace(/^or /, ''));
  }
}
