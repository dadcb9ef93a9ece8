import type { Machine } from '../machine/types';

/**
 * A process's proportional set size: its private memory plus its share of pages it shares with
 * others (the `node` or `python` binary, libraries). RSS charges every process the whole of what it
 * shares, so RSS summed over ten Node servers counts the Node binary ten times; PSS sums to what the
 * machine really spends. Linux only (`/proc/<pid>/smaps_rollup`, readable for our own processes).
 */

/** The `Pss:` line of smaps_rollup, in bytes; undefined when there is none. Pure: tested on stored text. */
export function parseSmapsRollupPss(text: string): number | undefined {
  const kb = /^Pss:\s+(\d+)\s+kB$/m.exec(text)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** Reads each pid's PSS; a pid that is gone or not readable is left out (its RSS stands). */
export async function readPss(pids: readonly number[], machine: Machine): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  await Promise.all(
    pids.map(async (pid) => {
      const text = await machine.fs.readText(`/proc/${pid}/smaps_rollup`).catch(() => undefined);
      const pss = text === undefined ? undefined : parseSmapsRollupPss(text);
      if (pss !== undefined) out.set(pid, pss);
    }),
  );
  return out;
}
