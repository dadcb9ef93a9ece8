/**
 * Newline framing over raw bytes, the MCP stdio framing. The SDK's ReadBuffer re-concatenates its
 * whole buffer on every chunk (quadratic for a multi-MiB tool result), throws past 10 MiB and hands
 * back parsed objects only; the guard needs each line's original bytes in linear time, so it frames
 * here and leaves parsing to the SDK's schemas (see messages.ts).
 */
/** One line as the pieces it arrived in. */
export interface LineParts {
  parts: Buffer[];
  length: number;
}

export function joinLine(line: LineParts): Buffer {
  return line.parts.length === 1 ? line.parts[0] : Buffer.concat(line.parts, line.length);
}

/** The last `n` bytes of a line (fewer when it is shorter), copying only those. */
export function lineTail(line: LineParts, n: number): Buffer {
  const pieces: Buffer[] = [];
  let have = 0;
  for (let i = line.parts.length - 1; i >= 0 && have < n; i--) {
    const part = line.parts[i];
    const take = Math.min(part.length, n - have);
    pieces.unshift(part.subarray(part.length - take));
    have += take;
  }
  return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, have);
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** Feeds a chunk; returns the complete lines it finished, each without its '\n' (a trailing '\r' is kept). */
  push(chunk: Buffer): Buffer[] {
    return this.pushParts(chunk).map(joinLine);
  }

  /**
   * The same, each line as the pieces it arrived in: a multi-MiB line whose content is not needed
   * (only its last bytes, see lineTail) is then never copied into one buffer.
   */
  pushParts(chunk: Buffer): LineParts[] {
    const lines: LineParts[] = [];
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline >= 0) {
      const piece = chunk.subarray(start, newline);
      if (this.pending.length > 0) {
        this.pending.push(piece);
        lines.push({ parts: this.pending, length: this.pendingBytes + piece.length });
        this.pending = [];
        this.pendingBytes = 0;
      } else {
        lines.push({ parts: [piece], length: piece.length });
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
