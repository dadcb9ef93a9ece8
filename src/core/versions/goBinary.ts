import { promises as fsp } from 'node:fs';
import { findBuildInfo, GoBuildInfo, headerOffsets, BUILD_INFO_MAGIC } from './goBuildInfo';

/**
 * Where a Go binary's build information is read from: the file installed at a path (through the
 * resolution's file reads, so a cached answer is checked against the file), and the executable a
 * process runs (`/proc/<pid>/exe`: the bytes it started from, even once a new file was renamed over
 * its path). The bytes are searched for the header (goBuildInfo.ts parses it); nothing is run.
 */

/** Bytes read per search, and per header (its strings: the Go release and the module list). */
const CHUNK = 1024 * 1024;
const HEADER_READ = 64 * 1024;
/** Never searched past this: a larger file is not read for a version. */
const SEARCH_LIMIT = 256 * 1024 * 1024;

type ReadAt = (position: number, length: number) => Promise<Buffer | undefined>;

/** Searches a file's bytes for the header, a chunk at a time, each chunk overlapping the next by the magic's length. */
export async function searchBuildInfo(read: ReadAt, limit = SEARCH_LIMIT): Promise<GoBuildInfo | undefined> {
  for (let pos = 0; pos < limit; pos += CHUNK) {
    const chunk = await read(pos, CHUNK + BUILD_INFO_MAGIC.length);
    if (!chunk?.length) return undefined;
    for (const at of headerOffsets(chunk, pos)) {
      if (at >= CHUNK) continue; // the next chunk starts with it
      const bytes = await read(pos + at, HEADER_READ);
      const info = bytes && findBuildInfo(bytes, pos + at);
      if (info) return info;
    }
    if (chunk.length < CHUNK + BUILD_INFO_MAGIC.length) return undefined;
  }
  return undefined;
}

/** The build information of the file at `file`, read through `readBytes` (undefined: none, or not a Go binary). */
export function buildInfoOfFile(
  readBytes: (path: string, position: number, length: number) => Promise<Buffer | undefined>,
  file: string,
): Promise<GoBuildInfo | undefined> {
  return searchBuildInfo((position, length) => readBytes(file, position, length));
}

/** What a process's executable holds never changes for one process: read once per pid and start. */
const running = new Map<string, Promise<GoBuildInfo | undefined>>();
const KEPT = 512;

/**
 * The build information of the executable process `pid` runs (Linux: `/proc/<pid>/exe`, the old
 * file when a new one replaced it). Undefined elsewhere, when not readable, or not a Go binary.
 */
export function runningBuildInfo(
  pid: number,
  startTime: number | undefined,
  platform: NodeJS.Platform,
): Promise<GoBuildInfo | undefined> {
  if (platform !== 'linux') return Promise.resolve(undefined);
  const key = `${pid}@${startTime ?? '?'}`;
  let hit = running.get(key);
  if (!hit) {
    if (running.size >= KEPT) running.delete(running.keys().next().value as string);
    running.set(key, (hit = readExe(pid)));
  }
  return hit;
}

async function readExe(pid: number): Promise<GoBuildInfo | undefined> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(`/proc/${pid}/exe`, 'r');
    const h = handle;
    return await searchBuildInfo(async (position, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await h.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    });
  } catch {
    return undefined; // gone, or not ours to read
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
