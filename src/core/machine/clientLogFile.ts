import { promises as fsp, readlinkSync, realpathSync } from 'node:fs';
// A client's log is opened here, on this machine (through its descriptor): its own path rules.
import * as path from 'node:path';
import { isLinkRefusal, READ_NOFOLLOW } from './openFlags';

/**
 * How this machine opens a client's log (core/clientLogs reads it). A client's log is opened only as a regular file of this user's under the client's own log
 * folder, reached without a symbolic link from that folder down: a log file name read from a
 * folder anyone may write to (a planted link to ~/.ssh/id_rsa, another user's file, a fifo) never
 * makes a face print some other file.
 */

/** A client log that must not be read: names it and says why. */
export class ClientLogRefused extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file} ${problem}; it is not read`);
    this.name = 'ClientLogRefused';
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

export interface OpenClientLogOptions {
  /** The uid that must own the file; defaults to this process's (tests inject another). Not checked on Windows. */
  uid?: number;
  platform?: NodeJS.Platform;
}

/**
 * Opens `file` for reading when it is a regular file owned by this user inside `root` (the
 * client's log folder), with neither `root` nor a folder below it nor the file a symbolic link;
 * on Linux the opened descriptor is checked to be that very file (a folder swapped for a link
 * meanwhile shows there). Undefined when it does not exist; throws ClientLogRefused otherwise.
 */
export async function openClientLog(
  root: string,
  file: string,
  o: OpenClientLogOptions = {},
): Promise<{ handle: fsp.FileHandle; size: number } | undefined> {
  const platform = o.platform ?? process.platform;
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel))
    throw new ClientLogRefused(file, `is not inside the client's log folder ${root}`);
  // The folder and every folder below it, down to the file's: real folders, never links.
  let folder = root;
  const parts = rel.split(path.sep);
  for (const part of ['', ...parts.slice(0, -1)]) {
    folder = part ? path.join(folder, part) : folder;
    let st;
    try {
      st = await fsp.lstat(folder);
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    }
    if (st.isSymbolicLink()) throw new ClientLogRefused(file, `lies under a symbolic link (${folder})`);
    if (!st.isDirectory()) throw new ClientLogRefused(file, `lies under ${folder}, which is not a folder`);
  }
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, READ_NOFOLLOW);
  } catch (err) {
    if (errno(err) === 'ENOENT') return undefined;
    if (isLinkRefusal(err)) throw new ClientLogRefused(file, 'is a symbolic link');
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ClientLogRefused(file, 'is not a regular file');
    if (platform !== 'win32') {
      const uid = o.uid ?? process.getuid?.();
      if (uid !== undefined && st.uid !== uid)
        throw new ClientLogRefused(file, `is owned by uid ${st.uid}, not by this user (uid ${uid})`);
    }
    if (platform === 'linux') {
      let opened: string | undefined;
      try {
        opened = readlinkSync(`/proc/self/fd/${handle.fd}`);
      } catch {
        opened = undefined;
      }
      const expected = path.join(realpathSync(root), rel);
      if (opened !== undefined && opened !== expected)
        throw new ClientLogRefused(file, `was reached as ${opened}, not inside the client's log folder`);
    }
    return { handle, size: st.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
