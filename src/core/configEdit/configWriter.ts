import { thisMachinePath } from '../machine/live';
import { randomBytes } from 'node:crypto';
import {
  createExclusive,
  FileMeta,
  lstatMeta,
  OpenFile,
  openToRead,
  readRealFileSync,
  realPath,
  renameOver,
  syncFolder,
  unlinkName,
} from '../machine/configFiles';
import { english, Translate } from './translate';
import { takeWritersLock, writersLockFor } from './writersLock';

/**
 * The one writer of client config files, for every face (the CLI's `wrap`/`unwrap`, the
 * extension's Wrap with Guard, Unwrap, Share One Instance and Unshare). A file is read as bytes
 * (`readConfigForEdit`), an edit is computed on them, and `writeConfigFile` puts the new bytes in place
 * only if nothing changed meanwhile and nobody else can interfere:
 *
 * - the file's folder must be one only we (or root) can change: owned by us or root, not writable
 *   by others or by a group other than our own, unless it is sticky (like /tmp) and the file is
 *   ours; otherwise it is refused, naming the folder and why;
 * - the new content goes to a fresh temp file beside it, opened with O_CREAT|O_EXCL|O_NOFOLLOW and
 *   the file's mode, given the file's mode and owner through its descriptor (never by path), synced,
 *   then renamed over the file;
 * - right before the rename the file must still be the one read (same inode, same bytes), and a
 *   client's writers' lock is held where one is kept (writersLock.ts);
 * - the replaced file stays open: a save another program made into it in place around the rename
 *   (its save would be lost with the old file) is put back, and the edit reported as not done;
 * - a file that no longer holds our bytes once the writing settled was saved again by someone
 *   else: their save stays, and the edit is reported as not done.
 *
 * Nothing is ever silently lost: each outcome that is not "written" comes with its reason. The file
 * operations themselves are this machine's (machine/configFiles.ts); every check, decision and
 * message is here.
 */

/** A config file as read for an edit: the bytes the edit was computed on, and which file held them. */
export interface ConfigFileRead {
  file: string;
  bytes: Buffer;
  /** The file the path led to when read (a link is written through to it), its device and inode. */
  real?: string;
  dev?: number;
  ino?: number;
}

/** Reads a config file for an edit: its bytes and identity, or why it cannot be read. */
export function readConfigForEdit(file: string): ConfigFileRead | Error {
  try {
    const { real, stat, bytes } = readRealFileSync(file);
    if (!bytes) return new Error('it is not a regular file');
    return { file, bytes, real, dev: stat.dev, ino: stat.ino };
  } catch (err) {
    return err as Error;
  }
}

export interface WriteOptions {
  /** Words the reasons (the extension's `t`); English by default. */
  t?: Translate;
  /** How long a client's writers' lock is waited for (5 s, as Copilot CLI waits for it). */
  lockWaitMs?: number;
  /** How long after the rename a save into the replaced file, or over ours, is watched for. */
  settleMs?: number;
  /** Whose folders count as ours; this process's by default (tests inject others). */
  ids?: { uid: number; gid: number };
  /** This machine's platform (the file is rewritten here): the owner and mode checks are POSIX's. */
  platform: NodeJS.Platform;
  /**
   * Called at the two moments a concurrent save is dangerous, so a test can make one happen there
   * for real: after the last check, right before the rename; and right after the rename.
   */
  hooks?: { afterCheck?: () => void | Promise<void>; afterRename?: () => void | Promise<void> };
}

/** Why a folder may not hold a file we replace, or undefined when it may. */
export function folderRefusal(
  dir: string,
  dirStat: Pick<FileMeta, 'uid' | 'gid' | 'mode' | 'isDirectory'>,
  fileStat: Pick<FileMeta, 'uid'>,
  ids: { uid: number; gid: number },
  t: Translate = english,
): string | undefined {
  if (!dirStat.isDirectory()) return t('{0} is not a folder; nothing was written', dir);
  const sticky = (dirStat.mode & 0o1000) !== 0;
  const mode = (dirStat.mode & 0o7777).toString(8).padStart(4, '0');
  if (dirStat.uid !== ids.uid && dirStat.uid !== 0)
    return t(
      '{0} belongs to another user (uid {1}), who could swap the file while it is written; nothing was written (edit it as that user)',
      dir,
      dirStat.uid,
    );
  const otherWritable = (dirStat.mode & 0o002) !== 0 || ((dirStat.mode & 0o020) !== 0 && dirStat.gid !== ids.gid);
  if (otherWritable && !(sticky && fileStat.uid === ids.uid))
    return t(
      '{0} can be written by other users (mode {1}), who could swap the file while it is written; nothing was written (make it private: chmod go-w)',
      dir,
      mode,
    );
  return undefined;
}

