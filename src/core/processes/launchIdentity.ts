import type { ServerConfig } from '../base/model';
import { pathFor } from '../base/hostEnv';
import { parseLaunch } from '../launch/parse';
import type { RunnerHomes } from '../launch/runnerHomes';
import { PROJECT_ENV_RUNNERS } from '../launch/projectEnv';
import { interpreterOf } from './argv';
import { foundInFolder } from '../launch/inFolder';
import type { LaunchFacts } from './launchFacts';
import { configFolder, relativeScript, scriptFolder } from './launchFolder';
import { Answer, sameFolder } from './pathAnswers';
import { interpreterAnswer, programAnswer } from './programAnswers';
import { binPackageAnswer, projectEnvAnswer, RunnerEnv, runnerAnswer } from './runnerAnswers';
import { ProcessInfo } from '../pids/table';
import { entryNamed } from './entryNamed';

/**
 * Which configured launch a running process is, beyond its launch key: the resolved executable, the
 * interpreter (and so the venv), and the working directory where the launch depends on it. Entries
 * that share a key (`my-server` on PATH and `/b/bin/my-server`, `python -m pkg` of two venvs, `npx
 * pkg` in two projects) are told apart here. Every question has three answers: the same, different,
 * or unknown (the OS would not say); only "different" rules an entry out.
 */

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
  runnerEnv?: RunnerEnv;
  /** The package an `npx -p pkg bin` entry runs `bin` from: the process's script must be in its folder. */
  npxPackage?: string;
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
  // A relative script is found in the folder the entry names, else in the one its client runs it in.
  const scriptCwd = cfgCwd ?? scriptFolder(path, config, cfgLaunch);
  const configCwd = (): string | undefined => scriptCwd;
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
  const relative = relativeScript(path, cfgLaunch);
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
 * Why an entry cannot tell its own processes from others, or undefined when it can: its launch
 * depends on the working directory (a relative script, or a `./` or `../` argument) and it sets no
 * absolute `cwd` (nor moves to one: `cd /srv/x && node app.js`), nor is a folder's own entry whose
 * script is found in that folder, so `node app.js` in any folder fits it. Such instances are listed,
 * never acted on in bulk.
 */
export function cwdUndecided(
  input: Pick<IdentityInput, 'config' | 'configArgv' | 'runner' | 'home' | 'platform'>,
): string | undefined {
  const { config } = input;
  const path = pathFor(input);
  const launch = parseLaunch(input.configArgv);
  if (input.runner || configFolder(path, config, launch.cwd, input.home) !== undefined) return undefined;
  const found = foundInFolder(path, launch);
  // A relative script in the folder its client runs it in is told by its file (scriptFolder).
  if (found === undefined || ('script' in found && scriptFolder(path, config, launch) !== undefined)) return undefined;
  const what =
    'script' in found
      ? `its script path '${found.script}' is relative`
      : `its argument '${found.arg}' is a relative path`;
  return `${entryNamed(config, input.home)} sets no cwd and ${what}, so it cannot tell which such process in which folder is its own: it is never stopped in bulk`;
}
