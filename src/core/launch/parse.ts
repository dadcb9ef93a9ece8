import { OptionTable, scanOptions } from './options';
import { NODE_LIKE, programName, PYTHON_LIKE, SHELLS } from './program';
import { splitShellWords } from './shellWords';
import { parseNpmSpecifier, parsePackageSpec, parseRequirement } from './spec';
import { DOCKER_RUN } from './tables/docker';
import { DENO_RUN, NODE, TSX } from './tables/node';
import { GO_RUN } from './tables/go';
import { BUNX, NPM_EXEC, PNPM_DLX, YARN_DLX } from './tables/npm';
import { PIPX_RUN, projectRunnerOf, PYTHON, UV } from './tables/python';
import { Launcher, launcherOf } from './tables/launchers';
import { readShellCommand } from './shellCommand';
import { LaunchTarget, PackageRunner, ParsedLaunch } from './types';

/** npm packages that are launchers themselves: `npx tsx s.ts` runs `tsx s.ts`. */
const LAUNCHER_PACKAGES = new Set(['tsx', 'ts-node', 'nodemon', 'ts-node-dev', 'tsnd']);
/**
 * Claude Desktop's `disclaimer` helper (`Claude.app/Contents/Helpers/disclaimer CMD ARGS...` on
 * macOS, `~/.config/Claude/Helpers/disclaimer` in Linux builds): it spawns the command after it as a
 * process responsible for itself (macOS privacy prompts name the server, not Claude) and stays its
 * parent. Every local server Claude Desktop starts, and its bundled Claude Code, runs under one.
 */
const CLAUDE_DISCLAIMER = /(^|[\\/])Claude(\.app[\\/]Contents)?[\\/]Helpers[\\/]disclaimer$/;

/** Whether a program (argv[0]) is Claude Desktop's `disclaimer` wrapper. */
export function isClaudeDisclaimer(program: string): boolean {
  return CLAUDE_DISCLAIMER.test(program);
}

/** ts-node-dev's child, `node .../ts-node-dev/lib/wrap.js script`: the script runs in it. */
const TS_NODE_DEV_WRAP = /(^|[\\/])ts-node-dev[\\/]lib[\\/]wrap\.js$/i;

/** The folder `next` names, from the folder `prev` (both as written; relative ones joined). */
export function joinFolder(prev: string | undefined, next: string | undefined): string | undefined {
  if (next === undefined) return prev;
  if (prev === undefined || /^([\\/]|~|\$|[A-Za-z]:[\\/])/.test(next)) return next;
  return `${prev.replace(/[\\/]+$/, '')}/${next}`;
}

/**
 * The parses of the synchronous pass that is running (`parsingOnce`), by argv. Matching a process
 * table asks about the same few hundred command lines thousands of times (each candidate against each
 * entry, its parent, its chain, the loose processes), and a parse is a pure function of its argv.
 * Set only while such a pass runs and dropped when it returns, so nothing outlives it or is shared
 * between engines.
 */
let pass: WeakMap<readonly string[], ParsedLaunch> | undefined;

/** The readings of one snapshot's argvs, kept by its caller across the passes it makes over them (LaunchReadings). */
export type LaunchReadings = WeakMap<readonly string[], ParsedLaunch>;

/**
 * Runs `run` (synchronous) with every argv it parses parsed once: the same argv array (a process's,
 * an entry's) gets the same reading. Inside a pass an argv and its reading are not to be changed.
 * `parses`: the readings of an earlier pass over the same argvs (a snapshot's passes on either side
 * of a read it awaits), kept by the caller; a new pass starts with none.
 */
export function parsingOnce<T>(run: () => T, parses: LaunchReadings = new WeakMap()): T {
  if (pass) return run();
  pass = parses;
  try {
    return run();
  } finally {
    pass = undefined;
  }
}

/**
 * Reads a launch command (a configured command + args, or a running process's argv) once: the
 * launchers it goes through (`cmd /c`, `env A=B`, `sh -c '...'`, `uv run`, `nice`, `mise exec`, a
 * watcher, an interpreter), the folder they move to, and what it finally runs (a package through a
 * runner, an image, a module, a script or a program).
 */
