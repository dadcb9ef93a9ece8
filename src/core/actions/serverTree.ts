import { thisMachine } from '../machine/live';
import type { Machine } from '../machine/types';
import { commandHash } from '../pids/identity';
import type { ExactProcess } from '../pids/reidentify';
import { ProcessInfo, readProcessTable } from '../pids/table';
import { readEnviron } from '../processes/environ';
import { TREE_MARK_VAR } from '../pids/treeMark';
import { RecordedTarget, recordedTarget } from './stopLadder';

/**
 * The processes a server started, chosen from one reading of the process table taken before the
 * server is asked or signalled to stop: once it has gone, its children are reparented (to init, or
 * on Windows to nothing) and no longer say whose they were. Each one chosen is recorded whole (pid,
 * start, command line) and is re-identified by the one rule right before every signal
 * (stopLadder.ts), so a process that exits and whose pid is reused meanwhile is never hit.
 */

/** Why a process under the server is not part of what its stop signals. */
export type TreeRefusal =
  | 'other-user' // setuid, or started through sudo: never ours to signal
  | 'protected' // pid 0 or 1, this process or one we run under
  | 'no-start-time' // the table gave no start: it could not be re-identified
  | 'older-than-parent'; // started before the process its ppid names: that pid was reused (Windows never reparents)

export interface TreeLeftAlone {
  pid: number;
  reason: TreeRefusal;
  detail: string;
}

export interface ServerTree {
  /** The server's descendants, parents before their children; the server itself is not among them. */
  members: ExactProcess[];
  /** Processes under it that are left alone, each with why. */
  leftAlone: TreeLeftAlone[];
}

export interface TreeRules {
  /** The current user: a process of another user is never signalled. Undefined where the OS has none (Windows). */
  uid: number | undefined;
  selfPid: number;
  /** The processes we run under (a guard's own parents): never signalled. */
  ancestors: ReadonlySet<number>;
}

/**
 * The descendants of `root` in `table`, by parent pid, each one started no earlier than its parent
 * (a "child" older than its parent is under a reused pid, not under the server: Windows keeps a dead
 * parent's pid in its children's rows), of the current user and re-identifiable. Below a process
 * left alone nothing is taken: its work is not the server's to end. `marked`: processes that carry
 * the server's TREE_MARK_VAR though no longer below it, taken (with their own descendants) on the
 * same rules, when they started after the server. A root without a pid is a server already gone:
 * only what carries its mark is taken (its pid may name another process by now).
 */
export function selectServerTree(
  table: readonly ProcessInfo[],
  root: { pid?: number; startTime?: number },
  rules: TreeRules,
  marked: ReadonlySet<number> = new Set(),
): ServerTree {
  const children = new Map<number, ProcessInfo[]>();
  for (const p of table) {
    if (p.ppid === p.pid) continue;
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const rootStart = root.startTime ?? table.find((p) => p.pid === root.pid)?.startTime;
  const members: ExactProcess[] = [];
  const leftAlone: TreeLeftAlone[] = [];
  const seen = new Set<number>(root.pid === undefined ? [] : [root.pid]);
  const take = (queue: { p: ProcessInfo; parentStart: number | undefined }[]) => {
    for (let head = 0; head < queue.length; head++) {
      const { p, parentStart } = queue[head];
      if (seen.has(p.pid)) continue;
      seen.add(p.pid);
      const refusal = refusalOf(p, parentStart, rules);
      if (refusal) {
        leftAlone.push({ pid: p.pid, ...refusal });
        continue;
      }
      members.push({ pid: p.pid, startTime: p.startTime as number, commandHash: commandHash(p.argv) });
      for (const c of children.get(p.pid) ?? []) queue.push({ p: c, parentStart: p.startTime });
    }
  };
  if (root.pid !== undefined) take((children.get(root.pid) ?? []).map((p) => ({ p, parentStart: rootStart })));
  // Oldest first: a marked daemon's own children are then taken below it.
  const away = table
    .filter((p) => marked.has(p.pid) && !seen.has(p.pid))
    .sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0));
  for (const p of away) take([{ p, parentStart: rootStart }]);
  return { members, leftAlone };
}

