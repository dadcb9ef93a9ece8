import { ARROW, listWords, plural, shownText } from './format';
import { VmInstance, VmServer, VmSnapshot, VmVerdict } from '../../core/report/input';
import { assertNever } from '../../core/base/assertNever';
import { normalizeName } from '../../core/base/pythonName';
import { downCause } from '../../core/base/downReason';
import { restartRiskText } from '../../core/versions/startRisk';
import {
  bulkRestartTargets,
  distinctInstances,
  downVerdict,
  instanceKey,
  ownerNames,
  RestartVerdict,
  restartVerdicts,
} from '../../core/report/state';
import { registryNotice, startRisksOf } from '../../core/report/evidence';
import { isKnownVersion, versionMove, versionWord } from '../../core/report/versionWords';
import { t } from './l10n';
import type { InferredSource, MovedDependency } from '../../core/base/versionTypes';
import { Direction, direction } from '../../core/versions/direction';
import { packageLabel } from '../../core/versions/configDrift';

/**
 * Which notifications a snapshot calls for. One package change is one notification, however many
 * entries and clients run it: an `npm install` that moves a package shared by two entries is one
 * event. Each has an event id: the same event is notified once, in one window (the glue claims the
 * id across windows before showing it), however often it is seen. A package change is news for each
 * process it leaves behind (pid and start time): the same move again, once the processes it left
 * were restarted, is said again; one of them restarted is not news. Every cause an instance needs a
 * restart for is its own event, as soon as a snapshot shows it: a runtime replaced under a server
 * already stale is news of its own, not something the package's event already said.
 */

/** Two buttons at most: Restart... asks first (it names what is only stopped), Show reveals the view. */
export const STALE_ACTIONS = ['Restart...', 'Show'] as const;
/**
 * When the installed code will probably not start: no Restart (it would take a serving server down);
 * Roll Back installs again what runs, where there is something to go back to.
 */
export const AT_RISK_ACTIONS = ['Roll Back', 'Show'] as const;
export const DOWN_ACTIONS = AT_RISK_ACTIONS;
export type StaleAction = (typeof STALE_ACTIONS)[number] | (typeof AT_RISK_ACTIONS)[number];

/** A notification button as shown (translated); `staleActionOf` reads a click back. */
export function staleActionLabel(a: StaleAction): string {
  switch (a) {
    case 'Restart...':
      return t('Restart...');
    case 'Roll Back':
      return t('Roll Back');
    case 'Show':
      return t('Show');
    default:
      return assertNever(a);
  }
}

export function staleActionOf(label: string | undefined): StaleAction | undefined {
  return [...STALE_ACTIONS, ...AT_RISK_ACTIONS].find((a) => staleActionLabel(a) === label);
}

export interface StaleNotification {
  kind: 'stale';
  eventId: string;
  cause: RestartVerdict['cause'];
  package: string;
  /** What a restart loads. */
  installed: string;
  direction: Direction;
  /** The first server concerned, for Show. */
  serverId: string;
  message: string;
  pids: number[];
  /** One id per process the event leaves behind (`staleInstanceEventId`): what is remembered and claimed. */
  eventIds: string[];
  actions: readonly StaleAction[];
}

export type Notification =
  | StaleNotification
  | { kind: 'update'; eventId: string; serverId: string; message: string }
  /**
   * A guard's server went down (it gave up starting it): said once per time it went down.
   * `rollBack`: there are versions to go back to (its guard's record of what the last server that
   * served started with, a moved dependency, an upgraded package), so Roll Back is offered at once.
   */
  | { kind: 'down'; eventId: string; serverId: string; message: string; rollBack: boolean; since: string };

export interface NotificationMemory {
  /** Event ids this window already handled (shown, or lost the claim to another window). */
  seen: ReadonlySet<string>;
  /** Server ids the user said not to ask about again (kept from earlier versions' button). */
  muted: ReadonlySet<string>;
}

export interface NotificationSettings {
  onUpgrade: boolean;
  onRegistryUpdate: boolean;
}

/** The event a package change is: per package, cause and what a restart loads, so a second upgrade notifies again. */
export function staleEventId(v: Pick<RestartVerdict, 'cause' | 'package' | 'installed'>): string {
  // `stale:` for a version: the ids windows already remember were written so.
  return `${v.cause === 'version' ? 'stale' : v.cause}:${v.package}@${v.installed}`;
}

