import { pathFor } from '../base/hostEnv';
import { changedAt } from './fs';
import { buildInfoOf } from './goBinary';
import { packageOfBin, parseCrates2 } from './cargoInstall';
import { moduleVersion } from './goBuildInfo';
import { redactArgs, redactUrl } from '../base/redact';
import { parseGoRun, resolveGoRun } from './goRun';
import { parseDockerRun, resolveDocker } from './docker';
import { hasSeparator, LaunchSpec, programName, ResolveContext, whichCommand } from './lookup';
import { inShimFolder, npmPackageOfScript, parseNpmRunner, resolveNpmRunner } from './npmPackages';
import { interpreterArgv, joinFolder, parseLaunch } from '../launch/parse';
import type { ParsedLaunch } from '../launch/types';
import { JS_RUNTIMES, SHELLS } from '../launch/program';
import { pnpBinPackage, yarnRunTarget } from './yarnPnp';
import { shimTarget } from './shimTarget';
import { resolveInProjectEnv } from './projectEnv';
import { projectRunnerOf } from '../launch/tables/python';
import { pythonPathRoots } from './pythonPath';
import {
  isPythonInterpreter,
  parseLayeredRunner,
  parsePythonRunner,
  resolvePythonRunner,
  resolveVenvScript,
  venvOf,
} from './python';
import { Installed } from '../base/versionTypes';
import { fromProcess, processScript, projectBin, TS_RUNNERS } from './fromProcess';
import type { Resolution, ResolveOptions } from './resolution';

/**
 * What the configured launch would run if its client started it now, asked of each way of running
 * a server in turn (docker, npx and its kin, uvx and pipx, go run, yarn, a project's runner, an
 * interpreter, else the executable itself: a bin into node_modules, a venv's console script, a
 * binary cargo installed or a Go binary, each named with its version by its own records, or a plain
 * binary judged by its file); what it reads is never evidence about a running process.
 */

/** yarn as a program: its bin, `yarn.js` of its npm package, a release a project pins (`yarn-4.1.0.cjs`). */
const YARN_PROGRAM = /^yarn(\.c?js|-\d+(\.\d+)*\.c?js)?$/;

/** The package of the bin `yarn [--cwd DIR] [run] <bin>` runs: from a Plug'n'Play project's archives, else its `node_modules/.bin`. */
async function yarnBin(ctx: ResolveContext, t: { bin: string; cwd?: string }, launch: LaunchSpec): Promise<Installed> {
  const p = pathFor(ctx.host);
  const dir = p.resolve(launch.cwd ?? ctx.host.home, t.cwd ?? '.');
  const found = (await pnpBinPackage(ctx, dir, t.bin)) ?? (await projectBin(ctx, t.bin, dir));
  if (found) return notFromProcess(found);
  return {
    state: 'unknown',
    reason: `cannot tell which package \`${programName(launch.command)} ${redactArgs(launch.args).join(' ')}\` runs (no bin ${t.bin} in the project of ${dir})`,
  };
}

/**
 * A binary `cargo install` put in `<root>/bin`, named with its version by cargo's records in that
 * root (cargoInstall.ts); undefined when no record of cargo's there lists it. `found` and `real`:
 * the path the launch names and its real path (a link on PATH into `~/.cargo/bin`).
 */
async function cargoInstalled(ctx: ResolveContext, found: string, real: string): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  for (const exe of new Set([found, real])) {
    const binDir = p.dirname(exe);
    if (p.basename(binDir) !== 'bin') continue;
    const root = p.dirname(binDir);
    const records = p.join(root, '.crates2.json');
    const text = await ctx.fs.readText(records);
    if (text === undefined) continue;
    const pkg = packageOfBin(parseCrates2(text), p.basename(exe));
    if (!pkg) continue;
    // The binary's own file is its code: its change time, not the records' (every install into the root rewrites them).
    const s = await ctx.fs.stat(real);
    return {
      state: 'installed',
      ecosystem: 'binary',
      name: pkg.name,
      version: pkg.version,
      how: `executable ${found}${real !== found ? ` -> ${real}` : ''}, cargo install's records ${records}: ${pkg.name} ${pkg.version} (${redactUrl(pkg.source)})`,
      location: real,
      ...(changedAt(s) !== undefined ? { changedAt: changedAt(s) } : {}),
    };
  }
  return undefined;
}

