import { closeSync, constants, fstatSync, openSync, promises as fsp, readSync, realpathSync } from 'node:fs';
import { CREATE_EXCLUSIVE, READ_NOFOLLOW } from './openFlags';

/**
 * The file operations of replacing a file another program keeps and may save at any moment (a
 * client's config), on this machine: the file a path leads to read whole; files opened without
 * following a link at their name (O_NOFOLLOW) and without waiting on a fifo (O_NONBLOCK); a temp
 * file created only where no file or link has the name (O_CREAT|O_EXCL|O_NOFOLLOW) and set up
 * through its descriptor; rename(2) over the file, then the folder synced. An open file answers
 * through its own descriptor (fstat, reads from offset 0), never by its name, so a name swapped
 * meanwhile cannot change what it says. When to replace, what must still hold before, and what a
 * refusal says are the writer's (core/configEdit/configWriter.ts).
 */

/** What lstat of a name, or fstat of an open file, says: its identity, owner, mode and type (Node's Stats has this shape). */
export interface FileMeta {
  dev: number;
  ino: number;
  uid: number;
  gid: number;
  mode: number;
  isFile(): boolean;
  isDirectory(): boolean;
}

/** A file held open: everything it says is of the file opened, whatever later takes its name. */
export interface OpenFile {
  /** fstat. */
  stat(): Promise<FileMeta>;
  /** Its whole content as it is now, read from offset 0 (not from where a last read stopped). */
  content(): Promise<Buffer>;
  write(content: Buffer): Promise<void>;
  /** fchown: only root may give a file away, so this fails for anyone else. */
  chown(uid: number, gid: number): Promise<void>;
  /** fchmod. */
  chmod(mode: number): Promise<void>;
  /** fsync: the content is on disk before the file takes another's name. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Opening a fifo planted at the name for reading would block until a writer came; this returns at once. */

/**
 * The file `file` leads to (a link at its name is resolved first, the file itself opened without
 * following one), read whole: its real path, what its descriptor says, and its bytes (undefined
 * when it is not a regular file, which is not read). Throws what the OS says.
 */
export function readRealFileSync(file: string): { real: string; stat: FileMeta; bytes: Buffer | undefined } {
  const real = realpathSync(file);
  const fd = openSync(real, READ_NOFOLLOW);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { real, stat, bytes: undefined };
    const chunks: Buffer[] = [];
    for (;;) {
      const chunk = Buffer.alloc(Math.max(65536, stat.size + 1));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
    }
    return { real, stat, bytes: Buffer.concat(chunks) };
  } finally {
    closeSync(fd);
  }
}

/** realpath(3): the path with every link resolved. Throws what the OS says. */
export function realPath(file: string): Promise<string> {
  return fsp.realpath(file);
}

/** lstat: what has the name, a link itself rather than what it points to. Throws what the OS says (ENOENT). */
export function lstatMeta(file: string): Promise<FileMeta> {
  return fsp.lstat(file);
}

/** Opens a file to read it, never through a link at its name, never waiting on a fifo. */
export async function openToRead(file: string): Promise<OpenFile> {
  return held(await fsp.open(file, READ_NOFOLLOW));
}

/**
 * Creates a file with `mode` (the umask applies; `chmod` sets it whole) and opens it to write, only
 * where nothing has the name: O_EXCL never opens a file someone prepared, nor follows a link there.
 * Fails with EEXIST when the name is taken.
 */
export async function createExclusive(file: string, mode: number): Promise<OpenFile> {
  return held(await fsp.open(file, CREATE_EXCLUSIVE, mode));
}

/** rename(2): `to` becomes `from`'s file at once, whatever had its name (a link included) replaced, not followed. */
export function renameOver(from: string, to: string): Promise<void> {
  return fsp.rename(from, to);
}

/** unlink(2): removes a name. */
export function unlinkName(file: string): Promise<void> {
  return fsp.unlink(file);
}

/** The rename is durable once its folder is synced (best effort: not every system allows it). */
export async function syncFolder(dir: string): Promise<void> {
  const h = await fsp.open(dir, constants.O_RDONLY).catch(() => undefined);
  await h?.sync().catch(() => undefined);
  await h?.close();
}

function held(handle: fsp.FileHandle): OpenFile {
  return {
    stat: () => handle.stat(),
    content: () => contentOf(handle),
    write: (content) => handle.writeFile(content),
    chown: (uid, gid) => handle.chown(uid, gid),
    chmod: (mode) => handle.chmod(mode),
    sync: () => handle.sync(),
    close: () => handle.close(),
  };
}

async function contentOf(handle: fsp.FileHandle): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let position = 0;
  for (;;) {
    const chunk = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    position += bytesRead;
  }
  return Buffer.concat(chunks);
}
