import type { Instance } from '../base/model';
import type { PssAsk } from '../pids/pss';

/**
 * Sets each instance's (and each of its children's) PSS from one read per process. An instance a
 * process two entries claim is one process: read once, set on each.
 */
export async function attachPss(
  instances: readonly Instance[],
  read: (asks: readonly PssAsk[]) => Promise<Map<number, number>>,
): Promise<void> {
  const asks = new Map<number, PssAsk>();
  const ask = (p: PssAsk) =>
    asks.set(p.pid, {
      pid: p.pid,
      ...(p.startTime !== undefined ? { startTime: p.startTime } : {}),
      ...(p.memoryBytes !== undefined ? { memoryBytes: p.memoryBytes } : {}),
    });
  for (const i of instances) {
    ask(i);
    for (const c of i.children ?? []) ask(c);
  }
  if (asks.size === 0) return;
  const pss = await read([...asks.values()]);
  for (const i of instances) {
    const own = pss.get(i.pid);
    if (own !== undefined) i.pssBytes = own;
    for (const c of i.children ?? []) {
      const child = pss.get(c.pid);
      if (child !== undefined) c.pssBytes = child;
    }
  }
}
