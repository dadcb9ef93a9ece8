import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { READ_NOFOLLOW } from './openFlags';

/**
 * flock(2) on this machine. Node has no flock: the file is opened here and `flock(1)` (util-linux)
 * or, where it is missing, perl locks that very open file (its descriptor is handed to the child as
 * fd 3). A flock belongs to the open file, not the process: it stays held by our descriptor after
 * the child has exited, and is released when we close it. Which file is locked, whose it must be
 * and what a refusal says are the caller's to decide.
 */

/** What fstat of the opened descriptor says: the file actually opened, not what its name leads to now. */
export interface LockableFileStat {
  isFile: boolean;
  uid: number;
}

/** A file opened to be locked. Closing it releases a lock it holds. */
export interface LockableFile {
  stat(): Promise<LockableFileStat>;
  /**
   * flock(LOCK_EX), waiting up to `waitMs` for another holder to let go: `locked`, `busy` (still held
   * when the wait ended), or `unavailable` (neither flock nor perl can take it here).
   */
  lockExclusive(waitMs: number): Promise<'locked' | 'busy' | 'unavailable'>;
  close(): Promise<void>;
}

/**
 * Opens `file` read-only to lock it (a shared or exclusive flock needs no write access): never
 * through a link at its name (O_NOFOLLOW), never waiting on a fifo (O_NONBLOCK). Throws what the
 * OS says.
 */
export async function openToLock(file: string): Promise<LockableFile> {
  const handle = await fsp.open(file, READ_NOFOLLOW);
  return {
    stat: async () => {
      const st = await handle.stat();
      return { isFile: st.isFile(), uid: st.uid };
    },
    lockExclusive: (waitMs) => lockFd(handle.fd, waitMs),
    close: () => handle.close(),
  };
}

/** flock(LOCK_EX) on an open descriptor through a helper process: locked, busy (timed out), or no helper. */
async function lockFd(fd: number, waitMs: number): Promise<'locked' | 'busy' | 'unavailable'> {
  const seconds = (waitMs / 1000).toFixed(3);
  const viaFlock = await helper('flock', ['--exclusive', '--wait', seconds, '3'], fd);
  if (viaFlock !== 'missing') return viaFlock === 0 ? 'locked' : 'busy';
  const tries = Math.max(1, Math.ceil(waitMs / 50));
  const script = `use Fcntl qw(:flock); open(my $f, '<&=', 3) or exit 2; for (1..${tries}) { exit 0 if flock($f, LOCK_EX | LOCK_NB); select(undef, undef, undef, 0.05) } exit 1`;
  const viaPerl = await helper('perl', ['-e', script], fd);
  if (viaPerl === 'missing' || viaPerl === 2) return 'unavailable';
  return viaPerl === 0 ? 'locked' : 'busy';
}

function helper(command: string, args: string[], fd: number): Promise<number | 'missing'> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'ignore', fd] });
    child.once('error', () => resolve('missing'));
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
