import type { Bucket, EngineCache } from '../base/engineCache';
import type { Machine } from '../machine/types';
import { KEPT_KERNEL_THREADS, KeptKernelThread, kernelThreadKeeper } from './keptKernelThreads';
import type { KeptRead, TableKeeper } from './table';

/**
 * A user process's row kept with the texts it was made from (its `stat` and `cmdline` as read,
 * its folder's owner): a read of the table that finds the same three uses the kept row instead of
 * parsing them again (pids/table.ts). Every text is still read each time, so a process whose
 * start, parent, memory, CPU, command line or owner changed (an exec, a pid taken by a new
 * process) reads as a new row. A sleeping process's stat reads the same from one look to the next,
 * and most of a machine's processes sleep.
 */
export const KEPT_ROWS = { name: 'process-rows', limit: 4096 } as const;

/** `inner` (what it keeps) with each user process's last read and row kept in `rows` as well. */
export function rowKeeper(inner: TableKeeper, rows: Bucket<number, KeptRead>): TableKeeper {
  return {
    kept: (pid) => inner.kept(pid),
    lastRead: (pid) => rows.get(pid),
    read(row, kernelThread, made) {
      inner.read(row, kernelThread, made);
      if (made && !kernelThread) rows.set(row.pid, { ...made, row });
      else rows.delete(row.pid);
    },
  };
}

/** What an engine keeps between its reads of the table: its kernel threads and its user processes' rows. */
export function engineTableKeeper(machine: Machine, cache: EngineCache): TableKeeper {
  return rowKeeper(
    kernelThreadKeeper(machine, cache.bucket<number, KeptKernelThread>(KEPT_KERNEL_THREADS.name, KEPT_KERNEL_THREADS)),
    cache.bucket<number, KeptRead>(KEPT_ROWS.name, KEPT_ROWS),
  );
}
