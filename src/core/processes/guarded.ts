import type { Instance } from '../model';
import { START_TIME_TOLERANCE_MS } from '../locks';
import { redactResourceKey } from '../locks/redactRecord';
import type { LockRecord } from '../locks/types';

/**
 * Marks the instances a live lock record names: the record's holder (pid + start time) is the
 * instance's own process or one of its launcher chain (`mcp-lifeguard run` above the server).
 * The lock protocol decides which records are live; this only joins them to instances.
 */
export function markGuarded(instances: Iterable<Instance>, records: readonly LockRecord[]): void {
  if (records.length === 0) return;
  for (const i of instances) {
    const r = holderRecordOf(i, records);
    // Masked: a record written by another implementation may carry credentials in its key.
    if (r) i.lock = { serverName: r.serverName, resourceKey: redactResourceKey(r.resourceKey), ...(r.holder ? { holder: r.holder } : {}) };
  }
}

/** The live record whose holder is the instance's process or one of its launchers, if any. */
export function holderRecordOf(i: Pick<Instance, 'pid' | 'startTime'> & { launcherChain?: Instance['launcherChain'] }, records: readonly LockRecord[]): LockRecord | undefined {
  for (const step of [{ pid: i.pid, startTime: i.startTime }, ...(i.launcherChain ?? [])]) {
    const r = records.find((x) => x.pid === step.pid && step.startTime !== undefined && Math.abs(x.startTime - step.startTime) <= START_TIME_TOLERANCE_MS);
    if (r) return r;
  }
  return undefined;
}
