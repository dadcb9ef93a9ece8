import type { Machine } from '../machine/types';
import { dirProblem, ensurePrivateDir, PrivateDirError } from '../machine/privateFs';

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
  try {
    ensurePrivateDir(dir);
  } catch (err) {
    if (err instanceof PrivateDirError) throw new LockDirError(dir, `${err.problem}; ${err.fix}`);
    throw err;
  }
}

/** The checks of ensureLockDir on an existing directory, without creating anything: those of every private folder of ours. */
export async function checkLockDir(dir: string, machine: Machine): Promise<void> {
  const st = machine.fs.lstatSync(dir);
  if (!st) throw new LockDirError(dir, 'is not there');
  const { uid } = machine;
  const problem = dirProblem(dir, st, { platform: machine.host.platform, ...(uid !== undefined ? { uid } : {}) });
  if (problem) throw new LockDirError(dir, `${problem.problem}; ${problem.fix}`);
}