export function parseLaunch(argv: readonly string[]): ParsedLaunch {
  if (!pass) return readLaunch(argv);
  let parsed = pass.get(argv);
  if (!parsed) pass.set(argv, (parsed = readLaunch(argv)));
  return parsed;
}

function readLaunch(argv: readonly string[]): ParsedLaunch {
  const st: ReadState = { program: programName(argv[0] ?? ''), launchers: [], watches: false, layered: [] };
  const { launchers } = st;
  let cur = argv;
  for (let depth = 0; depth < 10 && cur.length > 0; depth++) {
    const prog = programName(cur[0]);
    if (NODE_LIKE.test(prog) || PYTHON_LIKE.test(prog)) {
      const run = interpreted(cur, prog);
      if (run === undefined) break; // a bare interpreter: a program of its own
      launchers.push(prog);
      if (run.watch) st.watches = true;
      const next = programName(run.effective[0] ?? '');
      // `node .../npx-cli.js -y pkg`, `bun x pkg`: a runner started as a script.
      const runner = runnerTarget(run.effective, next);
      if (runner && !launcherPackage(runner)) {
        role(st, true);
        return done(st, { effective: run.effective, target: runner });
      }
      // `node .../.bin/tsx s.ts`, `node .../nodemon.js s.js`, `python .../bin/poetry run x`: a launcher started as a script.
      if (
        next !== prog &&
        (NODE_LIKE.test(next) || launcherOf(next) !== undefined || projectRunnerOf(next) !== undefined || runner)
      ) {
        // The launcher itself says whether it forks (the next step reads it).
        if (run.watch) role(st, true);
        cur = runner ? launcherPackage(runner)! : [next, ...run.effective.slice(1)];
        continue;
      }
      // `python -m pipx run ...`, `python -m uv run ...`: a runner started as a module.
      if (run.target.kind === 'module' && /^(pipx|uv)$/.test(run.target.module)) {
        launchers.pop();
        cur = [run.target.module, ...run.target.args];
        continue;
      }
      // ts-node-dev's child runs the script in-process.
      if (TS_NODE_DEV_WRAP.test(run.effective[0] ?? '') && run.effective.length > 1) {
        role(st, false);
        cur = [cur[0], ...run.effective.slice(1)];
        continue;
      }
      // tsx and node --watch run the script in a child of their own.
      role(st, run.watch || prog === 'tsx');
      return done(st, { interpreter: cur[0], effective: run.effective, target: run.target });
    }
    const runner = runnerTarget(cur, prog);
    if (runner) {
      role(st, true);
      const inner = launcherPackage(runner);
      if (inner) {
        launchers.push(prog);
        cur = inner;
        continue;
      }
      const folder = runnerFolder(cur, prog);
      return done(st, {
        effective: cur,
        target: runner,
        ...(folder !== undefined ? { cwd: joinFolder(st.cwd, folder) } : {}),
      });
    }
    const next = peeled(cur, prog);
    if (next === undefined) break;
    launchers.push(prog);
    role(st, next.spawns);
    if (next.watches) st.watches = true;
    if (next.layered) st.layered.push(...next.layered);
    st.cwd = joinFolder(st.cwd, next.cwd);
    cur = next.argv;
  }
  if (cur.length === 0) return done(st, { effective: cur, target: { kind: 'none' } });
  return done(st, { effective: cur, target: { kind: 'program', program: cur[0], args: cur.slice(1) } });
}

/** What a reading gathers as it peels launchers off (one object per reading, no closures: launches are read by the thousand). */
interface ReadState {
  program: string;
  launchers: string[];
  cwd?: string;
  watches: boolean;
  layered: string[];
  /** Whether the process at argv[0] starts what it runs as a child (rather than being it): the first step that says decides. */
  spawns?: boolean;
}

function role(st: ReadState, spawns: boolean): void {
  if (st.spawns === undefined) st.spawns = spawns;
}

