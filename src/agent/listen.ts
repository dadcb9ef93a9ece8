import type { JSONRPCMessage } from '@modelcontextprotocol/server';

/**
 * The 2026 era's `subscriptions/listen` as the snapshot watch needs to see it. The SDK's stdio
 * entry serves listen streams itself (the instance never sees them) and delivers an instance's
 * `resources/updated` on each stream that asked for the URI; the watch only has to know that one is
 * open, to look at the snapshot while anyone listens and not otherwise. A stream ends with the
 * client's `notifications/cancelled` for the listen request, or with the connection.
 */
export type SnapshotListen = { kind: 'listen'; key: string } | { kind: 'cancel'; key: string };

/** The watch's key for one listen stream: its request id (1 and "1" differ). */
function keyOf(id: unknown): string {
  return `listen:${typeof id}:${String(id)}`;
}

export function snapshotListen(message: JSONRPCMessage, uri: string): SnapshotListen | undefined {
  const m = message as {
    id?: unknown;
    method?: unknown;
    params?: { notifications?: { resourceSubscriptions?: unknown }; requestId?: unknown };
  };
  if (m.method === 'subscriptions/listen' && m.id !== undefined) {
    const wanted = m.params?.notifications?.resourceSubscriptions;
    return Array.isArray(wanted) && wanted.includes(uri) ? { kind: 'listen', key: keyOf(m.id) } : undefined;
  }
  if (m.method === 'notifications/cancelled' && m.params?.requestId !== undefined)
    return { kind: 'cancel', key: keyOf(m.params.requestId) };
  return undefined;
}
