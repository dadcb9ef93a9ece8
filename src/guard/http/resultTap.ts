import type { IncomingMessage } from 'node:http';
import { keepCapped } from './cappedChunks';

/**
 * What the HTTP guard learns from the answers it relays, for the host (openWork.ts, toolsDiff.ts):
 * the result of a client request whose answer says something about work a restart would lose (a
 * multi-round request's `input_required`, a task handle, a polled task) or about the tools, and the
 * notifications streamed with it (a task's status). A copy of the body is read beside the relay
 * (which is never delayed), up to MAX_TAPPED_BYTES; a larger answer (a file, a screenshot) is not
 * looked at. JSON and event-stream bodies; a compressed one is not read.
 */

/** The methods whose answers the host wants to see. */
export const TAPPED_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read', 'tasks/get', 'tools/list']);

export const MAX_TAPPED_BYTES = 1024 * 1024;

export interface TappedMessages {
  /** The answer to the request (`id`), its result. */
  result(result: unknown): void;
  notification(method: string, params: unknown): void;
}

/** Reads the body of `upRes` beside whoever pipes it on, and reports its JSON-RPC messages once it ended. */
export function tapResult(upRes: IncomingMessage, requestId: string | number, sse: boolean, to: TappedMessages): void {
  const encoding = String(upRes.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return;
  const kept = keepCapped(upRes, MAX_TAPPED_BYTES);
  upRes.on('end', () => {
    if (kept.over) return;
    const text = kept.body().toString('utf8');
    for (const message of sse ? eventData(text) : [text]) deliver(message, requestId, to);
  });
}

/** The `data` of each event of an event stream (its lines joined), in order. */
function eventData(text: string): string[] {
  const out: string[] = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
    if (data.length) out.push(data.join('\n'));
  }
  return out;
}

function deliver(text: string, requestId: string | number, to: TappedMessages): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return; // not ours to judge: the client gets the bytes as they are
  }
  for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
    if (!message || typeof message !== 'object') continue;
    const m = message as { id?: unknown; method?: unknown; result?: unknown; params?: unknown };
    if (typeof m.method === 'string' && m.id === undefined) to.notification(m.method, m.params);
    else if (m.id === requestId && m.result !== undefined) to.result(m.result);
  }
}
