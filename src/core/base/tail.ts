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
  // What follows the block being read up to the last line found, in file order: the beginning of a
  // line whose newline before it is not read yet. It holds no newline, so each block alone is
  // searched, and a line longer than many blocks is joined once (a 16 MiB line costs its read, not
  // one search of all of it per block).
  let carry: Buffer[] = [];
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
    let end = length;
    if (atEnd && end > 0 && block[end - 1] === 0x0a) end--;
    for (let i = end - 1; i >= 0 && !full; i--) {
      if (block[i] !== 0x0a) continue;
      full = take(Buffer.concat([block.subarray(i + 1, end), ...carry]).toString('utf8'));
      carry = [];
      end = i;
    }
    carry.unshift(block.subarray(0, end));
  }
  // The file's first line, once the read reached it.
  if (!full && start === 0) take(Buffer.concat(carry).toString('utf8'));
  out.reverse();
  return { lines: out, size, cut: !full && start > 0 };
}