/** A package event as it concerns one process: the same move under a process started since is news again. */
export function staleInstanceEventId(eventId: string, i: VmInstance): string {
  return `${eventId}|${instanceKey(i)}`;
}

/** The ids a notification is remembered and claimed by: a stale one's, one per process. */
export function notificationIds(n: Notification): string[] {
  return n.kind === 'stale' ? n.eventIds : [n.eventId];
}

/** "3 instances (2 in Claude Desktop, 1 started from a terminal)": how many run the old code, and where. */
export function whereRunning(instances: readonly Pick<VmInstance, 'client' | 'lock'>[]): string {
  // "1 in unknown" reads as a place: a process started by hand or by no known client is said so, as
  // the rest of the product says it. A shared one is its clients'.
  const origin = (i: Pick<VmInstance, 'client' | 'lock'>): string => {
    const names = ownerNames(i);
    if (i.client.id === 'terminal' && !i.lock?.attached?.length) return 'terminal';
    return names.length > 0 ? `in:${listWords(names)}` : 'unknown';
  };
  const byOrigin = new Map<string, number>();
  for (const i of instances) byOrigin.set(origin(i), (byOrigin.get(origin(i)) ?? 0) + 1);
  const where = [...byOrigin]
    .map(([at, n]) =>
      at === 'unknown'
        ? t('{0} with no known client', n)
        : at === 'terminal'
          ? t('{0} started from a terminal', n)
          : t('{0} in {1}', n, at.slice('in:'.length)),
    )
    .join(', ');
  const n = instances.length;
  return plural(n, t('{0} instance ({1})', n, where), t('{0} instances ({1})', n, where));
}

function staleMessage(
  cause: RestartVerdict['cause'],
  pkg: string,
  olds: string[],
  installed: string,
  dir: Direction,
  hits: readonly Pick<VmInstance, 'client' | 'lock'>[],
  inferred: InferredSource | undefined,
): string {
  const where = whereRunning(hits);
  const still = hits.length === 1 ? t('still runs') : t('still run');
  switch (cause) {
    case 'changed':
      return t('{0}: its files changed after {1} started; restart to load what is installed.', pkg, where);
    case 'runtime':
      return t(
        '{0} was replaced ({1}); {2} {3} the old {0}: restart to run it.',
        pkg,
        versionMove(olds.map((o) => versionWord(o, t)).join(', '), installed, ARROW, t),
        where,
        still,
      );
    case 'config':
      return t('{0}: the configuration now launches {1}; {2} {3} {4}.', pkg, installed, where, still, olds.join(', '));
    case 'version':
      return versionMessage(pkg, olds, installed, dir, where, still, inferred);
    default:
      return assertNever(cause);
  }
}

/** An upgrade (or downgrade) under running instances, in words. */
function versionMessage(
  pkg: string,
  olds: string[],
  installed: string,
  dir: Direction,
  where: string,
  still: string,
  inferred: InferredSource | undefined,
): string {
  // What the engine could not learn is not a version: said in words ("no longer installed", "the code it started with").
  if (installed === 'missing') return t('{0} is no longer installed; {1} {2} it.', pkg, where, still);
  if (!olds.some(isKnownVersion))
    return t('{0} {1} was installed over it; {2} {3} the code it started with.', pkg, installed, where, still);
  const from = olds.map((o) => versionWord(o, t)).join(', ');
  const how =
    inferred === 'uv-cache'
      ? t(" (inferred from uv's cache)")
      : inferred === 'pipx-log'
        ? t(" (inferred from pipx's log)")
        : inferred
          ? t(" (inferred from npm's cache)")
          : '';
  if (dir === 'upgrade')
    return t('{0} upgraded {1} {2} {3}{4}; {5} {6} {7}.', pkg, from, ARROW, installed, how, where, still, from);
  if (dir === 'downgrade')
    return t('{0} downgraded {1} {2} {3}{4}; {5} {6} {7}.', pkg, from, ARROW, installed, how, where, still, from);
  return t('{0} changed {1} {2} {3}{4}; {5} {6} {7}.', pkg, from, ARROW, installed, how, where, still, from);
}

