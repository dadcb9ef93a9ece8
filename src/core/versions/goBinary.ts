import type { Bucket } from '../base/engineCache';
import type { Machine, MachineFs } from '../machine/types';
import { findBuildInfo, GoBuildInfo } from './goBuildInfo';

/**
 * Where a Go binary's build information is read from: the file installed at a path (through the
 * resolution's file reads, so a cached answer is checked against the file), and the executable a
 * process runs (`/proc/<pid>/exe`: the bytes it started from, even once a new file was renamed over
 * its path). The Machine searches the bytes for the header's magic (a chunk at a time, never the
 * whole file in memory); goBuildInfo.ts parses what follows each. Nothing is run.
 */

/** Bytes read per header (its strings: the Go release and the module list). */
const HEADER_READ = 64 * 1024;
/** Never searched past this: a larger file is not read for a version. */
const SEARCH_LIMIT = 256 * 1024 * 1024;
/** BUILD_INFO_MAGIC (`\xff Go buildinf:`) as a pattern over the bytes read as latin1. */
const MAGIC_PATTERN = String.raw`\xff Go buildinf:`;

/** The first build information header in a file that parses (undefined: none, or not a Go binary). */
export async function buildInfoOf(
  fs: Pick<MachineFs, 'searchBytes' | 'readBytes'>,
  file: string,
  limit = SEARCH_LIMIT,
): Promise<GoBuildInfo | undefined> {
  const found = await fs.searchBytes(file, MAGIC_PATTERN, limit);
  for (const { at } of found ?? []) {
    const bytes = await fs.readBytes(file, at, HEADER_READ);
    const info = bytes && findBuildInfo(bytes, at);
    if (info) return info;
  }
  return undefined;
}

/** What a process's executable holds never changes for one process: read once per pid and start (the engine's bucket). */
export const RUNNING_BUILD_INFO = { name: 'go-running-build-info', limit: 512 } as const;

/**
 * The build information of the executable process `pid` runs (Linux: `/proc/<pid>/exe`, the old
 * file when a new one replaced it). Undefined elsewhere, when not readable, or not a Go binary.
 */
export function runningBuildInfo(
  pid: number,
  startTime: number | undefined,
  machine: Machine,
  kept?: Bucket<string, Promise<GoBuildInfo | undefined>>,
): Promise<GoBuildInfo | undefined> {
  if (machine.host.platform !== 'linux') return Promise.resolve(undefined);
  const read = () => buildInfoOf(machine.fs, `/proc/${pid}/exe`).catch(() => undefined); // gone, or not ours to read
  return kept ? kept.getOrSet(`${pid}@${startTime ?? '?'}`, read) : read();
}
