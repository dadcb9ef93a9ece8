import { OptionTable, scanOptions } from './options';
import { NODE_LIKE, programName, PYTHON_LIKE, SHELLS } from './program';
import { splitShellWords } from './shellWords';
import { parsePackageSpec, parseRequirement } from './spec';
import { DOCKER_RUN } from './tables/docker';
import { DENO_RUN, NODE } from './tables/node';
import { BUNX, NPM_EXEC, PNPM_DLX, YARN_DLX } from './tables/npm';
import { PIPX_RUN, PYTHON, UV } from './tables/python';
import { LaunchTarget, PackageRunner, ParsedLaunch } from './types';

/**
 * Reads a launch command (a configured command + args, or a running process's argv) once: the
 * launchers it goes through (`cmd /c`, `env A=B`, `sh -c '...'`, `uv run`, an interpreter), and
 * what it finally runs (a package through a runner, an image, a module, a script or a program).
 */
export function parseLaunch(argv: readonly string[]): ParsedLaunch {
  const program = programName(argv[0] ?? '');
  const launchers: string[] = [];
  let cur = argv;
  for (let depth = 0; depth < 6 && cur.length > 0; depth++) {
    const prog = programName(cur[0]);
    if (NODE_LIKE.test(prog) || PYTHON_LIKE.test(prog)) {
      const run = interpreted(cur, prog);
      if (run === undefined) break; // a bare interpreter: a program of its own
      launchers.push(prog);
      // `node .../npx-cli.js -y pkg`, `bun x pkg`: a runner started as a script.
      const runner = runnerTarget(run.effective, programName(run.effective[0] ?? ''));
      if (runner) return { program, launchers, effective: run.effective, target: runner };
      return { program, launchers, interpreter: cur[0], effective: run.effective, target: run.target };
    }
    const runner = runnerTarget(cur, prog);
    if (runner) return { program, launchers, effective: cur, target: runner };
    const next = peeled(cur, prog);
    if (next === undefined) break;
    launchers.push(prog);
    cur = next;
  }
  if (cur.length === 0) return { program, launchers, effective: cur, target: { kind: 'none' } };
  return { program, launchers, effective: cur, target: { kind: 'program', program: cur[0], args: cur.slice(1) } };
}

/** What an interpreter runs; undefined when it runs nothing (a REPL). */
function interpreted(cur: readonly string[], prog: string): { effective: readonly string[]; target: LaunchTarget } | undefined {
  let from = 1;
  // `deno run [opts] x`, `bun run x`, `bun x pkg`: the runtime's own verbs.
  if (prog === 'deno' && cur[1] === 'run') from = 2;
  const table: OptionTable = PYTHON_LIKE.test(prog) ? PYTHON : prog === 'deno' ? DENO_RUN : NODE;
  const scan = scanOptions(cur, from, table);
  if (scan.runs) {
    const args = cur.slice(scan.positional);
    const effective = [scan.runs.value, ...args];
    return { effective, target: scan.runs.option === '-m' ? { kind: 'module', module: scan.runs.value, args } : { kind: 'inline', code: scan.runs.value, args } };
  }
  const i = scan.positional;
  if (i >= cur.length) return undefined;
  if (prog === 'bun' && cur[i] === 'x') return { effective: ['bunx', ...cur.slice(i + 1)], target: { kind: 'none' } };
  const effective = prog === 'bun' && cur[i] === 'run' ? cur.slice(i + 1) : cur.slice(i);
  if (effective.length === 0) return undefined;
  return { effective, target: { kind: 'script', script: effective[0], args: effective.slice(1) } };
}

