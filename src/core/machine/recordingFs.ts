import { digestKey, emptyFsRecord, FsOp, FsRecord, isRecordedError, Recorded } from './record';
import { later } from './recorded';
import { FileStat, fsError, MachineFs } from './types';

type PathOp = Exclude<FsOp, 'readBytes' | 'searchBytes'>;

/**
 * The file reads of a recording Machine (recording.ts): each answers as `inner` does and is written
 * down in `record`, a path's question asked of `inner` once (a later ask gets the answer written
 * down, as a replay would).
 */
export function recordingFs(inner: MachineFs): { fs: MachineFs; record: FsRecord } {
  const record = emptyFsRecord();
  const { note, noteAsync } = pathNotes(record);
  const noteBytes = (path: string, position: number, length: number, value: Buffer | undefined) => {
    (record.readBytes[path] ??= {})[`${position}:${length}`] = value === undefined ? null : value.toString('base64');
    return value;
  };
  const copyStat = (s: FileStat | undefined) => (s ? { ...s } : s);

  const fs: MachineFs = {
    stat: (p) => noteAsync('stat', p, () => inner.stat(p).then(copyStat)),
    lstat: (p) => noteAsync('lstat', p, () => inner.lstat(p).then(copyStat)),
    lstatContent: (p) => noteAsync('lstat', p, () => (inner.lstatContent ?? inner.lstat)(p).then(copyStat)),
    readText: (p) => noteAsync('readText', p, () => inner.readText(p)),
    readdir: (p) => noteAsync('readdir', p, () => inner.readdir(p)),
    realpath: (p) => noteAsync('realpath', p, () => inner.realpath(p)),
    readlink: (p) => noteAsync('readlink', p, () => inner.readlink(p)),
    digest: (p, range) => noteAsync('digest', digestKey(p, range), () => inner.digest(p, range)),
    searchBytes: async (p, pattern, limit) => {
      const found = await inner.searchBytes(p, pattern, limit);
      (record.searchBytes[p] ??= {})[`${limit} ${pattern}`] = found ?? null;
      return found;
    },
    readNoFollow: (p, max) => noteAsync('readNoFollow', p, () => inner.readNoFollow(p, max)),
    readNoFollowSync: (p, max) => note('readNoFollow', p, () => inner.readNoFollowSync(p, max)),
    readBytes: async (p, position, length) =>
      noteBytes(p, position, length, await inner.readBytes(p, position, length)),
    statSync: (p) => note('stat', p, () => copyStat(inner.statSync(p))),
    lstatSync: (p) => note('lstat', p, () => copyStat(inner.lstatSync(p))),
    readTextSync: (p) => note('readText', p, () => inner.readTextSync(p)),
    readdirSync: (p) => note('readdir', p, () => inner.readdirSync(p)),
    realpathSync: (p) => note('realpath', p, () => inner.realpathSync(p)),
    readlinkSync: (p) => note('readlink', p, () => inner.readlinkSync(p)),
    readBytesSync: (p, position, length) => noteBytes(p, position, length, inner.readBytesSync(p, position, length)),
  };
  return { fs, record };
}

/**
 * How a path's answer is written down in `record` and given again: `note` for a synchronous read,
 * `noteAsync` for one through the thread pool. Whichever answers a question first gives the answer
 * every later ask of it gets.
 */
function pathNotes(record: FsRecord) {
  /** Writes down an answer: the value, `null` for "not there", or the error it failed with. */
  const put = (op: PathOp, path: string, answer: Recorded<unknown>) => {
    (record[op] as Record<string, Recorded<unknown>>)[path] = answer;
  };
  const known = (op: PathOp, path: string) => Object.prototype.hasOwnProperty.call(record[op], path);
  /** The answer written down, given again as a fresh read gives it (a copy; a failure thrown anew). */
  const again = <T>(op: PathOp, path: string): T | undefined => {
    const a = (record[op] as Record<string, Recorded<unknown>>)[path];
    if (a === null || a === undefined) return undefined;
    if (isRecordedError(a)) throw fsError(a.error, a.message);
    return structuredClone(a) as T;
  };
  // Asks of inner still under way: a second ask of the same question waits for the first's answer.
  const asking = new Map<string, Promise<unknown>>();
  const failed = (err: unknown): Recorded<unknown> => {
    const e = err as NodeJS.ErrnoException;
    return { error: e.code ?? 'EIO', message: e.message };
  };
  const note = <T>(op: PathOp, path: string, answer: () => T | undefined) => {
    if (known(op, path)) return again<T>(op, path);
    try {
      const value = answer();
      put(op, path, value ?? null);
      return value;
    } catch (err) {
      put(op, path, failed(err));
      throw err;
    }
  };
  const noteAsync = <T>(op: PathOp, path: string, ask: () => Promise<T | undefined>): Promise<T | undefined> => {
    if (known(op, path)) return later(() => again<T>(op, path));
    const key = `${op}\0${path}`;
    const pending = asking.get(key);
    if (pending) return pending.then(() => again<T>(op, path));
    const answer = ask()
      .then(
        (value) => {
          // A synchronous read of the path answered first: that answer is the one.
          if (known(op, path)) return again<T>(op, path);
          put(op, path, value ?? null);
          return value;
        },
        (err: unknown) => {
          if (known(op, path)) return again<T>(op, path);
          put(op, path, failed(err));
          throw err;
        },
      )
      .finally(() => asking.delete(key));
    asking.set(key, answer);
    return answer;
  };
  return { note, noteAsync };
}
