import { lstatSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';

/** A lock directory (or a lock inside it) that must not be trusted; the message says why and what to do. */
export class LockDirError extends Error {
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`lock directory ${dir} ${reason}`);
    this.name = 'LockDirError';
  }
}

/**
 * Creates the lock directory (0700) if needed and checks it can be trusted: not a symlink (someone
 * could point it at a directory they control), a real directory, owned by this user and not
 * writable by group or others (they could plant or delete records). Throws a LockDirError.
 */
export async function ensureLockDir(dir: string): Promise<void> {
  // Synchronous like the rest of an acquisition (see generations.ts): a few tiny system calls.
  mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  await checkLockDir(dir);
}

/** The checks of ensureLockDir on an existing directory, without creating anything. */
export async function checkLockDir(dir: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) throw new LockDirError(dir, 'is a symbolic link; refusing to follow it (remove the link, or set MCP_LIFEGUARD_HOME to a private directory)');
  if (!st.isDirectory()) throw new LockDirError(dir, 'is not a directory');
  if (platform === 'win32') return; // ACLs, not mode bits: %LOCALAPPDATA% is private to the user.
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid !== undefined && st.uid !== uid) throw new LockDirError(dir, `is owned by uid ${st.uid}, not by this user (uid ${uid}); refusing to use it`);
  if ((st.mode & 0o022) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
    throw new LockDirError(dir, `is writable by group or others (mode ${mode}); make it private with: chmod 700 '${dir}'`);
  }
}
