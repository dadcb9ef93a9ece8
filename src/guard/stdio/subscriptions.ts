import { Buffer } from 'node:buffer';
import type { RequestId } from '@modelcontextprotocol/server';
import { idKey, META, serializeMessage, subscriptionIdOf, taggedNotification } from './messages';

/** What a `subscriptions/listen` asks for (its `params.notifications`), or what the server honored of it. */
export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/** One subscription the client holds open: the request that opened it, never answered while it lasts. */
export interface OpenListen {
  id: RequestId;
  /** The client's line as it came: re-sent unchanged (same id) to a restarted server. */
  line: Buffer;
  requested: ListenFilter;
  /** What the server's `notifications/subscriptions/acknowledged` said it honors; undefined before the ack. */
  honored?: ListenFilter;
}

export const LISTEN = 'subscriptions/listen';
export const ACKNOWLEDGED = 'notifications/subscriptions/acknowledged';

const LIST_TYPES = [
  ['toolsListChanged', 'tools'],
  ['promptsListChanged', 'prompts'],
  ['resourcesListChanged', 'resources'],
] as const;

function filterOf(params: unknown): ListenFilter {
  const n = (params as { notifications?: unknown } | undefined)?.notifications;
  if (n === null || typeof n !== 'object') return {};
  const raw = n as Record<string, unknown>;
  const filter: ListenFilter = {};
  for (const [key] of LIST_TYPES) if (raw[key] === true) filter[key] = true;
  if (Array.isArray(raw.resourceSubscriptions))
    filter.resourceSubscriptions = raw.resourceSubscriptions.filter((u): u is string => typeof u === 'string');
  return filter;
}

/**
 * The modern subscriptions (MCP 2026-07-28 `subscriptions/listen`) of the one client a stdio guard
 * serves. A listen is answered only when it ends, so it is never a request in flight; a stdio server
 * keeps no subscription state, so a restarted server gets each open listen again, and the client is
 * told, on that subscription, what may have changed meanwhile.
 */
export class Subscriptions {
  private readonly open = new Map<string, OpenListen>();

  get size(): number {
    return this.open.size;
  }

  has(id: RequestId): boolean {
    return this.open.has(idKey(id));
  }

  all(): OpenListen[] {
    return [...this.open.values()];
  }

  /** The client opened a subscription. */
  noteListen(id: RequestId, params: unknown, line: Buffer): void {
    this.open.set(idKey(id), { id, line: Buffer.from(line), requested: filterOf(params) });
  }

  /** A server's acknowledgement: returns the listen it belongs to (its honored filter updated), if open. */
  noteAck(params: unknown): OpenListen | undefined {
    const id = subscriptionIdOf(params);
    const listen = id === undefined ? undefined : this.open.get(idKey(id));
    if (listen) listen.honored = filterOf(params);
    return listen;
  }

  /** The client cancelled a request: when it was a listen, the subscription is over. */
  noteCancelled(requestId: RequestId): boolean {
    return this.open.delete(idKey(requestId));
  }

  /** The server answered a request: when it was a listen, the subscription ended (gracefully or not). */
  noteAnswer(id: RequestId): boolean {
    return this.open.delete(idKey(id));
  }

  /**
   * What the client is told on `listen` after a restart: one tagged list_changed per list type it
   * asked for and the server honored, and one tagged resources/updated per honored resource (a
   * needless re-read is harmless; a change missed across a new version is not).
   */
  changedNotices(listen: OpenListen): string[] {
    const honored = listen.honored ?? listen.requested;
    const notices: string[] = [];
    for (const [key, kind] of LIST_TYPES) {
      if (listen.requested[key] && honored[key])
        notices.push(taggedNotification(`notifications/${kind}/list_changed`, listen.id));
    }
    const asked = new Set(listen.requested.resourceSubscriptions ?? []);
    for (const uri of honored.resourceSubscriptions ?? []) {
      if (asked.has(uri)) notices.push(taggedNotification('notifications/resources/updated', listen.id, { uri }));
    }
    return notices;
  }

  /**
   * What tells a server that every open subscription is over on its side (`notifications/cancelled`,
   * which gets no answer): sent to a child the guard is about to stop, so it does not end them with
   * an error of its own as its stdin closes (the Python SDK does), while the client keeps them.
   */
  cancelLines(reason: string): Buffer[] {
    return this.all().map((l) =>
      Buffer.from(
        serializeMessage({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: l.id, reason },
        } as never).trimEnd(),
      ),
    );
  }

  /**
   * Ends every open subscription, the answers to send the client: the guard is stopping
   * (`graceful`: the modern "complete" result, so the client does not re-listen) or gave up on a
   * crashing server (`error`: the client sees the subscription closed by the remote and may re-listen).
   */
  endAll(how: { kind: 'graceful' } | { kind: 'error'; code: number; message: string }): string[] {
    const answers = this.all().map((l) =>
      how.kind === 'graceful'
        ? serializeMessage({
            jsonrpc: '2.0',
            id: l.id,
            result: { resultType: 'complete', _meta: { [META.subscriptionId]: l.id } },
          } as never)
        : serializeMessage({ jsonrpc: '2.0', id: l.id, error: { code: how.code, message: how.message } }),
    );
    this.open.clear();
    return answers;
  }
}
