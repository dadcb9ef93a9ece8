import type { RecordListed } from './installerRecord';
import type { InstanceReaders } from './instanceEvidence';
import type { MappedAtSighting } from './mappedContent';

/**
 * The files a Python process maps inside its environment (its native libraries), as their
 * installer's RECORD lists them, kept with its first sighting. A same-version reinstall later
 * replaces each with an identical copy while the process still maps the old one (`(deleted)`):
 * the old file is then known by its device and inode (which no other file can take while it is
 * mapped) and the SHA-256 listed here, and the new one by its own RECORD, so neither is read
 * (mappedContent.ts `byRecords`). A file changed after its RECORD was written is not listed, and is
 * read when it matters.
 */

/** Files listed at most: a data-science stack maps about a hundred libraries; the store stays small. */
const MAX_FILES = 512;

/** `device:inode` and path of each file mapping inside `roots`, each file once; deleted ones left out. Pure. */
export function mappedFilesWithin(mapsText: string, roots: readonly string[]): Map<string, string> {
  const norm = roots.filter(Boolean).map((r) => (r.endsWith('/') ? r : `${r}/`));
  const out = new Map<string, string>();
  for (const line of mapsText.split('\n')) {
    const m = /^\S+\s+\S+\s+\S+\s+(\S+)\s+(\d+)\s+(\/.*)$/.exec(line);
    if (!m || m[2] === '0' || m[3].endsWith(' (deleted)')) continue;
    if (norm.some((r) => m[3].startsWith(r))) out.set(`${m[1]}:${m[2]}`, m[3]);
  }
  return out;
}

/**
 * What to keep of a process's mapped files (mappedFilesWithin) at its first sighting: those whose
 * SHA-256 their RECORD lists, untouched since (`recorded`: installerRecord.ts `recordedContent`),
 * of the very inode mapped. Undefined when none is.
 */
export async function mappedRecords(
  mapsText: string,
  roots: readonly string[],
  recorded: (file: string) => Promise<RecordListed | undefined>,
): Promise<MappedAtSighting | undefined> {
  const files = [...mappedFilesWithin(mapsText, roots)].slice(0, MAX_FILES);
  const kept = await Promise.all(
    files.map(async ([id, file]) => {
      const listed = await recorded(file);
      // The path names another file now (replaced since it was mapped): its RECORD says nothing of the mapped one.
      if (listed?.ino !== Number(id.slice(id.lastIndexOf(':') + 1))) return undefined;
      return [id, [file, listed.sha256]] as const;
    }),
  );
  const out = kept.filter((k) => k !== undefined);
  return out.length ? Object.fromEntries(out) : undefined;
}

/**
 * The snapshot's reader of mappedRecords (a guard keeps no first sightings), over the whole maps
 * (`readMaps`): what is kept between snapshots holds only the lines a judgement reads.
 */
export function mappedRecordsReader(
  readMaps: (pid: number) => Promise<string | undefined>,
  recorded: (file: string) => Promise<RecordListed | undefined>,
): Required<Pick<InstanceReaders, 'mappedRecords'>> {
  return {
    mappedRecords: async (pid, roots) => {
      const mapsText = await readMaps(pid);
      return mapsText ? mappedRecords(mapsText, roots, recorded) : undefined;
    },
  };
}
