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
 * The digest of a package's own files (its folder, without the packages nested in it): every file's
 * path in the folder and the SHA-256 of its content, in path order. Taken when an instance is first
 * seen running the files it loaded; taken again only when those files changed after its start, so a
 * release packed again under the same version (`npm i -g ./pkg-1.0.0.tgz` of other code) is told
 * from a reinstall of the very same files. Undefined past the bounds or when a file cannot be read.
 */
export async function packageDigest(
  fs: Pick<MachineFs, 'readdirSync' | 'lstatSync' | 'digest'>,
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
  for (const f of files) {
    const d = await fs.digest(f.full);
    if (d === undefined) return undefined;
    hash.update(`${f.rel}\0${d}\n`);
  }
  return hash.digest('hex');
}
