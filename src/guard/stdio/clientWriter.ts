import type { Readable, Writable } from 'node:stream';

const NEWLINE = Buffer.from('\n');
const OUTPUT_WINDOW_BYTES = 1024 * 1024;

/**
 * The client's side of the stdio relay: the server's bytes go out unchanged, and a message the
 * guard makes itself (an error answer, a list_changed notification) never cuts into a server line.
 * Backpressure: the server's stdout is paused while the client is behind by more than a window.
 */
export class ClientWriter {
  /** Guard-made messages waiting for the server's current line to end. */
  private injectQueue: string[] = [];
  /** Whether the last byte relayed was not the end of a line. */
  midLine = false;
  /** Set while the client is behind: the server's stdout is paused. */
  paused = false;

  constructor(
    private readonly output: Writable,
    /** The current child's stdout, to pause and resume. */
    private readonly serverOut: () => Readable | undefined,
  ) {}

  /** Relays a chunk as is; guard-made messages waiting for a line end go in right after one. */
  writeServerChunk(chunk: Buffer): void {
    if (this.injectQueue.length > 0 && this.midLine) {
      const end = chunk.indexOf(0x0a);
      if (end >= 0) {
        this.write(chunk.subarray(0, end + 1));
        this.midLine = false;
        this.flushInjected();
        chunk = chunk.subarray(end + 1);
        if (chunk.length === 0) return;
      }
    }
    this.write(chunk);
    this.midLine = chunk[chunk.length - 1] !== 0x0a;
  }

  /** Writes whole lines (or a chunk whose line state the caller sets). */
  write(bytes: Buffer | string): void {
    const output = this.output;
    if (output.writableEnded || output.destroyed) return;
    // The window is wider than the stream's 16 KiB mark so a large result is not relayed in lock step.
    if (!output.write(bytes) && output.writableLength >= OUTPUT_WINDOW_BYTES && !this.paused) {
      this.paused = true;
      this.serverOut()?.pause();
      output.once('drain', () => {
        this.paused = false;
        this.serverOut()?.resume();
      });
    }
  }

  /** Sends a guard-made message to the client without cutting into a server line. */
  send(text: string): void {
    if (this.midLine) this.injectQueue.push(text);
    else this.write(text);
  }

  flushInjected(): void {
    const pending = this.injectQueue;
    this.injectQueue = [];
    for (const text of pending) this.write(text);
  }

  /** The server died in the middle of a line: end it so the client's framing recovers. */
  endCutLine(): void {
    if (!this.midLine) return;
    this.write(NEWLINE);
    this.midLine = false;
  }
}
