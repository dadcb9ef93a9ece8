import { resolvePythonScript } from './pythonScript';
import { linksOnPath } from './linkChain';
import { isGuard as isGuardLaunch } from '../processes/argv';
import { pythonPathRoots, resolveOnPythonPath } from './pythonPath';
import { pathFor } from '../base/hostEnv';
import { isCliBundleText } from '../base/ownBundle';
import { redactArgs, redactUrl } from '../base/redact';
import { changedAt } from './fs';
import { withDevSource } from './devSource';
import { buildInfoOf } from './goBinary';
import { parseGoRun, resolveGoRun } from './goRun';
import { packageOfBin, parseCrates2 } from './cargoInstall';
import { moduleVersion } from './goBuildInfo';
import { DockerCli, parseDockerRun, resolveDocker } from './docker';
import { extensionFolderOfLaunch, readExtension } from './extension';
import { hasSeparator, LaunchSpec, programName, ResolveContext, whichCommand } from './lookup';
import { denoPinnedRelease, inShimFolder, npmPackageOfScript, parseNpmRunner, resolveNpmRunner } from './npmPackages';
import { interpreterArgv, joinFolder, parseLaunch } from '../launch/parse';
import type { ParsedLaunch } from '../launch/types';
import { JS_RUNTIMES, SHELLS } from '../launch/program';
import { resolveNodeScript } from './nodeScript';
import { pnpmProjectNow } from './pnpmProject';
import { archivedPackageOfScript, pnpBinPackage, pnpProjectNow, yarnRunTarget } from './yarnPnp';
import { shimTarget } from './shimTarget';
import { resolveInProjectEnv } from './projectEnv';
import { projectRunnerOf } from '../launch/tables/python';
import {
  inRunnerEnvironment,
  inUvTool,
  isPythonInterpreter,
  parseLayeredRunner,
  parsePythonRunner,
  resolvePythonModule,
  resolvePythonRunner,
  resolveVenvScript,
  uvCacheDir,
  venvOf,
} from './python';
import { uvCacheHistory } from './uvCacheHistory';
import { Installed, Running } from '../base/versionTypes';

/** What resolution learned: always the installed side; the running side too when the tool itself tells (docker). */
export interface Resolution {
  installed: Installed;
  running?: Running;
}

export interface ResolveOptions {
  /** The argv of the running main process, when resolving for an instance: its own paths are the best evidence of where its code is. */
  processArgv?: readonly string[];
  /** Its working directory, for relative script paths. */
  processCwd?: string;
  /** ms since the epoch. */
  processStart?: number;
  /** Absent: docker launches resolve to unknown. */
  docker?: DockerCli;
  /** The launch's reading (parseLaunch of its command and args), when the caller made it: one per resolution. */
  reading?: ParsedLaunch;
}

/** Runners of TypeScript that load the script into node (in a child: tsx; in-process: ts-node). */
const TS_RUNNERS = /^(tsx|ts-node)$/;

/**
 * What the interpreter that is argv[0] runs: a script or a module (undefined: inline code, a REPL,
 * a runner). A TypeScript runner started by a JavaScript runtime (`node .../.bin/tsx s.ts`) runs its script too.
 */
function interpreterTarget(argv: readonly string[]): { script?: string; module?: string } {
  const parsed = parseLaunch(argv);
  const viaRunner =
    parsed.interpreter !== undefined &&
    TS_RUNNERS.test(programName(parsed.interpreter)) &&
    parsed.launchers.every((l) => JS_RUNTIMES.test(l) || TS_RUNNERS.test(l));
  if (parsed.interpreter !== argv[0] && !viaRunner) return {};
  if (parsed.target.kind === 'script') return { script: parsed.target.script };
  if (parsed.target.kind === 'module') return { module: parsed.target.module };
  return {};
}

