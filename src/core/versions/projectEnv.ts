import { pathFor } from '../base/hostEnv';
import type { Installed } from '../base/versionTypes';
import { poetryEnvHash, poetryEnvName, poetryVirtualenvFolders } from '../launch/projectEnv';
import { interpreterArgv } from '../launch/parse';
import type { ParsedLaunch } from '../launch/types';
import { hasSeparator, programName, ResolveContext } from './lookup';

/**
 * The environment `poetry run`, `pdm run`, `hatch run` or `uv run` runs a command in, for the project at or
 * above `folder`: its `.venv`, else (poetry) the environment named by the project folder's hash in
 * poetry's `virtualenvs` folder, the one `poetry env use` chose when several Pythons have one.
 * Undefined when none is found (not created yet, or kept where this does not look: hatch's data folder).
 */
export async function projectEnvironment(
  ctx: ResolveContext,
  runner: string,
  folder: string,
): Promise<{ venv: string; project: string } | undefined> {
  const p = pathFor(ctx.host);
  let project = folder;
  for (let dir = folder, depth = 0; depth < 32; depth++) {
    if ((await ctx.fs.stat(p.join(dir, 'pyproject.toml')))?.kind === 'file') {
      project = dir;
      break;
    }
    const up = p.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const isVenv = async (dir: string) => (await ctx.fs.stat(p.join(dir, 'pyvenv.cfg')))?.kind === 'file';
  const local = p.join(project, '.venv');
  if (await isVenv(local)) return { venv: local, project };
  if (runner !== 'poetry') return undefined;
  const hash = poetryEnvHash((await ctx.fs.realpath(project)) ?? project);
  for (const dir of poetryVirtualenvFolders(ctx.host)) {
    const mine = ((await ctx.fs.readdir(dir)) ?? []).filter((e) => poetryEnvName(e)?.hash === hash).sort();
    if (mine.length === 0) continue;
    // envs.toml: `[timeproj-Ab3_x9Zq]\nminor = "3.12"`: the Python `poetry env use` chose.
    const chosen = /minor\s*=\s*"(\d+\.\d+)"/.exec(
      ((await ctx.fs.readText(p.join(dir, 'envs.toml'))) ?? '').split(`-${hash}]`)[1] ?? '',
    )?.[1];
    const pick = mine.find((e) => poetryEnvName(e)?.python === chosen) ?? mine[mine.length - 1];
    if (await isVenv(p.join(dir, pick))) return { venv: p.join(dir, pick), project };
  }
  return undefined;
}

/**
 * What a project runner's command runs in the environment: a bare program is that environment's
 * console script (`poetry run mcp-server-time` -> `<env>/bin/mcp-server-time`), a bare `python` its
 * interpreter. `resolveArgv` reads the launch as the process would run it.
 */
export async function resolveInProjectEnv(
  ctx: ResolveContext,
  runner: string,
  parsed: ParsedLaunch,
  folder: string | undefined,
  resolveArgv: (argv: string[]) => Promise<Installed | undefined>,
): Promise<Installed> {
  const p = pathFor(ctx.host);
  const unknown = (reason: string): Installed => ({ state: 'unknown', ecosystem: 'python', reason });
  if (folder === undefined)
    return unknown(`\`${runner} run\` with no folder: which project's environment is not known`);
  const env = await projectEnvironment(ctx, runner, folder);
  if (!env) return unknown(`no environment of ${runner}'s found for the project at ${folder}`);
  const bin = (name: string) =>
    ctx.host.platform === 'win32' ? p.join(env.venv, 'Scripts', `${name}.exe`) : p.join(env.venv, 'bin', name);
  const target = parsed.target;
  const own = interpreterArgv(target);
  const first = parsed.interpreter ?? (target.kind === 'program' ? target.program : undefined);
  if (first === undefined) return unknown(`cannot tell what \`${runner} run\` runs`);
  // `uv run srv.py`: a `.py` file is run by the environment's python, not as a program.
  const script = target.kind === 'program' && /\.pyw?$/i.test(first) ? [first, ...target.args] : undefined;
  const file = script ? bin('python') : hasSeparator(first) ? p.resolve(folder, first) : bin(programName(first));
  const argv = [file, ...(script ?? own ?? [])];
  return (
    (await resolveArgv(argv)) ?? unknown(`cannot tell which package ${file} in ${runner}'s environment ${env.venv} is`)
  );
}
