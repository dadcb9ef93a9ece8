import { ProcessInfo } from '../pids/table';

/**
 * The process table indexed once per snapshot: by pid, and parent -> children. A process is another's
 * child only when that one is not younger than it: Windows does not reparent, so a leftover keeps its
 * dead parent's pid, which a younger, unrelated process may hold by now (every OS reuses pids; a
 * process never starts before the one that started it). Where a start time is missing the pid is
 * taken at its word.
 */
export class ProcessTree {
  readonly byPid = new Map<number, ProcessInfo>();
  private readonly kids = new Map<number, ProcessInfo[]>();
  /** What readers worked out about this table's processes (a client signature per ancestor): it lives and goes with the table. */
  readonly memo = new Map<string, unknown>();

  constructor(readonly processes: readonly ProcessInfo[]) {
    for (const p of processes) this.byPid.set(p.pid, p);
    for (const p of processes) {
      if (p.ppid === p.pid || this.reusedParent(p)) continue;
      let list = this.kids.get(p.ppid);
      if (!list) this.kids.set(p.ppid, (list = []));
      list.push(p);
    }
  }

  get(pid: number): ProcessInfo | undefined {
    return this.byPid.get(pid);
  }

  /** The process that started `p`, when it still runs: not the one a reused parent pid names now. */
  parent(p: ProcessInfo): ProcessInfo | undefined {
    if (p.ppid === p.pid) return undefined;
    const parent = this.byPid.get(p.ppid);
    return parent && !startedAfter(parent, p) ? parent : undefined;
  }

  /** The process `p`'s parent pid names now when it started after `p`: the pid was reused. */
  reusedParent(p: ProcessInfo): ProcessInfo | undefined {
    const parent = this.byPid.get(p.ppid);
    return parent && startedAfter(parent, p) ? parent : undefined;
  }

  children(pid: number): readonly ProcessInfo[] {
    return this.kids.get(pid) ?? [];
  }

  /** Parent first, up to the root. Stops on a cycle (a pid reused between two reads). */
  ancestors(pid: number): ProcessInfo[] {
    const out: ProcessInfo[] = [];
    const seen = new Set<number>([pid]);
    let cur = this.byPid.get(pid);
    while (cur && !seen.has(cur.ppid)) {
      const parent = this.parent(cur);
      if (!parent) break;
      out.push(parent);
      seen.add(parent.pid);
      cur = parent;
    }
    return out;
  }

  /** Every descendant, breadth first. */
  descendants(pid: number): ProcessInfo[] {
    const out: ProcessInfo[] = [];
    const seen = new Set<number>([pid]);
    const queue = [...this.children(pid)];
    for (let head = 0; head < queue.length; head++) {
      const p = queue[head];
      if (seen.has(p.pid)) continue;
      seen.add(p.pid);
      out.push(p);
      queue.push(...this.children(p.pid));
    }
    return out;
  }
}

/** Whether `a` started after `b`; false where either start time is missing. */
function startedAfter(a: ProcessInfo, b: ProcessInfo): boolean {
  return a.startTime !== undefined && b.startTime !== undefined && a.startTime > b.startTime;
}
