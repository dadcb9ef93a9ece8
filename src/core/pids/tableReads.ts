import type { Machine } from '../machine/types';
import type { ProcessIdentity } from './identity';
import { ProcessInfo, readProcessTable } from './table';

/**
 * Where the process table is the only way to name a pid (Windows: no per-pid file to read, one
 * PowerShell query that costs about as much for every process as for one), one check reads it
 * once: the questions asked together share one read, made after the last of them was asked.
 */

/** The rows of this machine's process table, or an error saying why they could not be read. */
export async function tableRows(machine: Machine): Promise<ProcessInfo[]> {
  const table = await readProcessTable(machine);
  if (table.state !== 'ok') throw new Error(table.reason);
  return table.processes;
}

/**
 * A reader of the table whose calls made in one turn of the event loop (a check of every target of a
 * stop, polled together) share one read; a call made once that read has started gets a new one, so
 * no answer predates its question.
 */
export function batchedRows(read: () => Promise<ProcessInfo[]>): () => Promise<ProcessInfo[]> {
  let next: Promise<ProcessInfo[]> | undefined;
  return () =>
    (next ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      next = undefined;
      return read();
    }));
}

/**
 * A process as its row names it: creation time (Windows gives it to the millisecond, fixed for the
 * process's life) and command line. A row without a creation time names no process exactly.
 */
export function identityOfRow(row: ProcessInfo | undefined): ProcessIdentity | undefined {
  if (!row || row.startTime === undefined) return undefined;
  return { pid: row.pid, startTime: row.startTime, commandLine: row.argv.join(' '), uid: row.uid };
}

/**
 * This machine's table through one batched reader for all who ask (held by the Machine: every
 * target of a stop asks through its own deps, and their questions still share one read).
 */
export function sharedTableRows(machine: Machine): () => Promise<ProcessInfo[]> {
  return machine.once('pids.sharedTableRows', () => batchedRows(() => tableRows(machine)));
}

/** Identities read from the process table, the questions of one check sharing one read. */
export function tableIdentityReader(machine: Machine): (pid: number) => Promise<ProcessIdentity | undefined> {
  const rows = sharedTableRows(machine);
  return async (pid) => identityOfRow((await rows()).find((p) => p.pid === pid));
}