function done(st: ReadState, rest: Omit<ParsedLaunch, 'program' | 'launchers' | 'spawns' | 'watches'>): ParsedLaunch {
  return {
    program: st.program,
    launchers: st.launchers,
    ...rest,
    ...(st.cwd !== undefined && rest.cwd === undefined ? { cwd: st.cwd } : {}),
    ...(st.layered.length ? { layered: st.layered } : {}),
    spawns: st.spawns ?? false,
    watches: st.watches,
  };
}

/** The folder a runner resolves its package from, when an option moves it (`npm --prefix d exec`, `pnpm --dir d dlx`). */
function runnerFolder(cur: readonly string[], prog: string): string | undefined {
  const table = /^(pnpm|pnpx)$/.test(prog)
    ? PNPM_DLX
    : /^(npx|npm|npx-cli\.js|npm-cli\.js)$/.test(prog)
      ? NPM_EXEC
      : undefined;
  if (!table) return undefined;
  const before = scanOptions(cur, 1, table);
  const scans = [before.values];
  if (['exec', 'x', 'dlx'].includes(cur[before.positional]))
    scans.push(scanOptions(cur, before.positional + 1, table).values);
  for (const values of scans) {
    const dir = values.get('--prefix')?.[0] ?? values.get('--dir')?.[0] ?? values.get('-C')?.[0];
    if (dir !== undefined) return dir;
  }
  return undefined;
}

/** `npx -y tsx s.ts` -> `tsx s.ts`: a launcher fetched by a runner is walked through like any other. */
function launcherPackage(target: LaunchTarget): string[] | undefined {
  if (target.kind !== 'package' || target.ecosystem !== 'npm' || !LAUNCHER_PACKAGES.has(target.name)) return undefined;
  return [target.name, ...target.args];
}

/** What an interpreter runs; undefined when it runs nothing (a REPL). */
function interpreted(
  cur: readonly string[],
  prog: string,
): { effective: readonly string[]; target: LaunchTarget; watch: boolean } | undefined {
  let from = 1;
  // `deno run|serve [opts] x`, `bun run x`, `bun x pkg`: the runtime's own verbs; `tsx watch x`.
  if (prog === 'deno' && (cur[1] === 'run' || cur[1] === 'serve')) from = 2;
  const tsxWatch = prog === 'tsx' && cur[1] === 'watch';
  if (tsxWatch) from = 2;
  const table: OptionTable = PYTHON_LIKE.test(prog) ? PYTHON : prog === 'deno' ? DENO_RUN : prog === 'tsx' ? TSX : NODE;
  const scan = scanOptions(cur, from, table);
  const watch =
    tsxWatch ||
    (NODE_LIKE.test(prog) &&
      prog !== 'deno' &&
      [...scanFlags(cur, from, scan.positional)].some((o) => /^--watch(-path)?$/.test(o)));
  if (scan.runs) {
    const args = cur.slice(scan.positional);
    const effective = [scan.runs.value, ...args];
    return {
      effective,
      watch,
      target:
        scan.runs.option === '-m'
          ? { kind: 'module', module: scan.runs.value, args }
          : { kind: 'inline', code: scan.runs.value, args },
    };
  }
  const i = scan.positional;
  if (i >= cur.length) return undefined;
  if (prog === 'bun' && cur[i] === 'x')
    return { effective: ['bunx', ...cur.slice(i + 1)], target: { kind: 'none' }, watch };
  const effective = prog === 'bun' && cur[i] === 'run' ? cur.slice(i + 1) : cur.slice(i);
  if (effective.length === 0) return undefined;
  // `deno run npm:pkg@1`: deno fetches the package into its own cache and runs it in its own process.
  const npm = prog === 'deno' ? parseNpmSpecifier(effective[0]) : undefined;
  if (npm)
    return {
      effective,
      watch,
      target: {
        kind: 'package',
        runner: 'deno',
        ecosystem: 'npm',
        spec: npm.spec,
        name: npm.name,
        ...(npm.range !== undefined ? { version: npm.range } : {}),
        args: effective.slice(1),
      },
    };
  return { effective, watch, target: { kind: 'script', script: effective[0], args: effective.slice(1) } };
}

