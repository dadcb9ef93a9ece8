import type { VmChild, VmInstance, VmSnapshot } from './input';
import { distinctInstances, instanceKey } from './state';
import { english, Translate } from '../base/translate';

/**
 * What the MCP servers cost this machine, at a glance: memory and CPU time per instance (its own
 * process and every process it started), per server, per client and in total, and how much of it is
 * copies: a server (one identity: same code, env, folder and user) running as several processes
 * spends the memory of all but one of them on copies. A process several entries claim counts once.
 */

/** Which memory figure the totals add: PSS (shared pages divided among their sharers) where the OS gives it. */
export type MemoryMeasure = 'pss' | 'rss' | 'mixed';

export interface InstanceCost {
  pid: number;
  /** The instance and its children; undefined when the OS gave no figure for its own process. */
  bytes?: number;
  cpuMs?: number;
}

export interface ServerCost {
  /** The first entry's name (entries of one identity configured in several places are one server). */
  name: string;
  identityKey: string;
  instances: number;
  bytes: number;
  /** What all but the largest instance cost: memory one instance for every client would not spend. */
  copiesBytes: number;
}

export interface McpCost {
  measure: MemoryMeasure;
  /** Configured servers' instances, each process once. */
  bytes: number;
  cpuMs: number;
  instances: number;
  /** Instances whose memory the OS did not give (left out of `bytes`). */
  unmeasured: number;
  copiesBytes: number;
  /** Servers by memory, largest first. */
  servers: ServerCost[];
  /** Per client, largest first; an instance several clients share (one process) under "shared". */
  clients: Array<{ client: string; bytes: number; instances: number }>;
  /** MCP-looking processes no configuration explains (not in `bytes`). */
  notConfigured: { bytes: number; instances: number };
}

/** The client name a shared instance's memory is counted under. */
export const SHARED_CLIENT = 'shared';

/** One process's figures, as the snapshot carries them. */
export type Measured = Pick<VmChild, 'pid' | 'memoryBytes' | 'pssBytes' | 'cpuMs'>;

function processBytes(p: Measured, seen: { pss: number; rss: number }): number | undefined {
  if (p.pssBytes !== undefined) {
    seen.pss++;
    return p.pssBytes;
  }
  if (p.memoryBytes !== undefined) seen.rss++;
  return p.memoryBytes;
}

/** An instance's process and the processes it started (core's `children`, the view's `childProcesses`). */
export function instanceCost(
  main: Measured,
  children: readonly Measured[] = [],
  seen = { pss: 0, rss: 0 },
): InstanceCost {
  const own = processBytes(main, seen);
  const bytes = own === undefined ? undefined : children.reduce((sum, c) => sum + (processBytes(c, seen) ?? 0), own);
  const cpu = main.cpuMs === undefined ? undefined : children.reduce((sum, c) => sum + (c.cpuMs ?? 0), main.cpuMs);
  return {
    pid: main.pid,
    ...(bytes !== undefined ? { bytes } : {}),
    ...(cpu !== undefined ? { cpuMs: cpu } : {}),
  };
}

const sharedBy = (i: VmInstance) => (i.lock?.attached?.length ?? 0) > 1;

