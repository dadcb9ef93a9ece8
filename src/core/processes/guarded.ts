import type { Instance } from '../model';
import { START_TIME_TOLERANCE_MS } from '../locks';
import type { LockRecord } from '../locks/types';

/**
 * Marks the instances a live lock record names: the record's holder (pid + start time) is the
 * instance's own process or one of its launcher chain (`mcp-lifeguard run` above the server).
 * The lock protocol decides which records are live; this only joins them to instances.
 */
export function markGuarded(instances: Iterable<Instance>, records: readonly LockRecord[]): void {
  if (records.length === 0) return;
  const byPid = new Map<number, LockRecord[]>();
  for (const r of records) byPid.set(r.pid, [...(byPid.get(r.pid) ?? []), r]);
  for (const i of instances) {
    for (const step of [{ pid: i.pid, startTime: i.startTime }, ...i.launcherChain]) {
      const r = byPid.get(step.pid)?.find((x) => step.startTime !== undefined && Math.abs(x.startTime - step.startTime) <= START_TIME_TOLERANCE_MS);
      if (r) {
        i.lock = { serverName: r.serverName, resourceKey: r.resourceKey, ...(r.holder ? { holder: r.holder } : {}) };
        break;
      }
    }
  }
}
