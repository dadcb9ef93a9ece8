import { resolvePythonScript } from './pythonScript';
import { resolveOnPythonPath } from './pythonPath';
import { pathFor } from '../base/hostEnv';
import { changedAt } from './fs';
import { hasSeparator, programName, ResolveContext } from './lookup';
import { npmPackageOfScript, parseNpmRunner, resolveNpmRunner } from './npmPackages';
import { parseLaunch } from '../launch/parse';
import { JS_RUNTIMES } from '../launch/program';
import { resolveNodeScript } from './nodeScript';
import { archivedPackageOfScript } from './yarnPnp';
import { isPythonInterpreter, resolvePythonModule, resolveVenvScript, venvOf } from './python';
import { Installed } from '../base/versionTypes';

/**
 * What a running process's own argv says it runs: the script or module its interpreter was started
 * with (the best evidence of where its code is, read before the configured launch), a script that
 * is gone named by its package with when it went, and a bin bun finds in the project. The
 * configured launch's interpreter is read through the same rules (fromLaunch.ts).
 */

/** Runners of TypeScript that load the script into node (in a child: tsx; in-process: ts-node). */
export const TS_RUNNERS = /^(tsx|ts-node)$/;

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
export function processScript(
  ctx: ResolveContext,
  argv: readonly string[],
  cwd: string | undefined,
): string | undefined {
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
 * A relative script whose folder neither the entry nor the process says (Claude Code and Cursor name
 * none; a process's cwd is read on Linux only): unknown, never a file taken as gone from a guessed folder.
 */
function folderNotKnown(script: string): Installed {
  return { state: 'unknown', reason: `its script ${script} is relative to a folder not known here` };
}

/**
 * From a running main process's own argv: the script or module it was started with. Undefined
 * when its argv says nothing resolvable (a native binary, a REPL).
 */
export async function fromProcess(
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
    const full = p.isAbsolute(script) ? script : cwd !== undefined ? p.resolve(cwd, script) : undefined;
    if (full === undefined) return folderNotKnown(script);
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
      const full = p.isAbsolute(script) ? script : cwd !== undefined ? p.resolve(cwd, script) : undefined;
      if (full === undefined) return folderNotKnown(script);
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

/** The package of a bin `bun run <name>` finds in `node_modules/.bin` at or above the folder; undefined when none (a package.json script, say). */
export async function projectBin(
  ctx: ResolveContext,
  name: string,
  cwd: string | undefined,
): Promise<Installed | undefined> {
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
