import { promises as fsp, Stats } from 'node:fs';
import * as path from 'node:path';

/**
 * Whether a mapped file that was replaced on disk (`(deleted)` in /proc/<pid>/maps) had the same
 * content as the file installed at its place now. A same-version reinstall replaces every file with
 * an identical copy: that is not a change, and calling it stale would teach users to ignore the
 * badge. The old bytes are read where Linux lets us: `/proc/<pid>/map_files/<range>` (the whole old
 * file; needs CAP_SYS_ADMIN), `/proc/<pid>/exe` for the process's own executable (the whole old file;
 * needs ptrace read access, which the user has to their own processes), else the mapped read-only
 * regions from `/proc/<pid>/mem` (needs ptrace access to the process). Neither readable: `unverified`, and the judgement says so.
 */

export type ContentCheck = 'identical' | 'differs' | 'unverified';

/** A replaced file's comparison, and the installed file it was compared with. */
export interface Compared {
  check: ContentCheck;
  counterpart?: string;
}

export interface MappedRegion {
  /** Hex addresses as maps writes them (the map_files link name is `<start>-<end>`). */
  start: string;
  end: string;
  perms: string;
  /** Offset in the file, bytes. */
  offset: number;
  /** The mapped file's device (`fd:01`) and inode, as maps names them: the old file, not what is at its path now. */
  device: string;
  inode: string;
  path: string;
}

/** The regions of every deleted file mapping, by path. Pure: tested on stored maps text. */
export function deletedRegions(mapsText: string): Map<string, MappedRegion[]> {
  const out = new Map<string, MappedRegion[]>();
  for (const line of mapsText.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+([0-9a-f]+)\s+(\S+)\s+(\d+)\s+(\/.*) \(deleted\)$/.exec(line);
    if (!m) continue;
    const region: MappedRegion = {
      start: m[1],
      end: m[2],
      perms: m[3],
      offset: parseInt(m[4], 16),
      device: m[5],
      inode: m[6],
      path: m[7],
    };
    const list = out.get(region.path) ?? [];
    list.push(region);
    out.set(region.path, list);
  }
  return out;
}

/**
 * Where the replacement of a deleted path is now. pip moves a package folder aside to `~<name minus
 * its first letter>` before deleting it, so the process's maps may name the stash: the installed
 * counterpart is the sibling with the same name but for that first letter.
 */
export async function counterpartOf(deleted: string): Promise<string | undefined> {
  if (await exists(deleted)) return deleted;
  const parts = deleted.split('/');
  const i = parts.findIndex((p) => p.startsWith('~') && p.length > 1);
  if (i <= 0) return undefined;
  const parent = parts.slice(0, i).join('/') || '/';
  const rest = parts[i].slice(1);
  const entries = await fsp.readdir(parent).catch(() => [] as string[]);
  for (const e of entries) {
    if (e.length === parts[i].length && e.slice(1) === rest && !e.startsWith('~')) {
      const candidate = [...parts.slice(0, i), e, ...parts.slice(i + 1)].join('/');
      if (await exists(candidate)) return candidate;
    }
  }
  return undefined;
}

async function exists(p: string): Promise<boolean> {
  return (await fsp.stat(p).catch(() => undefined))?.isFile() ?? false;
}

/** Bytes read per process at most: comparing never costs more than this. */
const BUDGET_BYTES = 64 * 1024 * 1024;
/** Compared a chunk at a time: a 100 MB native library is never held in memory whole. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Whether `length` bytes of `a` from `aAt` equal those of `b` from `bAt` (a short read of `b` past its
 * end counts as zeros: the last page of a mapping past the end of its file reads so).
 */
async function sameBytes(
  a: fsp.FileHandle,
  aAt: bigint,
  b: fsp.FileHandle,
  bAt: number,
  length: number,
): Promise<boolean | undefined> {
  const left = Buffer.alloc(Math.min(CHUNK_BYTES, length));
  const right = Buffer.alloc(left.length);
  for (let done = 0; done < length; done += left.length) {
    const n = Math.min(left.length, length - done);
    const got = await a.read({ buffer: left, offset: 0, length: n, position: aAt + BigInt(done) });
    if (got.bytesRead !== n) return undefined;
    right.fill(0, 0, n);
    await b.read({ buffer: right, offset: 0, length: n, position: bAt + done });
    if (!left.subarray(0, n).equals(right.subarray(0, n))) return false;
  }
  return true;
}

/**
 * Proofs already made, for the life of the process: the old file's content cannot change while it is
 * mapped, and the installed one is known by device, inode, size and mtime. A watch loop or a busy
 * guard asks about the same replaced libraries every few seconds; each is read once. Bounded: the
 * oldest proofs go first.
 */
const PROOFS_KEPT = 4096;
const proofs = new Map<string, ContentCheck>();

function proofKey(pid: number, regions: readonly MappedRegion[], current: Stats): string {
  const old = regions.map((r) => `${r.device}:${r.inode}@${r.start}-${r.end}`).join(',');
  return `${pid}|${old}|${current.dev}:${current.ino}:${current.size}:${current.mtimeMs}`;
}