/**
 * Writes `after` over the file `read` came from, as the header says. Returns undefined when the
 * file holds `after`, else why not (and then the file holds what someone else saved, or what it
 * held before: never a mix, never less).
 */
export async function writeConfigFile(
  read: ConfigFileRead,
  after: Buffer,
  o: WriteOptions,
): Promise<string | undefined> {
  const t = o.t ?? english;
  const changed = t('it changed since it was read; nothing was written to it, run again');
  let real: string;
  try {
    real = await realPath(read.file);
  } catch (err) {
    return t('cannot read it again: {0}', (err as Error).message);
  }
  if (read.real !== undefined && real !== read.real) return changed;
  // Rewritten here, on this machine: its path rules.
  const path = thisMachinePath();
  const dir = path.dirname(real);
  const posix = o.platform !== 'win32';
  const ids =
    o.ids ?? (posix && process.getuid && process.getgid ? { uid: process.getuid(), gid: process.getgid() } : undefined);
  if (posix && ids) {
    try {
      const refusal = folderRefusal(dir, await lstatMeta(dir), await lstatMeta(real), ids, t);
      if (refusal) return refusal;
    } catch (err) {
      return t('cannot read it again: {0}', (err as Error).message);
    }
  }
  const lock = posix ? await writersLockFor(real) : undefined;
  const held = lock
    ? await takeWritersLock(lock, { waitMs: o.lockWaitMs, t, ...(ids ? { uid: ids.uid } : {}) })
    : undefined;
  if (typeof held === 'string') return held;
  let original: OpenFile | undefined;
  try {
    try {
      original = await openToRead(real);
    } catch (err) {
      return t('cannot read it again: {0}', (err as Error).message);
    }
    const st = await original.stat();
    if (!st.isFile()) return t('it is not a regular file; nothing was written');
    if (
      (read.ino !== undefined && (st.ino !== read.ino || st.dev !== read.dev)) ||
      !(await original.content()).equals(read.bytes)
    )
      return changed;
    return await replace(real, { handle: original, stat: st, bytes: read.bytes }, after, st, o, t);
  } finally {
    await original?.close();
    await held?.release();
  }
}

/** The file as it stands (open), what it must still hold, and its identity. */
interface Current {
  handle: OpenFile;
  stat: FileMeta;
  bytes: Buffer;
}

/**
 * Puts `content` in place of `current`, then watches the replaced file: a save into it is put back
 * in its turn (their save replaces ours), until none comes. `meta` gives the mode and owner.
 */
async function replace(
  real: string,
  first: Current,
  content: Buffer,
  meta: FileMeta,
  o: WriteOptions,
  t: Translate,
): Promise<string | undefined> {
  const keptTheirs = t(
    'another program saved it while it was being written; its save was kept and this edit was not written, run again',
  );
  let current = first;
  let writing = content;
  let restored = false;
  const opened: OpenFile[] = [];
  try {
    for (let round = 0; ; round++) {
      if (round === 8)
        return t('another program kept saving it while it was being written; check that it holds its last save');
      const swapped = await swapIn(real, current, writing, meta, o, round === 0);
      if (swapped === 'changed')
        // First: nothing was written. Later: the file holds a save of theirs newer than the one we were putting back.
        return round === 0 ? t('it changed since it was read; nothing was written to it, run again') : keptTheirs;
      if (typeof swapped === 'string')
        return round === 0
          ? swapped
          : t(
              'another program saved it while it was being written, and its save could not be put back ({0}); check the file',
              swapped,
            );
      opened.push(swapped.handle);
      if (round === 0) await o.hooks?.afterRename?.();
      const late = await lateSave(current, o.settleMs ?? 100);
      current = swapped;
      if (late === undefined) break;
      // A save landed in the file we replaced: it is the newer one, and goes back in place of ours.
      restored = true;
      writing = late;
    }
    if (restored) return keptTheirs;
    // Once settled, the file must still be ours: otherwise someone saved over it (their save stays).
    const now = await lstatMeta(real).catch(() => undefined);
    if (
      !now ||
      now.ino !== current.stat.ino ||
      now.dev !== current.stat.dev ||
      !(await current.handle.content()).equals(writing)
    )
      return t(
        'another program saved it right after it was written; its save was kept and may not hold this edit, run again',
      );
    return undefined;
  } finally {
    for (const h of opened) await h.close();
  }
}

