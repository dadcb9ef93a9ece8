import { VmClient, VmInstance, VmServer } from '../../core/report/input';
import { isGuarded } from '../../core/report/state';
import { mayRun } from './trust';
import { VSCODE_MCP, vscodeServerId } from './vscodeServerId';

/**
 * How to restart or stop instances, by who owns each one (the design's table):
 *   guarded (any client)            the guard's control endpoint: the client's pipe never breaks
 *   VS Code, this window            VS Code's own MCP command for the server id, verified afterwards
 *   another client, not guarded     terminate the process tree; the client must start it again
 */

export type ActionKind = 'restart' | 'stop';

export interface WindowContext {
  trusted: boolean;
  workspaceFolders: readonly string[];
  product: 'vscode' | 'vscode-insiders';
  /** This window's extension host and its ancestors: an instance whose client pid is one of them is ours. */
  windowPids: readonly number[];
}

export type PlanStep =
  | { kind: 'guard'; op: 'restart' | 'shutdown'; endpoint: string; instance: VmInstance }
  | { kind: 'vscode'; command: typeof VSCODE_MCP.restart | typeof VSCODE_MCP.stop; serverId: string; instances: VmInstance[] }
  | { kind: 'terminate'; instances: VmInstance[]; client: VmClient; afterward: string; offerWrap: boolean };

export type ActionPlan = { kind: 'blocked'; reason: string } | { kind: 'nothing'; reason: string } | { kind: 'steps'; steps: PlanStep[] };

export function isThisWindow(i: VmInstance, ctx: Pick<WindowContext, 'windowPids'>): boolean {
  return (i.client.id === 'vscode' || i.client.id === 'vscode-insiders') && i.client.pid !== undefined && ctx.windowPids.includes(i.client.pid);
}

/** Clients that start their servers once per session (a CLI agent), not whenever they run. */
const SESSION_CLIENTS: ReadonlySet<string> = new Set(['claude-code', 'codex', 'gemini-cli', 'copilot-cli']);

/** Whether a client starts its servers per session. */
export function startsPerSession(clientId: string): boolean {
  return SESSION_CLIENTS.has(clientId);
}

/** A client as the "who starts it again" texts tell them apart. */
function clientKind(client: VmClient): 'terminal' | 'unknown' | 'session' | 'vscode' | 'other' {
  if (client.id === 'terminal' || client.id === 'unknown') return client.id;
  if (client.id === 'vscode' || client.id === 'vscode-insiders') return 'vscode';
  return startsPerSession(client.id) ? 'session' : 'other';
}

/** This window's facts when a caller has none: only guarded instances restart. */
export const NO_WINDOW: OwnerContext = { product: 'vscode', workspaceFolders: [], windowPids: [] };

/** What happens after we terminate a server another client started, in the words the user needs. */
export function afterTerminate(client: VmClient, action: ActionKind): string {
  const again = action === 'restart' ? ' That loads the new code.' : '';
  switch (clientKind(client)) {
    case 'terminal':
      return `It was started from a terminal: start it again there.${again}`;
    case 'unknown':
      return `The program that started it must start it again.${again}`;
    case 'session':
      return `${client.name} starts it again in its next session (or when you reconnect the server there).${again}`;
    case 'vscode':
      return `${client.name} (another window) starts it again when you restart the server there or the server is next used.${again}`;
    default:
      return `${client.name} will start it again on its next restart.${again}`;
  }
}

export function planAction(action: ActionKind, server: VmServer, instances: readonly VmInstance[], ctx: WindowContext): ActionPlan {
  if (instances.length === 0) return { kind: 'nothing', reason: `${server.name} has no running instance` };
  const trust = mayRun(action, server, ctx.trusted, ctx.workspaceFolders);
  if (!trust.allowed) return { kind: 'blocked', reason: trust.reason };
  const steps: PlanStep[] = [];
  const ours: VmInstance[] = [];
  const others = new Map<string, { client: VmClient; instances: VmInstance[] }>();
  const id = vscodeServerId(server, ctx);
  for (const i of instances) {
    if (isGuarded(i) && i.lock?.control) {
      steps.push({ kind: 'guard', op: action === 'restart' ? 'restart' : 'shutdown', endpoint: i.lock.control, instance: i });
    } else if (id !== undefined && isThisWindow(i, ctx)) {
      ours.push(i);
    } else {
      const key = `${i.client.id}:${i.client.pid ?? ''}`;
      const g = others.get(key) ?? { client: i.client, instances: [] };
      g.instances.push(i);
      others.set(key, g);
    }
  }
  if (ours.length > 0 && id !== undefined) {
    steps.push({ kind: 'vscode', command: action === 'restart' ? VSCODE_MCP.restart : VSCODE_MCP.stop, serverId: id, instances: ours });
  }
  for (const g of others.values()) {
    // Wrapping is offered where it helps next time: a stdio server some other client launches.
    steps.push({ kind: 'terminate', instances: g.instances, client: g.client, afterward: afterTerminate(g.client, action), offerWrap: server.transport === 'stdio' && !isGuarded(g.instances[0]) });
  }
  return { kind: 'steps', steps };
}

