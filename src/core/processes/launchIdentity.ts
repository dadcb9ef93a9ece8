import type { Machine } from '../machine/types';
import { posix } from 'node:path';
import type { ServerConfig } from '../base/model';
import { normalized, PathRules, pathFor } from '../base/hostEnv';
import { isCliBundleFile } from '../base/ownBundle';
import { isShimLocation, MAX_SHIM_BYTES, parseBinShim } from '../launch/binShim';
import { parseLaunch } from '../launch/parse';
import { programName } from '../launch/program';
import { RunnerHomes, runnerFolderOf } from '../launch/runnerHomes';
import { MAX_VERSION_SHIM_BYTES, readVersionShim, VersionShim } from '../launch/versionShim';
import { pathCandidates, whichSync } from '../launch/which';
import { poetryEnvHash, poetryEnvName, PROJECT_ENV_RUNNERS } from '../launch/projectEnv';
import { interpreterOf } from './argv';
import { ProcessInfo } from '../pids/table';

/**
 * Which configured launch a running process is, beyond its launch key: the resolved executable, the
 * interpreter (and so the venv), and the working directory where the launch depends on it. Entries
 * that share a key (`my-server` on PATH and `/b/bin/my-server`, `python -m pkg` of two venvs, `npx
 * pkg` in two projects) are told apart here. Every question has three answers: the same, different,
 * or unknown (the OS would not say); only "different" rules an entry out.
 */

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

export type Answer = 'same' | 'different' | 'unknown';

