import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerConfig } from '../base/model';
import { MAX_SHIM_BYTES, parseBinShim } from '../launch/binShim';
import { programName } from '../launch/program';
import { whichSync } from '../launch/which';
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
  /** The script a bin shim runs (pnpm's `node_modules/.bin/<bin>` is a script, not a link), relative to the shim's folder. */
  binShimTarget?(file: string): string | undefined;
}

const readlink = (p: string): string | undefined => {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined;
  }
};

/** An existing file; a PATH entry the user cannot enter (EACCES) is absent, not fatal. */
const isFile = (full: string): boolean => {
  try {
    return fs.statSync(full).isFile();
  } catch {
    return false;
  }
};

/** The facts of this machine: /proc on Linux; elsewhere only paths (exe and cwd unknown). */
export function hostLaunchFacts(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): LaunchFacts {
  const proc = platform === 'linux';
  const which = new Map<string, string | undefined>();
  return {
    exe: (pid) => (proc ? readlink(`/proc/${pid}/exe`)?.replace(/ \(deleted\)$/, '') : undefined),
    cwd: (pid) => (proc ? readlink(`/proc/${pid}/cwd`) : undefined),
    which: (name) => {
      if (!which.has(name)) which.set(name, whichSync(name, platform, env, isFile));
      return which.get(name);
    },
    realpath: (file) => {
      try {
        return fs.realpathSync(file);
      } catch {
        return undefined;
      }
    },
    isVenv: (dir) => fs.existsSync(path.join(dir, 'pyvenv.cfg')),
    binShimTarget: (file) => {
      try {
        const s = fs.lstatSync(file);
        return s.isFile() && s.size <= MAX_SHIM_BYTES ? parseBinShim(fs.readFileSync(file, 'utf8')) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

export type Answer = 'same' | 'different' | 'unknown';

const norm = (p: string): string => path.normalize(p.replace(/\\/g, '/'));
const isPathLike = (t: string): boolean => t.includes('/') || t.includes('\\');
/** A launcher script and what it runs may differ by extension (`bin/x` runs `bin/x.js`). */
const stem = (p: string): string => norm(p).replace(/\.(exe|cmd|bat|js|mjs|cjs|py)$/i, '');

/** Whether two paths name the same file: by name, else by their real paths. A venv's interpreter is its own location. */
function samePath(a: string, b: string, facts: LaunchFacts | undefined): Answer {
  if (stem(a) === stem(b)) return 'same';
  const ra = facts?.realpath(a);
  const rb = facts?.realpath(b);
  if (ra === undefined || rb === undefined) return 'unknown';
  if (ra !== rb) return 'different';
  // Two venvs' `python` are symlinks to one interpreter: equal targets do not make them one venv.
  const venv = (p: string): string | undefined => {
    const dir = path.dirname(path.dirname(norm(p)));
    return facts?.isVenv(dir) ? (facts.realpath(dir) ?? dir) : undefined;
  };
  const va = venv(a);
  const vb = venv(b);
  if (va === undefined && vb === undefined) return 'same';
  if (va !== undefined && vb !== undefined) return va === vb ? 'same' : 'different';
  return 'unknown'; // one side is the bare interpreter the venv links to: which venv is not known
}

/** Whether two folders are one. */
function sameFolder(a: string, b: string, facts: LaunchFacts | undefined): Answer {
  if (norm(a) === norm(b)) return 'same';
  const ra = facts?.realpath(a);
  const rb = facts?.realpath(b);
  return ra === undefined || rb === undefined ? 'unknown' : ra === rb ? 'same' : 'different';
}

/** A path token of a launch made absolute against its working directory (read only when needed), when that is known. */
function absolute(token: string, cwd: () => string | undefined): string | undefined {
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
  /** The process the client started (the topmost match). */
  root: ProcessInfo;
}

/**
 * Answers each identity question that applies to this entry and process: the interpreter, the
 * program (script or executable), the working directory. An empty list means nothing could be
 * asked; any "different" means the process is another launch.
 */
export function identityAnswers(input: IdentityInput, facts: LaunchFacts | undefined): Answer[] {
  const { config, root } = input;
  const answers: Answer[] = [];
  let procCwd: string | null | undefined = null; // read once, when needed
  const rootCwd = (): string | undefined => (procCwd === null ? (procCwd = facts?.cwd(root.pid)) : procCwd);
  const cfgCwd = config.cwd !== undefined && path.isAbsolute(config.cwd) ? config.cwd : undefined;
  const configCwd = (): string | undefined => cfgCwd;
  const cfg = interpreterOf(input.configArgv);
  const run = interpreterOf(root.argv);
  const ownsPath = !config.envKeys.includes('PATH');

  if (!input.runner && cfg.interpreter !== undefined && run.interpreter !== undefined) {
    answers.push(interpreterAnswer(cfg.interpreter, run.interpreter, configCwd, rootCwd, root, run.interpreter === root.argv[0], ownsPath, facts));
  }
  if (!input.runner && !cfg.module && !run.module && cfg.eff.length > 0 && run.eff.length > 0) {
    answers.push(programAnswer(cfg, run, configCwd, rootCwd, root, ownsPath, facts));
  }
  // The working directory, where the launch depends on it: npx resolves a project's own packages,
  // `python -m` imports from it, and a relative script or program is found in it.
  const relative = relativeScript(cfg);
  const dependsOnCwd = (input.runner && input.key.startsWith('npx:')) || cfg.module || relative;
  if (cfgCwd !== undefined) {
    const seen = rootCwd();
    const answer = seen === undefined ? 'unknown' : sameFolder(cfgCwd, seen, facts);
    // Where the launch does not depend on it, the folder speaks for an entry, never against it: a client may ignore `cwd`.
    answers.push(dependsOnCwd || answer !== 'different' ? answer : 'unknown');
  }
  return answers;
}

/** Whether the configured program or script is a relative path (`app.js`, `./bin/x`): found in the working directory. */
function relativeScript(cfg: ReturnType<typeof interpreterOf>): boolean {
  const first = cfg.eff[0];
  return first !== undefined && !path.isAbsolute(first) && (isPathLike(first) || (cfg.interpreter !== undefined && !cfg.module));
}

/**
 * Why an entry cannot tell its own processes from others, or undefined when it can: its launch
 * depends on the working directory (a relative script, or a `./` or `../` argument) and it sets no
 * absolute `cwd`, so `node app.js` in any folder fits it. Such instances are listed, never acted on in bulk.
 */
export function cwdUndecided(input: Pick<IdentityInput, 'config' | 'configArgv' | 'runner'>): string | undefined {
  const { config } = input;
  if (input.runner || (config.cwd !== undefined && path.isAbsolute(config.cwd))) return undefined;
  const cfg = interpreterOf(input.configArgv);
  const relArg = cfg.eff.slice(1).find((a) => /^\.\.?[\\/]/.test(a));
  if (!relativeScript(cfg) && relArg === undefined) return undefined;
  const what = relativeScript(cfg) ? `its script path '${cfg.eff[0]}' is relative` : `its argument '${relArg}' is a relative path`;
  return `'${config.name}' (${config.source.file}) sets no cwd and ${what}, so it cannot tell which such process in which folder is its own: it is never stopped in bulk`;
}

function interpreterAnswer(
  cfgI: string,
  runI: string,
  cfgCwd: () => string | undefined,
  rootCwd: () => string | undefined,
  root: ProcessInfo,
  runIsRootExe: boolean,
  ownsPath: boolean,
  facts: LaunchFacts | undefined,
): Answer {
  // Two bare names: which each PATH finds is not known, only whether they name one program.
  if (!isPathLike(cfgI) && !isPathLike(runI)) return programName(cfgI) === programName(runI) ? 'unknown' : 'different';
  const cfgPath = isPathLike(cfgI) ? absolute(cfgI, cfgCwd) : ownsPath ? facts?.which(cfgI) : undefined;
  // The process's interpreter: its path as spawned, else (a bare name) the executable the OS reports.
  const runPath = isPathLike(runI) ? absolute(runI, rootCwd) : runIsRootExe ? facts?.exe(root.pid) : undefined;
  if (cfgPath === undefined || runPath === undefined) return 'unknown';
  return samePath(cfgPath, runPath, facts);
}

function programAnswer(
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
  const cfgPath = isPathLike(p) || cfg.interpreter !== undefined ? absolute(p, cfgCwd) : ownsPath ? facts?.which(p) : undefined;
  // A bare program the root runs itself: the OS knows its executable (a script would show its path in argv).
  const runPath = isPathLike(q) || run.interpreter !== undefined ? absolute(q, rootCwd) : q === root.argv[0] ? facts?.exe(root.pid) : undefined;
  if (cfgPath === undefined || runPath === undefined) return 'unknown';
  return samePath(cfgPath, runPath, facts);
}
