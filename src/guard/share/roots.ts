import { idKey } from '../stdio/messages';
import { GuardErrorCode, JsonRpcErrorCode } from '../wireErrors';
import { fail, Id, Message, ok } from './jsonrpc';

/** One server `roots/list`, asked of every client that declared roots: their answers, by client. */
interface RootsGather {
  serverId: Id;
  /** client id -> the id the multiplexer asked it under (string), for the clients yet to answer */
  pending: Map<number, string>;
  answers: Map<number, unknown[]>;
  /** The first error a client answered with, passed on if no client answered with roots. */
  error?: Message['error'];
}

/**
 * `roots/list` of a shared server: the roots of the one session are those of every attached client
 * that declared roots. Each is asked (under an id of the multiplexer's), and the server gets the
 * union, merged by URI (the oldest client's entry kept). A client that fails or leaves is left out;
 * if every one failed, the server gets the first error.
 */
export class RootsGathering {
  /** The server's requests being gathered (server id key -> gather). */
  private readonly gathers = new Map<string, RootsGather>();
  /** The multiplexer's `roots/list` to one client (its id key) -> the gather it answers. */
  private readonly asks = new Map<string, { gather: RootsGather; client: number }>();
  private nextAsk = 1;

  constructor(
    private readonly out: { toServer(message: Message): void; toClient(client: number, message: Message): void },
  ) {}

  /** The server asks `roots/list`: asked of `able` (the ready clients that declared roots, oldest first). */
  gather(msg: Message & { id: Id; method: string }, able: readonly number[]): void {
    if (able.length === 0) {
      this.out.toServer(
        fail(msg.id, GuardErrorCode.NoClient, 'no client of this shared server declared the roots capability'),
      );
      return;
    }
    const gather: RootsGather = { serverId: msg.id, pending: new Map(), answers: new Map() };
    this.gathers.set(idKey(msg.id), gather);
    for (const client of able) {
      const askId = `lg-share-roots-${this.nextAsk++}`;
      gather.pending.set(client, askId);
      this.asks.set(idKey(askId), { gather, client });
      this.out.toClient(client, { ...msg, id: askId });
    }
  }

  /** A client's answer: true when it answered one of these asks (then it is taken here). */
  answered(client: number, msg: Message & { id: Id }): boolean {
    const key = idKey(msg.id);
    const ask = this.asks.get(key);
    if (!ask || ask.client !== client) return false;
    this.asks.delete(key);
    ask.gather.pending.delete(client);
    const roots = (msg.result as { roots?: unknown } | undefined)?.roots;
    if (Array.isArray(roots)) ask.gather.answers.set(client, roots);
    else
      ask.gather.error ??= msg.error ?? {
        code: JsonRpcErrorCode.InternalError,
        message: 'a client answered roots/list without roots',
      };
    this.maybeDone(ask.gather);
    return true;
  }

  /**
   * The server's `notifications/cancelled` of `requestId`: true when it gave up a roots/list; every
   * client still asked hears of it under its own id.
   */
  cancelled(msg: Message, requestId: Id): boolean {
    const key = idKey(requestId);
    const gather = this.gathers.get(key);
    if (!gather) return false;
    this.gathers.delete(key);
    for (const [client, askId] of [...gather.pending]) {
      this.drop(gather, client);
      this.out.toClient(client, { ...msg, params: { ...msg.params, requestId: askId } });
    }
    return true;
  }

  /** A client left: it is not waited for. */
  clientLeft(client: number): void {
    for (const gather of [...this.gathers.values()]) {
      if (!gather.pending.has(client)) continue;
      this.drop(gather, client);
      this.maybeDone(gather);
    }
  }

  private maybeDone(gather: RootsGather): void {
    if (gather.pending.size > 0) return;
    this.gathers.delete(idKey(gather.serverId));
    if (gather.answers.size === 0) {
      const error = gather.error ?? {
        code: GuardErrorCode.NoClient,
        message: 'the clients asked for roots left the shared server',
      };
      this.out.toServer({ jsonrpc: '2.0', id: gather.serverId, error });
      return;
    }
    const merged = new Map<string, unknown>();
    const order = [...gather.answers.keys()].sort((a, b) => a - b);
    for (const client of order)
      for (const root of gather.answers.get(client)!) {
        const uri = (root as { uri?: unknown } | null)?.uri;
        if (typeof uri === 'string' && !merged.has(uri)) merged.set(uri, root);
      }
    this.out.toServer(ok(gather.serverId, { roots: [...merged.values()] }));
  }

  /** A client asked for roots left, or the server gave up asking: that client is not waited for. */
  private drop(gather: RootsGather, client: number): void {
    const askId = gather.pending.get(client);
    if (askId === undefined) return;
    gather.pending.delete(client);
    this.asks.delete(idKey(askId));
  }
}
