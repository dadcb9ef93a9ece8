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
  /**
   * Set when the line was longer than the splitter's bound: `parts` is then empty (its bytes were
   * dropped as they came) and only its first and last bytes are kept, to read its id from.
   */
  overlong?: { head: Buffer; tail: Buffer };
}

/** How much of an over-long line's start and end is kept. */
export const OVERLONG_KEPT_BYTES = 512;

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
  /** The unfinished line's pieces; NO_PARTS (never pushed to) while there are none. */
  private pending: Buffer[] = NO_PARTS;
  private pendingBytes = 0;
  /** The unfinished line went past the bound: its start and its end so far (its bytes are dropped). */
  private over: { head: Buffer; tail: Buffer; length: number } | undefined;

  /**
   * `maxLineBytes`: a line longer than this is never held: its bytes are dropped as they come and
   * it is handed back as `overlong` (pushParts). Absent: lines of any length are held whole.
   */
  constructor(private readonly options: { maxLineBytes?: number } = {}) {}

  /** Feeds a chunk; returns the complete lines it finished, each without its '\n' (a trailing '\r' is kept). */
  push(chunk: Buffer): Buffer[] {
    return this.pushParts(chunk).map(joinLine);
  }

  /**
   * The same, each line as the pieces it arrived in: a multi-MiB line whose content is not needed
   * (only its last bytes, see lineTail) is then never copied into one buffer.
   */
  pushParts(chunk: Buffer): LineParts[] {
    // Arrays made to their size (a chunk mostly ends one line): one grown by push holds 16 slots,
    // and a busy guard frames every message.
    let lines: LineParts[] = NO_LINES;
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline >= 0) {
      this.add(chunk.subarray(start, newline));
      if (lines === NO_LINES) lines = [this.take()];
      else lines.push(this.take());
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) this.add(start === 0 ? chunk : chunk.subarray(start));
    return lines;
  }

  /** Adds a piece of the unfinished line (dropping it when the line is over the bound). */
  private add(piece: Buffer): void {
    if (piece.length === 0) return;
    const max = this.options.maxLineBytes;
    if (this.over) {
      this.over.length += piece.length;
      this.over.tail = keepTail(this.over.tail, piece);
      return;
    }
    if (max === undefined || this.pendingBytes + piece.length <= max) {
      if (this.pending === NO_PARTS) this.pending = [piece];
      else this.pending.push(piece);
      this.pendingBytes += piece.length;
      return;
    }
    // Past the bound: keep the line's first and last bytes (copies: the chunks they came in may go), drop the rest.
    this.over = {
      head: firstBytes([...this.pending, piece]),
      tail: keepTail(this.pending.length > 0 ? lastBytes(this.pending) : EMPTY, piece),
      length: this.pendingBytes + piece.length,
    };
    this.pending = NO_PARTS;
    this.pendingBytes = 0;
  }

  /** The finished line, and a fresh start. */
  private take(): LineParts {
    const over = this.over;
    if (over) {
      this.over = undefined;
      return { parts: [], length: over.length, overlong: { head: over.head, tail: over.tail } };
    }
    const line = { parts: this.pending === NO_PARTS ? [EMPTY] : this.pending, length: this.pendingBytes };
    this.pending = NO_PARTS;
    this.pendingBytes = 0;
    return line;
  }

  /** True when bytes of an unfinished line are buffered (or were, and dropped for its length). */
  get midLine(): boolean {
    return this.pendingBytes > 0 || this.over !== undefined;
  }

  /** The buffered bytes of the unfinished line (still kept for framing). */
  pendingChunks(): readonly Buffer[] {
    return this.pending;
  }

  /** Drops the unfinished line (its writer is gone). */
  reset(): void {
    this.pending = NO_PARTS;
    this.pendingBytes = 0;
    this.over = undefined;
  }
}

const EMPTY = Buffer.alloc(0);
/** Shared, never written: no pieces, no lines. */
const NO_PARTS: Buffer[] = [];
const NO_LINES: LineParts[] = [];

/** The first OVERLONG_KEPT_BYTES (or fewer) of the pieces, copied. */
function firstBytes(pieces: Buffer[]): Buffer {
  const head: Buffer[] = [];
  let have = 0;
  for (const piece of pieces) {
    if (have >= OVERLONG_KEPT_BYTES) break;
    head.push(piece.subarray(0, OVERLONG_KEPT_BYTES - have));
    have += head[head.length - 1].length;
  }
  return Buffer.concat(head, have);
}

/** The last OVERLONG_KEPT_BYTES (or fewer) of the pieces. */
function lastBytes(pieces: Buffer[]): Buffer {
  return lineTail({ parts: pieces, length: 0 }, OVERLONG_KEPT_BYTES);
}

/** The last OVERLONG_KEPT_BYTES of `tail` followed by `piece`, copied. */
function keepTail(tail: Buffer, piece: Buffer): Buffer {
  if (piece.length >= OVERLONG_KEPT_BYTES) return Buffer.from(piece.subarray(piece.length - OVERLONG_KEPT_BYTES));
  const joined = Buffer.concat([tail, piece]);
  return joined.subarray(Math.max(0, joined.length - OVERLONG_KEPT_BYTES));
}