/** The option names written between `from` and `to` (`--watch`, `--watch-path=src` -> `--watch-path`). */
function scanFlags(cur: readonly string[], from: number, to: number): Set<string> {
  const out = new Set<string>();
  for (let i = from; i < to; i++) if (cur[i].startsWith('-')) out.add(cur[i].split('=')[0]);
  return out;
}

interface Peeled {
  argv: readonly string[];
  /** The folder the launcher moves to (`cd d &&`, `uv --directory d`, `env -C d`), as written. */
  cwd?: string;
  /** Whether the launcher stays as the parent of what it runs. */
  spawns: boolean;
  watches?: boolean;
  /** Requirements the launcher installs into an environment it layers over the one the command runs in (`uv run --with`). */
  layered?: readonly string[];
}

/** Where a shell's command string is: after `-c` or a cluster holding it (`-lc`, `-ec`); undefined when there is none. */
function shellCommandIndex(cur: readonly string[]): number | undefined {
  for (let i = 1; i < cur.length; i++) {
    const a = cur[i];
    if (a === '-c' || /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a)) return i + 1 < cur.length ? i + 1 : undefined;
    if (a === '-o' || a === '+o' || a === '-O' || a === '+O' || a === '--rcfile' || a === '--init-file') i++;
    else if (!a.startsWith('-') && !a.startsWith('+')) return undefined; // a script file, not a command string
  }
  return undefined;
}

/** One shell (`sh -c`), `cmd /c`, `uv run` or a launcher of the table peeled off; undefined when `cur` is none of them. */
function peeled(cur: readonly string[], prog: string): Peeled | undefined {
  if (SHELLS.test(prog)) {
    const c = shellCommandIndex(cur);
    const read = c === undefined ? undefined : readShellCommand(cur[c]);
    // A lone command (or `exec cmd`) replaces the shell; anything more keeps it as the parent.
    return read === undefined
      ? undefined
      : { argv: read.argv, ...(read.cwd !== undefined ? { cwd: read.cwd } : {}), spawns: true };
  }
  if (prog === 'cmd') {
    const c = cur.findIndex((t) => /^\/[ck]$/i.test(t));
    return c < 0
      ? undefined
      : { argv: cur.slice(c + 1).flatMap((t) => (cur.length === c + 2 ? splitShellWords(t) : [t])), spawns: true };
  }
  if (prog === 'uv') {
    // `uv [--directory d] run [opts] cmd...`: uv prepares an environment and runs cmd in it, in d.
    const globals = scanOptions(cur, 1, UV);
    const verb = globals.positional;
    if (cur[verb] !== 'run') return undefined;
    const opts = scanOptions(cur, verb + 1, UV);
    const next = cur.slice(opts.positional);
    const dir = opts.values.get('--directory')?.[0] ?? globals.values.get('--directory')?.[0];
    const layered = [...(opts.values.get('--with') ?? []), ...(opts.values.get('-w') ?? [])];
    return next.length > 0
      ? {
          argv: next,
          ...(dir !== undefined ? { cwd: dir } : {}),
          spawns: true,
          ...(layered.length ? { layered } : {}),
        }
      : undefined;
  }
  if (isClaudeDisclaimer(cur[0])) return cur.length > 1 ? { argv: cur.slice(1), spawns: true } : undefined;
  const project = projectRunnerOf(prog);
  if (project) {
    // `poetry [-C d] run cmd...`, `pdm run cmd`, `hatch run [env:]cmd`: cmd runs in the project's environment.
    const globals = scanOptions(cur, 1, project.table);
    const verb = globals.positional;
    if (cur[verb] !== 'run') return undefined;
    const opts = scanOptions(cur, verb + 1, project.table);
    const next = cur.slice(opts.positional);
    if (prog === 'hatch' && next.length > 0) next[0] = next[0].replace(/^[\w.-]+:(?=.)/, '');
    const dir = project.cwd.map((o) => opts.values.get(o)?.[0] ?? globals.values.get(o)?.[0]).find((v) => v);
    return next.length > 0 ? { argv: next, ...(dir !== undefined ? { cwd: dir } : {}), spawns: true } : undefined;
  }
  const launcher = launcherOf(prog);
  if (launcher) return throughLauncher(cur, launcher);
  return undefined;
}

