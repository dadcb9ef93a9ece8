import { Buffer } from 'node:buffer';
import { Classified, envelopeVersion, serializeMessage } from './messages';
import { stringifyJson } from './safeJson';

type Answer = Classified & { kind: 'response' };

/**
 * The protocol era of the client's connection. `legacy`: it sent `initialize`; `modern`: its first
 * request other than `server/discover` carried a protocol version in `_meta` (a discover probe
 * alone pins nothing: an auto client may still fall back to `initialize`). Decided once.
 */
export type Era = 'unknown' | 'legacy' | 'modern';

/**
 * What the stdio relay remembers of the client's session to put it on a restarted server: the
 * client's `initialize` and `notifications/initialized`, and the capabilities the server answered
 * with. A client that never sent an `initialize` has nothing to replay, and a restarted server
 * then simply gets the client's traffic as it comes.
 */
export class Handshake {
  private request: { method: 'initialize'; params?: Record<string, unknown> } | undefined;
  private initializedBytes: Buffer | undefined;
  private counter = 0;
  /** Whether the server answered the client's `initialize`: the client has a session to keep. */
  answered = false;
  capabilities: Record<string, unknown> = {};
  era: Era = 'unknown';
  /** Whether the client probed the server's era with `server/discover` (some legacy servers exit on it). */
  probed = false;
  /** The protocol version a modern client's first request stated. */
  modernVersion = '2026-07-28';

  /**
   * Whether the client has a connection worth a new child when the server exits: a session (legacy),
   * a modern connection (no session to lose), or a probe a legacy server died of, after which an
   * in-place prober (the Python SDK) falls back to `initialize` on the same connection.
   */
  get keepsConnection(): boolean {
    return this.answered || this.era === 'modern' || (this.era === 'unknown' && this.probed);
  }

  get replayable(): boolean {
    return this.request !== undefined;
  }

  noteRequest(method: string, params: Record<string, unknown> | undefined): void {
    if (method === 'initialize') {
      if (this.era === 'unknown') this.era = 'legacy';
      // A modern connection never gets a legacy handshake replayed (a modern server refuses it).
      if (this.era === 'legacy') this.request = { method: 'initialize', params };
      return;
    }
    if (method === 'server/discover') this.probed = true;
    const version = envelopeVersion(params);
    if (this.era === 'unknown' && method !== 'server/discover' && version !== undefined) {
      this.era = 'modern';
      this.modernVersion = version;
    }
  }

  noteNotification(method: string, line: Buffer): void {
    if (method === 'notifications/initialized') this.initializedBytes = Buffer.from(line);
  }

  /** The server answered a client request: an `initialize` answer carries its capabilities. */
  noteAnswer(method: string, result: Record<string, unknown>): void {
    if (method !== 'initialize') return;
    this.answered = true;
    this.capabilities = (result.capabilities as Record<string, unknown> | undefined) ?? {};
  }

  /** A copy for a probe child (startProbe.ts): replaying it there leaves this session's state as it is. */
  forProbe(): Handshake {
    const copy = new Handshake();
    copy.request = this.request;
    copy.initializedBytes = this.initializedBytes;
    copy.answered = this.answered;
    copy.era = this.era;
    copy.probed = this.probed;
    copy.modernVersion = this.modernVersion;
    return copy;
  }

  /**
   * Replays the handshake to a new child: the `initialize` under an id of our own (whose answer
   * `awaitAnswer` swallows), then the client's `initialized`.
   */
  async replay(
    write: (line: Buffer) => void,
    awaitAnswer: (id: string, timeoutMs: number) => Promise<Answer>,
    timeoutMs: number,
  ): Promise<void> {
    if (!this.request) return;
    const id = `mcp-lifeguard-replay-${++this.counter}`;
    const answered = awaitAnswer(id, timeoutMs);
    write(Buffer.from(serializeMessage({ jsonrpc: '2.0', id, ...this.request } as never).trimEnd()));
    const response = await answered;
    const result = response.message.result;
    if (!result)
      throw new Error(
        `the restarted server refused the replayed initialize: ${stringifyJson(response.message.error ?? {})}`,
      );
    this.capabilities = (result.capabilities as Record<string, unknown> | undefined) ?? {};
    if (this.initializedBytes) write(this.initializedBytes);
  }
}
