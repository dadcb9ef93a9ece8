import type { Instance, Snapshot } from '../base/model';
import { StopDeps, stopInstance, StopOptions, StopResult } from './stop';
import { workspaceRefusal } from './workspaceTrust';

/** One instance the plan would stop, and why. */
export interface PlanItem {
  serverId: string;
  serverName: string;
  pid: number;
  /** superseded: its agent host is an earlier generation (`why` names it); `keep` is the newer host's pid. */
  reason: 'duplicate' | 'orphan' | 'superseded';
  /** For superseded: the verdict's reason. */
  why?: string;
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
  /**
   * ambiguous: several entries claim it and its launch does not say whose it is; workspace-untrusted:
   * only workspace files claim it; malformed: a saved snapshot's entry lacks what the plan needs.
   */
  reason: 'ambiguous' | 'workspace-untrusted' | 'malformed' | 'per-session';
  message: string;
}

/**
 * Copies of one server that several clients each run (not duplicates: each client talks to its
 * own): `run --on-conflict share` would have served them from one process.
 */
export interface ShareHint {
  serverName: string;
  /** The server (one identity) whose copies these are. */
  identityKey: string;
  /** The copies the plan leaves running, one or more per client. */
  copies: number;
  /** The clients that run them, by name, each once, in the snapshot's order. */
  clients: string[];
  message: string;
}

export interface KillDuplicatesPlan {
  items: PlanItem[];
  skipped: SkippedItem[];
  /** Servers several clients run a copy of each, where sharing one would have avoided the copies. */
  shareHints: ShareHint[];
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
    for (const i of Array.isArray(s.instances) ? s.instances : []) {
      // A saved snapshot (`--from FILE`) is input: what it lacks is refused by name, never a crash.
      const malformed = malformedEntry(i);
      if (malformed) {
        skipped.push({ serverId: s.id, serverName: s.name, pid: i?.pid, reason: 'malformed', message: malformed });
        continue;
      }
      if (seen.has(i.pid)) continue;
      const dup = i.verdicts.find((v) => v.kind === 'duplicate');
      // An HTTP entry's process is found by its port: a standalone daemon with no client, never an orphan.
      const orphan =
        s.transport === 'stdio' || s.transport === undefined ? i.verdicts.find((v) => v.kind === 'orphan') : undefined;
      // Under an earlier generation of its agent host: planned like an orphan, whatever its copies are.
      const superseded = orphan ? undefined : i.verdicts.find((v) => v.kind === 'superseded');
      if (!dup && !orphan && !superseded) continue;
      seen.add(i.pid);
      // Which entry owns it is undecided: acting for one entry could reach another project's process.
      const ambiguous = i.verdicts.find((v) => v.kind === 'unknown' && v.question === 'owner');
      if (ambiguous?.kind === 'unknown') {
        skipped.push({
          serverId: s.id,
          serverName: s.name,
          pid: i.pid,
          reason: 'ambiguous',
          message: `pid ${i.pid} left alone: ${ambiguous.reason}`,
        });
        continue;
      }
      // One copy per live agent session: each session talks to its own, so stopping one breaks that
      // session. Its copies are said (the verdict), and left alone; an ended session's copy is an orphan.
      if (!orphan && !superseded && dup?.kind === 'duplicate' && dup.agentHost) {
        skipped.push({
          serverId: s.id,
          serverName: s.name,
          pid: i.pid,
          reason: 'per-session',
          message: `pid ${i.pid} left alone: it is one agent session's own copy under ${dup.agentHost.name} (pid ${dup.agentHost.pid}), and that session may be using it`,
        });
        continue;
      }
      const refusal = workspaceRefusal(snapshot, i, options.trustWorkspace ?? true, options.home);
      if (refusal) {
        skipped.push({
          serverId: s.id,
          serverName: s.name,
          pid: i.pid,
          reason: 'workspace-untrusted',
          message: refusal,
        });
        continue;
      }
      items.push({
        serverId: s.id,
        serverName: s.name,
        pid: i.pid,
        ...(superseded?.kind === 'superseded'
          ? { reason: 'superseded' as const, keep: superseded.newer.pid, why: superseded.reason }
          : {
              reason: dup ? ('duplicate' as const) : ('orphan' as const),
              keep: dup?.kind === 'duplicate' ? dup.keep.pid : undefined,
            }),
        instance: i,
      });
    }
  }
  return { items, skipped, shareHints: shareHints(snapshot, server, items) };
}

/**
 * For each server (one identity: one command with one env, wherever it is configured), the copies
 * left running after the plan when they are under two or more clients, and not already one shared
 * instance (a shared server is one instance whatever its number of clients). Entries of one command
 * with other env are other servers (other data): never hinted at together. A client unknown to the
 * snapshot counts by its pid; an instance whose owner is undecided counts for no server.
 */
