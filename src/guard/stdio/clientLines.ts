import { downAnswer } from '../host/staleNotice';
import { GuardErrorCode } from '../wireErrors';
import { classify, errorResponse, idKey } from './messages';
import { NEWLINE, RelayState } from './pipe';
import { LISTEN } from './subscriptions';

/**
 * What a client's request is answered with while the guard is down (`failed`: the reason it gave up)
 * or closing (`closing`: why, where the request was held for a restart that will not come).
 */
export function refusal(serverName: string, failed: string | undefined, closing?: string): [number, string] {
  return failed !== undefined
    ? [GuardErrorCode.CrashLoop, downAnswer(serverName, failed)]
    : [
        GuardErrorCode.ShuttingDown,
        `${serverName}: the guard is shutting down${closing === undefined ? '' : ` (${closing})`}`,
      ];
}

/**
 * The client side of the stdio transport: each client line handled in order (held while a restart
 * or an idle stop's start runs, refused while the guard is down or closing, noted for the handshake
 * and the requests in flight) and written to the child with backpressure.
 */
export class ClientLines {
  private clientChain: Promise<void> = Promise.resolve();
  /** Client lines held while a restart is under way, delivered in order once it is done. */
  private queue: Buffer[] = [];
  private childBackpressure = false;

  /** `transport`: the transport whose state this side works on. */
  constructor(private readonly transport: RelayState) {}

  /** Runs `step` once every client line before it was handled (the client closed its side). */
  afterQueued(step: () => void | Promise<void>): void {
    this.clientChain = this.clientChain.then(step);
  }

  /** Delivers what the client sent during a restart, in order, ahead of anything newer. */
  deliverHeld(): void {
    this.clientChain = this.clientChain.then(async () => {
      while (this.queue.length > 0) {
        const line = this.queue.shift()!;
        if (!(await this.handleClientLine(line, true))) break;
      }
    });
  }

  /** The lines held for a restart that will not come, taken (their requests are refused). */
  takeHeld(): Buffer[] {
    const queued = this.queue;
    this.queue = [];
    return queued;
  }

  enqueueClientLine(line: Buffer): void {
    const transport = this.transport;
    transport.host.noteClientMessage();
    this.clientChain = this.clientChain
      .then(async () => void (await this.handleClientLine(line, false)))
      .catch((err: unknown) => transport.host.log(`internal error relaying a client message: ${String(err)}`));
  }

  /** Whether client lines are held for a restart (or for the start that follows an idle stop). */
  private holding(): boolean {
    const kind = this.transport.host.state.kind;
    return kind === 'draining' || kind === 'restarting' || kind === 'idle';
  }

  /** Returns false when the line went (back) to the restart queue. */
  private async handleClientLine(line: Buffer, fromQueue: boolean): Promise<boolean> {
    const transport = this.transport;
    if (this.holding() || (!fromQueue && this.queue.length > 0)) {
      if (fromQueue) this.queue.unshift(line);
      else this.queue.push(line);
      return false;
    }
    const c = classify(line);
    const state = transport.host.state;
    if (state.kind === 'failed' || state.kind === 'closing' || state.kind === 'exited') {
      if (c.kind === 'request') {
        const [code, message] = refusal(transport.host.serverName, state.kind === 'failed' ? state.reason : undefined);
        transport.writer.send(errorResponse(c.id, code, message));
      }
      return true;
    }
    switch (c.kind) {
      case 'request': {
        transport.handshake.noteRequest(c.method, c.message.params);
        // Most requests are decided at once: the relay waits only for a refusing policy's verdict.
        const asked = transport.host.staleRefusal(c.method, c.message.params);
        const refusal = asked && (await asked);
        if (refusal) {
          transport.writer.send(errorResponse(c.id, GuardErrorCode.Stale, refusal));
          return true;
        }
        if (transport.host.state.kind !== 'running' && transport.host.state.kind !== 'starting')
          return this.handleClientLine(line, true);
        const lost = transport.host.noteRequest(c.method, c.message.params);
        if (lost) {
          transport.writer.send(errorResponse(c.id, GuardErrorCode.TaskLost, `${transport.host.serverName}: ${lost}`));
          return true;
        }
        // A subscription is answered only when it ends: it is never in flight (it would hold every drain).
        if (c.method === LISTEN) {
          transport.subscriptions.noteListen(c.id, c.message.params, line);
          break;
        }
        transport.inFlightRequests.set(idKey(c.id), {
          id: c.id,
          method: c.method,
          generation: transport.pipe?.child.generation ?? 0,
          ...(c.message.params?.cursor !== undefined ? { paged: true } : {}),
        });
        break;
      }
      case 'notification':
        transport.handshake.noteNotification(c.method, line);
        if (c.method === 'notifications/cancelled') this.forgetCancelled(c.message as { params?: unknown });
        break;
      case 'response':
        // The client answers a request of the server. One for a child that is gone is dropped: the
        // new child never asked it.
        if (!transport.pipe?.serverRequests.delete(idKey(c.id))) {
          transport.host.log(
            `dropped the client's answer to request ${JSON.stringify(c.id)}: the server that asked it was restarted`,
          );
          return true;
        }
        break;
      case 'other':
        break;
    }
    this.writeToChild(line);
    return true;
  }

  /** A cancelled request gets no answer from the server (MCP), so it is no longer in flight. */
  private forgetCancelled(message: { params?: unknown }): void {
    const transport = this.transport;
    const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
    transport.subscriptions.noteCancelled(requestId);
    transport.inFlightRequests.delete(idKey(requestId));
    if (transport.inFlightRequests.size === 0) transport.onIdle();
  }

  writeToChild(line: Buffer): void {
    const pipe = this.transport.pipe;
    if (!pipe || pipe.child.exit) return;
    const stdin = pipe.child.proc.stdin;
    if (!stdin.write(Buffer.concat([line, NEWLINE])) && !this.childBackpressure) {
      // Backpressure: stop reading the client until the server has taken what we gave it.
      this.childBackpressure = true;
      this.updateInputFlow();
      const resume = () => {
        this.childBackpressure = false;
        this.updateInputFlow();
      };
      stdin.once('drain', resume);
      pipe.child.exited.then(resume, () => undefined);
    }
  }

  private updateInputFlow(): void {
    const transport = this.transport;
    const { input } = transport.options;
    if (this.childBackpressure || transport.writer.paused) input.pause();
    else input.resume();
  }
}
