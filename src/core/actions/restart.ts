import type { Snapshot } from '../base/model';
import { AttachedClient, controlRestart, controlStatus } from '../control';
import { listLocks, LockRecord } from '../locks';
import { attachedField, attachedOf, isHttpGuardRecord } from '../processes/guarded';
import { defaultStopDeps, StopDeps, StopResult } from './stop';
import { stopChecked } from './stopChecked';
import { RESTART_RISK, restartRiskText } from '../versions/startRisk';
import { nameAttachedLists } from '../processes/attachedNames';
import type { Machine } from '../machine/types';
import { thisMachine } from '../machine/live';

/**
 * "Restart SERVER|PID", the one way every face does it. A guarded server restarts through its
 * guard's control endpoint, so its client keeps the session; an unguarded instance can only be
 * stopped (re-identified, TERM, then KILL), and its client must start it again. The CLI's
 * `restart` and the agent face's `restart_server` both call this and only word the outcome.
 */

export type RestartTargetOutcome =
  /**
   * A guard restarted its server; the client kept its session. `sharedBy`: a shared server's
   * clients (named by the process table as every instance's client is, else by the name each gave;
   * undefined for one that gave none), every one of which kept it.
   */
  | {
      kind: 'restarted';
      serverName: string;
      guardPid: number;
      childPid: number;
      restarts: number;
      sharedBy?: (string | undefined)[];
    }
  /** A guard was asked and could not (no endpoint, an error, a timeout). */
  | { kind: 'failed'; serverName: string; guardPid: number; message: string }
  /** Not guarded: the instance was stopped (or refused by the stop ladder: see `stop.outcome`). */
  | { kind: 'stopped'; serverName?: string; client: string; stop: StopResult }
  /**
   * Nothing was signalled, and why. `will-not-start`: what is installed will probably not start (a
   * module the server imports is gone or raises at import): the running server keeps serving.
   */
  | {
      kind: 'refused';
      reason: 'not-found' | 'ambiguous' | 'workspace-untrusted' | 'will-not-start';
      message: string;
      pids?: number[];
      serverName?: string;
    };

export interface RestartOptions {
  locksDir: string;
  /** The snapshot an unguarded target is found and re-identified in (taken only when needed). */
  snapshot(): Promise<Snapshot>;
  trustWorkspace: boolean;
  home: string;
  graceMs: number;
  /** How long a guard gets to report its restart. */
  timeoutMs: number;
  /** Who asks, as the guard logs it (`mcp-lifeguard restart memory`). */
  requestedBy: string;
  /** Restart even when what is installed will probably not start (refused otherwise). */
  force?: boolean;
  /** `none`: the guard does not start the installed server beside the serving one first (a per-server choice). */
  check?: 'none';
  stopDeps?: StopDeps;
  /** Where a shared server's clients are named (this machine by default). */
  machine?: Machine;
}

/**
 * Who kept a session across a guard's restart, as the CLI and the agent face say it: the client, or
 * each client of a shared server by name (`show` writes a name from a lock record into the sentence).
 */
