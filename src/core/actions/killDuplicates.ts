import type { Instance, Snapshot } from '../model';
import { StopDeps, stopInstance, StopOptions, StopResult } from './stop';
import { workspaceRefusal } from './workspaceTrust';

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

/** A duplicate or orphan the plan leaves alone, and why. */
export interface SkippedItem {
  serverId: string;
  serverName: string;
  pid: number;
  /** ambiguous: several entries claim it and its launch does not say whose it is; workspace-untrusted: only workspace files claim it. */
  reason: 'ambiguous' | 'workspace-untrusted';
  message: string;
}

export interface KillDuplicatesPlan {
  items: PlanItem[];
  skipped: SkippedItem[];
}

export interface PlanOptions {
  /** Whether entries only workspace files define may aim signals (the CLI's --trust-workspace). Default true. */
  trustWorkspace?: boolean;
  /** The user's home folder: a workspace folder that is it (or holds it) does not make the user's own files the workspace's. */
  home?: string;
}

/**
 * What kill-duplicates would do: for each configured server (or the one named), every older
 * duplicate (the newest per client stays) and every orphan. Not-configured processes are never in
 * the plan. An instance shared by several entries appears once. Instances whose owner is ambiguous
 * are never acted on in bulk, nor (unless trusted) those only workspace files claim: they are skipped,
 * each with why.
 */
export function killDuplicatesPlan(snapshot: Snapshot, server?: string, options: PlanOptions = {}): KillDuplicatesPlan {
  const items: PlanItem[] = [];
  const skipped: SkippedItem[] = [];
  const seen = new Set<number>();
  for (const s of snapshot.servers) {
    if (server !== undefined && s.name !== server && s.id !== server) continue;
    for (const i of s.instances) {
      if (seen.has(i.pid)) continue;
      const dup = i.verdicts.find((v) => v.kind === 'duplicate');
      const orphan = i.verdicts.find((v) => v.kind === 'orphan');
      if (!dup && !orphan) continue;
      seen.add(i.pid);
      // Which entry owns it is undecided: acting for one entry could reach another project's process.
      const ambiguous = i.verdicts.find((v) => v.kind === 'unknown' && v.question === 'owner');
      if (ambiguous?.kind === 'unknown') {
        skipped.push({ serverId: s.id, serverName: s.name, pid: i.pid, reason: 'ambiguous', message: `pid ${i.pid} left alone: ${ambiguous.reason}` });
        continue;
      }
      const refusal = workspaceRefusal(snapshot, i, options.trustWorkspace ?? true, options.home);
      if (refusal) {
        skipped.push({ serverId: s.id, serverName: s.name, pid: i.pid, reason: 'workspace-untrusted', message: refusal });
        continue;
      }
      items.push({
        serverId: s.id,
        serverName: s.name,
        pid: i.pid,
        reason: dup ? 'duplicate' : 'orphan',
        keep: dup?.kind === 'duplicate' ? dup.keep.pid : undefined,
        instance: i,
      });
    }
  }
  return { items, skipped };
}

/** The plan's items alone (see killDuplicatesPlan). */
export function planKillDuplicates(snapshot: Snapshot, server?: string, options: PlanOptions = {}): PlanItem[] {
  return killDuplicatesPlan(snapshot, server, options).items;
}

/** Runs a plan: each instance is stopped (and so re-identified) on its own; one refusal does not stop the rest. */
export async function killDuplicates(plan: readonly PlanItem[], deps: StopDeps, options: StopOptions = {}): Promise<{ item: PlanItem; result: StopResult }[]> {
  const out: { item: PlanItem; result: StopResult }[] = [];
  for (const item of plan) out.push({ item, result: await stopInstance(item.instance, deps, options) });
  return out;
}