/** A server its guard gave up on, in one sentence: the notification's words, and a failed restart's result. */
export function downMessage(name: string, down: Pick<Extract<VmVerdict, { kind: 'down' }>, 'reason'>): string {
  return shownText(t('{0} is down: it does not start ({1}).', name, downCause(down.reason)));
}

/**
 * An event whose package did not move, only what it imports: a script (named by the SDK it runs on,
 * `mcp 1.30.0`: the script itself did not change), or a package at the same version. Said of the
 * entries by the names the tree gives them, and of the dependency by its move: "notes: its
 * dependency mcp moved 1.30.0 → 2.3.0". Undefined for a package whose own version moved.
 */
function dependencyMoveMessage(hits: readonly Hit[], instances: readonly VmInstance[]): string | undefined {
  const v = hits[0].verdict;
  const evidence = hits.find((h) => h.verdict.evidence)?.verdict.evidence;
  const script = evidence?.installed.state === 'installed' && evidence.installed.dev?.script === true;
  if (!script && v.running !== v.installed) return undefined;
  // Every entry's moves, each dependency once (the entries of one event may have read different closures).
  const byName = new Map<string, MovedDependency>();
  for (const h of hits) {
    const e = h.verdict.evidence?.verdict;
    if (e?.state === 'stale') for (const m of e.movedDependencies) if (!byName.has(m.name)) byName.set(m.name, m);
  }
  const moves = [...byName.values()];
  if (!script && moves.length === 0 && !v.movedDependencies) return undefined;
  const names = listWords([...new Set(hits.map((h) => h.server.name))]);
  const where = whereRunning(instances);
  const still = instances.length === 1 ? t('still runs') : t('still run');
  // The move that names it first (a script is named by its SDK, `mcp 1.30.0`), else the first that changed version.
  const sdk = v.running.split(' ')[0];
  const moved = moves.filter(
    (m): m is Required<Omit<typeof m, 'stillInstalled'>> => m.from !== undefined && m.to !== undefined,
  );
  const head = moved.find((m) => m.name === sdk) ?? moved[0];
  if (!head) {
    const n = v.movedDependencies ?? moves.length;
    return n > 0
      ? t('{0}: {1} of its dependencies moved; {2} {3} what it started with.', names, n, where, still)
      : t('{0}: what it imports changed; {1} {2} what it started with.', names, where, still);
  }
  const others = moves.length - 1;
  const was = `${head.name} ${head.from}`;
  return others > 0
    ? t(
        '{0}: its dependency {1} moved {2} {3} {4}, and {5} more; {6} {7} {8}.',
        names,
        head.name,
        head.from,
        ARROW,
        head.to,
        others,
        where,
        still,
        was,
      )
    : t(
        '{0}: its dependency {1} moved {2} {3} {4}; {5} {6} {7}.',
        names,
        head.name,
        head.from,
        ARROW,
        head.to,
        where,
        still,
        was,
      );
}

export function updateEventId(pkg: string, latest: string): string {
  return `update:${pkg}@${latest}`;
}

interface Hit {
  server: VmServer;
  instance: VmInstance;
  verdict: RestartVerdict;
}

