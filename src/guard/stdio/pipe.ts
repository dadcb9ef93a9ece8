import type { Readable } from 'node:stream';
import type { RequestId } from '@modelcontextprotocol/server';
import type { NoticeAudience } from '../host/staleGate';
import type { PipedProcess, ServerChild } from '../host/supervisor';
import type { HostView } from '../host/transport';
import type { ClientWriter } from './clientWriter';
import type { GuardRequests } from './guardRequests';
import type { Handshake } from './handshake';
import type { LineSplitter } from './lines';
import type { Subscriptions } from './subscriptions';

// What the stdio transport (stdioTransport.ts) knows of the stream, which its client side
// (clientLines.ts) and its server side (serverLines.ts) share.

export const NEWLINE = Buffer.from('\n');

/** What the relay knows about one child's side of the stream. */
export interface Pipe {
  child: ServerChild<PipedProcess>;
  splitter: LineSplitter;
  /** `replay`: lines are inspected before relaying, so the replayed handshake's answer can be swallowed. */
  mode: 'passthrough' | 'replay';
  /** Requests the server sent the client and the client has not answered (keys from idKey). */
  serverRequests: Set<string>;
  /** What the guard puts on this child itself, whose answers it swallows. */
  guard: GuardRequests;
  /** Whether this child has said who it is (the first statement per child is recorded). */
  saidWho: boolean;
  /** Whether bytes of the current server line have arrived (passthrough mode). */
  inLine: boolean;
  /**
   * The current line, held back whole because a `tools/call` result may need a notice appended
   * (`--when-stale annotate`); undefined while lines stream straight through.
   */
  held: { parts: Buffer[]; bytes: number } | undefined;
}

export interface InFlight {
  id: RequestId;
  method: string;
  generation: number;
  /** A list request for a later page (a `cursor`): its answer is not the whole list. */
  paged?: boolean;
}

/** The stdio transport as its two sides see it. */
export interface RelayState {
  /** The host, once the transport is bound to it. */
  readonly host: HostView;
  /** The child serving now, if any. */
  readonly pipe: Pipe | undefined;
  readonly writer: ClientWriter;
  /** The client's requests in flight, keyed by idKey: an answer ends one. */
  readonly inFlightRequests: Map<string, InFlight>;
  readonly handshake: Handshake;
  readonly subscriptions: Subscriptions;
  readonly options: {
    /** The client's side of the stream, paused while the server does not take what it is given. */
    readonly input: Readable;
    /** Which client a request came from (`--on-conflict share`). */
    audienceOf?(id: RequestId): NoticeAudience | undefined;
  };
  /** The last request in flight was answered or cancelled. */
  onIdle(): void;
}
