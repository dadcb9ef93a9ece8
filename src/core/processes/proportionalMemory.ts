import type { Instance } from '../base/model';
import type { PssAsk } from '../pids/pss';

/**
 * The processes whose PSS a snapshot asks: each instance and each process it started, each once
 * (an instance a process two entries claim is one process).
 */
export function pssAsks(instances: readonly Instance[]): PssAsk[] {
  const asks = new Map<number, PssAsk>();
  const ask = (p: PssAsk) =>
    asks.has(p.pid) ||
    asks.set(p.pid, {
      pid: p.pid,
      ...(p.startTime !== undefined ? { startTime: p.startTime } : {}),
      ...(p.memoryBytes !== undefined ? { memoryBytes: p.memoryBytes } : {}),
    });
  for (const i of instances) {
    ask(i);
    for (const c of i.children ?? []) ask(c);
  }
  return [...asks.values()];
}

/** Sets each instance's (and each of its children's) PSS from what was read (`pss` by pid). */
export function setPss(instances: readonly Instance[], pss: ReadonlyMap<number, number>): void {
  for (const i of instances) {
    const own = pss.get(i.pid);
    if (own !== undefined) i.pssBytes = own;
    for (const c of i.children ?? []) {
      const child = pss.get(c.pid);
      if (child !== undefined) c.pssBytes = child;
    }
  }
}
