import { posix, win32 } from 'node:path';

/**
 * Everything that decides where files live: the home directory, the platform and the environment.
 * It is passed in, never read from globals deep inside, so tests point a whole scan at a fixture
 * home (and at Windows or macOS layouts while running on Linux).
 */
export interface HostEnv {
  readonly home: string;
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A platform's path rules: `path.win32` or `path.posix`, never this process's by default. */
export type PathRules = typeof posix;

/** The path rules of a machine's platform, so a Windows machine's paths are read right on Linux too. */
export function pathFor(host: Pick<HostEnv, 'platform'>): PathRules {
  return host.platform === 'win32' ? win32 : posix;
}

/** What POSIX path.normalize would change: a backslash, a `.` or `..` part, a doubled or trailing slash. */
const NOT_NORMAL_POSIX = /\\|(^|\/)\.\.?(\/|$)|\/\/|.\/$/;

/**
 * `file` normalized by `p`. Most paths the engine meets are normal already (real paths, folders
 * above them) and a POSIX one is taken as it is: lookups normalize thousands per snapshot.
 */
export function normalized(p: PathRules, file: string): string {
  return p.sep === '/' && file !== '' && !NOT_NORMAL_POSIX.test(file) ? file : p.normalize(file);
}

/**
 * `dir` and plain names below it (`node_modules`, `@scope`, `pkg`, `package.json`), joined
 * without normalizing again: dependency lookups join thousands of times per snapshot, and
 * path.join's normalizing is most of what they cost. `dir` must already be normalized (a real path,
 * a folder above one, or `path.normalize`'s answer); a part that is empty, `.`, `..` or holds a
 * separator is joined the careful way.
 */
export function joinBelow(p: PathRules, dir: string, parts: readonly string[]): string {
  let out = dir.endsWith(p.sep) ? dir.slice(0, -1) : dir;
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..' || part.includes('/') || (p.sep === '\\' && part.includes('\\')))
      return p.join(dir, ...parts);
    out += p.sep + part;
  }
  return out;
}

/** A path as a row or a verdict shows it: whole (a base name is ambiguous between `.vscode/` and `~/.cursor/`), the home folder as `~`. */
export function shownPath(file: string, home: string | undefined): string {
  if (home && (file === home || file.startsWith(`${home}/`) || file.startsWith(`${home}\\`)))
    return `~${file.slice(home.length)}`;
  return file;
}
