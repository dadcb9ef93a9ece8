import type { Instance, InstanceRef, Verdict } from '../base/model';

export interface VerdictOptions {
  /** Whether the server is declared single-writer: then instances from several clients are flagged "shared". */
  singleWriter: boolean;
  /** The file an instance runs where its entry does not decide it (a relative script: runsScript); undefined: not known. */
  runs?: (i: Instance) => string | undefined;
}

/** An instance as a verdict names it. */
export function instanceRef(i: Instance): InstanceRef {
  return { pid: i.pid, startTime: i.startTime, startedAt: i.startedAt, client: i.client };
}

/** Which client runs an instance: the client's process (two VS Code windows are two clients). */
function clientKey(i: Instance): string {
  return `${i.client.id}#${i.client.pid ?? '?'}`;
}

function isOrphan(i: Instance): boolean {
  return i.verdicts.some((v) => v.kind === 'orphan');
}

/**
 * A guarded launch no client owns (the guard `ensure` detaches, adopted by init): init is not a
 * client, so two of them are not one client's duplicates. Their locks arbitrate them.
 */
function isDetachedGuarded(i: Instance): boolean {
  return i.lock !== undefined && i.client.id === 'unknown' && (i.client.pid === undefined || i.client.pid <= 1);
}

/**
 * Whether which entry started an instance is undecided (it fits entries of two servers equally, or
 * nothing proves it runs the entry's code): it is no entry's copy to count, and never the one kept.
 */
function ownerUndecided(i: Instance): boolean {
  return i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner');
}

/**
 * Adds duplicate, shared and unknown verdicts to the instances of one server (one identityKey), in place.
 * - duplicate: the same client runs the server more than once; every older instance is flagged, the
 *   newest is named as the one to keep (the client talks to it). Orphans and detached guarded
 *   launches are not counted: they have no client. Copies under one agent host say so: one per
 *   agent session (the client's pid is the host's, so a host's sessions are one client).
 * - unknown: a client runs it more than once but start times are missing, so the newest is unknown.
 * Instances whose owner is undecided are judged among themselves only, by the file each runs (a
 * relative script in its own folder; one whose folder is not known is no one's copy), and never
 * counted as shared.
 * - shared: several clients each run their own; only flagged for single-writer servers.
 */
export function assignVerdicts(identityKey: string, instances: readonly Instance[], options: VerdictOptions): void {
  const counted = instances.filter((i) => !isOrphan(i) && !isDetachedGuarded(i));
  const decided = counted.filter((i) => !ownerUndecided(i));
  // Undecided copies are judged among themselves only: one is never kept in place of a proven copy,
  // nor a proven one flagged in its favour (kill-duplicates leaves undecided ones alone anyway).
  const byClient = duplicates(identityKey, decided);
  // Nor are two undecided ones copies unless they run one file: a relative script in two folders is two.
  const undecided = new Map<unknown, Instance[]>();
  for (const i of counted.filter(ownerUndecided)) {
    const file = options.runs?.(i) ?? i;
    undecided.set(file, [...(undecided.get(file) ?? []), i]);
  }
  for (const group of undecided.values()) duplicates(identityKey, group);
  if (byClient > 1) {
    const refs = decided.map(instanceRef);
    for (const i of decided) pushOnce(i, { kind: 'shared', singleWriter: options.singleWriter, instances: refs });
  }
}

/** Flags the older copies of each client among `live`; returns how many clients run one. */
function duplicates(identityKey: string, live: readonly Instance[]): number {
  const byClient = new Map<string, Instance[]>();
  for (const i of live) {
    const k = clientKey(i);
    let list = byClient.get(k);
    if (!list) byClient.set(k, (list = []));
    list.push(i);
  }
  for (const group of byClient.values()) {
    if (group.length < 2) continue;
    if (group.some((i) => i.startTime === undefined)) {
      for (const i of group) {
        pushOnce(i, {
          kind: 'unknown',
          question: 'duplicate',
          reason: `${group.length} instances under one client, but the OS gave no start time for some, so which is newest is unknown`,
        });
      }
      continue;
    }
    const sorted = [...group].sort((a, b) => (a.startTime as number) - (b.startTime as number) || a.pid - b.pid);
    const keep = sorted[sorted.length - 1];
    const host = perAgentSession(sorted);
    for (const older of sorted.slice(0, -1)) {
      pushOnce(older, {
        kind: 'duplicate',
        identityKey,
        client: keep.client,
        keep: instanceRef(keep),
        instances: sorted.map(instanceRef),
        ...(host ? { agentHost: host } : {}),
      });
    }
  }
  return byClient.size;
}

/**
 * Copies of one launch that one agent host runs are one per agent session: each session starts its
 * own set of servers. The sessions are counted when each copy's session process is known.
 */
function perAgentSession(group: readonly Instance[]): { pid: number; name: string; sessions?: number } | undefined {
  const host = group[0].client.agentHost;
  if (!host || group.some((i) => i.client.agentHost?.pid !== host.pid)) return undefined;
  const sessions = group.map((i) => i.client.agentHost?.sessionPid);
  const known = sessions.every((pid) => pid !== undefined);
  return { pid: host.pid, name: host.name, ...(known ? { sessions: new Set(sessions).size } : {}) };
}

/** An instance configured in several places is judged once per launch, not once per entry. */
function pushOnce(i: Instance, v: Verdict): void {
  if (!i.verdicts.some((x) => x.kind === v.kind)) i.verdicts.push(v);
}
