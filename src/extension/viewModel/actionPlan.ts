import { assertNever } from '../../core/base/assertNever';
import type { Ecosystem } from '../../core/base/versionTypes';
import { pinIn } from '../../core/launch/pin';
import { splitShellWords } from '../../core/launch/shellWords';
import { VmClient, VmInstance, VmServer } from '../../core/report/input';
import { isGuarded, ownerUndecided, restartVerdict } from '../../core/report/state';
import { startRisksOf } from '../../core/report/evidence';
import { restartRiskText } from '../../core/versions/startRisk';
import { mayRun } from './trust';
import { VSCODE_MCP, vscodeServerId } from './vscodeServerId';
import { t } from './l10n';
import { listWords } from './format';

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
  | {
      kind: 'vscode';
      command: typeof VSCODE_MCP.restart | typeof VSCODE_MCP.stop;
      serverId: string;
      instances: VmInstance[];
      /**
       * After a config edit: how a process of the entry as now written runs. VS Code may restart the
       * entry as it read it before the edit and stop that copy once it reads the file: such a
       * process is not the restart asked for.
       */
      runs?: EditedLaunch;
    }
  | { kind: 'terminate'; instances: VmInstance[]; client: VmClient; afterward: string; offerWrap: boolean };

/**
 * What tells a process of a rewritten entry from one of the entry as it was: it runs through the
 * guard or not (Wrap, Unwrap, Share), or it was started with the release the pin now names (a pin's
 * Upgrade or Roll Back: `npx pkg@2.0.0`, `uvx pkg==2.0.0`, in its own command line or a launcher's).
 */
export type EditedLaunch =
  | { kind: 'guarded' }
  | { kind: 'unguarded' }
  | { kind: 'pinned'; package: string; ecosystem: Ecosystem; version: string };

/** Whether `i` runs as the rewritten entry launches (`runs`). */
export function runsAsEdited(i: VmInstance, runs: EditedLaunch): boolean {
  switch (runs.kind) {
    case 'guarded':
      return isGuarded(i);
    case 'unguarded':
      return !isGuarded(i);
    case 'pinned':
      // The runner names the pin in the process it started (`npm exec pkg@2.0.0`, `uv tool uvx
      // pkg@2.0.0`), the server below it runs the release: the chain's command lines, and its own.
      return [...(i.launcherChain ?? []).map((l) => l.commandLine), i.commandLine ?? ''].some(
        (line) => pinIn(splitShellWords(line), runs.package, runs.ecosystem)?.spec === runs.version,
      );
    default:
      return assertNever(runs);
  }
}

export type ActionPlan =
  { kind: 'blocked'; reason: string } | { kind: 'nothing'; reason: string } | { kind: 'steps'; steps: PlanStep[] };

export function isThisWindow(i: VmInstance, ctx: Pick<WindowContext, 'windowPids'>): boolean {
  return (
    (i.client.id === 'vscode' || i.client.id === 'vscode-insiders') &&
    i.client.pid !== undefined &&
    ctx.windowPids.includes(i.client.pid)
  );
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
  const again = action === 'restart' ? t(' That loads the new code.') : '';
  const kind = clientKind(client);
  switch (kind) {
    case 'terminal':
      return t('It was started from a terminal: start it again there.{0}', again);
    case 'unknown':
      return t('The program that started it must start it again.{0}', again);
    case 'session':
      return t(
        '{0} starts it again in its next session (or when you reconnect the server there).{1}',
        client.name,
        again,
      );
    case 'vscode':
      return t(
        '{0} (another window) starts it again when you restart the server there or the server is next used.{1}',
        client.name,
        again,
      );
    case 'other':
      return t('{0} will start it again on its next restart.{1}', client.name, again);
    default:
      return assertNever(kind);
  }
}

/**
 * How each instance is stopped or restarted, by its owner. `from`: a server-wide action (a server's
 * row, the palette, the API) leaves alone the instances whose entry is undecided (a process other
 * entries fit as well, or whose own client's config cannot be read): they are acted on only from
 * their own row (`instance`), never in bulk.
 */