/** What a launcher of the table runs: its command after options, verbs and positionals of its own. */
function throughLauncher(cur: readonly string[], l: Launcher): Peeled | undefined {
  let i = 1;
  if (l.verbs) {
    if (!l.verbs.includes(cur[1] ?? '')) return undefined;
    i = 2;
  }
  const scan = scanOptions(cur, i, l.options);
  const first = (names: readonly string[] | undefined): string | undefined =>
    names?.map((o) => scan.values.get(o)?.[0]).find((v) => v !== undefined);
  const cwd = first(l.cwdOptions);
  const common = { spawns: l.spawns, ...(l.watches ? { watches: true } : {}), ...(cwd !== undefined ? { cwd } : {}) };
  const command = first(l.commandOptions);
  if (command !== undefined) {
    const read = readShellCommand(command);
    return read === undefined
      ? undefined
      : Object.assign(
          {},
          common,
          { argv: read.argv },
          read.cwd !== undefined ? { cwd: joinFolder(cwd, read.cwd) } : {},
        );
  }
  let rest = cur.slice(scan.positional);
  // `env A=1 B=2 cmd`: assignments before the command.
  while (rest.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0])) rest = rest.slice(1);
  if (l.skip) rest = rest.slice(l.skip);
  while (l.optional && rest.length > 0 && l.optional.test(rest[0])) rest = rest.slice(1);
  if (rest[0] === '--') rest = rest.slice(1);
  const split = first(l.splitOptions);
  if (split !== undefined) rest = [...splitShellWords(split), ...rest];
  if (rest.length === 0) return undefined;
  // A watcher or `nvm run` given a script runs it with node.
  if (l.runsWith && /\.(c|m)?(j|t)sx?$/i.test(rest[0])) rest = [l.runsWith, ...rest];
  return Object.assign({}, common, { argv: rest });
}

/** A package runner's or container CLI's target; undefined when `cur` is none. */
function runnerTarget(cur: readonly string[], prog: string): LaunchTarget | undefined {
  switch (prog) {
    case 'npx':
    case 'npx-cli.js':
      return packageTarget(cur, 1, 'npx', NPM_EXEC, ['--package', '-p']);
    case 'npm':
    case 'npm-cli.js': {
      // `npm [--prefix d] exec|x ...`: npm's own options may come before the verb.
      const verb = scanOptions(cur, 1, NPM_EXEC).positional;
      return cur[verb] === 'exec' || cur[verb] === 'x'
        ? packageTarget(cur, verb + 1, 'npx', NPM_EXEC, ['--package', '-p'])
        : undefined;
    }
    case 'pnpx':
      return packageTarget(cur, 1, 'pnpm-dlx', PNPM_DLX, ['--package']);
    case 'pnpm':
      return cur[1] === 'dlx' ? packageTarget(cur, 2, 'pnpm-dlx', PNPM_DLX, ['--package']) : undefined;
    case 'yarn':
      return cur[1] === 'dlx' ? packageTarget(cur, 2, 'yarn-dlx', YARN_DLX, ['--package', '-p']) : undefined;
    case 'bunx':
      return packageTarget(cur, 1, 'bunx', BUNX, ['--package', '-p']);
    case 'uvx':
      return packageTarget(cur, 1, 'uvx', UV, ['--from']);
    case 'uv': {
      const verb = scanOptions(cur, 1, UV).positional;
      return cur[verb] === 'tool' && (cur[verb + 1] === 'run' || cur[verb + 1] === 'uvx')
        ? packageTarget(cur, verb + 2, 'uvx', UV, ['--from'])
        : undefined;
    }
    case 'pipx':
      return cur[1] === 'run' ? packageTarget(cur, 2, 'pipx-run', PIPX_RUN, ['--spec']) : undefined;
    case 'go':
      return cur[1] === 'run' ? goRunTarget(cur) : undefined;
    case 'docker':
    case 'podman': {
      const from = cur[1] === 'run' ? 2 : cur[1] === 'container' && cur[2] === 'run' ? 3 : -1;
      return from < 0 ? undefined : imageTarget(cur, from, prog);
    }
  }
  return undefined;
}