export function sessionsKept(
  o: Extract<RestartTargetOutcome, { kind: 'restarted' }>,
  show: (name: string) => string = (name) => name,
): string {
  const names = (o.sharedBy ?? []).map((n) => (n === undefined ? 'an unnamed client' : show(n)));
  if (names.length === 0) return 'the client kept its session';
  if (names.length === 1) return `${names[0]} kept its session`;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} kept their sessions`;
}

export const WRAP_HINT =
  "Wrap it with 'mcp-lifeguard run -- <command>' in the client's config to restart it without breaking the client.";

export async function restartTarget(target: string, o: RestartOptions): Promise<RestartTargetOutcome[]> {
  const live = (await listLocks(o.locksDir)).flatMap((l) => (l.state === 'live' ? [l.record] : []));
  const guarded = await findGuarded(live, target);
  if (guarded.length === 0) return [await stopUnguarded(target, o)];
  const outcomes: RestartTargetOutcome[] = [];
  for (const record of guarded) {
    const who = { serverName: record.serverName, guardPid: record.pid };
    if (!record.control) {
      outcomes.push({ kind: 'failed', ...who, message: 'no control endpoint' });
      continue;
    }
    try {
      const reply = await controlRestart(record.control, o.requestedBy, {
        timeoutMs: o.timeoutMs,
        force: o.force,
        ...(o.check ? { check: o.check } : {}),
      });
      const sharedBy = reply.ok
        ? (await clientsNow(record, o.machine ?? thisMachine())).map((c) => c.clientName)
        : undefined;
      outcomes.push(
        reply.ok
          ? {
              kind: 'restarted',
              ...who,
              childPid: reply.result.childPid,
              restarts: reply.result.restarts,
              ...(sharedBy?.length ? { sharedBy } : {}),
            }
          : String(reply.error).startsWith(RESTART_RISK)
            ? { kind: 'refused', reason: 'will-not-start', serverName: record.serverName, message: String(reply.error) }
            : { kind: 'failed', ...who, message: String(reply.error) },
      );
    } catch (err) {
      outcomes.push({ kind: 'failed', ...who, message: (err as Error).message });
    }
  }
  return outcomes;
}

/**
 * The clients a guard serves now, by its own word (its record is written a moment after a client
 * comes: an HTTP client that connected just before the restart is listed by the guard, not yet by
 * the record); the record's list when the guard does not answer.
 */
async function clientsNow(record: LockRecord, machine: Machine): Promise<AttachedClient[]> {
  const status = record.control
    ? await controlStatus(record.control, { timeoutMs: 2000 }).catch(() => undefined)
    : undefined;
  // A guard that is neither shared nor HTTP lists nobody: its one client.
  const listed =
    status?.ok && Array.isArray(status.result.attached)
      ? record.share === true || isHttpGuardRecord(record)
        ? attachedOf(status.result.attached)
        : []
      : (attachedField(record).attached ?? []);
  const [named] = await nameAttachedLists([listed], machine).catch(() => [listed]);
  return named;
}

async function stopUnguarded(target: string, o: RestartOptions): Promise<RestartTargetOutcome> {
  const snapshot = await o.snapshot();
  const configured = snapshot.servers.flatMap((s) =>
    s.instances.map((i) => ({ server: s.name as string | undefined, instance: i })),
  );
  const all = [...configured, ...snapshot.notConfigured.map((i) => ({ server: undefined, instance: i }))];
  const byName = configured.filter((x) => x.server === target);
  // By name, a process whose entry is undecided (other entries fit it as well) is never acted on: name its pid.
  const undecided = byName.filter((x) =>
    x.instance.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner'),
  );
  const found = /^\d+$/.test(target)
    ? all.filter((x) => x.instance.pid === Number(target))
    : byName.filter((x) => !undecided.includes(x));
  if (found.length === 0 && undecided.length > 0) {
    const pids = [...new Set(undecided.map((x) => x.instance.pid))];
    return {
      kind: 'refused',
      reason: 'ambiguous',
      pids,
      message: `'${target}' runs only as ${pids.map((p) => `pid ${p}`).join(', ')}, which other entries fit as well (which one started it is undecided); nothing was signalled. Name a PID to act on it.`,
    };
  }
  if (found.length === 0) {
    return {
      kind: 'refused',
      reason: 'not-found',
      message: `'${target}' is not guarded (no live 'mcp-lifeguard run' names it) and no running MCP server instance matches it; nothing was signalled.`,
    };
  }
  const pids = [...new Set(found.map((x) => x.instance.pid))];
  if (pids.length > 1) {
    return {
      kind: 'refused',
      reason: 'ambiguous',
      pids,
      message: `'${target}' is not guarded and runs as ${pids.length} instances (pids ${pids.join(', ')}); name one PID.`,
    };
  }
  const { server, instance } = found[0];
  // Stopping an unguarded server is half a restart: its client starts what is installed, which may not start.
  const risk = restartRiskText(
    instance.versions?.installed.state === 'installed' ? instance.versions.installed.startRisks : undefined,
  );
  if (risk && !o.force)
    return {
      kind: 'refused',
      reason: 'will-not-start',
      ...(server ? { serverName: server } : {}),
      pids: [instance.pid],
      message: `${risk}; pid ${instance.pid} was not stopped, it keeps serving (restart with force to do it anyway)`,
    };
  const done = await stopChecked(snapshot, instance, {
    trustWorkspace: o.trustWorkspace,
    home: o.home,
    graceMs: o.graceMs,
    deps: o.stopDeps ?? defaultStopDeps(),
  });
  if (done.kind === 'refused') return { kind: 'refused', reason: 'workspace-untrusted', message: done.message };
  return { kind: 'stopped', ...(server ? { serverName: server } : {}), client: instance.client.name, stop: done.stop };
}

/** What an unguarded "restart" did, in the words every face uses. */
export function notRestartedText(pid: number, client: string): string {
  return `pid ${pid} was not guarded, so it was stopped, not restarted: ${client} must start it again (reconnect or restart the server in the client). ${WRAP_HINT}`;
}

/** Live guards named `target`, or whose guard pid or server pid is `target`. */
async function findGuarded(live: LockRecord[], target: string): Promise<LockRecord[]> {
  const byName = live.filter((r) => r.serverName === target);
  if (byName.length > 0 || !/^\d+$/.test(target)) return byName;
  const pid = Number(target);
  const byGuardPid = live.filter((r) => r.pid === pid);
  if (byGuardPid.length > 0) return byGuardPid;
  const byChildPid: LockRecord[] = [];
  for (const r of live) {
    if (!r.control) continue;
    const status = await controlStatus(r.control, { timeoutMs: 5000 }).catch(() => undefined);
    if (status?.ok && status.result.childPid === pid) byChildPid.push(r);
  }
  return byChildPid;
}
