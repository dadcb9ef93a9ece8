import { Buffer } from 'node:buffer';
import { LIFEGUARD_VERSION } from '../../core/base/version';
import { Classified, idKey, META, serializeMessage, subscriptionIdOf } from './messages';
import { ACKNOWLEDGED, OpenListen } from './subscriptions';
import { stringifyJson } from './safeJson';

export type GuardRequestAnswer = Classified & { kind: 'response' };

/** The envelope of the guard's own server/discover: a modern request must state the client's capabilities (none). */
function discoverMeta(version: string): Record<string, unknown> {
  return {
    [META.protocolVersion]: version,
    [META.clientInfo]: { name: 'mcp-lifeguard', version: LIFEGUARD_VERSION },
    [META.clientCapabilities]: {},
  };
}

/**
 * What the guard itself puts on one restarted child before the client's traffic goes on: the
 * replayed `initialize` (legacy), the re-opened subscriptions and its own `server/discover`
 * (modern). Their answers are the guard's and never reach the client: `take` swallows them.
 */
export class GuardRequests {
  private awaited?: { id: string; what: string; resolve(c: GuardRequestAnswer): void; reject(err: Error): void };
  /** Re-opened subscriptions (keys from idKey) whose acknowledgement is swallowed: the client has had one. */
  private readonly reopening = new Map<string, (params: unknown) => void>();
  private discoverCounter = 0;
  /** Why the child is gone, once it is: nothing more is waited for. */
  private gone: string | undefined;

  constructor(
    private readonly write: (line: Buffer) => void,
    private readonly timeoutMs: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Swallows a line that answers the guard; false for the client's lines. */
  take(c: Classified): boolean {
    if (this.awaited && c.kind === 'response' && c.id === this.awaited.id) {
      this.awaited.resolve(c);
      return true;
    }
    if (c.kind !== 'notification' || c.method !== ACKNOWLEDGED) return false;
    const params = (c.message as { params?: unknown }).params;
    const id = subscriptionIdOf(params);
    const done = id === undefined ? undefined : this.reopening.get(idKey(id));
    done?.(params);
    return done !== undefined;
  }

  /** The child exited: nothing it was asked is answered any more. */
  childGone(why: string): void {
    this.gone = why;
    this.awaited?.reject(new Error(`the server ${why} before answering ${this.awaited.what}`));
    for (const done of [...this.reopening.values()]) done(undefined);
  }

  /** Waits for the answer to a request the guard put on the child; the answer is swallowed. */
  answer(id: string, timeoutMs: number, what: string): Promise<GuardRequestAnswer> {
    return new Promise<GuardRequestAnswer>((resolve, reject) => {
      if (this.gone !== undefined) return reject(new Error(`the server ${this.gone} before the guard asked ${what}`));
      const timer = setTimeout(
        () => settle(() => reject(new Error(`no answer to ${what} within ${timeoutMs} ms`))),
        timeoutMs,
      );
      const settle = (f: () => void) => {
        clearTimeout(timer);
        this.awaited = undefined;
        f();
      };
      this.awaited = { id, what, resolve: (c) => settle(() => resolve(c)), reject: (err) => settle(() => reject(err)) };
    });
  }

  /**
   * Puts each open subscription on the child: the client's own line, same id, so the subscription
   * id the client correlates by stays valid. `onAck` gets the new acknowledgement (its honored
   * filter); one that does not come in time is not waited for (the client ignores a late second ack).
   */
  async reopen(listens: OpenListen[], onAck: (params: unknown) => void): Promise<void> {
    for (const listen of listens) {
      if (this.gone !== undefined) return;
      const key = idKey(listen.id);
      const acked = new Promise<boolean>((resolve) => {
        const settle = (ok: boolean) => {
          clearTimeout(timer);
          this.reopening.delete(key);
          resolve(ok);
        };
        const timer = setTimeout(() => settle(false), this.timeoutMs);
        this.reopening.set(key, (params) => {
          if (params !== undefined) onAck(params);
          settle(params !== undefined);
        });
      });
      this.write(listen.line);
      if (!(await acked))
        this.log(`the restarted server did not acknowledge subscription ${JSON.stringify(listen.id)}`);
    }
  }

  /**
   * The child's whole tools list (all pages, at most 20), asked in the client's era (`version`: a
   * modern client's protocol version; undefined: after the replayed initialize). Undefined when it
   * could not be had whole: the restart goes on without it.
   */
  async listTools(version: string | undefined): Promise<unknown[] | undefined> {
    const tools: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const id = `mcp-lifeguard-tools-${++this.discoverCounter}`;
      const answered = this.answer(id, this.timeoutMs, 'tools/list');
      const params = {
        ...(cursor !== undefined ? { cursor } : {}),
        ...(version !== undefined ? { _meta: discoverMeta(version) } : {}),
      };
      this.write(
        Buffer.from(serializeMessage({ jsonrpc: '2.0', id, method: 'tools/list', params } as never).trimEnd()),
      );
      try {
        const result = (await answered).message.result;
        if (!result || !Array.isArray(result.tools)) return undefined;
        tools.push(...(result.tools as unknown[]));
        if (typeof result.nextCursor !== 'string') return tools;
        cursor = result.nextCursor;
      } catch (err) {
        this.log(`tools/list on the restarted server: ${(err as Error).message}`);
        return undefined;
      }
    }
    return undefined;
  }

  /**
   * Asks the child who it is, so the lock record names its version before the client's next call.
   * Only for a modern client's child: some legacy servers exit on it. Resolves with the result, if any.
   */
  async discover(version: string): Promise<Record<string, unknown> | undefined> {
    const id = `mcp-lifeguard-discover-${++this.discoverCounter}`;
    const answered = this.answer(id, this.timeoutMs, 'server/discover');
    this.write(
      Buffer.from(
        serializeMessage({
          jsonrpc: '2.0',
          id,
          method: 'server/discover',
          params: { _meta: discoverMeta(version) },
        } as never).trimEnd(),
      ),
    );
    try {
      const answer = (await answered).message;
      if (answer.error) this.log(`server/discover on the restarted server: ${stringifyJson(answer.error)}`);
      return answer.result;
    } catch (err) {
      this.log(`server/discover on the restarted server: ${(err as Error).message}`);
      return undefined;
    }
  }
}
