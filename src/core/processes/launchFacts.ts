import type { Machine } from '../machine/types';
import { pathFor } from '../base/hostEnv';
import { isCliBundleFile } from '../base/ownBundle';
import { isShimLocation, MAX_SHIM_BYTES, parseBinShim } from '../launch/binShim';
import { MAX_VERSION_SHIM_BYTES, readVersionShim, VersionShim } from '../launch/versionShim';
import { pathCandidates, whichSync } from '../launch/which';

/** What matching may learn about a process or a path, read lazily and only for candidates. */
export interface LaunchFacts {
  /** The process's real executable (Linux: /proc/<pid>/exe), when readable. */
  exe(pid: number): string | undefined;
  /** The process's working directory (Linux: /proc/<pid>/cwd), when readable. */
  cwd(pid: number): string | undefined;
  /** A bare command on the PATH a client's spawn would search, when found. */
  which(name: string): string | undefined;
  /** The real path of an existing file or folder. */
  realpath(file: string): string | undefined;
  /** Whether a folder holds a Python venv (`pyvenv.cfg`): its interpreter is a symlink whose location matters. */
  isVenv(dir: string): boolean;
  /**
   * The script a bin shim runs, relative to the shim's folder, for a file where package managers
   * write shims (pnpm's `node_modules/.bin/<bin>` is a script, not a link; on Windows, npm's
   * `%APPDATA%\npm\<bin>.cmd` for `npm i -g`); undefined for any other file.
   */
  binShimTarget?(file: string): string | undefined;
  /** Whether a path is certainly gone (no such file or folder, or a link to none; not merely unreadable). */
  missing?(file: string): boolean;
  /** Every file a bare command could be on the PATH `which` searches, in search order (launch/which.ts). */
  pathCandidates?(name: string): readonly string[];
  /** Whether the process's executable was deleted since it started (Linux: /proc/<pid>/exe ends in " (deleted)"). */
  exeDeleted?(pid: number): boolean | undefined;
  /** When a file was last written or replaced (the later of its mtime and ctime), ms since the epoch. */
  changedAt?(file: string): number | undefined;
  /** The `version` of a package folder's package.json. */
  packageVersion?(dir: string): string | undefined;
  /** Whether an absolute path is MCP Lifeguard's own CLI bundle (base/ownBundle.ts); undefined when it cannot be read. */
  cliBundle?(file: string): boolean | undefined;
  /** The version manager's shim a file is (pyenv's, asdf's, mise's `shims/python3`), read from its text or link. */
  shim?(file: string): VersionShim | undefined;
}

/**
 * The facts of a Machine: /proc on Linux; elsewhere only paths (exe and cwd unknown). One set is
 * made per snapshot, and each fact is read once in it (a process's exe and cwd, a path's real path).
 * Every read answers "not known" when it fails: a PATH entry the user cannot enter is absent, not fatal.
 * `npmShimFolders`: where npm writes shims besides `.bin` folders (RunnerHomes, its global prefix on Windows).
 */
export function machineLaunchFacts(machine: Machine, npmShimFolders: readonly string[] = []): LaunchFacts {
  const { platform, env } = machine.host;
  const path = pathFor(machine.host);
  const fs = machine.fs;
  const proc = platform === 'linux';
  const quiet = <T>(read: () => T | undefined): T | undefined => {
    try {
      return read();
    } catch {
      return undefined;
    }
  };
  const memo = <K, V>(read: (k: K) => V): ((k: K) => V) => {
    const seen = new Map<K, V>();
    return (k) => {
      if (!seen.has(k)) seen.set(k, read(k));
      return seen.get(k) as V;
    };
  };
  const isFile = (full: string) => quiet(() => fs.statSync(full))?.kind === 'file';
  const rawExe = memo((pid: number) => (proc ? quiet(() => fs.readlinkSync(`/proc/${pid}/exe`)) : undefined));
  return {
    exe: memo((pid: number) => rawExe(pid)?.replace(/ \(deleted\)$/, '')),
    exeDeleted: (pid: number) => rawExe(pid)?.endsWith(' (deleted)'),
    changedAt: memo((file: string) => {
      const st = quiet(() => fs.statSync(file));
      return st ? Math.max(st.mtimeMs, st.ctimeMs) : undefined;
    }),
    packageVersion: memo((dir: string) => {
      try {
        const text = fs.readTextSync(path.join(dir, 'package.json'));
        const v = text === undefined ? undefined : (JSON.parse(text) as { version?: unknown }).version;
        return typeof v === 'string' ? v : undefined;
      } catch {
        return undefined;
      }
    }),
    cwd: memo((pid: number) => (proc ? quiet(() => fs.readlinkSync(`/proc/${pid}/cwd`)) : undefined)),
    which: memo((name: string) => whichSync(name, platform, env, isFile)),
    pathCandidates: memo((name: string) => pathCandidates(name, platform, env)),
    realpath: memo((file: string) => quiet(() => fs.realpathSync(file))),
    isVenv: memo((dir: string) => quiet(() => fs.statSync(path.join(dir, 'pyvenv.cfg'))) !== undefined),
    cliBundle: memo((file: string) => isCliBundleFile(file, fs)),
    shim: memo((file: string) => {
      const s = quiet(() => fs.lstatSync(file));
      if (s?.kind === 'link') {
        const real = quiet(() => fs.realpathSync(file));
        return real === undefined ? undefined : readVersionShim(file, undefined, real);
      }
      if (s?.kind !== 'file' || s.size > MAX_VERSION_SHIM_BYTES) return undefined;
      const text = quiet(() => fs.readTextSync(file));
      return text === undefined ? undefined : readVersionShim(file, text);
    }),
    missing: memo((file: string) => {
      try {
        const s = fs.lstatSync(file);
        // A link left behind by a deleted package (`node_modules/.bin/x` -> `../x/dist/index.js`) names nothing.
        return s === undefined || (s.kind === 'link' && fs.statSync(file) === undefined);
      } catch {
        return false;
      }
    }),
    binShimTarget: (file) => {
      if (!isShimLocation(file, npmShimFolders)) return undefined;
      const s = quiet(() => fs.lstatSync(file));
      if (s?.kind !== 'file' || s.size > MAX_SHIM_BYTES) return undefined;
      const text = quiet(() => fs.readTextSync(file));
      return text === undefined ? undefined : parseBinShim(text);
    },
  };
}