/** A path in one spelling, `/`-separated whatever the platform: matching compares thousands. */
const norm = (p: string): string => normalized(posix, p.replace(/\\/g, '/'));
const isPathLike = (t: string): boolean => t.includes('/') || t.includes('\\');
/** A launcher script and what it runs may differ by extension (`bin/x` runs `bin/x.js`). */
const stem = (p: string): string => norm(p).replace(/\.(exe|cmd|bat|js|mjs|cjs|py)$/i, '');

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
function samePath(path: PathRules, a: string, b: string, facts: LaunchFacts | undefined): Answer {
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
    const dir = path.dirname(path.dirname(path.normalize(p)));
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
function sameFolder(a: string, b: string, facts: LaunchFacts | undefined): Answer {
  if (norm(a) === norm(b)) return 'same';
  const ra = facts?.realpath(a);
  const rb = facts?.realpath(b);
  return ra === undefined || rb === undefined ? 'unknown' : ra === rb ? 'same' : 'different';
}

/** A path token of a launch made absolute against its working directory (read only when needed), when that is known. */
function absolute(path: PathRules, token: string, cwd: () => string | undefined): string | undefined {
  if (path.isAbsolute(token)) return token;
  const dir = cwd();
  return dir !== undefined ? path.resolve(dir, token) : undefined;
}

export interface IdentityInput {
  config: ServerConfig;
  /** The configured argv (command + args), as matched. */
  configArgv: readonly string[];
  /** Whether the launch goes through a package runner (npx, uvx...): its program is a package, not a path. */
  runner: boolean;
  /** The launch key both sides share (`npx:pkg`, `prog:x`). */
  key: string;
  /** The machine's platform: its path rules read the entry's and the process's paths. */
  platform: NodeJS.Platform;
  /** The process the client started (the topmost match). */
  root: ProcessInfo;
  /** The process doing the work, below the root's launchers (the root itself when it has none). */
  main?: ProcessInfo;
  /** This user's home, for `~` in a configured folder. */
  home?: string;
  /** Where this user's runners keep what they fetch (npx's cache, uv's, pipx's): a package run from another is not this user's entry's. */
  homes?: RunnerHomes;
  /**
   * Where the entry's client would put a runner's cache for it: the env the entry sets, then the
   * environment of the client's own process (a client may move `npm_config_cache` for its servers).
   * Never the server's own environment: npm writes its cache's path into the environment of
   * everything it runs, so a stranger's npx names its own cache there.
   */
  runnerEnv?: () => { declared?: Readonly<Record<string, string>>; client?: ReadonlyMap<string, string> };
  /** The package an `npx -p pkg bin` entry runs `bin` from: the process's script must be in its folder. */
  npxPackage?: string;
}

/**
 * The folder a configured launch runs in: the entry's absolute `cwd`, moved by what its launchers do
 * (`cd d &&`, `uv --directory d`, `env -C d`); undefined when that is not known from the entry.
 */
function configFolder(
  path: PathRules,
  config: ServerConfig,
  launchCwd: string | undefined,
  home: string | undefined,
): string | undefined {
  const base = config.cwd !== undefined && path.isAbsolute(config.cwd) ? config.cwd : undefined;
  const moved = launchCwd?.replace(/^~(?=$|\/)/, home ?? '~').replace(/^\$\{?HOME\}?(?=$|\/)/, home ?? '$HOME');
  if (moved === undefined) return base;
  if (path.isAbsolute(moved)) return moved;
  return base !== undefined ? path.resolve(base, moved) : undefined;
}

/**
 * Answers each identity question that applies to this entry and process: the interpreter, the
 * program (script or executable, read from the root and, when the root only names it, from the
 * process doing the work), where a runner's package was fetched to, and the working directory. An
 * empty list means nothing could be asked; any "different" means the process is another launch;
 * only a "same" is proof that it runs the entry's code.
 */
export function identityAnswers(input: IdentityInput, facts: LaunchFacts | undefined): Answer[] {
  const { config, root } = input;
  const path = pathFor(input);
  const main = input.main ?? root;
  const answers: Answer[] = [];
  let procCwd: string | null | undefined = null; // read once, when needed
  const rootCwd = (): string | undefined => (procCwd === null ? (procCwd = facts?.cwd(root.pid)) : procCwd);
  // The configured launch is read once: the folder its launchers move to, then what it runs.
  const cfgLaunch = parseLaunch(input.configArgv);
  const launchCwd = cfgLaunch.cwd;
  const cfgCwd = configFolder(path, config, launchCwd, input.home);
  const configCwd = (): string | undefined => cfgCwd;
  const cfg = interpreterOf(input.configArgv);
  const run = interpreterOf(root.argv);
  // `poetry run x`, `uv run python -m x`: a bare name is found in the project's environment, not on PATH.
  const projectRunner = cfgLaunch.launchers.find((l) => PROJECT_ENV_RUNNERS.test(l));
  const ownsPath = !config.envKeys.includes('PATH') && projectRunner === undefined;

  // A container image is the code itself: the same image with the same arguments runs the same code.
  if (input.key.startsWith('docker:')) answers.push('same');
  // A runtime that fetches a package itself (`deno run npm:pkg`) is a runner with an interpreter: the
  // same runtime, and so the same cache of its packages, is what there is to compare.
  if (cfg.interpreter !== undefined && run.interpreter !== undefined) {
    answers.push(
      interpreterAnswer(
        path,
        cfg.interpreter,
        run.interpreter,
        configCwd,
        rootCwd,
        root,
        run.interpreter === root.argv[0],
        ownsPath,
        facts,
      ),
    );
  }
  // `go run pkg@version` builds the package with the go it runs, and runs the binary as its child: the
  // same go (so the same module cache and build settings of this user) is what there is to compare.
  const goRun = input.key.startsWith('gorun:');
  if ((!input.runner || goRun) && !cfg.module && !run.module && cfg.eff.length > 0 && run.eff.length > 0) {
    let answer = programAnswer(path, cfg, run, configCwd, rootCwd, root, ownsPath, facts);
    // The root only names the program (`sh -c 'mcp-server-x'`): the process doing the work shows its path.
    if (answer === 'unknown' && main.pid !== root.pid) {
      const work = interpreterOf(main.argv);
      if (!work.module && work.eff.length > 0)
        answer = programAnswer(path, cfg, work, configCwd, () => facts?.cwd(main.pid), main, ownsPath, facts);
    }
    answers.push(answer);
  }
  if (projectRunner !== undefined && cfgCwd !== undefined) {
    const env = projectEnvAnswer(path, projectRunner, cfgCwd, main, facts);
    if (env !== undefined) answers.push(env);
  }
  if (input.runner) {
    const where = runnerAnswer(path, input.key, main, cfgCwd, input.homes, facts, input.runnerEnv);
    if (where !== undefined) answers.push(where);
  }
  // Only the bin's file can say which package it is (the title names the bin alone): unproven without it.
  if (input.npxPackage !== undefined) {
    const pkg = binPackageAnswer(input.npxPackage, main, facts);
    if (pkg !== 'same') return [pkg];
    answers.push(pkg);
  }
  // The working directory, where the launch depends on it: npx resolves a project's own packages,
  // `python -m` imports from it, and a relative script or program is found in it.
  const relative = relativeScript(path, cfg);
  // A launch that moves to a folder itself (`cd d &&`, `uv --directory d`) names it as part of what it runs.
  const dependsOnCwd =
    (input.runner && input.key.startsWith('npx:')) || cfg.module || relative || launchCwd !== undefined;
  if (cfgCwd !== undefined) {
    // Where the process's own launchers moved to, else where it runs.
    const rootMoved = parseLaunch(root.argv).cwd;
    const seen =
      rootMoved !== undefined && path.isAbsolute(rootMoved)
        ? rootMoved
        : rootMoved !== undefined && rootCwd() !== undefined
          ? path.resolve(rootCwd()!, rootMoved)
          : rootCwd();
    const answer = seen === undefined ? 'unknown' : sameFolder(cfgCwd, seen, facts);
    // Where the launch does not depend on it, the folder speaks for an entry, never against it: a client may ignore `cwd`.
    answers.push(dependsOnCwd || answer !== 'different' ? answer : 'unknown');
  }
  return answers;
}

/**
 * Whether the process an `npx -p pkg bin` launch left runs `bin` from `pkg`: its script, links
 * followed, lies in a `node_modules/<pkg>/` folder (a bin is a file of its own package). Another
 * package with a bin of that name is another server; without the real path it is not known.
 */
function binPackageAnswer(pkg: string, main: ProcessInfo, facts: LaunchFacts | undefined): Answer {
  const script = interpreterOf(main.argv).eff[0];
  if (script === undefined || !isPathLike(script)) return 'unknown';
  const real = facts?.realpath(script);
  if (real === undefined) return 'unknown';
  return norm(real).toLowerCase().includes(`/node_modules/${pkg.toLowerCase()}/`) ? 'same' : 'different';
}

/**
 * Where a runner's package runs from, against where this entry's runner would put it: this user's
 * npx cache, uv cache or tool folder, pipx home (`same`); another home's (`different`); a project's
 * `node_modules` (the entry's folder when it names one). Undefined when the path says nothing.
 */
function runnerAnswer(
  path: PathRules,
  key: string,
  main: ProcessInfo,
  cfgCwd: string | undefined,
  homes: RunnerHomes | undefined,
  facts: LaunchFacts | undefined,
  runnerEnv: IdentityInput['runnerEnv'],
): Answer | undefined {
  const work = interpreterOf(main.argv);
  const files = [work.eff[0], work.interpreter].filter((f): f is string => f !== undefined && isPathLike(f));
  for (const file of files) {
    const real = facts?.realpath(file) ?? file;
    const folder = runnerFolderOf(real) ?? runnerFolderOf(file);
    if (folder) {
      // yarn dlx's project is made anew for each run in the OS's temp folder: nothing of it says whose
      // the run is, nor speaks against the entry (sharedRunFolder: listed undecided, never claimed).
      if (folder.kind === 'yarn-dlx') return 'unknown';
      if (!homes) return 'unknown';
      const ours =
        folder.kind === 'npx'
          ? homes.npmCaches
          : folder.kind === 'uv'
            ? homes.uv
            : folder.kind === 'bunx'
              ? homes.bun
              : folder.kind === 'pnpm'
                ? homes.pnpm
                : homes.pipx;
      const within = (root: string): boolean => {
        const r = norm(facts?.realpath(root) ?? root);
        const f = norm(folder.root);
        return f === r || f.startsWith(`${r}/`) || r.startsWith(`${f}/`);
      };
      if (ours.some(within)) return 'same';
      // The entry or its client moved the cache for the servers it starts: theirs, as set.
      const keys =
        folder.kind === 'npx'
          ? ['npm_config_cache', 'NPM_CONFIG_CACHE']
          : folder.kind === 'uv'
            ? ['UV_CACHE_DIR', 'UV_TOOL_DIR']
            : folder.kind === 'bunx'
              ? ['BUN_INSTALL_CACHE_DIR', 'BUN_INSTALL']
              : folder.kind === 'pnpm'
                ? ['npm_config_cache_dir', 'XDG_CACHE_HOME']
                : ['PIPX_HOME'];
      const env = runnerEnv?.();
      const moved = keys.flatMap((k) => [env?.declared?.[k], env?.client?.get(k)]);
      return moved.some((d) => d !== undefined && path.isAbsolute(d) && within(d)) ? 'same' : 'different';
    }
    // An npx launch that found the package in a project: the entry's folder's, when it names one.
    if (key.startsWith('npx:') && /[\\/]node_modules[\\/]/.test(real) && cfgCwd !== undefined) {
      const project = norm(facts?.realpath(cfgCwd) ?? cfgCwd);
      const pkgRoot = norm(real).split('/node_modules/')[0];
      return project === pkgRoot || project.startsWith(`${pkgRoot}/`) ? 'same' : 'different';
    }
  }
  return undefined;
}

/**
 * The folder a process runs its package from when that folder can prove no one's launch: yarn dlx's
 * temporary project (`<temp>/xfs-<hex>/dlx-<pid>/`), made for the run in the temp folder every home
 * on the machine shares, with its own cache inside and the package's path the same for every run.
 * Undefined for any other process.
 */
export function sharedRunFolder(main: ProcessInfo): string | undefined {
  const work = interpreterOf(main.argv);
  for (const file of [work.eff[0], work.interpreter]) {
    if (file === undefined || !isPathLike(file)) continue;
    const folder = runnerFolderOf(file);
    if (folder?.kind === 'yarn-dlx') return folder.root;
  }
  return undefined;
}

/**
 * Whether the environment a process runs from is the one its project runner keeps for the entry's
 * project (the nearest folder above the entry's with a `pyproject.toml`): its `.venv`, or, for
 * poetry, the environment in poetry's `virtualenvs` folder named by the project folder's hash (any
 * project's poetry environment names its own folder that way, so another hash is another project).
 * Undefined when the process runs from no environment these say anything of.
 */
function projectEnvAnswer(
  path: PathRules,
  runner: string,
  folder: string,
  main: ProcessInfo,
  facts: LaunchFacts | undefined,
): Answer | undefined {
  if (!facts) return undefined;
  const work = interpreterOf(main.argv);
  const venv = [work.interpreter, work.eff[0]]
    .filter((f): f is string => f !== undefined && path.isAbsolute(f))
    .map((f) => path.dirname(path.dirname(f)))
    .find((dir) => facts.isVenv(dir));
  if (venv === undefined) return undefined;
  let project = folder;
  for (let dir = folder, depth = 0; depth < 32; depth++) {
    if (facts.realpath(path.join(dir, 'pyproject.toml')) !== undefined) {
      project = dir;
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const realProject = facts.realpath(project) ?? project;
  const realVenv = facts.realpath(venv) ?? venv;
  if (norm(realVenv) === norm(path.join(realProject, '.venv'))) return 'same';
  const poetry = runner === 'poetry' ? poetryEnvName(path.basename(venv)) : undefined;
  if (poetry) return poetry.hash === poetryEnvHash(realProject) ? 'same' : 'different';
  return undefined;
}

/** Whether the configured program or script is a relative path (`app.js`, `./bin/x`): found in the working directory. */
function relativeScript(path: PathRules, cfg: ReturnType<typeof interpreterOf>): boolean {
  const first = cfg.eff[0];
  return (
    first !== undefined &&
    !path.isAbsolute(first) &&
    (isPathLike(first) || (cfg.interpreter !== undefined && !cfg.module))
  );
}

/**
 * Why an entry cannot tell its own processes from others, or undefined when it can: its launch
 * depends on the working directory (a relative script, or a `./` or `../` argument) and it sets no
 * absolute `cwd` (nor moves to one: `cd /srv/x && node app.js`), so `node app.js` in any folder fits
 * it. Such instances are listed, never acted on in bulk.
 */
export function cwdUndecided(
  input: Pick<IdentityInput, 'config' | 'configArgv' | 'runner' | 'home' | 'platform'>,
): string | undefined {
  const { config } = input;
  const path = pathFor(input);
  if (input.runner || configFolder(path, config, parseLaunch(input.configArgv).cwd, input.home) !== undefined)
    return undefined;
  const cfg = interpreterOf(input.configArgv);
  const relArg = cfg.eff.slice(1).find((a) => /^\.\.?[\\/]/.test(a));
  if (!relativeScript(path, cfg) && relArg === undefined) return undefined;
  const what = relativeScript(path, cfg)
    ? `its script path '${cfg.eff[0]}' is relative`
    : `its argument '${relArg}' is a relative path`;
  return `'${config.name}' (${config.source.file}) sets no cwd and ${what}, so it cannot tell which such process in which folder is its own: it is never stopped in bulk`;
}

function interpreterAnswer(
  path: PathRules,
  cfgI: string,
  runI: string,
  cfgCwd: () => string | undefined,
  rootCwd: () => string | undefined,
  root: ProcessInfo,
  runIsRootExe: boolean,
  ownsPath: boolean,
  facts: LaunchFacts | undefined,
): Answer {
  // Two bare names of different programs are different; of one program, the PATH decides which each is.
  if (!isPathLike(cfgI) && !isPathLike(runI) && programName(cfgI) !== programName(runI)) return 'different';
  const cfgPath = isPathLike(cfgI) ? absolute(path, cfgI, cfgCwd) : ownsPath ? facts?.which(cfgI) : undefined;
  // The process's interpreter: its path as spawned, else (a bare name) the executable the OS reports.
  const runPath = isPathLike(runI) ? absolute(path, runI, rootCwd) : runIsRootExe ? facts?.exe(root.pid) : undefined;
  if (cfgPath === undefined || runPath === undefined) return 'unknown';
  // A version manager's shim (`python3` -> `~/.pyenv/shims/python3`) execs one of its versions: never itself.
  const shim = facts?.shim?.(cfgPath);
  if (shim) return shimAnswer(path, shim, runPath, facts);
  return samePath(path, cfgPath, runPath, facts);
}

/**
 * Whether the interpreter a process runs is one a version manager's shim execs: one of the versions
 * installed under the manager's root (by its path as spawned or its real path), or the `system` one,
 * the program found on PATH after the shims' folder. Which version the shim selects depends on
 * where and when it ran (`.python-version`, `pyenv global`), so any of them is the entry's.
 */
function shimAnswer(path: PathRules, shim: VersionShim, runPath: string, facts: LaunchFacts | undefined): Answer {
  const under = (file: string, dir: string): boolean => norm(file).startsWith(`${norm(dir)}/`);
  const installs = [shim.installs, facts?.realpath(shim.installs)].filter((d): d is string => d !== undefined);
  const real = facts?.realpath(runPath);
  if (installs.some((d) => under(runPath, d))) return 'same';
  // A venv's `python` links to a version, but the shim runs the version itself, never that venv: which is not known.
  if (facts?.isVenv(path.dirname(path.dirname(path.normalize(runPath))))) return 'unknown';
  if (real !== undefined && installs.some((d) => under(real, d))) return 'same';
  const order = facts?.pathCandidates?.(shim.program) ?? [];
  const after = order.map(norm).findIndex((f) => posix.dirname(f) === norm(shim.shims));
  const system = order.slice(after + 1).find((f) => facts?.realpath(f) !== undefined);
  if (after < 0 || system === undefined || real === undefined) return 'unknown';
  return facts?.realpath(system) === real ? 'same' : 'different';
}

/**
 * What a program runs when it is a shim where package managers write them (the facts say where: a
 * `.bin` folder, npm's global prefix on Windows, whose `x.cmd`, `x.ps1` and sh `x` run the package's
 * script with node, and the process names that script); any other program is itself.
 */
function shimScript(path: PathRules, file: string, facts: LaunchFacts | undefined): string {
  const rel = facts?.binShimTarget?.(file);
  return rel === undefined ? file : path.resolve(path.dirname(file), rel);
}

function programAnswer(
  path: PathRules,
  cfg: ReturnType<typeof interpreterOf>,
  run: ReturnType<typeof interpreterOf>,
  cfgCwd: () => string | undefined,
  rootCwd: () => string | undefined,
  root: ProcessInfo,
  ownsPath: boolean,
  facts: LaunchFacts | undefined,
): Answer {
  const p = cfg.eff[0];
  const q = run.eff[0];
  // A script an interpreter runs is found in the working directory; a program on its own, on PATH.
  const onPath = ownsPath ? facts?.which(p) : undefined;
  const cfgPath =
    isPathLike(p) || cfg.interpreter !== undefined
      ? absolute(path, p, cfgCwd)
      : onPath !== undefined
        ? shimScript(path, onPath, facts)
        : undefined;
  // A bare program the root runs itself: the OS knows its executable (a script would show its path in argv).
  const runPath =
    isPathLike(q) || run.interpreter !== undefined
      ? absolute(path, q, rootCwd)
      : q === root.argv[0]
        ? facts?.exe(root.pid)
        : undefined;
  if (
    runPath !== undefined &&
    !isPathLike(p) &&
    cfg.interpreter === undefined &&
    ownsPath &&
    wasFirstOnPath(p, runPath, cfgPath, facts)
  )
    return 'same';
  if (cfgPath === undefined || runPath === undefined) return 'unknown';
  // An entry or a process that names the shim itself (`cmd /c ...\npm\x.cmd`) runs the script it names too.
  return samePath(path, shimScript(path, cfgPath, facts), shimScript(path, runPath, facts), facts);
}

/**
 * The entry's own install removed under it (`npm uninstall -g`): its bare command now finds a later
 * copy on PATH, or none, but the file the process runs is gone from a PATH folder searched before
 * that one, so while it existed it was what the entry's command found. A stranger's deleted install
 * in a folder not on this PATH stays another install (samePath).
 */
function wasFirstOnPath(
  command: string,
  runPath: string,
  now: string | undefined,
  facts: LaunchFacts | undefined,
): boolean {
  if (!facts?.missing?.(runPath)) return false;
  const order = (facts.pathCandidates?.(command) ?? []).map(norm);
  const was = order.indexOf(norm(runPath));
  const found = now !== undefined ? order.indexOf(norm(now)) : -1;
  return was >= 0 && (found < 0 || was < found);
}