/**
 * One replacement: a temp file beside `real` with `content` (the mode and owner of `meta`, set
 * through its descriptor), checked against `current` right before the rename. Returns the new
 * file (open for reading, whatever later takes its name), 'changed' when `current` no longer
 * stands as it was, or why the write failed.
 */
async function swapIn(
  real: string,
  current: Current,
  content: Buffer,
  meta: FileMeta,
  o: WriteOptions,
  first: boolean,
): Promise<Current | string> {
  const t = o.t ?? english;
  // Rewritten here, on this machine: its path rules.
  const path = thisMachinePath();
  const dir = path.dirname(real);
  let tmp: string | undefined;
  let handle: OpenFile | undefined;
  let reader: OpenFile | undefined;
  try {
    // A fresh name each try: one planted in advance can only make this open fail (O_EXCL), never be followed.
    for (let i = 0; !handle; i++) {
      tmp = path.join(dir, `.${path.basename(real)}.mcp-lifeguard-${randomBytes(8).toString('hex')}.tmp`);
      try {
        handle = await createExclusive(tmp, meta.mode & 0o777);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i >= 4) throw err;
      }
    }
    await handle.write(content);
    if (o.platform !== 'win32') {
      const mine = await handle.stat();
      if (mine.uid !== meta.uid || mine.gid !== meta.gid)
        await handle.chown(meta.uid, meta.gid).catch(() => {
          // Only root may give a file away (or to another group of ours): a file of ours stays ours.
        });
      // After chown, which clears set-id bits: the file's whole mode, umask or not.
      await handle.chmod(meta.mode & 0o7777);
    }
    await handle.sync();
    const written = await handle.stat();
    // Our own inode, readable whatever later takes its name (checked to be the one we wrote).
    reader = await openToRead(tmp!);
    if ((await reader.stat()).ino !== written.ino) return t('cannot write it: its temp file was replaced');
    // The last look: the file still the one we replace, holding what it held, our temp still ours.
    const [now, ours] = await Promise.all([
      lstatMeta(real).catch(() => undefined),
      lstatMeta(tmp!).catch(() => undefined),
    ]);
    if (!ours || ours.ino !== written.ino) return t('cannot write it: its temp file was replaced');
    if (
      !now ||
      now.ino !== current.stat.ino ||
      now.dev !== current.stat.dev ||
      !(await current.handle.content()).equals(current.bytes)
    )
      return 'changed';
    if (first) await o.hooks?.afterCheck?.();
    await renameOver(tmp!, real);
    tmp = undefined;
    await syncFolder(dir);
    const done = { handle: reader, stat: written, bytes: content };
    reader = undefined;
    return done;
  } catch (err) {
    return t('cannot write it: {0}', (err as Error).message);
  } finally {
    await handle?.close();
    await reader?.close();
    if (tmp !== undefined) {
      // Remove our temp file only: whatever else now has its name is left alone.
      const left = await lstatMeta(tmp).catch(() => undefined);
      if (left?.isFile()) await unlinkName(tmp).catch(() => undefined);
    }
  }
}

/**
 * A save that landed in `replaced` (the file we just renamed away) in place, after we last read
 * it: watched for `settleMs`; once one is seen, read again until it stops changing (the other
 * program may still be writing it), at most 2 s. Returns its final content, or undefined.
 */
async function lateSave(replaced: Current, settleMs: number): Promise<Buffer | undefined> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const now = await replaced.handle.content();
    if (!now.equals(replaced.bytes)) {
      let last = now;
      const stopBy = Date.now() + 2000;
      for (;;) {
        await sleep(20);
        const again = await replaced.handle.content();
        if (again.equals(last) || Date.now() >= stopBy) return again;
        last = again;
      }
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(10, Math.max(1, deadline - Date.now())));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