export function decideNotifications(
  snapshot: VmSnapshot,
  memory: NotificationMemory,
  settings: NotificationSettings,
): Notification[] {
  const out: Notification[] = [];
  if (settings.onUpgrade) {
    const events = new Map<string, Hit[]>();
    for (const { server, instance } of distinctInstances(snapshot.servers.filter((s) => !memory.muted.has(s.id)))) {
      for (const verdict of restartVerdicts(instance)) {
        const id = staleEventId(verdict);
        events.set(id, [...(events.get(id) ?? []), { server, instance, verdict }]);
      }
    }
    for (const [eventId, hits] of events) {
      const eventIds = hits.map((h) => staleInstanceEventId(eventId, h.instance));
      // Said once per process it leaves behind: news while one of them was not told of.
      if (eventIds.every((id) => memory.seen.has(id))) continue;
      const { cause, package: pkg, installed } = hits[0].verdict;
      const olds = [...new Set(hits.map((h) => h.verdict.running))];
      const dir = cause === 'version' ? direction(olds, installed) : 'change';
      const inferred = hits.find((h) => h.verdict.inferred)?.verdict;
      const inferredFrom = inferred ? (inferred.inferredFrom ?? 'npm-cache') : undefined;
      const instances = hits.map((h) => h.instance);
      // A script's (or a package's) dependency moved, not its own code: said of the entries, by the move.
      const deps = cause === 'version' ? dependencyMoveMessage(hits, instances) : undefined;
      const message = shownText(deps ?? staleMessage(cause, pkg, olds, installed, dir, instances, inferredFrom));
      // The installed code will probably not start: said first, and undone from here where it can be.
      const risk = hits.map((h) => restartRiskText(startRisksOf(h.verdict))).find((r) => r !== undefined);
      const back = hits.find((h) => h.server.rollbackable);
      out.push({
        kind: 'stale',
        eventId,
        cause,
        package: pkg,
        installed,
        direction: dir,
        serverId: (back ?? hits[0]).server.id,
        message: risk ? `${message} ${shownText(risk)}.` : message,
        pids: hits.map((h) => h.instance.pid),
        eventIds,
        actions: risk ? (back ? AT_RISK_ACTIONS : (['Show'] as const)) : STALE_ACTIONS,
      });
    }
  }
  if (settings.onUpgrade) {
    for (const { server, instance } of distinctInstances(snapshot.servers.filter((s) => !memory.muted.has(s.id)))) {
      const down = downVerdict(instance);
      if (!down) continue;
      const eventId = `down:${server.name}@${down.since}`;
      if (memory.seen.has(eventId)) continue;
      out.push({
        kind: 'down',
        eventId,
        serverId: server.id,
        message: downMessage(server.name, down),
        rollBack: server.rollbackable === true,
        since: down.since,
      });
    }
  }
  if (settings.onRegistryUpdate) {
    for (const server of snapshot.servers) {
      const said = registryNotice(server);
      const r = server.registryStatus;
      if (!said || !r) continue;
      const eventId = `registry:${r.name}:${r.status}`;
      if (memory.seen.has(eventId) || out.some((n) => n.eventId === eventId)) continue;
      out.push({ kind: 'update', eventId, serverId: server.id, message: shownText(t('{0}: {1}', server.name, said)) });
    }
    const updates = new Set<string>();
    for (const server of snapshot.servers) {
      const u = server.updateAvailable;
      if (!u) continue;
      const eventId = updateEventId(u.package, u.latest);
      // Several servers can run one package: one message per version, not per server.
      if (memory.seen.has(eventId) || updates.has(eventId)) continue;
      updates.add(eventId);
      // Said once for every entry that runs it, counted: "(7 entries use 2026.7.4)", not one entry's name.
      const users = snapshot.servers.filter(
        (s) => s.updateAvailable && updateEventId(s.updateAvailable.package, s.updateAvailable.latest) === eventId,
      );
      const installed = [...new Set(users.map((s) => s.updateAvailable!.installed))].join(', ');
      out.push({
        kind: 'update',
        eventId,
        serverId: server.id,
        message: shownText(
          users.length === 1
            ? t('{0} {1} is available ({2} uses {3}).', u.package, u.latest, server.name, installed)
            : t('{0} {1} is available ({2} entries use {3}).', u.package, u.latest, users.length, installed),
        ),
      });
    }
  }
  return out;
}

/**
 * What Restart... of an (old) notification acts on now: the instances of the current snapshot that
 * still run the event's old code, per server. Empty when the event is over (restarted or moved on);
 * never derived from the pids the notification saw, which may be gone or reused.
 */
export function currentTargets(
  snapshot: VmSnapshot | undefined,
  n: Pick<StaleNotification, 'eventId'>,
): { server: VmServer; instances: VmInstance[] }[] {
  return (snapshot?.servers ?? [])
    .map((server) => ({
      server,
      instances: bulkRestartTargets(server).filter((i) =>
        restartVerdicts(i).some((v) => staleEventId(v) === n.eventId),
      ),
    }))
    .filter((t) => t.instances.length > 0);
}

/** What a notification's action says when nothing runs the old code any more: the event is over, not "no running instance". */
export function eventOver(n: Pick<StaleNotification, 'package' | 'installed'>): string {
  if (!isKnownVersion(n.installed))
    return t('Every instance of {0} has been restarted or has stopped: nothing to restart.', n.package);
  return t('Every instance of {0} already runs {1} or has stopped: nothing to restart.', n.package, n.installed);
}