/** After VS Code's own command: did the old processes go (and, for a restart, did a new one come)? */
export type VsCodeVerification =
  | { kind: 'done'; newPids: number[] }
  | { kind: 'unchanged'; stillRunning: number[] }
  | { kind: 'notStarted' };

export function verifyVsCodeStep(action: ActionKind, before: readonly VmInstance[], after: VmServer | undefined): VsCodeVerification {
  const now = after?.instances ?? [];
  const key = (i: VmInstance) => `${i.pid}@${i.startTime ?? '?'}`;
  const old = new Set(before.map(key));
  const stillRunning = now.filter((i) => old.has(key(i))).map((i) => i.pid);
  if (stillRunning.length > 0) return { kind: 'unchanged', stillRunning };
  if (action === 'stop') return { kind: 'done', newPids: [] };
  const fresh = now.filter((i) => !old.has(key(i))).map((i) => i.pid);
  return fresh.length > 0 ? { kind: 'done', newPids: fresh } : { kind: 'notStarted' };
}

/** The window facts that decide who can restart an instance (no trust: that is mayRun's). */
export type OwnerContext = Pick<WindowContext, 'product' | 'workspaceFolders' | 'windowPids'>;

/**
 * What Restart really does to one instance: only its guard and VS Code (for this window's own servers)
 * start it again. Any other instance is stopped, and its client must start it; menus, tooltips and
 * confirmations name the action after this, never "Restart" for a stop.
 */
export function restartEffect(server: VmServer, i: VmInstance, ctx: OwnerContext): ActionKind {
  if (isGuarded(i)) return 'restart';
  return vscodeServerId(server, ctx) !== undefined && isThisWindow(i, ctx) ? 'restart' : 'stop';
}

/** Before a stop: who will not start the server again, and until when (the confirmation's words). */
export function notStartedAgain(client: VmClient): string {
  switch (clientKind(client)) {
    case 'terminal':
      return 'Nothing starts it again: it was started from a terminal, start it there.';
    case 'unknown':
      return 'Nothing here starts it again: the program that started it must.';
    case 'session':
      return `${client.name} will not start it again until its next session (or until you reconnect the server there).`;
    case 'vscode':
      return `${client.name} (another window) will not start it again until the server is restarted there or next used.`;
    default:
      return `${client.name} will not start it again until it restarts.`;
  }
}

export const WRAP_THEN_STOP = 'Wrap with Guard, then Stop' as const;

export interface Confirmation {
  message: string;
  detail: string;
  button: string;
  /** A second button: wrap the entry first (the existing Wrap command), then stop. */
  wrapButton?: typeof WRAP_THEN_STOP;
}

const who = (instances: readonly VmInstance[]) => instances.map((i) => `pid ${i.pid} (${i.client.name})`).join(', ');

/**
 * Restart's confirmation from its plan: what is restarted and what is only stopped, said before it
 * happens ("Stop pid 25397? Claude Desktop will not start it again until it restarts."). `canWrap`:
 * the guard is installed, so wrapping first is offered for stdio servers other clients launch.
 */
export function restartConfirmation(server: VmServer, steps: readonly PlanStep[], canWrap: boolean): Confirmation {
  const restarted = steps.flatMap((s) => (s.kind === 'guard' ? [s.instance] : s.kind === 'vscode' ? s.instances : []));
  const stopped = steps.filter((s): s is Extract<PlanStep, { kind: 'terminate' }> => s.kind === 'terminate');
  if (stopped.length === 0) return { message: `Restart ${server.name}?`, detail: `This restarts ${who(restarted)}.`, button: 'Restart' };
  const offerWrap = canWrap && stopped.some((s) => s.offerWrap);
  const why = stopped.map((s) => notStartedAgain(s.client));
  const wrapHint = offerWrap ? ['Wrap with Guard first to restart without breaking the client.'] : [];
  const stoppedPids = stopped.flatMap((s) => s.instances);
  const wrap: Pick<Confirmation, 'wrapButton'> = offerWrap ? { wrapButton: WRAP_THEN_STOP } : {};
  if (restarted.length === 0) {
    return { message: `Stop ${stoppedPids.map((i) => `pid ${i.pid}`).join(', ')} of ${server.name}?`, detail: [`This stops ${who(stoppedPids)}; it cannot be restarted from here.`, ...why, ...wrapHint].join(' '), button: 'Stop', ...wrap };
  }
  return {
    message: `Restart ${who(restarted)} and stop ${who(stoppedPids)} of ${server.name}?`,
    detail: [`This restarts ${who(restarted)} and stops ${who(stoppedPids)}.`, ...why, ...wrapHint].join(' '),
    button: 'Restart and Stop',
    ...wrap,
  };
}

