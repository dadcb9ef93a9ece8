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

/** The `.dist-info` folder whose RECORD lists a file, the file's path in it, and the RECORD's text. */
export interface Listing {
  info: string;
  rel: string;
  record: string;
  /** The RECORD's identity read just before its text (recordSig): the text is its content while that holds. */
  sig: string;
}

/** A file's identity for "not rewritten since": device, inode, size, modification and change times. */
export const recordSig = (st: FileStat | undefined) =>
  st?.kind === 'file' ? `${st.dev ?? '?'}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : 'absent';

/**
 * Finds the `*.dist-info` folder whose RECORD lists an installed file. Undefined outside a
 * site-packages. One finder serves every file of a judgement: each folder is listed and each
 * RECORD read once (a reinstall of pandas, numpy and pyarrow replaces a hundred libraries, and
 * their RECORDs hold thousands of lines).
 */
export function recordFinder(
  fs: Pick<MachineFs, 'readdir' | 'readText' | 'stat'>,
): (file: string) => Promise<Listing | undefined> {
  const listings = new Map<string, Promise<string[]>>();
  const records = new Map<string, Promise<{ text: string; sig: string }>>();
  const listing = (dir: string) =>
    once(listings, dir, async () => (await fs.readdir(dir).catch(() => undefined)) ?? []);
  const record = (info: string) =>
    once(records, info, async () => {
      const file = path.join(info, 'RECORD');
      const sig = recordSig(await fs.stat(file).catch(() => undefined));
      return { text: (await fs.readText(file).catch(() => undefined)) ?? '', sig };
    });
  return async (file) => {
    let dir = path.dirname(file);
    for (let depth = 0; depth < 6; depth++) {
      const infos = (await listing(dir)).filter((e) => e.endsWith('.dist-info'));
      if (infos.length) {
        const rel = path.relative(dir, file).split(path.sep).join('/');
        // The distribution named like the file's top folder first (`numpy.libs/` is numpy's): the
        // others' RECORDs (a site-packages holds dozens, some of 700 KB) are read only when it is not.
        const top = normalizeName(rel.split('/')[0].replace(/\.libs$/, ''));
        const named = infos.filter((i) => normalizeName(i.slice(0, i.indexOf('-'))) === top);
        for (const name of [...named, ...infos.filter((i) => !named.includes(i))]) {
          const info = path.join(dir, name);
          const { text, sig } = await record(info);
          if (recordLists(text, rel)) return { info, rel, record: text, sig };
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

/** Whether a RECORD (lines of `path,hash,size`) lists `rel`. */
export function recordLists(record: string, rel: string): boolean {
  return record.startsWith(`${rel},`) || record.includes(`\n${rel},`);
}

/**
 * The SHA-256 (hex) and size a RECORD lists for `rel`; undefined when it lists none, another hash,
 * or no size. Paths with a comma are quoted in a RECORD: those are not native libraries, and not read.
 */
export function recordedRow(record: string, rel: string): { sha256: string; size: number } | undefined {
  // Where its line starts: 0 for the first line, after the newline for another, -1 when none lists it.
  const at = record.startsWith(`${rel},`) ? 0 : record.indexOf(`\n${rel},`) + 1 || -1;
  if (at < 0) return undefined;
  const end = record.indexOf('\n', at);
  const m = /^sha256=([A-Za-z0-9_-]{43}),(\d+)\r?$/.exec(record.slice(at + rel.length + 1, end < 0 ? undefined : end));
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
 * Undefined otherwise: the file's bytes are then the only evidence.
 */
export function recordedContent(
  fs: Pick<MachineFs, 'readdir' | 'readText' | 'stat'>,
  find: (file: string) => Promise<Listing | undefined> = recordFinder(fs),
): (file: string) => Promise<RecordListed | undefined> {
  return async (file) => {
    const listed = await find(file).catch(() => undefined);
    const row = listed && recordedRow(listed.record, listed.rel);
    if (!listed || !row) return undefined;
    const [st, rec] = await Promise.all([
      fs.stat(file).catch(() => undefined),
      fs.stat(path.join(listed.info, 'RECORD')).catch(() => undefined),
    ]);
    if (st?.kind !== 'file' || rec?.kind !== 'file' || st.size !== row.size || recordSig(rec) !== listed.sig)
      return undefined;
    return st.ctimeMs <= Math.min(rec.mtimeMs, rec.ctimeMs) ? { sha256: row.sha256, ino: st.ino } : undefined;
  };
}

/** The promise `memo` holds under `key`, made by `make` the first time: each folder listed, each file read, once. */
export function once<T>(memo: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = memo.get(key);
  if (!p) memo.set(key, (p = make()));
  return p;
}
