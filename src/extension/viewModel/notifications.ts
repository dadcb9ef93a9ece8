import { plural, shownText } from './format';
import { VmServer, VmSnapshot } from './input';
import { StaleVerdict, staleVerdict } from './state';

/**
 * Which notifications a snapshot calls for. Each has an event id: the same event is notified once,
 * in one window (the glue claims the id across windows before showing it), however often it is seen.
 */

export const STALE_ACTIONS = ['Restart', 'Show', 'Not now', "Don't Ask for This Server"] as const;
export type StaleAction = (typeof STALE_ACTIONS)[number];

export type Notification =
  | {
      kind: 'stale';
      eventId: string;
      serverId: string;
      serverName: string;
      message: string;
      pids: number[];
      actions: readonly StaleAction[];
    }
  | { kind: 'update'; eventId: string; serverId: string; message: string };

export interface NotificationMemory {
  /** Event ids this window already handled (shown, or lost the claim to another window). */
  seen: ReadonlySet<string>;
  /** Server ids the user said not to ask about again. */
  muted: ReadonlySet<string>;
}

export interface NotificationSettings {
  onUpgrade: boolean;
  onRegistryUpdate: boolean;
}

/** The event an upgrade is: per server and installed version, so a second upgrade notifies again. */
export function staleEventId(server: VmServer, v: StaleVerdict): string {
  return `${v.cause === 'version' ? 'stale' : v.cause}:${server.id}:${v.package}@${v.installed}`;
}

/** What the notification says, by why a restart is needed. */
function staleMessage(server: VmServer, stale: StaleVerdict[]): string {
  const first = stale[0];
  const n = plural(stale.length, 'running instance');
  if (first.cause === 'changed') return `${server.name}: the files of ${first.package} changed after ${n} started; restart to load what is installed.`;
  if (first.cause === 'config') return `${server.name}: its configuration now launches ${first.installed}; ${n} still run${stale.length === 1 ? 's' : ''} ${first.running}.`;
  const olds = [...new Set(stale.map((v) => v.running))];
  return `${server.name} was upgraded ${olds.join(', ')} -> ${first.installed}${first.inferred ? " (inferred from npm's cache)" : ''}; ${n} still run${stale.length === 1 ? 's' : ''} ${olds.join(', ')}.`;
}

export function updateEventId(pkg: string, latest: string): string {
  return `update:${pkg}@${latest}`;
}

export function decideNotifications(snapshot: VmSnapshot, memory: NotificationMemory, settings: NotificationSettings): Notification[] {
  const out: Notification[] = [];
  const updates = new Set<string>();
  for (const server of snapshot.servers) {
    if (settings.onUpgrade && !memory.muted.has(server.id)) {
      const stale = server.instances.map((i) => ({ i, v: staleVerdict(i) })).filter((x): x is { i: (typeof server.instances)[number]; v: StaleVerdict } => x.v !== undefined);
      if (stale.length > 0) {
        const first = stale[0].v;
        const eventId = staleEventId(server, first);
        if (!memory.seen.has(eventId)) {
          out.push({
            kind: 'stale',
            eventId,
            serverId: server.id,
            serverName: server.name,
            message: shownText(staleMessage(server, stale.filter((x) => x.v.cause === first.cause).map((x) => x.v))),
            pids: stale.map((x) => x.i.pid),
            actions: STALE_ACTIONS,
          });
        }
      }
    }
    const u = server.updateAvailable;
    if (settings.onRegistryUpdate && u) {
      const eventId = updateEventId(u.package, u.latest);
      // Several servers can run one package: one message per version, not per server.
      if (!memory.seen.has(eventId) && !updates.has(eventId)) {
        updates.add(eventId);
        out.push({ kind: 'update', eventId, serverId: server.id, message: shownText(`${u.package} ${u.latest} is available (${server.name} uses ${u.installed}).`) });
      }
    }
  }
  return out;
}

/** Keeps the notifications this window won: `claim` says whether this window is the one to show it. */
export function claimed(notifications: readonly Notification[], claim: (eventId: string) => boolean): Notification[] {
  return notifications.filter((n) => claim(n.eventId));
}
