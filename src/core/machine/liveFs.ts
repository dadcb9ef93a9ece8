import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { ByteMatch, FileStat, isAbsent, MachineFs, NoFollowRead } from './types';
import { isLinkRefusal, READ_NOFOLLOW } from './openFlags';

/** This machine's files through node:fs: the only reader of files in the engine. */

function toStat(s: fs.Stats): FileStat {
  const kind = s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'link' : 'other';
  return {
    kind,
    mtimeMs: s.mtimeMs,
    ctimeMs: s.ctimeMs,
    size: s.size,
    ino: s.ino,
    dev: s.dev,
    uid: s.uid,
    mode: s.mode,
  };
}

async function orAbsent<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
}

function orAbsentSync<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
}

/** Opened read-only without waiting on a FIFO's writer (nor taking a terminal); anything but a regular file is not read. */
const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

/** Reads `length` bytes at `position` into `buffer` (from 0), or up to the end: a read may return less than asked (a network or FUSE file, a signal). */
async function readFully(
  handle: fs.promises.FileHandle,
  buffer: Buffer,
  length: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

function readFullySync(fd: number, buffer: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

async function readBytes(p: string, position: number, length: number): Promise<Buffer | undefined> {
  const handle = await orAbsent(fs.promises.open(p, READ_FLAGS));
  if (!handle) return undefined;
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, await readFully(handle, buffer, length, position));
  } finally {
    await handle.close();
  }
}

function readBytesSync(p: string, position: number, length: number): Buffer | undefined {
  const fd = orAbsentSync(() => fs.openSync(p, READ_FLAGS));
  if (fd === undefined) return undefined;
  try {
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, readFullySync(fd, buffer, length, position));
  } finally {
    fs.closeSync(fd);
  }
}

const CHUNK = 1024 * 1024;

/**
 * Streams a file (or a range of it) through SHA-256 in chunks: a 200 MB native library never sits
 * whole in memory. /proc files (`/proc/<pid>/exe`, `map_files`, `mem`) are not regular files to
 * fstat but read the same way.
 */
async function digest(p: string, range?: { position: number; length: number }): Promise<string | undefined> {
  const handle = await orAbsent(fs.promises.open(p, READ_FLAGS));
  if (!handle) return undefined;
  try {
    const st = await handle.stat();
    if (st.isDirectory()) return undefined;
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(CHUNK);
    const end = range ? range.position + range.length : Infinity;
    for (let at = range?.position ?? 0; at < end;) {
      const want = Math.min(chunk.length, end - at);
      const { bytesRead } = await handle.read(chunk, 0, want, at);
      if (bytesRead === 0) {
        // Past the end: a range reads as zeros there, a whole file ends.
        if (range) hash.update(Buffer.alloc(end - at));
        break;
      }
      hash.update(chunk.subarray(0, bytesRead));
      at += bytesRead;
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

/** Longest match searchBytes finds across a chunk's end: chunks overlap by this much. */
const OVERLAP = 4096;

async function searchBytes(p: string, pattern: string, limit: number): Promise<ByteMatch[] | undefined> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(p, READ_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const re = new RegExp(pattern, 'g');
    const found = new Map<number, string>();
    const buf = Buffer.alloc(CHUNK + OVERLAP);
    for (let pos = 0; pos < limit; pos += CHUNK) {
      const want = Math.min(buf.length, limit - pos + OVERLAP);
      const bytesRead = await readFully(handle, buf, want, pos);
      if (bytesRead === 0) break;
      const last = bytesRead < buf.length;
      for (const m of buf.toString('latin1', 0, bytesRead).matchAll(re)) {
        // A match starting in the overlap is found again, whole, in the next chunk.
        if (!last && m.index >= CHUNK) continue;
        found.set(pos + m.index, m.slice(1).find((g) => g !== undefined) ?? m[0]);
      }
      if (last) break;
    }
    return [...found].map(([at, text]) => ({ at, text }));
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

async function readNoFollow(p: string, maxBytes: number): Promise<NoFollowRead | undefined> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(p, READ_NOFOLLOW);
  } catch (err) {
    if (isAbsent(err)) return undefined;
    if (isLinkRefusal(err)) {
      const st = await orAbsent(fs.promises.lstat(p));
      return st ? { kind: 'link', stat: toStat(st) } : undefined;
    }
    throw err;
  }
  try {
    const st = toStat(await handle.stat());
    if (st.kind !== 'file') return { kind: 'other', stat: st };
    if (st.size > maxBytes) return { kind: 'too-big', stat: st };
    const buf = Buffer.alloc(st.size);
    const bytesRead = await readFully(handle, buf, st.size, 0);
    return { kind: 'file', stat: st, text: buf.subarray(0, bytesRead).toString('utf8') };
  } finally {
    await handle.close();
  }
}

function readNoFollowSync(p: string, maxBytes: number): NoFollowRead | undefined {
  let fd: number;
  try {
    fd = fs.openSync(p, READ_NOFOLLOW);
  } catch (err) {
    if (isAbsent(err)) return undefined;
    if (isLinkRefusal(err)) {
      const st = orAbsentSync(() => fs.lstatSync(p));
      return st ? { kind: 'link', stat: toStat(st) } : undefined;
    }
    throw err;
  }
  try {
    const st = toStat(fs.fstatSync(fd));
    if (st.kind !== 'file') return { kind: 'other', stat: st };
    if (st.size > maxBytes) return { kind: 'too-big', stat: st };
    const buf = Buffer.alloc(st.size);
    const n = readFullySync(fd, buf, st.size, 0);
    return { kind: 'file', stat: st, text: buf.subarray(0, n).toString('utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

export const liveFs: MachineFs = {
  stat: async (p) => {
    const s = await orAbsent(fs.promises.stat(p));
    return s && toStat(s);
  },
  lstat: async (p) => {
    const s = await orAbsent(fs.promises.lstat(p));
    return s && toStat(s);
  },
  readText: (p) => orAbsent(fs.promises.readFile(p, 'utf8')),
  readdir: (p) => orAbsent(fs.promises.readdir(p)),
  realpath: (p) => orAbsent(fs.promises.realpath(p)),
  readlink: (p) => orAbsent(fs.promises.readlink(p)),
  readBytes,
  digest,
  searchBytes,
  readNoFollow,
  readNoFollowSync,
  // ENOTDIR is "not there" here too, as in the promise versions: the same path gets the same answer either way.
  statSync: (p) => {
    const s = orAbsentSync(() => fs.statSync(p, { throwIfNoEntry: false }));
    return s && toStat(s);
  },
  lstatSync: (p) => {
    const s = orAbsentSync(() => fs.lstatSync(p, { throwIfNoEntry: false }));
    return s && toStat(s);
  },
  readTextSync: (p) => orAbsentSync(() => fs.readFileSync(p, 'utf8')),
  readdirSync: (p) => orAbsentSync(() => fs.readdirSync(p)),
  realpathSync: (p) => orAbsentSync(() => fs.realpathSync(p)),
  readlinkSync: (p) => orAbsentSync(() => fs.readlinkSync(p)),
  readBytesSync,
};