/** A process's starting environment, where the OS gives it (Linux), else undefined. */
export type EnvironReader = (pid: number) => ReadonlyMap<string, string> | undefined;

/**
 * The TREE_MARK_VAR a server was started with by its guard, read from the server's own environment
 * (Linux): what a `stop` of a server whose guard is gone finds its tree by. Undefined when it has
 * none, or when its parent carries the same value: then the server inherited it from a tree it
 * runs in, and the mark names that tree, not the server's.
 */
export function ownTreeMark(table: readonly ProcessInfo[], pid: number, envOf: EnvironReader): string | undefined {
  const mark = envOf(pid)?.get(TREE_MARK_VAR);
  if (!mark) return undefined;
  const ppid = table.find((p) => p.pid === pid)?.ppid;
  return ppid !== undefined && ppid > 1 && envOf(ppid)?.get(TREE_MARK_VAR) === mark ? undefined : mark;
}

/**
 * The processes in `table` that carry `mark` (TREE_MARK_VAR): only the user's own, started no
 * earlier than the server (`since`): the others cannot be its own. `except`: the server itself.
 */
export function markedPids(
  table: readonly ProcessInfo[],
  mark: string,
  since: number,
  uid: number | undefined,
  envOf: EnvironReader,
  except?: number,
): Set<number> {
  const marked = new Set<number>();
  for (const p of table) {
    if (p.pid === except || p.startTime === undefined || p.startTime < since) continue;
    if (uid !== undefined && p.uid !== uid) continue;
    if (envOf(p.pid)?.get(TREE_MARK_VAR) === mark) marked.add(p.pid);
  }
  return marked;
}

function refusalOf(
  p: ProcessInfo,
  parentStart: number | undefined,
  rules: TreeRules,
): { reason: TreeRefusal; detail: string } | undefined {
  if (p.pid <= 1 || p.pid === rules.selfPid || rules.ancestors.has(p.pid))
    return { reason: 'protected', detail: `pid ${p.pid} is never signalled (this process or one it runs under)` };
  if (rules.uid !== undefined && p.uid !== undefined && p.uid !== rules.uid)
    return { reason: 'other-user', detail: `child pid ${p.pid} belongs to another user` };
  if (p.startTime === undefined)
    return { reason: 'no-start-time', detail: `child pid ${p.pid} has no start time, so it cannot be re-identified` };
  if (parentStart === undefined || p.startTime < parentStart)
    return {
      reason: 'older-than-parent',
      detail: `pid ${p.pid} started before the process its parent pid ${p.ppid} names: that pid was reused, it is not the server's child`,
    };
  return undefined;
}

/**
 * The server's tree on this machine now (see selectServerTree), with the processes that carry its
 * `mark` (TREE_MARK_VAR) wherever they are; empty, with why, when the table cannot be read. A root
 * without a pid (a server gone) needs its start and its mark: only what carries the mark is taken.
 */
export async function readServerTree(
  machine: Machine,
  root: { pid?: number; startTime?: number },
  rules: TreeRules,
  mark?: string,
): Promise<ServerTree | { unreadable: string }> {
  const table = await readProcessTable(machine);
  if (table.state !== 'ok') return { unreadable: table.reason };
  const rootStart = root.startTime ?? table.processes.find((p) => p.pid === root.pid)?.startTime;
  const marked =
    mark !== undefined && rootStart !== undefined
      ? markedPids(table.processes, mark, rootStart, rules.uid, (pid) => readEnviron(pid, machine), root.pid)
      : new Set<number>();
  return selectServerTree(table.processes, root, rules, marked);
}

/**
 * The descendants of a process of ours on this machine as stop targets, each re-identified before
 * each signal: read right before a stop of `root` starts, with the processes that carry its `mark`.
 * A root without a pid is a server already gone: what carries its mark, started since it started.
 * None when the table cannot be read (the root is still stopped).
 */
export async function descendantTargets(
  root: { pid?: number; startTime?: number },
  mark?: string,
  machine: Machine = thisMachine(),
): Promise<RecordedTarget[]> {
  const tree = await readServerTree(
    machine,
    root,
    { uid: machine.uid, selfPid: machine.selfPid, ancestors: new Set() },
    mark,
  );
  return 'unreadable' in tree ? [] : tree.members.map((m) => recordedTarget(m));
}
