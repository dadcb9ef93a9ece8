import { posix } from 'node:path';
import { normalized, PathRules } from '../base/hostEnv';
import type { LaunchFacts } from './launchFacts';

/**
 * Every identity question of a launch has three answers: the same, different, or unknown (the OS
 * would not say); only "different" rules an entry out. These are the answers of paths: two files,
 * two folders, and a launch's relative path made absolute.
 */
export type Answer = 'same' | 'different' | 'unknown';

/** A path in one spelling, `/`-separated whatever the platform: matching compares thousands. */
export const norm = (p: string): string => normalized(posix, p.replace(/\\/g, '/'));
export const isPathLike = (t: string): boolean => t.includes('/') || t.includes('\\');
/** A path `/`-separated and without a launcher's extension: a launcher script and what it runs may differ by it (`bin/x` runs `bin/x.js`). */
export const launcherStem = (p: string): string => p.replace(/\\/g, '/').replace(/\.(exe|cmd|bat|js|mjs|cjs|py)$/i, '');
const stem = (p: string): string => launcherStem(norm(p));

/** The folder a venv would be for an interpreter in it (`<venv>/bin/python`, `<venv>\Scripts\python.exe`). */
export const venvFolderOf = (path: PathRules, interpreter: string): string =>
  path.dirname(path.dirname(path.normalize(interpreter)));

/**
 * A file of a package in a pnpm project, as `<project>/node_modules/.pnpm/<pkg>@<version>.../node_modules/<pkg>/<file>`
 * or through the project's top-level link `<project>/node_modules/<pkg>/<file>`: pnpm rewrites its bin
 * shims to the new version's folder on every upgrade, and the process started before runs the old one.
 */
function pnpmFile(file: string): string | undefined {
  const f = norm(file);
  const store = /^(.*)\/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.+)$/.exec(f);
  if (store) return `${store[1]}|${store[2]}|${store[3]}`;
  return undefined;
}

/** Whether two paths name the same file: by name, else by their real paths. A venv's interpreter is its own location. */
export function samePath(path: PathRules, a: string, b: string, facts: LaunchFacts | undefined): Answer {
  if (stem(a) === stem(b)) return 'same';
  const ra = facts?.realpath(a);
  const rb = facts?.realpath(b);
  // The same file of one package in one pnpm project, in another version's folder: the entry's, at another version.
  const pa = pnpmFile(ra ?? a);
  const pb = pnpmFile(rb ?? b);
  if (pa !== undefined && pa === pb) return 'same';
  // Another pnpm project's copy, though one folder may be gone from disk: another install.
  if (pa !== undefined && pb !== undefined) return 'different';
  // The process's file is gone (its install deleted) and it is not the entry's path: nothing of it can
  // be compared any more, and a name alone is never proof, so it is another install. The entry's own
  // process keeps its proof through an upgrade or reinstall in place (the same path), a runner's cache
  // (the folder it runs from) and pnpm's version folders (above).
  if (rb === undefined && ra !== undefined && facts?.missing?.(b)) return 'different';
  // The entry's file is gone (its install deleted) and the process runs another path that is still
  // there: the entry's own process names the entry's path (compared by name above), whose file is
  // gone with it, so this one runs another install, whatever its name.
  if (ra === undefined && rb !== undefined && facts?.missing?.(a)) return 'different';
  // Both gone (the entry's install deleted, and the process's): the entry's own process still names
  // the path the entry spells (compared by name above), so a process naming another gone path ran
  // another install. A path resolved against a deleted working directory (` (deleted)`) is no spelling.
  if (ra === undefined && rb === undefined && bothGone(a, b, facts)) return 'different';
  if (ra === undefined || rb === undefined) return 'unknown';
  if (ra !== rb) return 'different';
  // Two venvs' `python` are symlinks to one interpreter: equal targets do not make them one venv.
  const venv = (p: string): string | undefined => {
    const dir = venvFolderOf(path, p);
    return facts?.isVenv(dir) ? (facts.realpath(dir) ?? dir) : undefined;
  };
  const va = venv(a);
  const vb = venv(b);
  if (va === undefined && vb === undefined) return 'same';
  if (va !== undefined && vb !== undefined) return va === vb ? 'same' : 'different';
  return 'unknown'; // one side is the bare interpreter the venv links to: which venv is not known
}

/** Whether both paths are certainly gone, each spelled as its side names it (not through a deleted folder). */
function bothGone(a: string, b: string, facts: LaunchFacts | undefined): boolean {
  if (a.includes(' (deleted)') || b.includes(' (deleted)')) return false;
  return facts?.missing?.(a) === true && facts.missing(b);
}

/** Whether two folders are one. */
export function sameFolder(a: string, b: string, facts: LaunchFacts | undefined): Answer {
  if (norm(a) === norm(b)) return 'same';
  const ra = facts?.realpath(a);
  const rb = facts?.realpath(b);
  return ra === undefined || rb === undefined ? 'unknown' : ra === rb ? 'same' : 'different';
}

/** A path token of a launch made absolute against its working directory (read only when needed), when that is known. */
export function absolute(path: PathRules, token: string, cwd: () => string | undefined): string | undefined {
  if (path.isAbsolute(token)) return token;
  const dir = cwd();
  return dir !== undefined ? path.resolve(dir, token) : undefined;
}
