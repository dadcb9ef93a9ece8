import { promises as fsp } from 'node:fs';

/**
 * The file a Unix socket listens at, on this machine: what is at its name (never following a link
 * there), its mode, and its removal. Windows pipes have no file and never come here. Whether a name
 * may be reused and what a refusal says are the listener's to decide.
 */

/** What is at `file`, looked at with lstat: a socket, something else (a file, a link), or nothing. */
export async function socketFileAt(file: string): Promise<'socket' | 'other' | undefined> {
  try {
    return (await fsp.lstat(file)).isSocket() ? 'socket' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** unlink(2): removes the name (a socket's file), failing when it is gone already. */
export async function unlinkSocketFile(file: string): Promise<void> {
  await fsp.unlink(file);
}

/** chmod(2) on a socket's file. */
export async function setSocketFileMode(file: string, mode: number): Promise<void> {
  await fsp.chmod(file, mode);
}

/** Removes a socket's file where it is still there; one already gone is fine. */
export async function removeSocketFile(file: string): Promise<void> {
  await fsp.rm(file, { force: true });
}
