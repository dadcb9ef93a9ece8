import type { Socket } from 'node:net';
import { GuardErrorCode } from '../wireErrors';

/**
 * Bounds the client connections of the front. A connection is either busy (its request was read
 * whole and is being relayed, or its answer, an event stream say, is still going) or waiting (just
 * opened, idle between requests, or still sending a request). At the limit, a new connection
 * pushes out the connection that has been waiting longest, so connections that stall (slowloris)
 * cannot lock working clients out; only when every connection is busy is the new one refused,
 * with a 503 its client can read. Event streams, busy for as long as they are open, are bounded
 * apart (eventStreams.ts) well below this limit, so they cannot make every connection busy.
 */
export class ConnectionGate {
  private open = 0;
  /** Waiting connections, the longest waiting first. */
  private readonly waiting = new Set<Socket>();
  private readonly refused = new WeakSet<Socket>();

  constructor(private readonly max: number) {}

  /** Call for each new connection, before Node's HTTP parser sees it. */
  admit(socket: Socket): void {
    this.open++;
    socket.once('close', () => {
      this.open--;
      this.waiting.delete(socket);
    });
    if (this.open > this.max) {
      const longest = this.waiting.values().next();
      if (longest.done) {
        this.refuse(socket);
        return;
      }
      this.waiting.delete(longest.value);
      longest.value.destroy();
    }
    this.waiting.add(socket);
  }

  /** Whether `socket` was refused: whatever it sends is ignored until it closes. */
  isRefused(socket: Socket): boolean {
    return this.refused.has(socket);
  }

  /** The connection's request was read whole: it is being served. */
  busy(socket: Socket): void {
    this.waiting.delete(socket);
  }

  /** The connection's answer is over: it waits for its next request (or is closed by the keep-alive timeout). */
  idle(socket: Socket): void {
    if (!socket.destroyed && !this.refused.has(socket)) this.waiting.add(socket);
  }

  private refuse(socket: Socket): void {
    this.refused.add(socket);
    const body = JSON.stringify({
      jsonrpc: '2.0',
      error: { code: GuardErrorCode.ServerError, message: `Too many connections: all ${this.max} are busy` },
      id: null,
    });
    socket.on('error', () => undefined);
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nretry-after: 1\r\nconnection: close\r\n\r\n${body}`,
    );
    // A client that does not close its side in time is cut off.
    setTimeout(() => socket.destroy(), 2000).unref();
  }
}