export function mcpCost(snapshot: Pick<VmSnapshot, 'servers' | 'notConfigured'>): McpCost {
  const seen = { pss: 0, rss: 0 };
  const cost: McpCost = {
    measure: 'rss',
    bytes: 0,
    cpuMs: 0,
    instances: 0,
    unmeasured: 0,
    copiesBytes: 0,
    servers: [],
    clients: [],
    notConfigured: { bytes: 0, instances: 0 },
  };
  const costs = new Map<string, InstanceCost>();
  const clients = new Map<string, { client: string; bytes: number; instances: number }>();
  for (const { instance } of distinctInstances(snapshot.servers)) {
    const c = instanceCost(instance, instance.childProcesses, seen);
    costs.set(instanceKey(instance), c);
    cost.instances++;
    if (c.bytes === undefined) cost.unmeasured++;
    cost.bytes += c.bytes ?? 0;
    cost.cpuMs += c.cpuMs ?? 0;
    const client = sharedBy(instance) ? SHARED_CLIENT : instance.client.name;
    const row = clients.get(client) ?? { client, bytes: 0, instances: 0 };
    row.bytes += c.bytes ?? 0;
    row.instances++;
    clients.set(client, row);
  }
  // A server is an identity: its entries in several clients are one server, their processes its instances.
  const byIdentity = new Map<string, { name: string; sizes: Map<string, number> }>();
  for (const s of snapshot.servers) {
    const group = byIdentity.get(s.identityKey) ?? { name: s.name, sizes: new Map<string, number>() };
    for (const i of s.instances) group.sizes.set(instanceKey(i), costs.get(instanceKey(i))?.bytes ?? 0);
    byIdentity.set(s.identityKey, group);
  }
  for (const [identityKey, { name, sizes }] of byIdentity) {
    if (sizes.size === 0) continue;
    const all = [...sizes.values()];
    const bytes = all.reduce((a, b) => a + b, 0);
    const copiesBytes = all.length > 1 ? bytes - Math.max(...all) : 0;
    cost.copiesBytes += copiesBytes;
    cost.servers.push({ name, identityKey, instances: all.length, bytes, copiesBytes });
  }
  // Not in `bytes`, so not in its measure either: a process no entry explains that exits mid-read
  // (another tool's, another test's) must not make the servers' PSS read as "RSS where not readable".
  const unexplained = { pss: 0, rss: 0 };
  for (const i of snapshot.notConfigured) {
    cost.notConfigured.instances++;
    cost.notConfigured.bytes += instanceCost(i, i.childProcesses, unexplained).bytes ?? 0;
  }
  cost.servers.sort((a, b) => b.bytes - a.bytes);
  cost.clients = [...clients.values()].sort((a, b) => b.bytes - a.bytes);
  cost.measure = seen.rss === 0 ? 'pss' : seen.pss === 0 ? 'rss' : 'mixed';
  return cost;
}

/** Memory as people read it: "412 MB", "3.1 GB" (the extension passes its `t`). */
export function memoryText(bytes: number, t: Translate = english): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1024 ? t('{0} GB', (mb / 1024).toFixed(1)) : t('{0} MB', Math.round(mb));
}

/** CPU time as people read it: "4.2 s", "3 min 10 s", "2 h 5 min" (the extension passes its `t`). */
export function cpuText(ms: number, t: Translate = english): string {
  const s = ms / 1000;
  if (s < 60) return t('{0} s', s.toFixed(1));
  if (s < 3600) return t('{0} min {1} s', Math.floor(s / 60), Math.round(s % 60));
  return t('{0} h {1} min', Math.floor(s / 3600), Math.round((s % 3600) / 60));
}

/**
 * The sentence the CLI and the agent face show: "MCP servers use 3.1 GB (PSS) and 4 min 2 s of CPU in
 * 9 instances; 1.2 GB of it is copies of the same server." Undefined when nothing runs.
 */
export function costSentence(cost: McpCost): string | undefined {
  if (cost.instances === 0) return undefined;
  const instances = `${cost.instances} ${cost.instances === 1 ? 'instance' : 'instances'}`;
  const measure =
    cost.measure === 'pss' ? ' (PSS)' : cost.measure === 'rss' ? ' (RSS)' : ' (PSS, RSS where PSS was not readable)';
  const unmeasured = cost.unmeasured ? ` (${cost.unmeasured} not measured)` : '';
  const copies = cost.copiesBytes > 0 ? `; ${memoryText(cost.copiesBytes)} of it is copies of the same server` : '';
  return `MCP servers use ${memoryText(cost.bytes)}${measure} and ${cpuText(cost.cpuMs)} of CPU in ${instances}${unmeasured}${copies}.`;
}