/**
 * Stop's confirmation from its plan, the same on every Stop path (a server row, an instance row, the
 * palette, a not-configured process): every pid it stops and who will not start it again, and for a
 * stdio server another client launches, Wrap with Guard first (`canWrap`: the guard is installed).
 */
export function stopConfirmation(server: Pick<VmServer, 'name'>, steps: readonly PlanStep[], canWrap: boolean): Confirmation {
  const stopped = steps.flatMap((s) => (s.kind === 'guard' ? [s.instance] : s.instances));
  // VS Code starts its own servers again when they are next used; a guard's or another client's are not.
  const notAgain = steps.flatMap((s) => (s.kind === 'terminate' ? [s.client] : s.kind === 'guard' ? [s.instance.client] : []));
  const why = [...new Set(notAgain.map(notStartedAgain))];
  const offerWrap = canWrap && steps.some((s) => s.kind === 'terminate' && s.offerWrap);
  return {
    message: `Stop ${server.name}?`,
    detail: [`This stops ${who(stopped)}.`, ...why, ...(offerWrap ? ['Wrap with Guard first to restart it later without breaking the client.'] : [])].join(' '),
    button: 'Stop',
    ...(offerWrap ? { wrapButton: WRAP_THEN_STOP } : {}),
  };
}

/** What one step of a plan does, for the log: a restart that only stops an instance is logged as a stop. */
export function stepVerb(action: ActionKind, step: PlanStep): ActionKind {
  if (action === 'stop' || step.kind === 'terminate') return 'stop';
  if (step.kind === 'guard') return step.op === 'restart' ? 'restart' : 'stop';
  return step.command === VSCODE_MCP.restart ? 'restart' : 'stop';
}

/** A process no entry configures, stopped directly: the plan Stop confirms for it. */
export function unconfiguredStopSteps(i: VmInstance): PlanStep[] {
  return [{ kind: 'terminate', instances: [i], client: i.client, afterward: afterTerminate(i.client, 'stop'), offerWrap: false }];
}

/** The modal confirmation's text: names every pid and client it touches. */
export function confirmationText(action: ActionKind | 'killDuplicates', server: Pick<VmServer, 'name'>, instances: readonly VmInstance[]): Confirmation {
  switch (action) {
    case 'restart':
      return { message: `Restart ${server.name}?`, detail: `This restarts ${who(instances)}.`, button: 'Restart' };
    case 'stop':
      return { message: `Stop ${server.name}?`, detail: `This stops ${who(instances)}.`, button: 'Stop' };
    case 'killDuplicates':
      return { message: `Kill duplicate instances of ${server.name}?`, detail: `This stops the leftover ${who(instances)}; the newest instance of each client keeps running.`, button: 'Kill Duplicates' };
  }
}

/** Restart All Stale's one confirmation: per server, which pids are restarted and which only stopped. */
export function bulkRestartConfirmation(targets: readonly { server: VmServer; instances: readonly VmInstance[] }[], ctx: OwnerContext): Confirmation {
  let restarts = 0;
  let stops = 0;
  const lines = targets.map(({ server, instances }) => {
    const parts = instances.map((i) => {
      if (restartEffect(server, i, ctx) === 'restart') {
        restarts++;
        return `restart pid ${i.pid} (${i.client.name})`;
      }
      stops++;
      return `stop pid ${i.pid} (${notStartedAgain(i.client)})`;
    });
    return `${server.name}: ${parts.join('; ')}`;
  });
  const n = (k: number) => `${k} stale instance${k === 1 ? '' : 's'}`;
  const message = stops === 0 ? `Restart ${n(restarts)}?` : restarts === 0 ? `Stop ${n(stops)}?` : `Restart ${restarts} and stop ${n(stops)}?`;
  const button = stops === 0 ? 'Restart' : restarts === 0 ? 'Stop' : 'Restart and Stop';
  return { message, detail: lines.join('\n'), button };
}
