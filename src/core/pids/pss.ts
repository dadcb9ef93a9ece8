import type { Bucket } from '../base/engineCache';
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

/**
 * Reads each pid's PSS, one process after another; a pid that is gone or not readable is left out
 * (its RSS stands). One at a time because each read keeps a thread of Node's file-system pool busy
 * while the kernel walks the process's pages (3 to 5 ms for a Python server with pandas): read
 * together, six of them held every thread of the pool, and the reads a snapshot waits for (the
 * instances' maps, the Python closure's METADATA) queued behind them. The snapshot sets PSS last,
 * so a single lane finishes beside the rest of its work.
 */
export async function readPss(pids: readonly number[], machine: Machine): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const text = await machine.fs.readText(`/proc/${pid}/smaps_rollup`).catch(() => undefined);
    const pss = text === undefined ? undefined : parseSmapsRollupPss(text);
    if (pss !== undefined) out.set(pid, pss);
  }
  return out;
}

/** A process whose PSS is asked: its RSS (from the process table) says whether a kept PSS still holds. */
export interface PssAsk {
  pid: number;
  startTime?: number;
  memoryBytes?: number;
}

/**
 * PSS kept between snapshots, by pid and start: reading it makes the kernel walk every page the
 * process maps (about 5 ms for a Python server with pandas loaded, every few seconds for every
 * instance: with ten data servers, about a tenth of a core at 2 s ticks). A kept figure stands
 * while the process's RSS, read fresh each snapshot, has moved less than a tenth from what it was
 * then: for 2 minutes (KEPT_PSS_ALONE_MS) whatever else runs, and up to 10 minutes while the same
 * processes are measured together (each instance and what it started: the processes that share
 * the most pages with it, its runtime's and libraries', so one of them starting or ending moves its
 * share, and every figure is read again). It is a memory figure, never a verdict's evidence: another
 * process that maps the same libraries starting or ending moves it without moving RSS, and the next
 * reading catches that up.
 */
export const KEPT_PSS = { name: 'pss-readings', limit: 2048, ttlMs: 10 * 60_000 } as const;

/** How long a kept PSS stands while its RSS holds, whichever processes are measured with it. */
export const KEPT_PSS_ALONE_MS = 120_000;

export interface PssReading {
  pss: number;
  rss?: number;
  /** The processes measured with it (`pid@start`, in order): while they are the same, it stands for KEPT_PSS.ttlMs. */
  together: string;
}

/** How far RSS may move before a kept PSS is read again. */
const RSS_DRIFT = 0.1;

function stillHolds(kept: PssReading, rss: number | undefined, age: number, together: string): boolean {
  if (age >= KEPT_PSS_ALONE_MS && kept.together !== together) return false;
  if (kept.rss === undefined || rss === undefined) return kept.rss === rss;
  return Math.abs(rss - kept.rss) <= kept.rss * RSS_DRIFT;
}

const keyOf = (a: PssAsk) => `${a.pid}@${a.startTime}`;

/** Each process's PSS, from `kept` where it still holds (KEPT_PSS), else read (readPss) and kept. */
export async function readPssKept(
  asks: readonly PssAsk[],
  machine: Machine,
  kept: Bucket<string, PssReading>,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const toRead: PssAsk[] = [];
  const together = asks.map(keyOf).sort().join(',');
  for (const a of asks) {
    const before = a.startTime === undefined ? undefined : kept.get(keyOf(a));
    if (before && stillHolds(before, a.memoryBytes, kept.age(keyOf(a)) ?? Infinity, together))
      out.set(a.pid, before.pss);
    else toRead.push(a);
  }
  const read = await readPss(
    toRead.map((a) => a.pid),
    machine,
  );
  for (const a of toRead) {
    const pss = read.get(a.pid);
    if (pss === undefined) continue;
    out.set(a.pid, pss);
    if (a.startTime !== undefined)
      kept.set(keyOf(a), { pss, ...(a.memoryBytes !== undefined ? { rss: a.memoryBytes } : {}), together });
  }
  return out;
}
