import * as fs from 'node:fs';
import * as path from 'node:path';
import { thisMachine } from '../../src/core/machine/live';
import { readProcessIdentity } from '../../src/core/pids/identity';
import { fixturesDir } from './repo';
import { until } from './poll';

/**
 * The server of test/fixtures/guard/tree-server.mjs: it starts a plain child and a setsid child with
 * two of its own; with `daemon`, a writer that leaves its tree (a double fork) too.
 */
export const treeServer = path.join(fixturesDir, 'guard', 'tree-server.mjs');

/** The processes a tree server starts, itself not counted (its TREE_SIZE): with `daemon`, two more. */
export function treeSize(daemon: boolean): number {
  return daemon ? 6 : 4;
}

/** One process of a tree server's tree, as it recorded itself at start. */
export interface RecordedMember {
  server: number;
  pid: number;
  /** Linux start ticks since boot, from its own /proc/self/stat. */
  ticks: number;
  role: string;
}

/** Every process the tree servers writing `record` recorded. */
export function recordedMembers(record: string): RecordedMember[] {
  if (!fs.existsSync(record)) return [];
  return fs
    .readFileSync(record, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [server, pid, ticks, role] = line.split(' ');
      return { server: Number(server), pid: Number(pid), ticks: Number(ticks), role };
    });
}

/** Waits until the server of `serverPid` and the whole tree it starts have recorded themselves. */
export async function treeOf(record: string, serverPid: number, daemon = false): Promise<RecordedMember[]> {
  return until(`the tree of server ${serverPid}`, () => {
    const members = recordedMembers(record).filter((m) => m.server === serverPid);
    return members.length === treeSize(daemon) + 1 ? members : undefined;
  });
}

/** Whether the recorded process still runs: its pid alive with the start it recorded (a reused pid is not it). */
export async function stillRuns(m: RecordedMember): Promise<boolean> {
  const live = await readProcessIdentity(m.pid, thisMachine());
  return live !== undefined && !live.zombie && live.linux?.startTicks === m.ticks;
}

/** The recorded processes that still run, as "role pid" for a failure message. */
export async function survivors(members: readonly RecordedMember[]): Promise<string[]> {
  const alive = await Promise.all(members.map(stillRuns));
  return members.filter((_, i) => alive[i]).map((m) => `${m.role} ${m.pid} (server ${m.server})`);
}
