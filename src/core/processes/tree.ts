import { ProcessInfo } from '../pids/table';

/** The process table indexed once per snapshot: by pid, and parent -> children. */
export class ProcessTree {
  readonly byPid = new Map<number, ProcessInfo>();
  private readonly kids = new Map<number, ProcessInfo[]>();
  /** What readers worked out about this table's processes (a client signature per ancestor): it lives and goes with the table. */
  readonly memo = new Map<string, unknown>();

  constructor(readonly processes: readonly ProcessInfo[]) {
    for (const p of processes) this.byPid.set(p.pid, p);
    for (const p of processes) {
      if (p.ppid === p.pid) continue;
      let list = this.kids.get(p.ppid);
      if (!list) this.kids.set(p.ppid, (list = []));
      list.push(p);
    }
  }

  get(pid: number): ProcessInfo | undefined {
    return this.byPid.get(pid);
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
      const parent = this.byPid.get(cur.ppid);
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