/** The script a process's interpreter runs, as an absolute path (a relative one against `cwd`); undefined when none or not known. */
function processScript(ctx: ResolveContext, argv: readonly string[], cwd: string | undefined): string | undefined {
  const script = interpreterTarget(argv).script;
  if (script === undefined) return undefined;
  const p = pathFor(ctx.host);
  return p.isAbsolute(script) ? script : cwd !== undefined ? p.resolve(cwd, script) : undefined;
}

/**
 * `.../node_modules/@scope/name/...` -> `@scope/name`: the package a vanished path belonged to;
 * `.../node_modules/.bin/x` -> `x` (the bin's name: its package is no longer there to say).
 */
function packageNameInPath(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0 || i + 1 >= parts.length) return undefined;
  if (parts[i + 1] === '.bin') return parts[i + 2];
  return parts[i + 1].startsWith('@') ? `${parts[i + 1]}/${parts[i + 2] ?? ''}` : parts[i + 1];
}

/**
 * From a running main process's own argv: the script or module it was started with. Undefined
 * when its argv says nothing resolvable (a native binary, a REPL).
 */
async function fromProcess(
  ctx: ResolveContext,
  argv: readonly string[],
  cwd: string | undefined,
  pythonPath: readonly string[] = [],
): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  const exe = argv[0];
  if (!exe) return undefined;
  const prog = programName(exe);
  const run = interpreterTarget(argv);
  // `deno run npm:pkg@1`: the release its own specifier names, from where deno keeps it (as npx's script, its own).
  const npm = prog === 'deno' ? parseNpmRunner({ command: exe, args: argv.slice(1) }) : undefined;
  if (npm) {
    const own = await resolveNpmRunner(ctx, npm, cwd);
    return own.state === 'installed' || own.state === 'missing' ? Object.assign({}, own, { fromProcess: true }) : own;
  }
  // node, bun and deno run the script in their own process: the server is the script's package, never the runtime.
  if (JS_RUNTIMES.test(prog) || TS_RUNNERS.test(prog)) {
    const script = run.script;
    if (!script) return undefined;
    // deno also runs what no file holds (`jsr:@x/srv`, `https://...`): not a script that is gone, just not known here.
    if (prog === 'deno' && /^[a-z][a-z0-9+.-]+:/i.test(script)) return undefined;
    const full = p.isAbsolute(script) ? script : p.resolve(cwd ?? ctx.host.home, script);
    // yarn Plug'n'Play runs packages inside the zip archives of its cache: read there, not taken for gone.
    const archived = await archivedPackageOfScript(ctx, full, true);
    if (archived) return archived;
    // `bun run mcp-server-memory`: a bare name bun finds among the project's bins, not a file in the folder;
    // `deno task start`, `bun run dev`: a task or a package.json script, not a file either.
    if ((prog === 'bun' || prog === 'deno') && !hasSeparator(script) && (await ctx.fs.stat(full)) === undefined)
      return prog === 'bun' ? projectBin(ctx, script, cwd) : undefined;
    if ((await ctx.fs.stat(full)) === undefined) {
      // A global bin (`<prefix>/bin/x`, a link into the package) is gone with its package: named by the bin.
      const name = packageNameInPath(full) ?? p.basename(full).replace(/\.(c?js|mjs)$/, '');
      const goneAt = await lastChangeAbove(ctx, full);
      return {
        state: 'missing',
        ecosystem: 'npm',
        name,
        how: `the script the process runs, ${full}, is gone`,
        location: full,
        fromProcess: true,
        ...(goneAt !== undefined ? { goneAt } : {}),
      };
    }
    // A script no package holds is judged by itself and the local files it loads.
    return (await npmPackageOfScript(ctx, full, true)) ?? (await resolveNodeScript(ctx, full, true));
  }
  if (isPythonInterpreter(exe) && p.isAbsolute(exe)) {
    if (run.module)
      return (
        (await resolveOnPythonPath(ctx, pythonPath, exe, run.module, true)) ??
        resolvePythonModule(ctx, exe, run.module, true)
      );
    const script = run.script;
    if (script) {
      const full = p.isAbsolute(script) ? script : p.resolve(cwd ?? ctx.host.home, script);
      const venvScript = await resolveVenvScript(ctx, full, true);
      if (venvScript) return venvScript;
      // A console script linked from elsewhere (pipx's and uv's ~/.local/bin) is its venv's distribution's,
      // resolved from the configured launch as before; any other script is judged by itself and what it imports.
      const real = (await ctx.fs.realpath(full)) ?? full;
      if (real !== full && (await venvOf(ctx, real))) return undefined;
      return resolvePythonScript(ctx, exe, full, true, { roots: pythonPath });
    }
  }
  return undefined;
}

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

