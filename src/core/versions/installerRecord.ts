// Site-packages are read by POSIX path rules, as the mapped files that lead here (mappedContent.ts).
import { posix as path } from 'node:path';
import type { FileStat, MachineFs } from '../machine/types';
import { normalizeName } from '../base/pythonName';

/**
 * What a Python installer wrote down of the files it installed: each distribution's RECORD
 * (`<path>,sha256=<urlsafe base64>,<size>`), written after every file it lists. A file whose size
 * is the one its RECORD lists and whose change time is not after the RECORD was written has not
 * been touched since the installer listed it: its SHA-256 is the listed one, and a 40 MB native
 * library need not be read to know it. A file changed since (its ctime moves with any write, and
 * nobody can set it) is read as before.
 */

/** The `.dist-info` folder whose RECORD lists a file, the file's path in it, and what its row says. */
export interface Listing {
  info: string;
  rel: string;
  /** The RECORD's row for `rel` after its path (`sha256=<urlsafe base64>,<size>`): recordedRow reads it. */
  row: string;
  /** The RECORD's identity read just before its text (recordSig): the row is its content while that holds. */
  sig: string;
}

/**
 * What a RECORD lookup reads: folder listings, RECORDs and stats of local files, read synchronously.
 * Through the thread pool each was a round trip (a worker woken, its answer handed back) costing
 * several times the kernel's own answer, and a reinstall's first `status` asks hundreds of them
 * (docs/benchmarks.md, "Reinstall").
 */
export type RecordFs = Pick<MachineFs, 'readdirSync' | 'readTextSync' | 'statSync'>;

/** A synchronous read's answer; undefined when it fails (a folder not readable is as one absent). */
export function quietly<T>(read: () => T | undefined): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** A file's identity for "not rewritten since": device, inode, size, modification and change times. */
export const recordSig = (st: FileStat | undefined) =>
  st?.kind === 'file' ? `${st.dev ?? '?'}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : 'absent';

/**
 * Each row of a RECORD (lines of `path,hash,size`) by its path: what follows the path's comma, the
 * first row of a path written twice. One pass over the text, so a RECORD of thousands of rows is
 * split once however many of its files are asked. Paths with a comma are quoted in a RECORD: those
 * are not native libraries, and not kept. Pure: tested on stored text.
 */
export function recordRows(record: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of record.split('\n')) {
    const comma = line.indexOf(',');
    const rel = line.slice(0, comma);
    if (comma > 0 && line[0] !== '"' && !rows.has(rel)) rows.set(rel, line.slice(comma + 1).replace(/\r$/, ''));
  }
  return rows;
}

/**
 * Finds the `*.dist-info` folder whose RECORD lists an installed file. Undefined outside a
 * site-packages. One finder serves every file of a judgement: each folder is listed, and each
 * RECORD read and split into rows (recordRows), once (a reinstall of pandas, numpy and pyarrow
 * replaces a hundred libraries, and their RECORDs hold thousands of lines).
 */
export function recordFinder(fs: RecordFs): (file: string) => Promise<Listing | undefined> {
  const listings = new Map<string, string[]>();
  const records = new Map<string, { rows: Map<string, string>; sig: string }>();
  const listing = (dir: string) => memo(listings, dir, () => quietly(() => fs.readdirSync(dir)) ?? []);
  const record = (info: string) =>
    memo(records, info, () => {
      const file = path.join(info, 'RECORD');
      const sig = recordSig(quietly(() => fs.statSync(file)));
      return { rows: recordRows(quietly(() => fs.readTextSync(file)) ?? ''), sig };
    });
  return async (file) => {
    let dir = path.dirname(file);
    for (let depth = 0; depth < 6; depth++) {
      const infos = listing(dir).filter((e) => e.endsWith('.dist-info'));
      if (infos.length) {
        // `dir` is one of the file's folders, reached by dirname: its path is the file's start.
        const rel = file.slice(dir === '/' ? 1 : dir.length + 1);
        // The distribution named like the file's top folder first (`numpy.libs/` is numpy's): the
        // others' RECORDs (a site-packages holds dozens, some of 700 KB) are read only when it is not.
        const top = normalizeName(rel.split('/')[0].replace(/\.libs$/, ''));
        const named = infos.filter((i) => normalizeName(i.slice(0, i.indexOf('-'))) === top);
        for (const name of [...named, ...infos.filter((i) => !named.includes(i))]) {
          const info = path.join(dir, name);
          const { rows, sig } = record(info);
          const row = rows.get(rel);
          if (row !== undefined) return { info, rel, row, sig };
        }
        return undefined;
      }
      const up = path.dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
    return undefined;
  };
}

/**
 * The SHA-256 (hex) and size a RECORD's row lists (what follows the path: recordRows); undefined
 * for another hash, or no size.
 */
export function recordedRow(row: string | undefined): { sha256: string; size: number } | undefined {
  const m = row === undefined ? null : /^sha256=([A-Za-z0-9_-]{43}),(\d+)$/.exec(row);
  return m ? { sha256: Buffer.from(m[1], 'base64url').toString('hex'), size: Number(m[2]) } : undefined;
}

/** An installed file's SHA-256 (hex) as its RECORD lists it, and the inode it was read of. */
export interface RecordListed {
  sha256: string;
  ino: number;
}

/**
 * The SHA-256 (hex) of an installed file as its RECORD lists it, when nothing touched the file since
 * the RECORD was written: its size the listed one, its change time not after the RECORD's last
 * write (nor its change), and the RECORD still the one read (an install under way rewrites it).
 * Undefined otherwise: the file's bytes are then the only evidence. Each RECORD is stat'ed once after
 * its text was read, and each file once after that: one answer per file for every process asking.
 */
export function recordedContent(
  fs: RecordFs,
  find: (file: string) => Promise<Listing | undefined> = recordFinder(fs),
): (file: string) => Promise<RecordListed | undefined> {
  const recordStats = new Map<string, FileStat | undefined>();
  const answers = new Map<string, Promise<RecordListed | undefined>>();
  return (file) =>
    once(answers, file, async () => {
      const listed = await find(file).catch(() => undefined);
      const row = recordedRow(listed?.row);
      if (!listed || !row) return undefined;
      // The RECORD after its text was read (find awaited it), then the file: a write to either since shows.
      const rec = memo(recordStats, listed.info, () => quietly(() => fs.statSync(path.join(listed.info, 'RECORD'))));
      const st = quietly(() => fs.statSync(file));
      if (st?.kind !== 'file' || rec?.kind !== 'file' || st.size !== row.size || recordSig(rec) !== listed.sig)
        return undefined;
      return st.ctimeMs <= Math.min(rec.mtimeMs, rec.ctimeMs) ? { sha256: row.sha256, ino: st.ino } : undefined;
    });
}

/** The value `kept` holds under `key`, made by `make` the first time: each folder listed, each file read, once. */
export function memo<T>(kept: Map<string, T>, key: string, make: () => T): T {
  if (kept.has(key)) return kept.get(key) as T;
  const value = make();
  kept.set(key, value);
  return value;
}

/** The promise `memo` holds under `key`, made by `make` the first time: each folder listed, each file read, once. */
export function once<T>(memo: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = memo.get(key);
  if (!p) memo.set(key, (p = make()));
  return p;
}
