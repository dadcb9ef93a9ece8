import type { Bucket } from '../base/engineCache';
import type { FileStat, MachineFs } from '../machine/types';
import { memo, quietly, RecordFs, RecordListed, recordFinder } from './installerRecord';
import { deletedLines } from './maps';

/**
 * Whether a mapped file that was replaced on disk (`(deleted)` in /proc/<pid>/maps) had the same
 * content as the file installed at its place now. A same-version reinstall replaces every file with
 * an identical copy: that is not a change, and calling it stale would teach users to ignore the
 * badge. The old bytes are read (as SHA-256 digests, streamed: machine/liveFs.ts) where Linux lets us: `/proc/<pid>/map_files/<range>` (the whole old
 * file; needs CAP_SYS_ADMIN), `/proc/<pid>/exe` for the process's own executable (the whole old file;
 * needs ptrace read access, which the user has to their own processes), else the regions it never wrote
 * (unwrittenRegions) from `/proc/<pid>/mem` (needs ptrace access to the process). Neither readable: `unverified`, and the judgement says so.
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
  for (const line of deletedLines(mapsText)) {
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
export async function counterpartOf(
  deleted: string,
  fs: MachineFs,
  /** The folder listing (one caller's files share their stash's parent: listed once for all). */
  listing: (dir: string) => Promise<string[]> = async (dir) => (await fs.readdir(dir).catch(() => undefined)) ?? [],
  /** A file's stat (one caller's files are asked once: the counterpart found is the one it compares). */
  stat: (file: string) => Promise<FileStat | undefined> = (file) => fs.stat(file).catch(() => undefined),
): Promise<string | undefined> {
  const exists = async (p: string) => (await stat(p))?.kind === 'file';
  const parts = deleted.split('/');
  const i = parts.findIndex((p) => p.startsWith('~') && p.length > 1);
  const entries = i > 0 ? await listing(parts.slice(0, i).join('/') || '/') : undefined;
  // Under a stash folder its parent no longer lists (pip removes it once done), the path is not asked for.
  if ((!entries || entries.includes(parts[i])) && (await exists(deleted))) return deleted;
  const rest = parts[i]?.slice(1);
  for (const e of entries ?? []) {
    if (e.length === parts[i].length && e.slice(1) === rest && !e.startsWith('~')) {
      const candidate = [...parts.slice(0, i), e, ...parts.slice(i + 1)].join('/');
      if (await exists(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Bytes read per process at most: comparing never costs more than this. Enough for the native
 * libraries of a data-science stack (pandas, numpy and pyarrow map about 170 MiB): a file left
 * unproven is named as a change, and the next check reads it (and whatever else is left) again.
 */
const BUDGET_BYTES = 256 * 1024 * 1024;
/**
 * Proofs already made, kept by the engine (its `content-proofs` bucket): the old file's content
 * cannot change while it is mapped, and the installed one is known by device, inode, size and
 * mtime. A watch loop or a busy guard asks about the same replaced libraries every few seconds;
 * each is read once.
 */
export const CONTENT_PROOFS = { name: 'content-proofs', limit: 4096 } as const;
export type ProofBucket = Pick<Bucket<string, ContentCheck>, 'get' | 'set'>;

/**
 * What says a file's content without reading its bytes: an installed file's SHA-256 (hex) as its
 * installer's RECORD lists it, untouched since (installerRecord.ts `recordedContent`); and the files
 * the process mapped when it was first seen (`sighted`, mappedRecords.ts): by `device:inode` as its
 * maps named them, the path and the SHA-256 their RECORD listed then.
 */
export interface RecordedContent {
  installed?(file: string): Promise<RecordListed | undefined>;
  sighted?: MappedAtSighting;
}

/** Files a process mapped when first seen, by `device:inode`: `[path, sha256]` (mappedRecords.ts). */
export type MappedAtSighting = Readonly<Record<string, readonly [string, string]>>;

/**
 * Comparisons made or under way in one set of readers (one snapshot), by proof key: the processes
 * of one server tree map the same replaced libraries and are judged at once, and each old file is
 * read once for all of them.
 */
export type PendingProofs = Map<string, Promise<ContentCheck | undefined>>;

/**
 * What a proof is kept by: the replaced file (its path as mapped, device and inode, and the ranges
 * of it a comparison through memory reads) and the installed one's device, inode, size, mtime and
 * ctime. Not the process: every process mapping that old file maps the same bytes, and shares the
 * proof. The installed file's identity pins the moment of the replacement, so the inode of an old
 * file freed since cannot name another old file under the same key.
 */
function proofKey(file: string, regions: readonly MappedRegion[], current: FileStat): string {
  const old = [...new Set(regions.map((r) => `${r.device}:${r.inode}`))].join(',');
  // User-space addresses fit a double exactly (47 bits on x86-64, 48 on arm64).
  const ranges = unwrittenRegions(regions).map((r) => `${r.offset}+${parseInt(r.end, 16) - parseInt(r.start, 16)}`);
  // The change time too: an installer may set a file's mtime (pip keeps the wheel's), never its ctime.
  return `${file}|${old}|${ranges.join(',')}|${current.dev ?? '?'}:${current.ino}:${current.size}:${current.mtimeMs}:${current.ctimeMs}`;
}

/** Two digests: identical, differs, or not known when either could not be read. */
function checkOf(a: string | undefined, b: string | undefined): ContentCheck | undefined {
  return a === undefined || b === undefined ? undefined : a === b ? 'identical' : 'differs';
}

/**
 * One replaced file being compared: the process that maps it, the file installed at its place now,
 * and what is left of the bytes this process's comparisons may read (shared by all its files).
 */
interface Comparison {
  fs: MachineFs;
  pid: number;
  current: string;
  budget: { left: number };
  recorded?: RecordedContent;
}

/**
 * The whole old file, read through /proc (`old`), against the installed one: against the SHA-256
 * its RECORD lists when it is untouched since, its bytes read only when that does not match (a
 * RECORD can be wrong: "differs" rests on the bytes of both).
 */
async function wholeFile(
  { fs, current, budget, recorded }: Comparison,
  old: string,
): Promise<ContentCheck | undefined> {
  try {
    const [st, now] = await Promise.all([fs.stat(old), fs.stat(current)]);
    if (!st || !now) return undefined;
    if (st.size !== now.size) return 'differs';
    if (st.size > budget.left) return undefined;
    budget.left -= st.size;
    const [was, listed] = await Promise.all([fs.digest(old), recorded?.installed?.(current)]);
    if (was !== undefined && was === listed?.sha256 && listed.ino === now.ino) return 'identical';
    return checkOf(was, await fs.digest(current));
  } catch {
    return undefined;
  }
}

/**
 * Neither file read: the old one (one device and inode, as the maps name it) as its RECORD listed
 * it when the process was first seen mapping it at the path the installed one has now, the
 * installed one as its RECORD lists it now, both untouched since their RECORD was written. The same
 * SHA-256 is `identical`; anything else is left to the bytes.
 */
async function byRecords(
  regions: readonly MappedRegion[],
  current: string,
  now: FileStat,
  recorded: RecordedContent | undefined,
): Promise<'identical' | undefined> {
  const ids = new Set(regions.map((r) => `${r.device}:${r.inode}`));
  const then = ids.size === 1 && recorded?.sighted ? recorded.sighted[[...ids][0]] : undefined;
  if (!Array.isArray(then) || then[0] !== current || typeof then[1] !== 'string') return undefined;
  const listed = await recorded?.installed?.(current);
  return listed?.sha256 === then[1] && listed.ino === now.ino ? 'identical' : undefined;
}

/** The whole old file through map_files (root or CAP_SYS_ADMIN only). */
function viaMapFiles(c: Comparison, region: MappedRegion): Promise<ContentCheck | undefined> {
  return wholeFile(c, `/proc/${c.pid}/map_files/${region.start}-${region.end}`);
}

/** The whole old executable through /proc/<pid>/exe, when the replaced file is the process's own executable. */
async function viaExe(c: Comparison, replaced: string): Promise<ContentCheck | undefined> {
  const link = await c.fs.readlink(`/proc/${c.pid}/exe`).catch(() => undefined);
  return link === `${replaced} (deleted)` ? wholeFile(c, `/proc/${c.pid}/exe`) : undefined;
}

/**
 * The regions of one mapped file that hold its bytes as the file has them: readable and never
 * written. Not a writable region (its pages are the process's copy), not a reserved gap (`---p`,
 * nothing to read), and not the relocated read-only part of a writable segment (RELRO: `.got`,
 * `.data.rel.ro`, which the dynamic linker writes the library's load addresses into before making
 * them read-only), recognised as a read-only, non-executable region that ends where a writable
 * region of the same file begins. Pure: tested on stored maps text.
 */
export function unwrittenRegions(regions: readonly MappedRegion[]): MappedRegion[] {
  const writableStarts = new Set(regions.filter((r) => r.perms.includes('w')).map((r) => r.start));
  return regions.filter(
    (r) =>
      r.perms.startsWith('r') && !r.perms.includes('w') && !(r.perms.startsWith('r--') && writableStarts.has(r.end)),
  );
}

/** The unwritten mapped regions (unwrittenRegions) through /proc/<pid>/mem, each against the same range of the file now. */
async function viaMem(
  { fs, pid, current, budget }: Comparison,
  regions: MappedRegion[],
): Promise<ContentCheck | undefined> {
  const readOnly = unwrittenRegions(regions);
  if (!readOnly.length) return undefined;
  try {
    for (const r of readOnly) {
      const length = parseInt(r.end, 16) - parseInt(r.start, 16);
      if (length > budget.left) return undefined;
      budget.left -= length;
      // User-space addresses fit a double exactly (47 bits on x86-64, 48 on arm64).
      const check = checkOf(
        ...(await Promise.all([
          fs.digest(`/proc/${pid}/mem`, { position: parseInt(r.start, 16), length }),
          fs.digest(current, { position: r.offset, length }),
        ])),
      );
      if (check !== 'identical') return check;
    }
    return 'identical';
  } catch {
    return undefined;
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
  fs: MachineFs,
  proofs?: ProofBucket,
  pending: PendingProofs = new Map(),
  recorded?: RecordedContent,
): Promise<Map<string, Compared>> {
  const regions = deletedRegions(mapsText);
  const budget = { left: BUDGET_BYTES };
  const out = new Map<string, Compared>();
  // Listed and stat'ed synchronously, each once: local metadata, hundreds of files after a reinstall (RecordFs).
  const listings = new Map<string, string[]>();
  const listing = async (dir: string) => memo(listings, dir, () => quietly(() => fs.readdirSync(dir)) ?? []);
  const stats = new Map<string, FileStat | undefined>();
  const stat = async (file: string) => memo(stats, file, () => quietly(() => fs.statSync(file)));
  for (const p of paths) {
    const current = await counterpartOf(p, fs, listing, stat);
    if (!current) {
      out.set(p, { check: 'differs' });
      continue;
    }
    const rs = regions.get(p) ?? [];
    const now = await stat(current);
    const key = now && proofKey(p, rs, now);
    let check: ContentCheck | undefined = key === undefined ? undefined : proofs?.get(key);
    if (check === undefined) {
      const compare = async () => {
        const listed = now && (await byRecords(rs, current, now, recorded));
        if (listed) return listed;
        const c: Comparison = { fs, pid, current, budget, ...(recorded ? { recorded } : {}) };
        let found: ContentCheck | undefined;
        for (const r of rs) {
          found = await viaMapFiles(c, r);
          if (found) break;
        }
        found ??= await viaExe(c, p);
        return found ?? (await viaMem(c, rs));
      };
      // Another process of this snapshot comparing the same old file: its answer.
      if (key === undefined) check = await compare();
      else {
        let shared = pending.get(key);
        if (!shared) pending.set(key, (shared = compare()));
        check = await shared;
      }
      // "Unverified" may be a budget spent on other files this time: only proofs are kept.
      if (key !== undefined && check !== undefined) proofs?.set(key, check);
    }
    out.set(p, { check: check ?? 'unverified', counterpart: current });
  }
  return out;
}

/**
 * Finds the `*.dist-info` folder whose RECORD lists an installed file: a mapped file identical to
 * the one installed vouches for its distribution (a native library differs between releases), so
 * that distribution's rewritten metadata is a reinstall, not a change. Undefined outside a
 * site-packages; each folder listed and each RECORD read once for every file (installerRecord.ts).
 */
export function distInfoFinder(fs: RecordFs): (file: string) => Promise<string | undefined> {
  const find = recordFinder(fs);
  return async (file) => (await find(file))?.info;
}
