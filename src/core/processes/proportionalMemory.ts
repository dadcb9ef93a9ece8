import type { Instance } from '../base/model';

/**
 * Sets each instance's (and each of its children's) PSS from one read per process. An instance a
 * process two entries claim is one process: read once, set on each.
 */
export async function attachPss(
  instances: readonly Instance[],
  read: (pids: readonly number[]) => Promise<Map<number, number>>,
): Promise<void> {
  const pids = new Set<number>();
  for (const i of instances) {
    pids.add(i.pid);
    for (const c of i.children ?? []) pids.add(c.pid);
  }
  if (pids.size === 0) return;
  const pss = await read([...pids]);
  for (const i of instances) {
    const own = pss.get(i.pid);
    if (own !== undefined) i.pssBytes = own;
    for (const c of i.children ?? []) {
      const child = pss.get(c.pid);
      if (child !== undefined) c.pssBytes = child;
    }
  }
}