/** The package of a bin `bun run <name>` finds in `node_modules/.bin` at or above the folder; undefined when none (a package.json script, say). */
async function projectBin(ctx: ResolveContext, name: string, cwd: string | undefined): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  let dir = cwd;
  for (let depth = 0; dir !== undefined && depth < 32; depth++) {
    const bin = p.join(dir, 'node_modules', '.bin', name);
    if ((await ctx.fs.stat(bin)) !== undefined) return npmPackageOfScript(ctx, bin, true);
    const up = p.dirname(dir);
    dir = up === dir ? undefined : up;
  }
  return undefined;
}

/** The change time of the nearest existing folder above a missing path: when its entry went, at the latest. */
async function lastChangeAbove(ctx: ResolveContext, missing: string): Promise<number | undefined> {
  const p = pathFor(ctx.host);
  let dir = p.dirname(missing);
  for (let depth = 0; depth < 8; depth++) {
    const st = await ctx.fs.stat(dir);
    if (st?.kind === 'dir') return changedAt(st);
    const up = p.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
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
async function fromLaunch(
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
  const projectRunner = parsed.launchers.find((l) => projectRunnerOf(l) !== undefined);
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
    const own = interpreterArgv(target) ?? [];
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

/**
 * Resolves what is installed for a launch, and for a running instance, where its code is. The
 * running process's own argv wins when it names a script or module (it is where the code was
 * loaded from); otherwise the configured launch is followed like the client would.
 */
export async function resolveInstalled(
  ctx: ResolveContext,
  launch: LaunchSpec,
  options: ResolveOptions = {},
): Promise<Resolution> {
  const released = await withLinkTimes(ctx, await resolveRelease(ctx, launch, options), options);
  // A runtime that runs the exact release its command line pins says what runs (deno's `npm:pkg@1.2.3`).
  const pinned = released.running || !options.processArgv ? undefined : denoPinnedRelease(options.processArgv);
  const resolution = pinned ? Object.assign({}, released, { running: pinned }) : released;
  // Our own package (a guard whose server could not be told) is not a server under development.
  if (isGuard(resolution.installed)) return resolution;
  try {
    return Object.assign({}, resolution, { installed: await withDevSource(ctx, resolution.installed) });
  } catch (err) {
    return { installed: { state: 'unknown', reason: `could not read the source folder: ${(err as Error).message}` } };
  }
}

/**
 * A process's script reached through symbolic links: a link changed after its start changed what the
 * path loads, so its time counts among the installed files' (`changedAt`). Only for an instance.
 */
async function withLinkTimes(ctx: ResolveContext, r: Resolution, options: ResolveOptions): Promise<Resolution> {
  const inst = r.installed;
  if (!options.processArgv || inst.state !== 'installed') return r;
  const full = processScript(ctx, options.processArgv, options.processCwd);
  if (full === undefined) return r;
  const links = await linksOnPath(ctx, full);
  if (!links.length) return r;
  const newest = Math.max(...links.map((l) => l.at));
  return inst.changedAt !== undefined && inst.changedAt >= newest
    ? r
    : Object.assign({}, r, { installed: Object.assign({}, inst, { changedAt: newest }) });
}

async function resolveRelease(ctx: ResolveContext, launch: LaunchSpec, options: ResolveOptions): Promise<Resolution> {
  try {
    // Code Claude Desktop installed as an extension: the extension's folder is what is installed.
    const platform = ctx.host.platform;
    const parsed = options.reading ?? parseLaunch([launch.command, ...launch.args]);
    const own = options.processArgv
      ? extensionFolderOfLaunch(options.processArgv, options.processCwd ?? launch.cwd, platform)
      : undefined;
    const extension = own ?? extensionFolderOfLaunch([launch.command, ...launch.args], launch.cwd, platform, parsed);
    if (extension) return { installed: await readExtension(ctx, extension, own !== undefined) };
    if (options.processArgv && !parseDockerRun(launch, parsed)) {
      const processCwd = options.processCwd ?? launch.cwd;
      // A process the entry's launch started runs with the entry's PYTHONPATH (matching compares them).
      const own = await fromProcess(ctx, options.processArgv, processCwd, pythonPathRoots(ctx, launch.env, processCwd));
      if (own && isGuard(own)) {
        // The process is our own guard (`mcp-lifeguard run ... -- server`): the server is what it runs.
        const inner = afterDoubleDash(options.processArgv);
        if (inner)
          return resolveRelease(
            ctx,
            { command: inner[0], args: inner.slice(1), cwd: launch.cwd },
            Object.assign({}, options, { processArgv: undefined, reading: undefined }),
          );
      } else if (
        own?.state === 'installed' &&
        own.location &&
        inRunnerEnvironment(own.location) &&
        (parsePythonRunner(launch, parsed) ?? parseLayeredRunner(launch, parsed))
      ) {
        // uvx / pipx run / uv run --with: the environment the launch resolves to now (a newer one in the cache, say).
        const now = await fromLaunch(ctx, launch, options, parsed);
        return { installed: now.installed.state === 'installed' ? now.installed : own };
      } else if (
        own?.state === 'installed' &&
        own.location &&
        inUvTool(own.location) &&
        uvxPin(launch, parsed) !== undefined
      ) {
        // uvx reuses an installed `uv tool` that satisfies the entry's pin: the pin, not the tool, says what it runs next.
        return { installed: await pinnedUvxNow(ctx, launch, options, parsed, own) };
      } else if (own?.state === 'installed') {
        // A package manager's folder the project no longer resolves (pnpm keeps old releases): judged against what it does.
        return (await packageManagerNow(ctx, own, options, launch.cwd)) ?? { installed: own };
      } else if (own && own.state !== 'unknown') return { installed: own };
    }
    const resolved = await fromLaunch(ctx, launch, options, parsed);
    // A config wrapped with the guard: resolve the server command it wraps. The guard is known by
    // its package where the launch resolves to it, else by its name (`mcp-lifeguard run -- cmd`
    // where this machine's PATH has no mcp-lifeguard: the entry still runs cmd wherever its client has one).
    const argv = [launch.command, ...launch.args];
    const wrapped =
      isGuard(resolved.installed) ||
      (isGuardLaunch(argv) && (resolved.installed.state === 'unknown' || (await isGuardLauncher(ctx, launch.command))));
    const inner = wrapped ? afterDoubleDash([launch.command, ...launch.args]) : undefined;
    if (inner)
      return resolveRelease(
        ctx,
        { command: inner[0], args: inner.slice(1), cwd: launch.cwd },
        Object.assign({}, options, { processArgv: undefined, reading: undefined }),
      );
    return resolved;
  } catch (err) {
    return { installed: { state: 'unknown', reason: `could not read the installation: ${(err as Error).message}` } };
  }
}

/**
 * A pinned `uvx pkg==X` whose process runs from an installed `uv tool` (uvx reuses one that
 * satisfies the pin): what its next start runs is what the pin resolves to (the tool while it still
 * has X, else an environment of X in uv's cache). With only X's wheel in uv's cache, X is named but
 * what uvx builds from it is not known until it does. With X nowhere on disk, uvx fetches X at its next start: not the
 * tool's version, whatever the tool moved to.
 */
async function pinnedUvxNow(
  ctx: ResolveContext,
  launch: LaunchSpec,
  options: ResolveOptions,
  parsed: ParsedLaunch,
  tool: Extract<Installed, { state: 'installed' }>,
): Promise<Installed> {
  const now = await fromLaunch(ctx, launch, options, parsed);
  if (now.installed.state === 'installed') return now.installed;
  const pin = uvxPin(launch, parsed) ?? '';
  // No environment of it, but its wheel unpacked in uv's cache (the tool's own install left it): uvx
  // builds its next environment from that, resolving its dependencies then, so the release is named
  // and what the environment will hold stays unknown (a copy of it would be judged as the process's code).
  const history = await uvCacheHistory(ctx, uvCacheDir(ctx), tool.name);
  const held = history.state === 'found' ? history.unpacks.filter((u) => u.version === pin).at(-1) : undefined;
  const archive = held && (await ctx.fs.realpath(held.bucket));
  if (held && archive)
    return {
      state: 'unknown',
      ecosystem: 'python',
      name: tool.name,
      reason: `its entry pins ${tool.name} ${pin}, which the uv tool it ran from no longer holds (${tool.version} now); uv's cache holds the wheel of ${tool.name} ${pin} (${archive}, unpacked ${new Date(held.fetchedAt).toISOString()}): uvx builds its environment from it at its next start, its dependencies resolved then`,
    };
  return {
    state: 'unknown',
    ecosystem: 'python',
    name: tool.name,
    reason: `its entry pins ${tool.name} ${pin}, which neither the uv tool it ran from (${tool.version} now) nor uv's cache holds${history.state === 'none' ? ` (${history.reason})` : ''}: uvx fetches ${pin} at its next start`,
  };
}

/** The version a `uvx` launch pins (`pkg==X`, `pkg@X`, `--from pkg==X`), if any. */
function uvxPin(launch: LaunchSpec, parsed: ParsedLaunch): string | undefined {
  const r = parsePythonRunner(launch, parsed);
  return r?.runner === 'uvx' ? r.version : undefined;
}

/** What the project of a package the process runs from resolves now, where its package manager keeps releases it no longer installs. */
async function packageManagerNow(
  ctx: ResolveContext,
  own: Extract<Installed, { state: 'installed' }>,
  options: ResolveOptions,
  configuredCwd: string | undefined,
): Promise<Resolution | undefined> {
  const cwd = options.processCwd ?? configuredCwd;
  const full = processScript(ctx, options.processArgv ?? [], cwd ?? ctx.host.home);
  return (await pnpmProjectNow(ctx, own, full)) ?? (await pnpProjectNow(ctx, own, cwd));
}

/**
 * Whether a configured program is the launcher of an installed guard (`<root>/bin/mcp-lifeguard`,
 * the command Wrap and Share write), known by its content: a shell script, so no package says so.
 */
async function isGuardLauncher(ctx: ResolveContext, program: string): Promise<boolean> {
  if (!pathFor(ctx.host).isAbsolute(program)) return false;
  const prefix = await ctx.fs.readBytes?.(program, 0, 512).catch(() => undefined);
  return prefix !== undefined && isCliBundleText(prefix.toString('utf8'));
}

/** MCP Lifeguard's own package: a launch through the guard is judged by the server it wraps. */
function isGuard(installed: Installed): boolean {
  return installed.state === 'installed' && installed.ecosystem === 'npm' && installed.name === 'mcp-lifeguard';
}

function afterDoubleDash(argv: readonly string[]): string[] | undefined {
  const i = argv.indexOf('--');
  return i >= 0 && i + 1 < argv.length ? argv.slice(i + 1) : undefined;
}
