import type { RequestId } from '@modelcontextprotocol/server';
import { annotateToolResult, MAX_ANNOTATED_LINE_BYTES } from '../host/staleNotice';
import type { NoticeAudience } from '../host/staleGate';
import { errorText, SaidOnce } from '../saidOnce';
import { joinLine, LineParts, lineTail } from './lines';
import {
  classify,
  Classified,
  idKey,
  LARGE_LINE_BYTES,
  serverInfoFrom,
  TAIL_BYTES,
  trailingResponseId,
} from './messages';
import { NEWLINE, Pipe, RelayState } from './pipe';
import { ACKNOWLEDGED } from './subscriptions';

/**
 * The server side of the stdio transport: a child's stdout relayed to the client (a `tools/call`
 * result annotated under `--when-stale annotate`), and each line followed for what the guard learns
 * (requests answered, the server's requests, subscriptions acknowledged, who the server is).
 */
export class ServerLines {
  /** Kinds of relay failure already logged (failedOnce). */
  private readonly failuresLogged = new SaidOnce((line) => this.transport.host.log(line));

  /** `transport`: the transport whose state this side works on. */
  constructor(private readonly transport: RelayState) {}

  onServerData(pipe: Pipe, chunk: Buffer): void {
    if (pipe.mode === 'passthrough') {
      this.relay(pipe, chunk);
      for (const line of pipe.splitter.pushParts(chunk)) this.track(pipe, () => this.classifyServerLine(line));
      return;
    }
    for (const line of pipe.splitter.push(chunk)) {
      const c = this.classifySafely(line);
      if (pipe.guard.take(c)) continue;
      this.transport.writer.write(Buffer.concat([this.annotated(line) ?? line, NEWLINE]));
      this.track(pipe, () => c);
    }
  }

  /** classify, where a line the classifier cannot handle (it never should) is an unparsed one. */
  private classifySafely(line: Buffer): Classified {
    try {
      return classify(line);
    } catch (err) {
      this.failedOnce(
        'classify',
        `could not read a server line (${errorText(err)}); it was relayed as the server wrote it`,
      );
      return { kind: 'other', reason: errorText(err) };
    }
  }

  /**
   * Tracks a relayed line (its bytes went out already). What a server writes cannot stop the relay:
   * should the guard's notes on a line ever fail, that is logged once and the relay goes on.
   */
  private track(pipe: Pipe, line: () => Classified): void {
    try {
      this.trackServerLine(pipe, line());
    } catch (err) {
      this.failedOnce(
        'track',
        `could not follow a server line (${errorText(err)}); it was relayed as the server wrote it`,
      );
    }
  }

