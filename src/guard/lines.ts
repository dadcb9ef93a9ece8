/**
 * Newline framing over raw bytes, the MCP stdio framing. The SDK's ReadBuffer re-concatenates its
 * whole buffer on every chunk (quadratic for a multi-MiB tool result), throws past 10 MiB and hands
 * back parsed objects only; the guard needs each line's original bytes in linear time, so it frames
 * here and leaves parsing to the SDK's schemas (see messages.ts).
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** Feeds a chunk; returns the complete lines it finished, each without its '\n' (a trailing '\r' is kept). */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline >= 0) {
      const piece = chunk.subarray(start, newline);
      if (this.pending.length > 0) {
        this.pending.push(piece);
        lines.push(Buffer.concat(this.pending, this.pendingBytes + piece.length));
        this.pending = [];
        this.pendingBytes = 0;
      } else {
        lines.push(piece);
      }
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
    }
    return lines;
  }

  /** True when bytes of an unfinished line are buffered. */
  get midLine(): boolean {
    return this.pendingBytes > 0;
  }

  /** The buffered bytes of the unfinished line (still kept for framing). */
  pendingChunks(): readonly Buffer[] {
    return this.pending;
  }

  /** Drops the unfinished line (its writer is gone). */
  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}
