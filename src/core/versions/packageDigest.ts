import { createHash } from 'node:crypto';
import type { PathRules } from '../base/hostEnv';
import type { MachineFs } from '../machine/types';

/**
 * Digests kept by the engine, by folder and the package's change time (`changedAt`, which an
 * install moves): a reinstall of the same files under a running server is hashed once, not at
 * every refresh until the server restarts.
 */
export const PACKAGE_DIGESTS = { name: 'package-digests', limit: 256 } as const;

/** A package's own files hashed at most: a larger folder gets no digest (its version alone speaks). */
const MAX_FILES = 2000;
const MAX_BYTES = 64 * 1024 * 1024;
/** Folders inside a package that are not its own code: other packages, caches, version control. */
const NOT_OWN = /^(node_modules|__pycache__|\.git)$/;
/**
 * A RECORD's row of a launcher the installer wrote into the environment's bin folder (`../../../bin/x`,
 * `../../Scripts/x.exe`): its bytes name that environment's interpreter, so the same release installed
 * in two environments (a uv tool and uvx's cache, two venvs) lists other hashes there. Not the package's code.
 */
const LAUNCHER_ROW = /^(\.\.\/)+(bin|Scripts)\//;
/** Marks a digest whose RECORDs were read without their launchers' rows: one taken whole (before) is not compared with it. */
const WITHOUT_LAUNCHERS = 'rows:';

/**
 * The digest of a package's own files (its folder, without the packages nested in it): every file's
 * path in the folder and the SHA-256 of its content, in path order. Taken when an instance is first
 * seen running the files it loaded; taken again only when those files changed after its start, so a
 * release packed again under the same version (`npm i -g ./pkg-1.0.0.tgz` of other code) is told
 * from a reinstall of the very same files. Undefined past the bounds or when a file cannot be read.
 */
export async function packageDigest(
  fs: Pick<MachineFs, 'readdirSync' | 'lstatSync' | 'digest' | 'readTextSync'>,
  path: PathRules,
  dir: string,
): Promise<string | undefined> {
  const files: Array<{ rel: string; full: string }> = [];
  let bytes = 0;
  const walk = async (folder: string, rel: string): Promise<boolean> => {
    // Listed and stat'ed synchronously: a thread-pool round trip each cost more than the kernel's answer.
    for (const name of (fs.readdirSync(folder) ?? []).sort()) {
      const full = path.join(folder, name);
      const st = fs.lstatSync(full);
      if (st?.kind === 'dir') {
        if (!NOT_OWN.test(name) && !(await walk(full, `${rel}${name}/`))) return false;
      } else if (st?.kind === 'file') {
        bytes += st.size;
        files.push({ rel: `${rel}${name}`, full });
        if (files.length > MAX_FILES || bytes > MAX_BYTES) return false;
      }
    }
    return true;
  };
  if (fs.lstatSync(dir)?.kind !== 'dir' || !(await walk(dir, ''))) return undefined;
  const hash = createHash('sha256');
  let rows = '';
  for (const f of files) {
    // A RECORD (the package's own, a Python package's location being its .dist-info folder) is hashed
    // without its launchers' rows, and the digest marked when it had any.
    const lines = /(^|\.dist-info\/)RECORD$/.test(f.rel) ? fs.readTextSync(f.full)?.split('\n') : undefined;
    const kept = lines?.filter((line) => !LAUNCHER_ROW.test(line));
    if (kept && kept.length < lines!.length) rows = WITHOUT_LAUNCHERS;
    const d = kept ? createHash('sha256').update(kept.join('\n')).digest('hex') : await fs.digest(f.full);
    if (d === undefined) return undefined;
    hash.update(`${f.rel}\0${d}\n`);
  }
  return rows + hash.digest('hex');
}

/**
 * Whether a package's digest now differs from the one first seen. Not when they were taken
 * differently (one with its RECORDs' launcher rows, by an earlier version of ours): that says nothing of its files.
 */
export function digestsDiffer(seen: string, now: string): boolean {
  return seen !== now && seen.startsWith(WITHOUT_LAUNCHERS) === now.startsWith(WITHOUT_LAUNCHERS);
}