/** One shell (`sh -c`), `cmd /c`, `env` or `uv run` peeled off; undefined when `cur` is none of them. */
function peeled(cur: readonly string[], prog: string): readonly string[] | undefined {
  if (SHELLS.test(prog)) {
    const c = cur.indexOf('-c');
    return c < 0 || c + 1 >= cur.length ? undefined : splitShellWords(cur[c + 1]);
  }
  if (prog === 'cmd') {
    const c = cur.findIndex((t) => /^\/[ck]$/i.test(t));
    return c < 0 ? undefined : cur.slice(c + 1).flatMap((t) => (cur.length === c + 2 ? splitShellWords(t) : [t]));
  }
  if (prog === 'env') {
    let i = 1;
    while (i < cur.length && (cur[i].startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(cur[i]))) i++;
    return cur.slice(i);
  }
  if (prog === 'uv') {
    // `uv [--directory d] run [opts] cmd...`: uv prepares an environment and runs cmd in it.
    const verb = scanOptions(cur, 1, UV).positional;
    if (cur[verb] !== 'run') return undefined;
    const next = cur.slice(scanOptions(cur, verb + 1, UV).positional);
    return next.length > 0 ? next : undefined;
  }
  return undefined;
}

/** A package runner's or container CLI's target; undefined when `cur` is none. */
function runnerTarget(cur: readonly string[], prog: string): LaunchTarget | undefined {
  switch (prog) {
    case 'npx':
    case 'npx-cli.js':
      return packageTarget(cur, 1, 'npx', NPM_EXEC, ['--package', '-p']);
    case 'npm':
    case 'npm-cli.js':
      return cur[1] === 'exec' || cur[1] === 'x' ? packageTarget(cur, 2, 'npx', NPM_EXEC, ['--package', '-p']) : undefined;
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
      return cur[verb] === 'tool' && (cur[verb + 1] === 'run' || cur[verb + 1] === 'uvx') ? packageTarget(cur, verb + 2, 'uvx', UV, ['--from']) : undefined;
    }
    case 'pipx':
      return cur[1] === 'run' ? packageTarget(cur, 2, 'pipx-run', PIPX_RUN, ['--spec']) : undefined;
    case 'docker':
    case 'podman': {
      const from = cur[1] === 'run' ? 2 : cur[1] === 'container' && cur[2] === 'run' ? 3 : -1;
      return from < 0 ? undefined : imageTarget(cur, from, prog);
    }
  }
  return undefined;
}

/** `runner [opts] spec args` or `runner --from spec [opts] cmd args`: the spec is the option's when given. */
function packageTarget(cur: readonly string[], from: number, runner: PackageRunner, table: OptionTable, specOptions: readonly string[]): LaunchTarget {
  const scan = scanOptions(cur, from, table);
  const named = specOptions.map((o) => scan.values.get(o)?.[0]).find((v) => v !== undefined);
  const spec = named ?? cur[scan.positional];
  if (spec === undefined) return { kind: 'none' };
  let args = cur.slice(scan.positional + 1);
  if (args[0] === '--') args = args.slice(1);
  const cacheDir = scan.values.get('--cache-dir')?.[0];
  if (runner === 'uvx' || runner === 'pipx-run') {
    const req = parseRequirement(spec);
    return { kind: 'package', runner, ecosystem: 'python', spec, name: req.name, ...(req.version ? { version: req.version } : {}), ...(req.extras ? { extras: req.extras } : {}), ...(cacheDir ? { cacheDir } : {}), args };
  }
  const pkg = parsePackageSpec(spec);
  return { kind: 'package', runner, ecosystem: 'npm', spec, name: pkg.name, ...(pkg.range ? { version: pkg.range } : {}), args };
}

function imageTarget(cur: readonly string[], from: number, engine: string): LaunchTarget {
  const scan = scanOptions(cur, from, DOCKER_RUN);
  const image = cur[scan.positional];
  if (image === undefined) return { kind: 'none' };
  const containerName = scan.values.get('--name')?.[0];
  return { kind: 'image', engine, image, ...(containerName ? { containerName } : {}), args: cur.slice(scan.positional + 1) };
}

/** The name a launch's target goes by, for keys: a package's name, an image without its digest, lower-cased. */
export function targetName(target: LaunchTarget): string | undefined {
  if (target.kind === 'package') return target.name.toLowerCase();
  if (target.kind === 'image') return target.image.split('@')[0].toLowerCase();
  return undefined;
}
