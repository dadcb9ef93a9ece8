import { posix } from 'node:path';
import type { PathRules } from '../base/hostEnv';
import { programName } from '../launch/program';
import type { VersionShim } from '../launch/versionShim';
import { interpreterOf } from './argv';
import type { LaunchFacts } from './launchFacts';
import { absolute, Answer, isPathLike, norm, samePath, venvFolderOf } from './pathAnswers';
import { ProcessInfo } from '../pids/table';

/**
 * What a launch runs, asked of the entry and the process alike: its interpreter (through a version
 * manager's shim) and its program or script (through a package manager's bin shim, or the PATH the
 * entry's command was found on).
 */

const PYTHON_NAME = /^python[\d.]*$/;

/** Whether the entry's interpreter is the process's: bare names by the PATH, a shim by what it execs, paths by their files. */
export function interpreterAnswer(
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
  // `python`, `python3` and `python3.12` may be one program by three names: their executables decide.
  const a = programName(cfgI);
  const b = programName(runI);
  if (!isPathLike(cfgI) && !isPathLike(runI) && a !== b && !(PYTHON_NAME.test(a) && PYTHON_NAME.test(b)))
    return 'different';
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
  if (facts?.isVenv(venvFolderOf(path, runPath))) return 'unknown';
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

export function programAnswer(
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