/** What a window shows: a notification, or the registry notices of one look said together. */
export type Toast = Notification | { kind: 'updates'; eventIds: string[]; message: string };

/**
 * Registry notices (a newer release, a status in the MCP Registry) that one look finds are one
 * toast: a window that opens on several entries would otherwise stack one per entry. A notice found
 * alone, and every upgrade or down notification (each with its own actions), is shown as it is.
 */
export function batchUpdates(notifications: readonly Notification[]): Toast[] {
  const updates = notifications.filter((n) => n.kind === 'update');
  if (updates.length < 2) return [...notifications];
  const said = updates.map((n) => n.message.replace(/\.$/, '')).sort((a, b) => a.localeCompare(b));
  return [
    ...notifications.filter((n) => n.kind !== 'update'),
    {
      kind: 'updates',
      eventIds: updates.map((n) => n.eventId),
      message: t('{0} registry notices: {1}.', updates.length, said.join('; ')),
    },
  ];
}

/**
 * Keeps the notifications this window won: `claim` says whether this window is the one to show it.
 * A stale one is this window's when it claims one of its processes another window (or an install's
 * own result) did not: each id is claimed, so none is left for a later look to say again.
 */
export function claimed(notifications: readonly Notification[], claim: (eventId: string) => boolean): Notification[] {
  return notifications.filter((n) => notificationIds(n).map(claim).includes(true));
}

/**
 * An action this window runs whose consequences are news of its own making: its result says them,
 * so no notification repeats them beside it (in this window or another). An install (Upgrade, Roll
 * Back) makes the package events of what it installs; a restart makes its server's `down` event
 * when the new server does not start.
 */
export type OwnAction =
  | { kind: 'install'; packages: readonly string[] }
  /**
   * `ended`: when it ran (ms), once its result was said: the downs that began meanwhile are still
   * its own when they show after it (a guard writes its record of the failure after it answers).
   */
  | { kind: 'restart'; serverIds: readonly string[]; ended?: { from: number; to: number } };

/** How far a down's time may lie outside the restart that caused it (times are whole milliseconds, read apart). */
const DOWN_SLACK_MS = 1000;

/** Whether a notification tells of what one of `actions` did: its result says it, so it is not shown. */
export function ownedByAction(n: Notification, actions: readonly OwnAction[]): boolean {
  return actions.some((a) => {
    switch (a.kind) {
      case 'install':
        // What an install moves: a package's version, or its files under a running server. A runtime or an entry is not its doing.
        return (
          n.kind === 'stale' &&
          (n.cause === 'version' || n.cause === 'changed') &&
          // One spelling per package, as PyPI compares names (case, `-`, `_` and `.` alike).
          a.packages.some((p) => normalizeName(p) === normalizeName(n.package))
        );
      case 'restart': {
        if (n.kind !== 'down' || !a.serverIds.includes(n.serverId)) return false;
        if (!a.ended) return true;
        const since = Date.parse(n.since);
        return since >= a.ended.from - DOWN_SLACK_MS && since <= a.ended.to + DOWN_SLACK_MS;
      }
      default:
        return assertNever(a);
    }
  });
}

/**
 * The package events an install will make once it is done (each package at the version it puts
 * in, under each process running before it): claimed across windows before it runs, so that no
 * other window, looking while it runs, says them beside the result.
 */
export function installEventIds(
  installs: readonly { name: string; version: string }[],
  running: readonly VmInstance[],
): string[] {
  return installs.flatMap((p) =>
    (['version', 'changed'] as const).flatMap((cause) =>
      running.map((i) => staleInstanceEventId(staleEventId({ cause, package: p.name, installed: p.version }), i)),
    ),
  );
}

/**
 * The events a runner's pin written into the entries will make (the package at the version pinned
 * as an install's are, and each running instance's entry now launching it): claimed across windows
 * before it is written, so that the pin's own result is the one toast of it.
 */
export function pinEventIds(pkg: string, version: string, running: readonly VmInstance[]): string[] {
  const config = staleEventId({ cause: 'config', package: pkg, installed: packageLabel(pkg, version) });
  return [
    ...installEventIds([{ name: pkg, version }], running),
    ...running.map((i) => staleInstanceEventId(config, i)),
  ];
}
