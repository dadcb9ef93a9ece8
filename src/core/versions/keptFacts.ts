import type { FileStat, MachineFs } from '../machine/types';
import { Listing, memo, quietly, recordSig } from './installerRecord';

/**
 * What a one-shot run reads of files again and again, kept across runs in the first-seen store
 * (firstSeen.ts `facts`) with the identity the file it was read from had then: device, inode,
 * size, mtime and change time (installerRecord.ts `recordSig`). Any write moves a file's change
 * time, which nobody can set, so a kept fact is used only while its file has that identity still;
 * else the file is read again. After a same-version reinstall every run hashes the server's
 * metadata (packageDigest.ts) and looks up the distributions of its replaced libraries
 * (mappedContent.ts `distInfoFinder`); with these kept, the runs after the first stat those files.
 */

/** Facts as the store keeps them (firstSeen.ts `fact`), bound to the snapshot's moment (gathering.ts). */
export interface FactStore {
  get(key: string): { sig: string; value: string } | undefined;
  set(key: string, sig: string, value: string): void;
}

/**
 * A file changed this recently may change again within the file system clock's resolution and keep
 * its identity (as the snapshot's passInputs.ts FS_TIME_RESOLUTION_MS): a fact read of it is not kept.
 */
const RACY_MS = 2_000;

/** A regular file's identity when its last change came before `racyAfter`; undefined otherwise. */
function settled(st: FileStat | undefined, racyAfter: number): string | undefined {
  return st?.kind === 'file' && st.ctimeMs < racyAfter ? recordSig(st) : undefined;
}

/**
 * `fs` whose whole-file digests of regular files (never through a link: lstat) are kept by path
 * and identity. A digest is kept only when the file had the same identity before and after it was
 * read, and its last change came well before the snapshot (`at`); a range (a comparison through
 * memory) or anything but a regular file is read as `fs` reads it. Each file is read once per
 * snapshot: the processes of one server ask for the same metadata at once.
 */
export function keptDigests<F extends Pick<MachineFs, 'lstatSync' | 'digest'>>(fs: F, facts: FactStore, at: number): F {
  const reading = new Map<string, Promise<string | undefined>>();
  // Stat'ed synchronously (installerRecord.ts RecordFs): the kept digest is then the whole answer.
  const whole = async (p: string): Promise<string | undefined> => {
    const before = settled(
      quietly(() => fs.lstatSync(p)),
      at - RACY_MS,
    );
    if (before === undefined) return fs.digest(p);
    const key = `sha256:${p}`;
    const kept = facts.get(key);
    if (kept?.sig === before) return kept.value;
    const read = await fs.digest(p);
    const after = recordSig(quietly(() => fs.lstatSync(p)));
    if (read !== undefined && after === before) facts.set(key, before, read);
    return read;
  };
  const digest: MachineFs['digest'] = (p, range) => {
    if (range) return fs.digest(p, range);
    let d = reading.get(p);
    if (!d) reading.set(p, (d = whole(p)));
    return d;
  };
  return Object.assign(Object.create(fs) as F, { digest });
}

/**
 * The `*.dist-info` folder whose RECORD lists a file (mappedContent.ts `distInfoFinder`), kept by
 * the file's path with the identity its RECORD had when read: while that RECORD has it still, it
 * is the text that listed the file, and is stat'ed instead of read and searched. `find` is the
 * snapshot's finder (installerRecord.ts `recordFinder`), shared with its other readers.
 */
export function keptOwners(
  fs: Pick<MachineFs, 'statSync'>,
  find: (file: string) => Promise<Listing | undefined>,
  facts: FactStore,
  at: number,
): (file: string) => Promise<string | undefined> {
  // Stat'ed synchronously, each RECORD once (installerRecord.ts RecordFs).
  const stats = new Map<string, FileStat | undefined>();
  const statOf = (record: string) => memo(stats, record, () => quietly(() => fs.statSync(record)));
  return async (file) => {
    const key = `owner:${file}`;
    const kept = facts.get(key);
    if (kept && recordSig(statOf(`${kept.value}/RECORD`)) === kept.sig) return kept.value;
    const listed = await find(file).catch(() => undefined);
    if (!listed) return undefined;
    // Kept only when the RECORD read had settled: one written within the clock's resolution may change unseen.
    if (settled(statOf(`${listed.info}/RECORD`), at - RACY_MS) === listed.sig) facts.set(key, listed.sig, listed.info);
    return listed.info;
  };
}