  /**
   * Relays a chunk of the server's stdout. Bytes go through as they come, except while a
   * `tools/call` is in flight and the stale gate has something to say: then each line is
   * held until it ends (or reaches MAX_ANNOTATED_LINE_BYTES, and streams on untouched) so the
   * result can carry the notice. Runs before the chunk's lines are tracked, so the requests they
   * answer are still in flight.
   */
  private relay(pipe: Pipe, chunk: Buffer): void {
    const transport = this.transport;
    let start = 0;
    while (start < chunk.length) {
      if (!pipe.held) {
        if (pipe.inLine || !this.annotating()) {
          // Nothing to hold: the rest of this line, or of the whole chunk when no line may need it.
          const newline = pipe.inLine ? chunk.indexOf(0x0a, start) : -1;
          const end = pipe.inLine && newline >= 0 ? newline + 1 : chunk.length;
          transport.writer.writeServerChunk(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end));
          pipe.inLine = chunk[end - 1] !== 0x0a;
          start = end;
          continue;
        }
        pipe.held = { parts: [], bytes: 0 };
      }
      const held = pipe.held;
      const newline = chunk.indexOf(0x0a, start);
      const end = newline >= 0 ? newline : chunk.length;
      held.parts.push(chunk.subarray(start, end));
      held.bytes += end - start;
      if (newline >= 0) {
        pipe.held = undefined;
        pipe.inLine = false;
        const line = Buffer.concat(held.parts, held.bytes);
        transport.writer.writeServerChunk(Buffer.concat([this.annotated(line) ?? line, NEWLINE]));
        start = newline + 1;
        continue;
      }
      pipe.inLine = true;
      if (held.bytes >= MAX_ANNOTATED_LINE_BYTES) {
        // Too large to annotate: what was held goes out as it came, and the line streams on.
        pipe.held = undefined;
        transport.writer.writeServerChunk(Buffer.concat(held.parts, held.bytes));
      }
      start = chunk.length;
    }
  }

  /** Whether lines may need a notice now: a `tools/call` is in flight and the stale gate has something to say. */
  private annotating(): boolean {
    const transport = this.transport;
    for (const entry of transport.inFlightRequests.values())
      if (entry.method === 'tools/call' && transport.host.toolResultNotices(this.audienceOf(entry.id)).length > 0)
        return true;
    return false;
  }

  private audienceOf(id: RequestId): NoticeAudience | undefined {
    return this.transport.options.audienceOf?.(id);
  }

  /**
   * The line with the stale gate's notices appended when it answers a `tools/call` (staleNotice.ts),
   * else undefined. Nothing a server writes may stop the relay: should annotating fail, the line
   * goes out as the server wrote it, and the failure is logged once.
   */
  private annotated(line: Buffer): Buffer | undefined {
    const transport = this.transport;
    try {
      // Most lines answer no tools/call with something to say: they are not parsed for it.
      if (!this.annotating()) return undefined;
      let audience: NoticeAudience | undefined;
      const out = annotateToolResult(
        line,
        (id) => transport.host.toolResultNotices((audience = this.audienceOf(id))),
        (id) => transport.inFlightRequests.get(idKey(id))?.method === 'tools/call',
      );
      if (out) transport.host.noticesDelivered(audience);
      return out;
    } catch (err) {
      this.failedOnce(
        'annotate',
        `could not add the stale notice to a result (${errorText(err)}); it was relayed as the server wrote it`,
      );
      return undefined;
    }
  }

  /** Logs a failure of the relay's own bookkeeping once per kind, so a server repeating it cannot flood the log. */
  private failedOnce(kind: string, message: string): void {
    this.failuresLogged.say(kind, `${message} (said once)`);
  }

  /** Classifies a relayed server line; a large answer to a request whose result we do not need is not parsed. */
  private classifyServerLine(line: LineParts): Classified {
    if (line.length >= LARGE_LINE_BYTES) {
      const id = trailingResponseId(lineTail(line, TAIL_BYTES));
      const method = id === undefined ? undefined : this.transport.inFlightRequests.get(idKey(id))?.method;
      if (id !== undefined && method !== undefined && method !== 'initialize' && method !== 'tools/list') {
        return { kind: 'response', id, message: { jsonrpc: '2.0', id, result: {} } };
      }
    }
    return classify(joinLine(line));
  }

  private trackServerLine(pipe: Pipe, c: Classified): void {
    const transport = this.transport;
    if (c.kind === 'request') {
      pipe.serverRequests.add(idKey(c.id));
      return;
    }
    if (c.kind === 'notification' && c.method === ACKNOWLEDGED)
      transport.subscriptions.noteAck((c.message as { params?: unknown }).params);
    else if (c.kind === 'notification')
      transport.host.noteNotification(c.method, (c.message as { params?: unknown }).params);
    if (c.kind !== 'response') return;
    // The server answered a subscription: it ended; the answer went to the client as it came.
    if (transport.subscriptions.noteAnswer(c.id)) return;
    const key = idKey(c.id);
    const entry = transport.inFlightRequests.get(key);
    if (!entry) return;
    transport.inFlightRequests.delete(key);
    try {
      const result = c.message.result;
      if (result) this.noteWho(pipe, entry.method, result);
      if (result) transport.handshake.noteAnswer(entry.method, result);
      if (result) transport.host.noteResult(entry.method, result);
      if (entry.method === 'tools/list' && result && Array.isArray(result.tools))
        transport.host.noteTools(result.tools, !entry.paged && result.nextCursor === undefined);
    } finally {
      // Answered is answered, whatever the notes above made of it: a drain waiting for it goes on.
      if (transport.inFlightRequests.size === 0) transport.onIdle();
    }
  }

  /** The first statement per child of who it is goes to the host (the lock record). Large lines are never parsed for it. */
  noteWho(pipe: Pipe, method: string, result: Record<string, unknown> | undefined): void {
    const pid = pipe.child.proc.pid;
    if (pipe.saidWho || !result || pid === undefined) return;
    const said = serverInfoFrom(method, result);
    if (!said) return;
    pipe.saidWho = true;
    this.transport.host.noteServerInfo({ ...said, pid });
  }
}
