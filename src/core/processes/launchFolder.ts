import type { PathRules } from '../base/hostEnv';
import type { ServerConfig } from '../base/model';
import type { ParsedLaunch } from '../launch/types';
import { foundInFolder } from '../launch/inFolder';
import { clientFolder } from '../sources/identity';
import { parseLaunch } from '../launch/parse';
import type { ProcessInfo } from '../pids/table';
import type { LaunchFacts } from './launchFacts';

/**
 * The folder a configured launch runs in: the entry's absolute `cwd`, moved by what its launchers do
 * (`cd d &&`, `uv --directory d`, `env -C d`); undefined when that is not known from the entry.
 */
export function configFolder(
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

/** Whether the configured program or script is a relative path (`app.js`, `./bin/x`): found in the working directory. */
export function relativeScript(path: PathRules, launch: ParsedLaunch): boolean {
  const found = foundInFolder(path, launch);
  return found !== undefined && 'script' in found;
}

/**
 * The folder a relative script of an entry that names none is found in: the entry's own folder,
 * where its client runs it (a workspace's, a Claude Code project's: clientFolder). It tells which
 * file the entry runs, never that a process of that file elsewhere is not the entry's.
 */
export function scriptFolder(path: PathRules, config: ServerConfig, launch: ParsedLaunch): string | undefined {
  return launch.cwd === undefined && relativeScript(path, launch) ? clientFolder(config.source) : undefined;
}

/**
 * The file a process's script or program is, by its path: absolute, or relative in the folder it runs
 * in (Linux gives a process's folder to its user). '' when it names none by a path (a runner's
 * package, a bare program); undefined when its folder is not known.
 */
export function runsScript(path: PathRules, p: ProcessInfo, facts: LaunchFacts | undefined): string | undefined {
  const launch = parseLaunch(p.argv);
  const first = launch.effective[0] ?? '';
  const dir = launch.cwd === undefined ? facts?.cwd(p.pid) : path.isAbsolute(launch.cwd) ? launch.cwd : undefined;
  const file = relativeScript(path, launch)
    ? dir && path.resolve(dir, first)
    : /^(script|program)$/.test(launch.target.kind) && path.isAbsolute(first)
      ? first
      : '';
  return file && (facts?.realpath(file) ?? file);
}

/**
 * The file an entry's script or program is, by its path: absolute, or relative in the folder the
 * entry names or runs in (configFolder, scriptFolder); undefined when its launch names none by a
 * path, or its folder is not known.
 */
export function entryScript(
  path: PathRules,
  config: ServerConfig,
  argv: readonly string[],
  home: string | undefined,
  facts: LaunchFacts | undefined,
): string | undefined {
  const launch = parseLaunch(argv);
  const first = launch.effective[0] ?? '';
  const dir = configFolder(path, config, launch.cwd, home) ?? scriptFolder(path, config, launch);
  const file = !/^(script|program)$/.test(launch.target.kind)
    ? undefined
    : path.isAbsolute(first)
      ? first
      : relativeScript(path, launch) && dir !== undefined
        ? path.resolve(dir, first)
        : undefined;
  return file && (facts?.realpath(file) ?? file);
}
