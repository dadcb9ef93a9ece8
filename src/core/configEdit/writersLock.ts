import { thisMachinePath } from '../machine/live';
import { LockableFile, openToLock } from '../machine/flock';
import { lstatMeta } from '../machine/configFiles';
import { english, Translate } from './translate';

/**
 * A client's writers' lock: a lock file beside its config that the client holds while it reads and
 * rewrites the config, so two writers never interleave. One client keeps one as far as we know:
 * GitHub Copilot CLI (1.0.102, seen with strace) creates `.mcp-writer.lock` beside
 * `~/.copilot/mcp-config.json` once (a temp file linked into place, never replaced) and takes
 * `flock(LOCK_EX)` on it around each write of the config (temp file + rename) and `flock(LOCK_SH)`
 * around each read, retrying for about 5 s ("The shared writer lock timed out"). We take LOCK_EX
 * on the same file around our check-and-replace, so neither side overwrites the other.
 *
 * Node has no flock: machine/flock.ts takes it on the lock file opened there, and it is held until
 * that file is closed. We never create the lock file: until the client has written its config once
 * there is none, and nothing to agree with.
 */

export interface WritersLock {
  /** The lock file, beside the config. */
  file: string;
  /** The client that keeps it, as a person knows it. */
  client: string;
}

const KNOWN: ReadonlyArray<{ config: string; lock: string; client: string }> = [
  { config: 'mcp-config.json', lock: '.mcp-writer.lock', client: 'Copilot CLI' },
];

/** The writers' lock a client keeps for this config file, when there is one on disk. */
export async function writersLockFor(realFile: string): Promise<WritersLock | undefined> {
  // A config rewritten here, on this machine.
  const path = thisMachinePath();
  const known = KNOWN.find((k) => k.config === path.basename(realFile));
  if (!known) return undefined;
  const file = path.join(path.dirname(realFile), known.lock);
  // Looked at, never followed: whatever is at the name (a link included) is judged once opened.
  // This machine's, as the write it guards: machine/configFiles.ts.
  const there = await lstatMeta(file).then(
    () => true,
    () => false,
  );
  if (!there) return undefined;
  return { file, client: known.client };
}

/** A held lock: release it (close the descriptor that holds it). */
export interface HeldWritersLock {
  release(): Promise<void>;
}

/**
 * Takes the lock exclusively, waiting up to `waitMs` for the client to finish. Answers why not
 * (held all that time, not a regular file of ours, no way to take it here).
 */
export async function takeWritersLock(
  lock: WritersLock,
  o: { waitMs?: number; t?: Translate; uid?: number } = {},
): Promise<HeldWritersLock | string> {
  const t = o.t ?? english;
  const waitMs = o.waitMs ?? 5000;
  let handle: LockableFile;
  try {
    handle = await openToLock(lock.file);
  } catch (err) {
    return t("cannot open {0}'s writers' lock {1}: {2}", lock.client, lock.file, (err as Error).message);
  }
  const st = await handle.stat();
  const uid = o.uid ?? process.getuid?.();
  if (!st.isFile || (uid !== undefined && st.uid !== uid && st.uid !== 0)) {
    await handle.close();
    return t(
      "{0}'s writers' lock {1} is not a regular file of this user's; nothing was written",
      lock.client,
      lock.file,
    );
  }
  const outcome = await handle.lockExclusive(waitMs);
  if (outcome === 'locked') return { release: () => handle.close() };
  await handle.close();
  return outcome === 'busy'
    ? t(
        "{0} is writing it (its writers' lock {1} stayed held for {2} s); nothing was written, run again",
        lock.client,
        lock.file,
        Math.round(waitMs / 1000),
      )
    : t(
        "{0}'s writers' lock {1} cannot be taken here (neither flock nor perl is installed); nothing was written",
        lock.client,
        lock.file,
      );
}
