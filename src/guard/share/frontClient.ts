import type * as http from 'node:http';
import type { PeerProcess } from '../http/httpClients';
import { idKey } from '../stdio/messages';
import type { HubConnection } from './hub';
import { isId, isObject } from './jsonrpc';

// One client of the share host's HTTP front (httpFront.ts) and the messages it is sent: which of its
// requests a message answers, or which stream a message that answers none goes on.

export type Json = Record<string, unknown>;
export const isRequest = (v: Json): boolean => typeof v.method === 'string' && isId(v.id);
export const isAnswer = (v: unknown): v is Json => isObject(v) && v.method === undefined && isId(v.id);

/**
 * A request of a client awaiting its answer. Its POST is answered with plain JSON when the answer is
 * the first thing the server says for it (most calls: cheaper for every client), and turns into an
 * event stream as soon as anything else is to go on it first (progress, a server request).
 */
export interface Answering {
  res: http.ServerResponse;
  /** The progress token the request carries: its progress notifications go to the same stream. */
  progress?: string;
  /** The session id to answer with (2025 sessions). */
  sid?: string;
  /** The request's id, for an error in place of its answer should the client end first. */
  id: string | number;
  streaming: boolean;
}

/** A client of the shared server as the front knows it: a 2025 session, or one 2026-07-28 request. */
export class FrontClient {
  hubId = 0;
  readonly answering = new Map<string, Answering>();
  /** The session's GET event stream (2025 sessions). */
  events: http.ServerResponse | undefined;
  readonly queue: string[] = [];
  lastSeen = Date.now();
  dropped = 0;
  /** The process that opened the session (a loopback peer, where the OS says), to forget it once that process is gone. */
  peer: PeerProcess | undefined;
  /** The hub's side of this client, to name its process once the peer is known. */
  connection: HubConnection | undefined;

  constructor(readonly sid: string | undefined) {}

  /** Where a message that answers no request of its own goes: the session's stream, else its newest request's. */
  targetForOthers(): http.ServerResponse | Answering | undefined {
    if (this.events) return this.events;
    let newest: Answering | undefined;
    for (const a of this.answering.values()) newest = a;
    return newest;
  }
}

export function progressTokenOf(message: Json): string | undefined {
  const token = (message.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken;
  return isId(token) ? idKey(token) : undefined;
}

export function progressOfNotification(message: unknown): string | undefined {
  if (!isObject(message) || message.method !== 'notifications/progress') return undefined;
  const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
  return isId(token) ? idKey(token) : undefined;
}