/** An executable named by a launch: npm bin, venv console script, a binary cargo installed or a Go binary with its version, or a plain binary. */
async function fromExecutable(ctx: ResolveContext, command: string, cwd: string | undefined): Promise<Installed> {
  const found = await whichCommand(command, ctx, cwd);
  if (!found)
    return { state: 'unknown', reason: `${command} is not found ${hasSeparator(command) ? '' : 'on PATH'}`.trim() };
  const real = (await ctx.fs.realpath(found)) ?? found;
  // A bin into node_modules, (npm link) into a checkout's script, or npm's shim of a global bin on Windows.
  if (/[\\/]node_modules[\\/]/.test(real) || /\.(c?js|mjs)$/i.test(real) || (await inShimFolder(ctx, real))) {
    const pkg = await npmPackageOfScript(ctx, real, false);
    if (pkg) return pkg;
  }
  // pipx and `uv tool install` put a symlink on PATH; the venv is around its target.
  for (const script of new Set([found, real])) {
    if (!(await venvOf(ctx, script))) continue;
    const pkg = await resolveVenvScript(ctx, script, false);
    if (pkg) return pkg;
  }
  const cargo = await cargoInstalled(ctx, found, real);
  if (cargo) return cargo;
  const s = await ctx.fs.stat(real);
  // A Go binary names its main module and that module's version in its own bytes.
  const go =
    ctx.fs.readBytes && ctx.fs.searchBytes && s?.kind === 'file'
      ? await buildInfoOf({ readBytes: ctx.fs.readBytes, searchBytes: ctx.fs.searchBytes }, real)
      : undefined;
  const module = moduleVersion(go);
  if (go && module)
    return {
      state: 'installed',
      ecosystem: 'binary',
      name: module.path,
      version: module.version,
      how: `executable ${found}${real !== found ? ` -> ${real}` : ''}, Go build information (${go.goVersion}): module ${module.path} ${module.version}`,
      location: real,
      ...(changedAt(s) !== undefined ? { changedAt: changedAt(s) } : {}),
    };
  return {
    state: 'unversioned',
    ecosystem: 'binary',
    path: real,
    mtime: changedAt(s) ?? 0,
    how: `executable ${found}${real !== found ? ` -> ${real}` : ''}`,
  };
}

/** The same reading of a configured launch's argv is not evidence about a running process. */
function notFromProcess(installed: Installed): Installed {
  if (installed.state !== 'installed' && installed.state !== 'missing') return installed;
  const { fromProcess: _omitted, ...rest } = installed;
  return rest;
}

