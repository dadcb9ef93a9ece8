import { killDuplicates, killDuplicatesPlan, planReason, shareHintMessage } from '../core/actions/killDuplicates';
import { notRestartedText, restartTarget, RestartOutcome } from '../core/actions/restart';
import { StopDeps, StopResult } from '../core/actions/stop';
import { stopPidIn } from '../core/actions/stopChecked';
import type { Snapshot } from '../core/base/model';
import { quoted } from '../core/base/modelText';
import type { ActionOutcome, ActionResult } from './schemas';

export type { ActionOutcome, ActionResult } from './schemas';

/**
 * The destructive tools, each through the same core action the CLI uses and refusing what it
 * refuses: a workspace-only entry's process unless the face was started trusting the workspace,
 * and any process the stop ladder cannot re-identify exactly. Results are plain data (the tools'
 * ACTION_OUTPUT) with one sentence a model can relay. In those sentences every value from a file,
 * a process or a server (a server's name, a guard's error) is quoted, as is every message of the
 * engine that embeds them (a refusal naming entries and files, why an instance is left alone).
 */

export interface ActionContext {
  snapshot(): Promise<Snapshot>;
  locksDir: string;
  home: string;
  /** Started with --trust-workspace: workspace-only entries' processes may be signalled. */
  trustWorkspace: boolean;
  graceMs: number;
  restartTimeoutMs: number;
  stopDeps: StopDeps;
}

const done = (s: StopResult) => s.outcome === 'stopped' || s.outcome === 'gone';

function fromRestart(o: RestartOutcome): ActionOutcome {
  switch (o.kind) {
    case 'restarted':
      return {
        kind: 'restarted',
        serverName: o.serverName,
        pid: o.childPid,
        message: `restarted ${quoted(o.serverName)} through its guard (guard pid ${o.guardPid}): new server pid ${o.childPid}, restart #${o.restarts}; the client kept its session`,
      };
    case 'failed':
      return {
        kind: 'failed',
        serverName: o.serverName,
        pid: o.guardPid,
        message: `the guard of ${quoted(o.serverName)} (pid ${o.guardPid}) did not restart it: ${quoted(o.message)}`,
      };
    case 'refused':
      return { kind: 'refused', message: `not restarted: ${quoted(o.message)}` };
    case 'stopped':
      return {
        kind: done(o.stop) ? 'stopped' : o.stop.outcome === 'refused' ? 'refused' : 'failed',
        ...(o.serverName ? { serverName: o.serverName } : {}),
        pid: o.stop.pid,
        message: done(o.stop) ? notRestartedText(o.stop.pid, o.client) : stopText(o.stop),
        stop: o.stop,
      };
  }
}

/** A stop's outcome in words: the stop ladder's own (pids, times, signals); a refusal's reason quoted (it may name entries and files). */
function stopText(stop: StopResult): string {
  return stop.outcome === 'refused' ? `not stopped: ${quoted(stop.message)}` : stop.message;
}

function summarize(outcomes: ActionOutcome[], okKinds: ReadonlyArray<ActionOutcome['kind']>): ActionResult {
  const ok = outcomes.length > 0 && outcomes.every((o) => okKinds.includes(o.kind));
  return { ok, message: outcomes.map((o) => o.message).join('\n') || 'nothing to do', outcomes };
}

export async function restartServer(target: string, c: ActionContext, force = false): Promise<ActionResult> {
  const outcomes = await restartTarget(target, {
    locksDir: c.locksDir,
    snapshot: c.snapshot,
    trustWorkspace: c.trustWorkspace,
    home: c.home,
    graceMs: c.graceMs,
    timeoutMs: c.restartTimeoutMs,
    requestedBy: `mcp-lifeguard mcp: restart_server ${target}`,
    stopDeps: c.stopDeps,
    force,
  });
  return summarize(outcomes.map(fromRestart), ['restarted', 'stopped']);
}

export async function stopPid(pid: number, c: ActionContext): Promise<ActionResult> {
  const snapshot = await c.snapshot();
  const r = await stopPidIn(snapshot, pid, {
    trustWorkspace: c.trustWorkspace,
    home: c.home,
    graceMs: c.graceMs,
    deps: c.stopDeps,
  });
  if (r.kind === 'refused')
    return summarize([{ kind: 'refused', pid, message: `not stopped: ${quoted(r.message)}` }], []);
  const owner = snapshot.servers.find((s) => s.instances.some((i) => i.pid === pid));
  const kind = done(r.stop) ? 'stopped' : r.stop.outcome === 'refused' ? 'refused' : 'failed';
  return summarize(
    [{ kind, ...(owner ? { serverName: owner.name } : {}), pid, message: stopText(r.stop), stop: r.stop }],
    ['stopped'],
  );
}

export async function killDuplicateInstances(
  server: string | undefined,
  dryRun: boolean,
  c: ActionContext,
): Promise<ActionResult> {
  const snapshot = await c.snapshot();
  if (server !== undefined && !snapshot.servers.some((s) => s.name === server || s.id === server)) {
    return summarize([{ kind: 'refused', message: `no configured server is named ${quoted(server)}` }], []);
  }
  const { items, skipped, shareHints } = killDuplicatesPlan(snapshot, server, {
    trustWorkspace: c.trustWorkspace,
    home: c.home,
  });
  const hints = shareHints.map((h) => shareHintMessage(h, quoted));
  const left = skipped.map((s): ActionOutcome => ({
    kind: 'refused',
    serverName: s.serverName,
    pid: s.pid,
    message: `pid ${s.pid} of ${quoted(s.serverName)} left alone: ${quoted(s.message)}`,
  }));
  if (dryRun) {
    const planned = items.map((p): ActionOutcome => ({
      kind: 'planned',
      serverName: p.serverName,
      pid: p.pid,
      message: `would stop pid ${p.pid} of ${quoted(p.serverName)} (${planReason(p, quoted)})`,
    }));
    const message = items.length
      ? `Would stop ${items.length} instance${items.length === 1 ? '' : 's'}; nothing was signalled. Call again with dryRun false to stop them.`
      : 'No duplicate or orphaned instances to stop.';
    return {
      ok: true,
      dryRun: true,
      message: [message, ...planned.map((o) => o.message), ...left.map((o) => o.message), ...hints].join('\n'),
      outcomes: [...planned, ...left],
    };
  }
  const results = await killDuplicates(items, c.stopDeps, { graceMs: c.graceMs });
  const outcomes = results.map(({ item, result }): ActionOutcome => ({
    kind: done(result) ? 'stopped' : result.outcome === 'refused' ? 'refused' : 'failed',
    serverName: item.serverName,
    pid: item.pid,
    message: stopText(result),
    stop: result,
  }));
  const ok = outcomes.every((o) => o.kind === 'stopped');
  const message = outcomes.length
    ? outcomes.map((o) => `${quoted(o.serverName ?? '')}: ${o.message}`).join('\n')
    : 'No duplicate or orphaned instances to stop.';
  return {
    ok,
    dryRun: false,
    message: [message, ...left.map((o) => o.message), ...hints].join('\n'),
    outcomes: [...outcomes, ...left],
  };
}