/** `runner [opts] spec args` or `runner --from spec [opts] cmd args`: the spec is the option's when given. */
function packageTarget(
  cur: readonly string[],
  from: number,
  runner: PackageRunner,
  table: OptionTable,
  specOptions: readonly string[],
): LaunchTarget {
  const scan = scanOptions(cur, from, table);
  const named = specOptions.map((o) => scan.values.get(o)?.[0]).find((v) => v !== undefined);
  const spec = named ?? cur[scan.positional];
  if (spec === undefined) return { kind: 'none' };
  let args = cur.slice(scan.positional + 1);
  if (args[0] === '--') args = args.slice(1);
  const cacheDir = scan.values.get('--cache-dir')?.[0];
  if (runner === 'uvx' || runner === 'pipx-run') {
    const req = parseRequirement(spec);
    const command = named !== undefined ? cur[scan.positional] : parseRequirement(spec).name;
    return {
      kind: 'package',
      runner,
      ecosystem: 'python',
      spec,
      name: req.name,
      ...(req.version ? { version: req.version } : {}),
      ...(req.extras ? { extras: req.extras } : {}),
      ...(cacheDir ? { cacheDir } : {}),
      args,
      ...(command !== undefined ? { command } : {}),
    };
  }
  const pkg = parsePackageSpec(spec);
  // `npx -p pkg bin`, `npm exec --package=pkg -- bin`: the package is named apart from the bin it runs.
  const bin = named !== undefined ? cur[scan.positional] : undefined;
  return {
    kind: 'package',
    runner,
    ecosystem: 'npm',
    spec,
    name: pkg.name,
    ...(pkg.range ? { version: pkg.range } : {}),
    args,
    ...(bin !== undefined ? { command: bin } : {}),
  };
}

/**
 * `go run [build flags] pkg@version [args]`: Go fetches the module at that version, builds the
 * package and runs the binary as its child. Only a package named with a version: `go run .` and
 * `go run main.go` build the folder's own code, a program of its own.
 */
function goRunTarget(cur: readonly string[]): LaunchTarget | undefined {
  const scan = scanOptions(cur, 2, GO_RUN);
  const spec = cur[scan.positional];
  const at = spec?.lastIndexOf('@') ?? -1;
  if (spec === undefined || at <= 0 || at === spec.length - 1 || /\.go$/.test(spec.slice(0, at))) return undefined;
  return {
    kind: 'package',
    runner: 'go-run',
    ecosystem: 'go',
    spec,
    name: spec.slice(0, at),
    version: spec.slice(at + 1),
    args: cur.slice(scan.positional + 1),
  };
}

function imageTarget(cur: readonly string[], from: number, engine: string): LaunchTarget {
  const scan = scanOptions(cur, from, DOCKER_RUN);
  const image = cur[scan.positional];
  if (image === undefined) return { kind: 'none' };
  const containerName = scan.values.get('--name')?.[0];
  return {
    kind: 'image',
    engine,
    image,
    ...(containerName ? { containerName } : {}),
    args: cur.slice(scan.positional + 1),
  };
}

/** The name a launch's target goes by, for keys: a package's name, an image without its digest, lower-cased. */
export function targetName(target: LaunchTarget): string | undefined {
  if (target.kind === 'package') return target.name.toLowerCase();
  if (target.kind === 'image') return target.image.split('@')[0].toLowerCase();
  return undefined;
}

/**
 * What an interpreter is handed after its own options: `-m mod args` or `script args`, as its
 * process's argv shows them past the interpreter (undefined for any other target).
 */
export function interpreterArgv(target: LaunchTarget): string[] | undefined {
  if (target.kind === 'module') return ['-m', target.module, ...target.args];
  if (target.kind === 'script') return [target.script, ...target.args];
  return undefined;
}
