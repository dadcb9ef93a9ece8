import { Transform, TransformCallback } from 'node:stream';
import { annotateToolResult, MAX_ANNOTATED_LINE_BYTES } from '../host/staleNotice';

/**
 * `--when-stale annotate` over HTTP: the body of the answer to one `tools/call` POST, with the
 * notices appended to its result (staleNotice.ts). A JSON body is held whole; an event stream is
 * held one event at a time (progress notifications pass as they come). What reaches
 * MAX_ANNOTATED_LINE_BYTES is let go as it came and streams on untouched.
 */
export interface ToolResultNotes {
  /** The id of the `tools/call` this body answers: only its result is annotated. */
  requestId: string | number;
  /** The notices to append now (read when the result is complete, never waited for). */
  notices(): string[];
  /** They went out (the update-available notice is said once). */
  delivered(): void;
  /** Annotating failed: the body went on as the server wrote it (the front logs it once). */
  failed(reason: string): void;
}

/** The annotated bytes, or undefined to send them as they came: nothing a server writes may stop its answer. */
function annotate(bytes: Buffer, notes: ToolResultNotes): Buffer | undefined {
  try {
    const out = annotateToolResult(bytes, notes.notices(), (id) => id === notes.requestId);
    if (out) notes.delivered();
    return out;
  } catch (err) {
    notes.failed(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    return undefined;
  }
}

/** A JSON body: held until it ends (or reaches the bound), then annotated or let go as it came. */
export class JsonToolResult extends Transform {
  private held: Buffer[] | undefined = [];
  private heldBytes = 0;

  constructor(private readonly notes: ToolResultNotes) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.held) return done(null, chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes >= MAX_ANNOTATED_LINE_BYTES) {
      const held = Buffer.concat(this.held, this.heldBytes);
      this.held = undefined;
      return done(null, held);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (!this.held) return done();
    const body = Buffer.concat(this.held, this.heldBytes);
    this.held = undefined;
    done(null, annotate(body, this.notes) ?? body);
  }
}

const DATA = Buffer.from('data:');

/**
 * An event stream: lines are framed as they come; each event (lines up to a blank one) is held
 * until it ends. An event whose one `data:` line is the result is annotated on that line; every
 * other line keeps its bytes, its line ending included.
 */
export class SseToolResult extends Transform {
  /** The current event's finished lines, each with its line ending. */
  private event: Buffer[] = [];
  private eventBytes = 0;
  /** The unfinished line of the current event. */
  private partial: Buffer[] = [];
  /** Set once the current event reached the bound: it streams through until it ends. */
  private passing = false;
  /** Whether the last byte let through ended a line (for a passing event). */
  private passingLineEmpty = true;

  constructor(private readonly notes: ToolResultNotes) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline + 1;
      const piece = chunk.subarray(start, end);
      start = end;
      if (this.passing) {
        this.push(piece);
        // A blank line (`\n` or `\r\n` alone) ends the event: the next one is held again.
        if (newline >= 0) {
          const blank = this.passingLineEmpty && (piece.length === 1 || (piece.length === 2 && piece[0] === 0x0d));
          this.passingLineEmpty = true;
          if (blank) this.passing = false;
        } else this.passingLineEmpty = false;
        continue;
      }
      this.partial.push(piece);
      this.eventBytes += piece.length;
      if (newline >= 0) {
        const line = Buffer.concat(this.partial);
        this.partial = [];
        this.event.push(line);
        if (line.length === 1 || (line.length === 2 && line[0] === 0x0d)) this.endEvent();
        continue;
      }
      if (this.eventBytes >= MAX_ANNOTATED_LINE_BYTES) {
        // Too large to annotate: what was held goes as it came; the event streams on.
        for (const held of [...this.event, ...this.partial]) this.push(held);
        this.event = [];
        this.partial = [];
        this.eventBytes = 0;
        this.passing = true;
        this.passingLineEmpty = false;
      }
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    // A stream that ends without a blank line: its last event is sent as it is (annotated if it can be).
    if (this.partial.length > 0) this.event.push(Buffer.concat(this.partial));
    this.partial = [];
    this.endEvent();
    done();
  }

  private endEvent(): void {
    // A held event is under the bound (a larger one streams through, see _transform).
    const lines = this.event;
    this.event = [];
    this.eventBytes = 0;
    const data = lines.flatMap((line, i) => (line.subarray(0, DATA.length).equals(DATA) ? [i] : []));
    if (data.length === 1) {
      const line = lines[data[0]];
      let from = DATA.length;
      if (line[from] === 0x20) from++;
      let to = line.length;
      if (line[to - 1] === 0x0a) to--;
      if (line[to - 1] === 0x0d) to--;
      const out = annotate(line.subarray(from, to), this.notes);
      if (out) lines[data[0]] = Buffer.concat([line.subarray(0, from), out, line.subarray(to)]);
    }
    for (const line of lines) this.push(line);
  }
}