export function shareHints(snapshot: Snapshot, server: string | undefined, plan: readonly PlanItem[]): ShareHint[] {
  const stopped = new Set(plan.map((p) => p.pid));
  const byIdentity = new Map<string, { name: string; pids: Set<number>; clients: Map<string, string> }>();
  // A saved snapshot of an older schema has no identityKey: its launchKey stands in.
  const identity = (s: (typeof snapshot.servers)[number]): unknown => s.identityKey ?? s.launchKey;
  // The server named (by name or id) and every entry of the same identity: each client's entry lists its own copies.
  const identities = new Set(
    snapshot.servers.filter((s) => server === undefined || s.name === server || s.id === server).map(identity),
  );
  for (const s of snapshot.servers) {
    const key = identity(s);
    if (!identities.has(key)) continue;
    if (s.transport !== 'stdio' || typeof key !== 'string' || !Array.isArray(s.instances)) continue;
    for (const i of s.instances) {
      if (!i || !Number.isInteger(i.pid) || stopped.has(i.pid) || i.lock?.attached) continue;
      if (!Array.isArray(i.verdicts) || i.verdicts.some((v) => v?.kind === 'orphan')) continue;
      if (i.verdicts.some((v) => v?.kind === 'unknown' && v.question === 'owner')) continue;
      let g = byIdentity.get(key);
      if (!g) byIdentity.set(key, (g = { name: s.name, pids: new Set(), clients: new Map() }));
      g.pids.add(i.pid);
      const c = i.client;
      const clientKey = c?.id && c.id !== 'unknown' ? c.id : `pid:${c?.pid ?? i.ppid}`;
      if (!g.clients.has(clientKey)) g.clients.set(clientKey, c?.name ?? 'unknown');
    }
  }
  const hints: ShareHint[] = [];
  for (const [identityKey, g] of byIdentity) {
    if (g.clients.size < 2) continue;
    const copies = g.pids.size;
    const clients = [...g.clients.values()];
    hints.push({
      serverName: g.name,
      identityKey,
      copies,
      clients,
      message: shareHintMessage({ serverName: g.name, copies, clients }),
    });
  }
  return hints;
}

/**
 * A share hint in words. `show` writes the server's name into the sentence (as it is for a person,
 * quoted for a model: src/agent); the command suggested names it as a shell word.
 */
export function shareHintMessage(
  h: Pick<ShareHint, 'serverName' | 'copies' | 'clients'>,
  show: (value: string) => string = (value) => value,
): string {
  return `${h.copies} copies of ${show(h.serverName)} run for ${h.clients.length} clients (${h.clients.join(', ')}): \`run --on-conflict share\` serves them from one; \`mcp-lifeguard wrap ${shellWord(h.serverName)} --share\` rewrites each client's entry to it (see docs/share.md)`;
}

/** A server name as a shell word: quoted unless it is plain. */
function shellWord(s: string): string {
  return /^[\w.@:/+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What an instance of a saved snapshot lacks for the plan (pid, verdicts, a duplicate's `keep`), or undefined. */
function malformedEntry(i: Partial<Instance> | undefined): string | undefined {
  if (!i || typeof i !== 'object') return 'an instance entry is not an object; nothing was signalled';
  const who = Number.isInteger(i.pid)
    ? `pid ${i.pid}`
    : `an instance with no pid (${JSON.stringify(i.pid) ?? 'missing'})`;
  if (!Number.isInteger(i.pid)) return `${who} left alone: the snapshot entry has no pid; nothing was signalled`;
  if (!Array.isArray(i.verdicts))
    return `${who} left alone: the snapshot entry has no verdicts list; nothing was signalled`;
  for (const v of i.verdicts) {
    if (!v || typeof v !== 'object')
      return `${who} left alone: the snapshot entry has a verdict that is not an object; nothing was signalled`;
    if (v.kind === 'duplicate' && !Number.isInteger((v as { keep?: { pid?: unknown } }).keep?.pid)) {
      return `${who} left alone: its duplicate verdict has no keep.pid (the instance that stays); nothing was signalled`;
    }
  }
  return undefined;
}

/** Why the plan stops an item, in words; `show` writes data from processes (a path in the reason) as a face wants it. */
export function planReason(p: PlanItem, show: (value: string) => string = (value) => value): string {
  if (p.reason === 'duplicate') return `older duplicate; pid ${p.keep} stays`;
  if (p.reason === 'superseded')
    return `superseded: ${show(p.why ?? `its agent host is an earlier one; pid ${p.keep} runs now`)}`;
  return 'orphan';
}

/** The plan's items alone (see killDuplicatesPlan). */
export function planKillDuplicates(snapshot: Snapshot, server?: string, options: PlanOptions = {}): PlanItem[] {
  return killDuplicatesPlan(snapshot, server, options).items;
}

/** Runs a plan: each instance is stopped (and so re-identified) on its own; one refusal does not stop the rest. */
export async function killDuplicates(
  plan: readonly PlanItem[],
  deps: StopDeps,
  options: StopOptions = {},
): Promise<{ item: PlanItem; result: StopResult }[]> {
  const out: { item: PlanItem; result: StopResult }[] = [];
  for (const item of plan) out.push({ item, result: await stopInstance(item.instance, deps, options) });
  return out;
}
