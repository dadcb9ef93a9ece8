import type { Bucket } from '../base/engineCache';
import type { FileStat, Machine } from '../machine/types';
import type { ProcessInfo, TableKeeper } from './table';

/**
 * A kernel thread's row kept between reads of the table, with the inode of its `/proc/<pid>`
 * folder once one was read before its stat: `ino` undefined means "seen as a kernel thread, its
 * folder not yet read".
 */
export interface KeptKernelThread {
  ino: number | undefined;
  row: ProcessInfo;
}

/**
 * Kernel threads (about half the pids of a Linux machine) kept by their `/proc/<pid>` folder's
 * inode: the kernel gives each process's folder an inode of its own, never the same for a later
 * process of the same pid (a folder whose process is gone is dropped and a new inode made), so an
 * unchanged inode is the same thread and its stat is not read again. A kept row is read again after
 * a minute (the bucket's time to live), so its CPU time is at most that old; nothing reads a kernel
 * thread's CPU or memory (no instance has one in its tree).
 */
export const KEPT_KERNEL_THREADS = { name: 'kernel-threads', limit: 4096, ttlMs: 60_000 } as const;

/** The user every kernel thread runs as. */
const KERNEL_UID = 0;

/**
 * An engine's keeper of kernel threads for readLinuxProcessTable (KEPT_KERNEL_THREADS). A pid seen
 * as a kernel thread has its folder read before its stat, and the inode is kept only with the row
 * read after it: a pid reused between the two reads has another inode next time, and is read again.
 */
export function kernelThreadKeeper(machine: Machine, kept: Bucket<number, KeptKernelThread>): TableKeeper {
  const folders = new Map<number, FileStat | undefined>();
  return {
    kept(pid) {
      const seen = kept.get(pid);
      if (!seen) return undefined;
      const folder = machine.fs.statSync(`/proc/${pid}`);
      folders.set(pid, folder);
      return seen.ino !== undefined && seen.ino > 0 && folder?.ino === seen.ino && folder.uid === KERNEL_UID
        ? seen.row
        : undefined;
    },
    read(row, kernelThread) {
      if (kernelThread) kept.set(row.pid, { ino: folders.get(row.pid)?.ino, row });
      else kept.delete(row.pid);
      folders.delete(row.pid);
    },
  };
}