/** From the configured launch: what would run if the client started it now. */
export async function fromLaunch(
  ctx: ResolveContext,
  launch: LaunchSpec,
  options: ResolveOptions,
  // One reading of the launch for every way of running a server asked below.
  parsed: ParsedLaunch = parseLaunch([launch.command, ...launch.args]),
): Promise<Resolution> {
  const docker = parseDockerRun(launch, parsed);
  if (docker) {
    if (!options.docker)
      return {
        installed: { state: 'unknown', ecosystem: 'docker', name: docker.image, reason: 'docker is not queried here' },
      };
    return resolveDocker(options.docker, docker, options.processStart);
  }
  const npm = parseNpmRunner(launch, parsed);
  if (npm) return { installed: await resolveNpmRunner(ctx, npm, launch.cwd) };
  const py = parsePythonRunner(launch, parsed) ?? parseLayeredRunner(launch, parsed);
  if (py) return { installed: await resolvePythonRunner(ctx, py) };
  const go = parseGoRun(launch, parsed);
  if (go) return { installed: await resolveGoRun(ctx, go) };
  // Through what is in front of an interpreter (`nice`, `env A=B`, `sh -c 'cd d && node s.js'`, tsx):
  // what it runs is judged, never the wrapper.
  // `yarn [run] <bin>`: the package whose bin it is, never yarn itself.
  const yarn = YARN_PROGRAM.test(programName(parsed.effective[0] ?? ''))
    ? yarnRunTarget(parsed.effective.slice(1))
    : undefined;
  if (yarn) return { installed: await yarnBin(ctx, yarn, launch) };
  // `poetry run x`, `pdm run python -m x`: what runs is in the project's environment, never the runner's own.
  // `uv run` too: what it runs is in the project's `.venv`, never uv's own package (a pip-installed uv has one).
  const projectRunner = parsed.launchers.find((l) => projectRunnerOf(l) !== undefined || l === 'uv');
  if (projectRunner) {
    const cwd = folderOf(ctx, launch.cwd, parsed.cwd);
    const installed = await resolveInProjectEnv(ctx, projectRunner, parsed, cwd, async (argv) =>
      argv.length > 1
        ? fromProcess(ctx, argv, cwd, pythonPathRoots(ctx, launch.env, cwd))
        : fromExecutable(ctx, argv[0], cwd),
    );
    return { installed: notFromProcess(installed) };
  }
  const interpreter = parsed.interpreter;
  const prog = interpreter !== undefined ? programName(interpreter) : undefined;
  if (
    interpreter !== undefined &&
    prog !== undefined &&
    (JS_RUNTIMES.test(prog) || TS_RUNNERS.test(prog) || isPythonInterpreter(interpreter)) &&
    // A Python named bare after uv or a shell may not be PATH's: `uv run python s.py` runs the project's,
    // `sh -c '. .venv/bin/activate && python -m srv'` the venv's. A script's own files do not depend on its node.
    !(
      isPythonInterpreter(interpreter) &&
      !hasSeparator(interpreter) &&
      parsed.launchers.some((l) => l === 'uv' || SHELLS.test(l))
    )
  ) {
    const cwd = folderOf(ctx, launch.cwd, parsed.cwd);
    // Where a Python's code is depends on which Python; a JavaScript script's does not depend on its
    // node (`npx -y tsx s.ts` with no tsx on PATH still runs s.ts).
    const python = isPythonInterpreter(interpreter);
    const found = (await whichCommand(interpreter, ctx, cwd)) ?? (python ? undefined : interpreter);
    if (!found) return { installed: { state: 'unknown', reason: `${interpreter} is not found` } };
    // A version manager's shim (pyenv's `python3`) execs the interpreter of the version it selects there.
    const shim = python ? await shimTarget(ctx, found, cwd) : undefined;
    if (shim && !shim.file) return { installed: { state: 'unknown', reason: shim.reason ?? `${found} is a shim` } };
    const exe = shim?.file ?? found;
    // The interpreter's own argv, as the parser read it (its options have no say in where the code is).
    const target = parsed.target;
    // An instance run by a bare `python3` (as clients and terminals start it) still names its script: that
    // file, absolute or in the process's own folder, is its code, not the entry's text read from a guessed folder.
    // (A JavaScript runtime's own argv was read before; deno's `jsr:` and URLs are no files.)
    const script = python && options.processArgv && processScript(ctx, options.processArgv, options.processCwd);
    const own = script ? [script] : (interpreterArgv(target) ?? []);
    const fromArgs = own.length
      ? await fromProcess(ctx, [exe, ...own], cwd, pythonPathRoots(ctx, launch.env, cwd))
      : undefined;
    if (fromArgs) return { installed: notFromProcess(fromArgs) };
    return {
      installed: {
        state: 'unknown',
        reason: `cannot tell which package \`${programName(launch.command)} ${redactArgs(launch.args).join(' ')}\` runs`,
      },
    };
  }
  return { installed: await fromExecutable(ctx, launch.command, launch.cwd) };
}

/** The folder a launch's target runs in: the launchers' move (`cd d &&`, `env -C d`) from the configured one. */
function folderOf(ctx: ResolveContext, configured: string | undefined, moved: string | undefined): string | undefined {
  if (moved === undefined) return configured;
  const joined = joinFolder(configured, moved);
  // A folder named through a variable is not known from the text: the configured one stands.
  if (joined === undefined || joined.includes('$')) return configured;
  const p = pathFor(ctx.host);
  const home = joined.replace(/^~(?=$|[\\/])/, ctx.host.home);
  return p.isAbsolute(home) ? home : p.resolve(ctx.host.home, home);
}
