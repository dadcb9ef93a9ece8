import type * as Zlib from 'node:zlib';

/**
 * Reading one file out of a zip archive (yarn Plug'n'Play keeps every package in its cache as a
 * zip, and Node runs them from there): the central directory at the archive's end names each
 * entry with where its data is; an entry is stored or deflated. Pure functions over bytes, and one
 * reader that fetches only the bytes it needs. Zip64 archives, encrypted or split ones are not read.
 */

export interface ZipEntry {
  name: string;
  /** 0: stored, 8: deflated. */
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Where its local header starts in the archive. */
  localOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** The end record and the longest comment it may carry. */
const MAX_TAIL = 22 + 0xffff;
/** A package.json larger than this is not read (no real one comes near). */
export const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

/** The central directory's place, from the archive's last bytes (`tail` starts at `tailOffset` in the archive). */
export function zipDirectory(tail: Buffer, tailOffset: number): { offset: number; size: number } | undefined {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD) continue;
    // The comment must end where the archive does: a signature inside the comment is not the record.
    if (i + 22 + tail.readUInt16LE(i + 20) !== tail.length) continue;
    const size = tail.readUInt32LE(i + 12);
    const offset = tail.readUInt32LE(i + 16);
    if (size === 0xffffffff || offset === 0xffffffff) return undefined;
    if (offset + size > tailOffset + i) return undefined;
    return { offset, size };
  }
  return undefined;
}

/** The entries of a central directory. Undefined when it is not one. */
export function zipEntries(directory: Buffer): ZipEntry[] | undefined {
  const out: ZipEntry[] = [];
  let at = 0;
  while (at + 46 <= directory.length) {
    if (directory.readUInt32LE(at) !== CENTRAL) return undefined;
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    if (at + 46 + nameLength > directory.length) return undefined;
    out.push({
      name: directory.toString('utf8', at + 46, at + 46 + nameLength),
      method: directory.readUInt16LE(at + 10),
      crc: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localOffset: directory.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return at === directory.length ? out : undefined;
}

/** The length of an entry's local header (its data follows it). Undefined when `header` is not one. */
export function localHeaderLength(header: Buffer): number | undefined {
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) return undefined;
  return 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}

/** An entry's content from its data bytes, checked against its CRC. Undefined for another method or bad data. */
export function entryContent(entry: ZipEntry, data: Buffer): Buffer | undefined {
  if (data.length !== entry.compressedSize || entry.size > MAX_ENTRY_BYTES) return undefined;
  // Loaded here, not with the module: only a yarn Plug'n'Play install is read from a zip, and the
  // stdio guard, which carries this reader, would otherwise load zlib at every start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { crc32, inflateRawSync } = require('node:zlib') as typeof Zlib;
  let content: Buffer;
  if (entry.method === 0) content = data;
  else if (entry.method === 8) {
    try {
      content = inflateRawSync(data, { maxOutputLength: MAX_ENTRY_BYTES });
    } catch {
      return undefined;
    }
  } else return undefined;
  return content.length === entry.size && crc32(content) >>> 0 === entry.crc >>> 0 ? content : undefined;
}

export type ReadAt = (position: number, length: number) => Promise<Buffer | undefined>;

/**
 * One file of an archive of `size` bytes, read through `read` (its end, its central directory,
 * then the entry alone). Undefined when the archive or the entry cannot be read.
 */
export async function readZipEntry(read: ReadAt, size: number, name: string): Promise<Buffer | undefined> {
  const tailOffset = Math.max(0, size - MAX_TAIL);
  const tail = await read(tailOffset, size - tailOffset);
  if (!tail) return undefined;
  const dir = zipDirectory(tail, tailOffset);
  if (!dir) return undefined;
  const directory =
    dir.offset >= tailOffset
      ? tail.subarray(dir.offset - tailOffset, dir.offset - tailOffset + dir.size)
      : await read(dir.offset, dir.size);
  const entry = directory && zipEntries(directory)?.find((e) => e.name === name);
  if (!entry || entry.compressedSize > MAX_ENTRY_BYTES) return undefined;
  const header = await read(entry.localOffset, 30);
  const skip = header && localHeaderLength(header);
  if (skip === undefined) return undefined;
  const data = await read(entry.localOffset + skip, entry.compressedSize);
  return data && entryContent(entry, data);
}