export function planAction(
  action: ActionKind,
  server: VmServer,
  requested: readonly VmInstance[],
  ctx: WindowContext,
  from: 'server' | 'instance' = 'server',
): ActionPlan {
  const instances = from === 'server' ? requested.filter((i) => !ownerUndecided(i)) : requested;
  if (instances.length === 0)
    return {
      kind: 'nothing',
      reason:
        requested.length > 0
          ? t(
              'which entry started {0} is undecided, so no action on all of {1} touches it (act on it from its own row)',
              requested.map((i) => t('pid {0}', i.pid)).join(', '),
              server.name,
            )
          : t('{0} has no running instance', server.name),
    };
  const trust = mayRun(action, server, ctx.trusted, ctx.workspaceFolders);
  if (!trust.allowed) return { kind: 'blocked', reason: trust.reason };
  const steps: PlanStep[] = [];
  const ours: VmInstance[] = [];
  const others = new Map<string, { client: VmClient; instances: VmInstance[] }>();
  const id = vscodeServerId(server, ctx);
  for (const i of instances) {
    if (isGuarded(i) && i.lock?.control) {
      steps.push({
        kind: 'guard',
        op: action === 'restart' ? 'restart' : 'shutdown',
        endpoint: i.lock.control,
        instance: i,
      });
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
    steps.push({
      kind: 'vscode',
      command: action === 'restart' ? VSCODE_MCP.restart : VSCODE_MCP.stop,
      serverId: id,
      instances: ours,
    });
  }
  for (const g of others.values()) {
    // Wrapping is offered where it helps next time: a stdio server some other client launches.
    steps.push({
      kind: 'terminate',
      instances: g.instances,
      client: g.client,
      afterward: afterTerminate(g.client, action),
      offerWrap: server.transport === 'stdio' && !isGuarded(g.instances[0]),
    });
  }
  return { kind: 'steps', steps };
}

/** After VS Code's own command: did the old processes go (and, for a restart, did a new one come)? */
export type VsCodeVerification =
  | { kind: 'done'; newPids: number[] }
  | { kind: 'unchanged'; stillRunning: number[] }
  | { kind: 'notStarted' }
  /** Only processes of the entry as it was before the edit started (`runs` says how the new one runs). */
  | { kind: 'oldEntry'; pids: number[] };

export function verifyVsCodeStep(
  action: ActionKind,
  before: readonly VmInstance[],
  after: VmServer | undefined,
  runs?: EditedLaunch,
): VsCodeVerification {
  const now = after?.instances ?? [];
  const key = (i: VmInstance) => `${i.pid}@${i.startTime ?? '?'}`;
  const old = new Set(before.map(key));
  const stillRunning = now.filter((i) => old.has(key(i))).map((i) => i.pid);
  if (stillRunning.length > 0) return { kind: 'unchanged', stillRunning };
  if (action === 'stop') return { kind: 'done', newPids: [] };
  const fresh = now.filter((i) => !old.has(key(i)));
  const asEdited = fresh.filter((i) => runs === undefined || runsAsEdited(i, runs));
  if (asEdited.length > 0) return { kind: 'done', newPids: asEdited.map((i) => i.pid) };
  return fresh.length > 0 ? { kind: 'oldEntry', pids: fresh.map((i) => i.pid) } : { kind: 'notStarted' };
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

/** Before a stop: who will not start the server again, and until when (the confirmation's words), as a sentence. */
export function notStartedAgain(client: VmClient): string {
  return t('{0}.', notStartedAgainWords(client));
}

/**
 * Who will not start the server again, and until when, with no full stop: said as a sentence
 * (notStartedAgain) or in brackets (`stop pid 7 (Claude Code will not start it again until ...)`),
 * each form translated whole.
 */
function notStartedAgainWords(client: VmClient): string {
  const kind = clientKind(client);
  switch (kind) {
    case 'terminal':
      return t('Nothing starts it again: it was started from a terminal, start it there');
    case 'unknown':
      return t('Nothing here starts it again: the program that started it must');
    case 'session':
      return t(
        '{0} will not start it again until its next session, or until you reconnect the server there',
        client.name,
      );
    case 'vscode':
      return t(
        '{0} (another window) will not start it again until the server is restarted there or next used',
        client.name,
      );
    case 'other':
      return t('{0} will not start it again until it restarts', client.name);
    default:
      return assertNever(kind);
  }
}

/** What a guard's step did, in the result: a shared instance's names every client it serves. */
export function guardStepResult(step: Extract<PlanStep, { kind: 'guard' }>, newPid: number | undefined): string {
  const shared = sharedClients(step.instance);
  const pid = step.instance.pid;
  if (step.op === 'shutdown')
    return shared
      ? t('the guard stopped {0}', pidAndClients(step.instance))
      : step.instance.guardAbove
        ? // Unwrapped since its client started it: the guard ended with its server; the client starts the entry bare next time.
          t(
            'the guard stopped pid {0} and ended; {1} starts it without the guard next time',
            pid,
            step.instance.client.name,
          )
        : t('the guard stopped pid {0}', pid);
  if (shared) return t('the guard restarted pid {0} (new pid {1}); {2}', pid, newPid ?? '?', keptSessions(shared));
  return step.instance.guardAbove
    ? t(
        'the guard restarted it (new pid {0}); the client kept its session, and it stays guarded until {1} restarts it',
        newPid ?? '?',
        step.instance.client.name,
      )
    : t('the guard restarted it (new pid {0}); the client kept its session', newPid ?? '?');
}

/** Before a shared instance's stop: every client it serves loses it. */
export function lostServer(names: readonly string[]): string {
  return names.length === 1
    ? t('{0} loses the server until it starts it again.', names[0])
    : t('{0} each lose the server until they start it again.', listWords(names));
}

/** The second button of a Stop (or a Restart that stops): wrap the entry first, then stop. */
export function wrapThenStop(): string {
  return t('Wrap with Guard, then Stop');
}

export interface Confirmation {
  message: string;
  detail: string;
  button: string;
  /** A second button: wrap the entry first (the existing Wrap command), then stop. */
  wrapButton?: string;
  /** A second button: Roll Back instead (the row's Roll Back), where there are versions to go back to. */
  rollBackButton?: string;
}

/**
 * The clients a shared instance serves (one process behind `run --on-conflict share`, or an HTTP
 * guard's), by the names they gave; undefined for an instance one client runs. What happens to a
 * shared instance happens to each of them, so every confirmation and result names them all.
 */
export function sharedClients(i: Pick<VmInstance, 'lock'>): string[] | undefined {
  const attached = i.lock?.attached;
  if (!attached || attached.length === 0) return undefined;
  return attached.map((c) => c.clientName ?? t('an unnamed client'));
}

/** `pid 4953 (Cursor)`, or for a shared instance `pid 4953, shared by Cursor, Codex and Claude Code`. */
export function pidAndClients(i: VmInstance): string {
  const shared = sharedClients(i);
  return shared ? t('pid {0}, shared by {1}', i.pid, listWords(shared)) : t('pid {0} ({1})', i.pid, i.client.name);
}

/** After a guard restarted a shared instance: every client kept its session, each named. */
export function keptSessions(names: readonly string[]): string {
  return names.length === 1 ? t('{0} kept its session', names[0]) : t('{0} kept their sessions', listWords(names));
}

const who = (instances: readonly VmInstance[]) =>
  instances.map(pidAndClients).join(instances.some((i) => sharedClients(i)) ? '; ' : ', ');

/**
 * Restart's confirmation from its plan: what is restarted and what is only stopped, said before it
 * happens ("Stop pid 25397? Claude Desktop will not start it again until it restarts."). `canWrap`:
 * the guard is installed, so wrapping first is offered for stdio servers other clients launch.
 */
export function restartConfirmation(server: VmServer, steps: readonly PlanStep[], canWrap: boolean): Confirmation {
  const restarted = steps.flatMap((s) => (s.kind === 'guard' ? [s.instance] : s.kind === 'vscode' ? s.instances : []));
  const stopped = steps.filter((s): s is Extract<PlanStep, { kind: 'terminate' }> => s.kind === 'terminate');
  if (stopped.length === 0)
    return {
      message: t('Restart {0}?', server.name),
      detail: t('This restarts {0}.', who(restarted)),
      button: t('Restart'),
    };
  const offerWrap = canWrap && stopped.some((s) => s.offerWrap);
  const why = stopped.map((s) => notStartedAgain(s.client));
  const wrapHint = offerWrap ? [t('Wrap with Guard first to restart without breaking the client.')] : [];
  const stoppedPids = stopped.flatMap((s) => s.instances);
  const wrap: Pick<Confirmation, 'wrapButton'> = offerWrap ? { wrapButton: wrapThenStop() } : {};
  if (restarted.length === 0) {
    return {
      message: t('Stop {0} of {1}?', stoppedPids.map((i) => t('pid {0}', i.pid)).join(', '), server.name),
      detail: [t('This stops {0}; it cannot be restarted from here.', who(stoppedPids)), ...why, ...wrapHint].join(' '),
      button: t('Stop'),
      ...wrap,
    };
  }
  return {
    message: t('Restart {0} and stop {1} of {2}?', who(restarted), who(stoppedPids), server.name),
    detail: [t('This restarts {0} and stops {1}.', who(restarted), who(stoppedPids)), ...why, ...wrapHint].join(' '),
    button: t('Restart and Stop'),
    ...wrap,
  };
}

/** Why restarting these instances will probably fail (what a restart loads does not start), in every face's words. */
export function restartRiskOf(instances: readonly VmInstance[]): string | undefined {
  for (const i of instances) {
    const stale = restartVerdict(i);
    const risk = stale && restartRiskText(startRisksOf(stale));
    if (risk) return risk;
  }
  return undefined;
}

/**
 * Before a restart into code that will probably not start: said plainly, with the way out (Cancel
 * keeps the running server serving) and, where there are versions to go back to, Roll Back (the
 * row's). Asked whatever the confirmation setting says.
 */
export function restartRiskConfirmation(server: Pick<VmServer, 'name' | 'rollbackable'>, risk: string): Confirmation {
  const message = t('Restart {0}? It will probably not start again.', server.name);
  const button = t('Restart Anyway');
  if (server.rollbackable === true)
    return {
      message,
      detail: t('{0}. Roll Back installs again the versions it runs; Cancel keeps the running server serving.', risk),
      button,
      rollBackButton: t('Roll Back'),
    };
  return {
    message,
    detail: t(
      '{0}. Cancel keeps the running server serving; go back to the versions it runs, or change what it imports, then restart.',
      risk,
    ),
    button,
  };
}

/**
 * Stop's confirmation from its plan, the same on every Stop path (a server row, an instance row, the
 * palette, a not-configured process): every pid it stops and who will not start it again, and for a
 * stdio server another client launches, Wrap with Guard first (`canWrap`: the guard is installed).
 */
export function stopConfirmation(
  server: Pick<VmServer, 'name'>,
  steps: readonly PlanStep[],
  canWrap: boolean,
): Confirmation {
  const stopped = steps.flatMap((s) => (s.kind === 'guard' ? [s.instance] : s.instances));
  // VS Code starts its own servers again when they are next used; a guard's or another client's are not.
  const notAgain = steps.flatMap((s) =>
    s.kind === 'terminate' ? [s.client] : s.kind === 'guard' && !sharedClients(s.instance) ? [s.instance.client] : [],
  );
  // A shared instance's stop takes the server from every client it serves.
  const sharedLoss = steps.flatMap((s) => {
    const names = s.kind === 'guard' ? sharedClients(s.instance) : undefined;
    return names ? [lostServer(names)] : [];
  });
  const why = [...new Set([...notAgain.map(notStartedAgain), ...sharedLoss])];
  const offerWrap = canWrap && steps.some((s) => s.kind === 'terminate' && s.offerWrap);
  return {
    message: t('Stop {0}?', server.name),
    detail: [
      t('This stops {0}.', who(stopped)),
      ...why,
      ...(offerWrap ? [t('Wrap with Guard first to restart it later without breaking the client.')] : []),
    ].join(' '),
    button: t('Stop'),
    ...(offerWrap ? { wrapButton: wrapThenStop() } : {}),
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
  return [
    {
      kind: 'terminate',
      instances: [i],
      client: i.client,
      afterward: afterTerminate(i.client, 'stop'),
      offerWrap: false,
    },
  ];
}

/** The modal confirmation's text: names every pid and client it touches. */
export function confirmationText(
  action: ActionKind | 'killDuplicates',
  server: Pick<VmServer, 'name'>,
  instances: readonly VmInstance[],
): Confirmation {
  switch (action) {
    case 'restart':
      return {
        message: t('Restart {0}?', server.name),
        detail: t('This restarts {0}.', who(instances)),
        button: t('Restart'),
      };
    case 'stop':
      return { message: t('Stop {0}?', server.name), detail: t('This stops {0}.', who(instances)), button: t('Stop') };
    case 'killDuplicates':
      return {
        message: t('Kill duplicate instances of {0}?', server.name),
        detail: t('This stops the leftover {0}; the newest instance of each client keeps running.', who(instances)),
        button: t('Kill Duplicates'),
      };
  }
}

/** Restart All Stale's one confirmation: per server, which pids are restarted and which only stopped. */
export function bulkRestartConfirmation(
  targets: readonly { server: VmServer; instances: readonly VmInstance[] }[],
  ctx: OwnerContext,
): Confirmation {
  let restarts = 0;
  let stops = 0;
  const lines = targets.map(({ server, instances }) => {
    const parts = instances.map((i) => {
      if (restartEffect(server, i, ctx) === 'restart') {
        restarts++;
        return t('restart {0}', pidAndClients(i));
      }
      stops++;
      return t('stop pid {0} ({1})', i.pid, notStartedAgainWords(i.client));
    });
    return `${server.name}: ${parts.join('; ')}`;
  });
  const n = (k: number) => (k === 1 ? t('{0} stale instance', k) : t('{0} stale instances', k));
  const message =
    stops === 0
      ? t('Restart {0}?', n(restarts))
      : restarts === 0
        ? t('Stop {0}?', n(stops))
        : t('Restart {0} and stop {1}?', restarts, n(stops));
  const button = stops === 0 ? t('Restart') : restarts === 0 ? t('Stop') : t('Restart and Stop');
  return { message, detail: lines.join('\n'), button };
}
