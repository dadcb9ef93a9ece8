/** What readTail needs of an open file: positioned reads (a FileHandle has it). */
export interface PositionalReader {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/** What readTail read: the last lines, and whether it stopped short of the file's start. */
export interface Tail {
  lines: string[];
  /** The file's size when it was read. */
  size: number;
  /** True when the lines asked for were not all found within `maxBytes` of the end. */
  cut: boolean;
}

/** The size of each read from the end. */
const BLOCK = 64 * 1024;

/**
 * The last `lines` lines of an open file (of `size` bytes), read backwards from its end in blocks,
 * never more than `maxBytes`: a log of any size (a 2 GiB one is past what Node reads in one piece)
 * costs what its end costs. A trailing newline ends the last line, it does not start another. With
 * `keep`, only the lines it keeps are counted and returned (a log several writers share, read for
 * one of them). Lines are cut at the newline byte and decoded one by one, so a block boundary
 * never splits a character. A read that stops before the file's start never returns its first,
 * partial piece.
 */
export async function readTail(
  handle: PositionalReader,
  size: number,
  lines: number,
  maxBytes: number,
  keep?: (line: string) => boolean,
): Promise<Tail> {
  const out: string[] = [];
  let start = size;
  // What precedes the lines found so far and has no newline before it yet: a line's beginning.
  let carry = Buffer.alloc(0);
  const take = (line: string): boolean => {
    if (keep && !keep(line)) return false;
    out.push(line);
    return out.length >= lines;
  };
  let full = false;
  while (!full && start > 0 && size - start < maxBytes) {
    const length = Math.min(BLOCK, start, maxBytes - (size - start));
    const block = Buffer.alloc(length);
    const { bytesRead } = await handle.read(block, 0, length, start - length);
    if (bytesRead < length) break; // the file shrank under us (a rotation): what was read is enough
    const atEnd = start === size;
    start -= length;
    const buf = carry.length ? Buffer.concat([block, carry]) : block;
    let end = buf.length;
    if (atEnd && end > 0 && buf[end - 1] === 0x0a) end--;
    for (let i = end - 1; i >= 0 && !full; i--) {
      if (buf[i] !== 0x0a) continue;
      full = take(buf.subarray(i + 1, end).toString('utf8'));
      end = i;
    }
    carry = buf.subarray(0, end);
  }
  // The file's first line, once the read reached it.
  if (!full && start === 0) take(carry.toString('utf8'));
  out.reverse();
  return { lines: out, size, cut: !full && start > 0 };
}
