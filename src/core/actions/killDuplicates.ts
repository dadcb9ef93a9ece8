import type { Instance, Snapshot } from '../model';
import { StopDeps, stopInstance, StopOptions, StopResult } from './stop';

/** One instance the plan would stop, and why. */
export interface PlanItem {
  serverId: string;
  serverName: string;
  pid: number;
  reason: 'duplicate' | 'orphan';
  /** For a duplicate: the newest instance of the same client, which stays. */
  keep?: number;
  /** The instance as the snapshot saw it: stop re-identifies against it. */
  instance: Instance;
}

/**
 * What kill-duplicates would do: for each configured server (or the one named), every older
 * duplicate (the newest per client stays) and every orphan. Not-configured processes are never in
 * the plan. An instance shared by several entries appears once.
 */
export function planKillDuplicates(snapshot: Snapshot, server?: string): PlanItem[] {
  const plan: PlanItem[] = [];
  const seen = new Set<number>();
  for (const s of snapshot.servers) {
    if (server !== undefined && s.name !== server && s.id !== server) continue;
    for (const i of s.instances) {
      if (seen.has(i.pid)) continue;
      const dup = i.verdicts.find((v) => v.kind === 'duplicate');
      const orphan = i.verdicts.find((v) => v.kind === 'orphan');
      if (!dup && !orphan) continue;
      seen.add(i.pid);
      plan.push({
        serverId: s.id,
        serverName: s.name,
        pid: i.pid,
        reason: dup ? 'duplicate' : 'orphan',
        keep: dup?.kind === 'duplicate' ? dup.keep.pid : undefined,
        instance: i,
      });
    }
  }
  return plan;
}

/** Runs a plan: each instance is stopped (and so re-identified) on its own; one refusal does not stop the rest. */
export async function killDuplicates(plan: readonly PlanItem[], deps: StopDeps, options: StopOptions = {}): Promise<{ item: PlanItem; result: StopResult }[]> {
  const out: { item: PlanItem; result: StopResult }[] = [];
  for (const item of plan) out.push({ item, result: await stopInstance(item.instance, deps, options) });
  return out;
}