function keepProof(key: string, check: ContentCheck): void {
  if (proofs.size >= PROOFS_KEPT) proofs.delete(proofs.keys().next().value as string);
  proofs.set(key, check);
}

/** The whole old file, opened through /proc (`old`), against the installed one. */
async function wholeFile(old: string, current: string, budget: { left: number }): Promise<ContentCheck | undefined> {
  let handle: fsp.FileHandle | undefined;
  let file: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(old, 'r');
    const st = await handle.stat();
    file = await fsp.open(current, 'r');
    const now = await file.stat();
    if (st.size !== now.size) return 'differs';
    if (st.size > budget.left) return undefined;
    budget.left -= st.size;
    const same = await sameBytes(handle, 0n, file, 0, st.size);
    return same === undefined ? undefined : same ? 'identical' : 'differs';
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
    await file?.close().catch(() => undefined);
  }
}

/** The whole old file through map_files (root or CAP_SYS_ADMIN only). */
function viaMapFiles(
  pid: number,
  region: MappedRegion,
  current: string,
  budget: { left: number },
): Promise<ContentCheck | undefined> {
  return wholeFile(`/proc/${pid}/map_files/${region.start}-${region.end}`, current, budget);
}

/** The whole old executable through /proc/<pid>/exe, when the replaced file is the process's own executable. */
async function viaExe(
  pid: number,
  replaced: string,
  current: string,
  budget: { left: number },
): Promise<ContentCheck | undefined> {
  const link = await fsp.readlink(`/proc/${pid}/exe`).catch(() => undefined);
  return link === `${replaced} (deleted)` ? wholeFile(`/proc/${pid}/exe`, current, budget) : undefined;
}

/** The read-only mapped regions through /proc/<pid>/mem, each against the same range of the file now. */
async function viaMem(
  pid: number,
  regions: MappedRegion[],
  current: string,
  budget: { left: number },
): Promise<ContentCheck | undefined> {
  const readOnly = regions.filter((r) => !r.perms.includes('w'));
  if (!readOnly.length) return undefined;
  let mem: fsp.FileHandle | undefined;
  let file: fsp.FileHandle | undefined;
  try {
    mem = await fsp.open(`/proc/${pid}/mem`, 'r');
    file = await fsp.open(current, 'r');
    for (const r of readOnly) {
      const len = Number(BigInt(`0x${r.end}`) - BigInt(`0x${r.start}`));
      if (len > budget.left) return undefined;
      budget.left -= len;
      const same = await sameBytes(mem, BigInt(`0x${r.start}`), file, r.offset, len);
      if (same === undefined) return undefined;
      if (!same) return 'differs';
    }
    return 'identical';
  } catch {
    return undefined;
  } finally {
    await mem?.close().catch(() => undefined);
    await file?.close().catch(() => undefined);
  }
}

/**
 * Compares each replaced mapped file of a process with its installed counterpart. A file with no
 * counterpart any more differs (what the process mapped is no longer installed).
 */
export async function compareReplaced(
  pid: number,
  mapsText: string,
  paths: readonly string[],
): Promise<Map<string, Compared>> {
  const regions = deletedRegions(mapsText);
  const budget = { left: BUDGET_BYTES };
  const out = new Map<string, Compared>();
  for (const p of paths) {
    const current = await counterpartOf(p);
    if (!current) {
      out.set(p, { check: 'differs' });
      continue;
    }
    const rs = regions.get(p) ?? [];
    const now = await fsp.stat(current).catch(() => undefined);
    const key = now && proofKey(pid, rs, now);
    let check: ContentCheck | undefined = key === undefined ? undefined : proofs.get(key);
    if (check === undefined) {
      for (const r of rs) {
        check = await viaMapFiles(pid, r, current, budget);
        if (check) break;
      }
      check ??= await viaExe(pid, p, current, budget);
      check ??= await viaMem(pid, rs, current, budget);
      // "Unverified" may be a budget spent on other files this time: only proofs are kept.
      if (key !== undefined && check !== undefined) keepProof(key, check);
    }
    out.set(p, { check: check ?? 'unverified', counterpart: current });
  }
  return out;
}

/**
 * The `*.dist-info` folder whose RECORD lists an installed file: a mapped file identical to the one
 * installed vouches for its distribution (a native library differs between releases), so that
 * distribution's rewritten metadata is a reinstall, not a change. Undefined outside a site-packages.
 */
export async function distInfoOwning(file: string): Promise<string | undefined> {
  let dir = path.dirname(file);
  for (let depth = 0; depth < 6; depth++) {
    const entries = await fsp.readdir(dir).catch(() => [] as string[]);
    const infos = entries.filter((e) => e.endsWith('.dist-info'));
    if (infos.length) {
      const rel = path.relative(dir, file).split(path.sep).join('/');
      for (const info of infos) {
        const record = await fsp.readFile(path.join(dir, info, 'RECORD'), 'utf8').catch(() => '');
        if (record.split(/\r?\n/).some((line) => line.startsWith(`${rel},`))) return path.join(dir, info);
      }
      return undefined;
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}
