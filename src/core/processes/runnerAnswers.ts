import type { PathRules } from '../base/hostEnv';
import { RunnerHomes, runnerFolderOf } from '../launch/runnerHomes';
import { poetryEnvHash, poetryEnvName } from '../launch/projectEnv';
import { interpreterOf } from './argv';
import type { LaunchFacts } from './launchFacts';
import { Answer, isPathLike, norm } from './pathAnswers';
import { ProcessInfo } from '../pids/table';

/**
 * Where a process runs its package or environment from, against where the entry's runner or project
 * runner would put it: a runner's cache is a home's, and a copy from another home is not this entry's.
 */
/**
 * The environment that says where the entry's client would put a runner's cache for it: the env the
 * entry sets, then the environment of the client's own process (launchIdentity.ts IdentityInput).
 */
export type RunnerEnv = () => { declared?: Readonly<Record<string, string>>; client?: ReadonlyMap<string, string> };

/**
 * Whether the process an `npx -p pkg bin` launch left runs `bin` from `pkg`: its script, links
 * followed, lies in a `node_modules/<pkg>/` folder (a bin is a file of its own package). Another
 * package with a bin of that name is another server; without the real path it is not known.
 */
export function binPackageAnswer(pkg: string, main: ProcessInfo, facts: LaunchFacts | undefined): Answer {
  const script = interpreterOf(main.argv).eff[0];
  if (script === undefined || !isPathLike(script)) return 'unknown';
  const real = facts?.realpath(script);
  if (real === undefined) return 'unknown';
  return norm(real).toLowerCase().includes(`/node_modules/${pkg.toLowerCase()}/`) ? 'same' : 'different';
}

/** The runners whose cache is a home's: yarn dlx's run folder is no one's (sharedRunFolder). */
type HomeRunner = Exclude<NonNullable<ReturnType<typeof runnerFolderOf>>['kind'], 'yarn-dlx'>;

/**
 * Each runner's folders in this user's homes, and the variables with which an entry or its client
 * moves them for the servers it starts (`uv`'s cache and tool folder, `bunx`'s install cache, ...).
 */
const RUNNER_FOLDERS: Record<
  HomeRunner,
  { ours: (homes: RunnerHomes) => readonly string[]; movedBy: readonly string[] }
> = {
  npx: { ours: (h) => h.npmCaches, movedBy: ['npm_config_cache', 'NPM_CONFIG_CACHE'] },
  uv: { ours: (h) => h.uv, movedBy: ['UV_CACHE_DIR', 'UV_TOOL_DIR'] },
  bunx: { ours: (h) => h.bun, movedBy: ['BUN_INSTALL_CACHE_DIR', 'BUN_INSTALL'] },
  pnpm: { ours: (h) => h.pnpm, movedBy: ['npm_config_cache_dir', 'XDG_CACHE_HOME'] },
  pipx: { ours: (h) => h.pipx, movedBy: ['PIPX_HOME'] },
};

/**
 * Where a runner's package runs from, against where this entry's runner would put it: this user's
 * npx cache, uv cache or tool folder, pipx home (`same`); another home's (`different`); a project's
 * `node_modules` (the entry's folder when it names one). Undefined when the path says nothing.
 */
export function runnerAnswer(
  path: PathRules,
  key: string,
  main: ProcessInfo,
  cfgCwd: string | undefined,
  homes: RunnerHomes | undefined,
  facts: LaunchFacts | undefined,
  runnerEnv: RunnerEnv | undefined,
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
      const runner = RUNNER_FOLDERS[folder.kind];
      const within = (root: string): boolean => {
        const r = norm(facts?.realpath(root) ?? root);
        const f = norm(folder.root);
        return f === r || f.startsWith(`${r}/`) || r.startsWith(`${f}/`);
      };
      if (runner.ours(homes).some(within)) return 'same';
      // The entry or its client moved the cache for the servers it starts: theirs, as set.
      const env = runnerEnv?.();
      const moved = runner.movedBy.flatMap((k) => [env?.declared?.[k], env?.client?.get(k)]);
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
export function projectEnvAnswer(
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
