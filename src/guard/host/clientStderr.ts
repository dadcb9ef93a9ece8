import type { Writable } from 'node:stream';

/** The most of the server's stderr that waits for the client to read it; past it, chunks are dropped. */
export const CLIENT_STDERR_WINDOW_BYTES = 1024 * 1024;

/**
 * The client's side of the server's stderr. Many clients never read their server's stderr, and a
 * pipe nobody reads fills: what the guard passed on would then wait in its own memory (a 300 MiB
 * flood held 360 MiB). So at most a window of it waits; past that, chunks are dropped and counted
 * (the server log keeps every byte, under its own bound), and once the client has taken what
 * waited, one line says how much it missed.
 */
export class ClientStderr {
  private dropped = 0;
  private awaitingDrain = false;

  constructor(
    private readonly out: Writable,
    private readonly windowBytes = CLIENT_STDERR_WINDOW_BYTES,
  ) {}

  /** Bytes dropped since the client last caught up. */
  get droppedBytes(): number {
    return this.dropped;
  }

  write(chunk: Buffer): void {
    const out = this.out;
    if (out.destroyed || out.writableEnded) return;
    // A chunk goes whole or not at all; an empty pipe takes any one chunk (they are 64 KiB reads).
    if (out.writableLength > 0 && out.writableLength + chunk.length > this.windowBytes) {
      this.dropped += chunk.length;
      // Past the stream's mark a write returned false, so 'drain' comes once the client reads.
      if (!this.awaitingDrain) {
        this.awaitingDrain = true;
        out.once('drain', () => this.caughtUp());
      }
      return;
    }
    out.write(chunk);
  }

  private caughtUp(): void {
    this.awaitingDrain = false;
    if (this.dropped === 0) return;
    const dropped = this.dropped;
    this.dropped = 0;
    this.out.write(
      `mcp-lifeguard: ${dropped} bytes of the server's stderr were dropped: the client did not read them in time (the server log keeps its last MiB: mcp-lifeguard logs)\n`,
    );
  }
}

/**
 * Waits up to `graceMs` for what waits on `out` (the client's stderr) to be taken; says whether it
 * was. A guard that is done must not wait on a client that never reads: its pending bytes would
 * keep the process alive after a SIGTERM.
 */
export function flushedWithin(out: Writable, graceMs: number): Promise<boolean> {
  if (out.writableLength === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      out.off('drain', drained);
      resolve(false);
    }, graceMs);
    timer.unref();
    const drained = () => {
      clearTimeout(timer);
      resolve(true);
    };
    out.once('drain', drained);
  });
}
