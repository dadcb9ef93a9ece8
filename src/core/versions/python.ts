import { pipxHomeFolders, uvCacheFolder, uvToolFolder } from '../launch/runnerHomes';
import { pathFor } from '../base/hostEnv';
import { fingerprint } from './fingerprint';
import { parseLaunch } from '../launch/parse';
import { parseRequirement } from '../launch/spec';
import type { ParsedLaunch } from '../launch/types';
import { programName, PYTHON_LIKE } from '../launch/program';
import { LaunchSpec, ResolveContext, whichCommand } from './lookup';
import { Installed } from '../base/versionTypes';
import { devMembersOf } from './devSource';
import { layeredSites } from './layeredSites';
import { closureOf, normalizeName, readDistMetadata } from './pythonClosure';
import { ancestors } from './ancestors';
import { changedAtOf, shared } from './fs';

export { normalizeName };

/**
 * Python resolution: the site-packages a launch runs from (a venv, a uv tool or uvx environment, a
 * pipx venv, or the interpreter's own), the server's distribution in it (`*.dist-info/METADATA`)
 * and the fingerprint of its dependency closure there (pythonClosure.ts), so a dependency upgrade
 * under an unchanged server version is seen and named. Reads files only; never runs Python.
 */

/** `name-version.dist-info` / `name-version-py3.11.egg-info` -> name and version. */
export function parseDistDir(entry: string): { name: string; version: string } | undefined {
  const m = /^(.+?)-([^-]+?)(?:-py\d+(?:\.\d+)*)?\.(dist-info|egg-info)$/.exec(entry);
  return m ? { name: normalizeName(m[1]), version: m[2] } : undefined;
}

/** `Name:` and `Version:` headers of a METADATA / PKG-INFO file. */
export function parseMetadata(text: string): { name?: string; version?: string } {
  const out: { name?: string; version?: string } = {};
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break; // headers end at the first blank line; the description follows
    const m = /^(Name|Version):\s*(.+?)\s*$/.exec(line);
    if (m) out[m[1] === 'Name' ? 'name' : 'version'] = m[2];
  }
  return out;
}

export interface SitePackages {
  dir: string;
  /** How this site-packages was found, in words. */
  how: string;
}

/** A venv's site-packages (`lib/python3.X/site-packages`, or `Lib/site-packages` on Windows). */
export async function venvSitePackages(ctx: ResolveContext, venv: string): Promise<string | undefined> {
  const p = pathFor(ctx.host);
  const win = p.join(venv, 'Lib', 'site-packages');
  if ((await ctx.fs.stat(win))?.kind === 'dir') return win;
  const lib = p.join(venv, 'lib');
  const pys = ((await ctx.fs.readdir(lib)) ?? []).filter((d) => /^(python|pypy)\d/.test(d)).sort();
  for (const d of pys.reverse()) {
    const sp = p.join(lib, d, 'site-packages');
    if ((await ctx.fs.stat(sp))?.kind === 'dir') return sp;
  }
  return undefined;
}

/** The venv a file lives in: a folder above it with a pyvenv.cfg (a console script in bin/, an interpreter). */
export async function venvOf(ctx: ResolveContext, file: string): Promise<string | undefined> {
  const p = pathFor(ctx.host);
  for (const dir of ancestors(p, p.dirname(file), 3))
    if ((await ctx.fs.stat(p.join(dir, 'pyvenv.cfg')))?.kind === 'file') return dir;
  return undefined;
}

/** Every distribution in a site-packages, from the dist-info folder names alone (no file reads). */
export async function distributions(
  ctx: ResolveContext,
  sitePackages: string,
): Promise<Map<string, { version: string; entry: string }>> {
  const out = new Map<string, { version: string; entry: string }>();
  for (const entry of (await ctx.fs.readdir(sitePackages)) ?? []) {
    const d = parseDistDir(entry);
    if (d) out.set(d.name, { version: d.version, entry });
  }
  return out;
}

/** The distribution that provides a module or a console script in a site-packages. */
export async function findDistribution(
  ctx: ResolveContext,
  sp: string,
  dists: Map<string, { version: string; entry: string }>,
  want: { module?: string; script?: string; hint?: string },
): Promise<string | undefined> {
  const p = pathFor(ctx.host);
  const top = want.module?.split('.')[0];
  for (const guess of [top, want.hint, want.script]) {
    if (guess && dists.has(normalizeName(guess))) return normalizeName(guess);
  }
  // Module and project names often differ (`mcp_server_x` in project `mcp-x`): ask the metadata.
  for (const [name, d] of dists) {
    if (!d.entry.endsWith('.dist-info')) continue;
    if (want.script) {
      const eps = await ctx.fs.readText(p.join(sp, d.entry, 'entry_points.txt'));
      if (eps && consoleScripts(eps).has(want.script)) return name;
    }
    if (top) {
      const tl = await ctx.fs.readText(p.join(sp, d.entry, 'top_level.txt'));
      if (tl?.split(/\r?\n/).some((l) => l.trim() === top)) return name;
      const record = await ctx.fs.readText(p.join(sp, d.entry, 'RECORD'));
      if (record?.split(/\r?\n/).some((l) => l.startsWith(`${top}/`) || l.startsWith(`${top}.py,`))) return name;
    }
  }
  return undefined;
}

export function consoleScripts(text: string): Set<string> {
  const names = new Set<string>();
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) inSection = line === '[console_scripts]';
    else if (inSection && line.includes('=')) names.add(line.slice(0, line.indexOf('=')).trim());
  }
  return names;
}

/**
 * Reads one site-packages: the server's distribution (by module, script or name) with its version,
 * and the fingerprint of its dependency closure there. `missing` when the site-packages exists
 * but the distribution is not in it; undefined when there is no site-packages at all.
 * `extras`: the root's extras a launch asked for (`uvx 'pkg[cli]'`, `--from 'pkg[cli]==1'`), whose
 * requirements join the closure; none when the launch does not say (a venv's script, `python -m`).
 */
export async function readPythonPackage(
  ctx: ResolveContext,
  site: SitePackages,
  want: { module?: string; script?: string; hint?: string },
  fromProcess = false,
  extras: readonly string[] = [],
  layers = true,
): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  const spStat = await ctx.fs.stat(site.dir);
  if (spStat?.kind !== 'dir') return undefined;
  const dists = await distributions(ctx, site.dir);
  const name = await findDistribution(ctx, site.dir, dists, want);
  const label = want.hint ?? want.module ?? want.script ?? '?';
  // `uv run --with`: what runs is in an environment the site's `.pth` layers over it (once: no chains).
  if (!name && layers)
    for (const dir of await layeredSites(ctx, site.dir)) {
      const how = `${site.how}, with the site folder its .pth adds, ${dir}`;
      const found = await readPythonPackage(ctx, { dir, how }, want, fromProcess, extras, false);
      if (found?.state === 'installed') return found;
    }
  // Not marked fromProcess: `python -m x` may run a plain folder in its cwd, which no distribution provides.
  if (!name)
    return {
      state: 'missing',
      ecosystem: 'python',
      name: label,
      how: `${site.how}: no distribution provides ${label}`,
      location: site.dir,
    };
  const dist = dists.get(name)!;
  const metadata = await readDistMetadata(ctx, site.dir, dist.entry);
  const meta = parseMetadata(metadata.text ?? '');
  // The closure is walked once per snapshot for a site-packages, distribution and extras: a
  // server's resolution and each of its instances' (fromProcess) ask the same one, and buckaroo's
  // walk reads and parses the requirements of 38 distributions.
  const extrasKey = [...new Set(extras.map(normalizeName))].sort().join(',');
  const { closure, dev } = await shared(ctx.fs, `python-closure:${site.dir}\0${name}\0${extrasKey}`, async (fs) => {
    const walk: ResolveContext = { ...ctx, fs };
    // The site-packages folder's own times are left out: any install into it (pip upgrading itself) moves them.
    const closure = await closureOf(walk, site.dir, dists, { name, metadata }, extras);
    // Members installed editable are code under development: their own files count too.
    const dev = await devMembersOf(
      walk,
      Object.entries(closure.packages).map(([member, version]) => ({
        name: member,
        version,
        ecosystem: 'python' as const,
        location: p.join(site.dir, dists.get(member)!.entry),
      })),
    );
    return { closure, dev };
  });
  return {
    state: 'installed',
    ecosystem: 'python',
    name: meta.name ?? name,
    version: meta.version ?? dist.version,
    how: site.how,
    location: p.join(site.dir, dist.entry),
    environment: fingerprint(closure.packages),
    ...changedAtOf([closure.changedAt, dev.changedAt]),
    ...(fromProcess ? { fromProcess } : {}),
    ...(dev.members.length ? { devMembers: dev.members } : {}),
    ...(mcpNameIn(metadata.text) ? { mcpName: mcpNameIn(metadata.text) } : {}),
    sitePackages: site.dir,
  };
}

/**
 * The MCP Registry name a PyPI distribution claims: the registry checks that a package's README
 * holds `mcp-name: <server name>` (often in an HTML comment), and the README is the METADATA's body.
 */
export function mcpNameIn(metadata: string | undefined): string | undefined {
  const m = metadata && /\bmcp-name:\s*([a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+)/.exec(metadata);
  return m ? m[1] : undefined;
}

/** `python [opts] -m module` -> the module; undefined when the interpreter runs a script or nothing. */
export function pythonModule(args: readonly string[]): string | undefined {
  const { target } = parseLaunch(['python', ...args]);
  return target.kind === 'module' ? target.module : undefined;
}

export function isPythonInterpreter(command: string): boolean {
  return PYTHON_LIKE.test(programName(command));
}

/**
 * The site-packages an interpreter imports from, best first: its venv's; else the user site and
 * the installation's own (`<prefix>/lib/pythonX.Y/site-packages`, Debian's dist-packages).
 */
export async function interpreterSitePackages(ctx: ResolveContext, interpreter: string): Promise<SitePackages[]> {
  const p = pathFor(ctx.host);
  const venv = await venvOf(ctx, interpreter);
  if (venv) {
    const sp = await venvSitePackages(ctx, venv);
    return sp ? [{ dir: sp, how: `venv ${venv}` }] : [];
  }
  const real = (await ctx.fs.realpath(interpreter)) ?? interpreter;
  const prefix = p.dirname(p.dirname(real));
  const named = /python(\d+\.\d+)/.exec(p.basename(real))?.[1];
  const lib = p.join(prefix, 'lib');
  const versions = named
    ? [named]
    : ((await ctx.fs.readdir(lib)) ?? []).map((d) => /^python(\d+\.\d+)$/.exec(d)?.[1]).filter((v): v is string => !!v);
  const out: SitePackages[] = [];
  for (const v of versions) {
    out.push({
      dir: p.join(ctx.host.home, '.local', 'lib', `python${v}`, 'site-packages'),
      how: `user site of ${real}`,
    });
    out.push({ dir: p.join(lib, `python${v}`, 'site-packages'), how: `site-packages of ${real}` });
  }
  out.push({ dir: p.join(lib, 'python3', 'dist-packages'), how: `dist-packages of ${real}` });
  return out;
}

/** First site-packages that has the distribution; else the first that exists, as `missing`. */
async function firstWith(
  ctx: ResolveContext,
  sites: SitePackages[],
  want: { module?: string; script?: string; hint?: string },
  fromProcess: boolean,
): Promise<Installed | undefined> {
  let missing: Installed | undefined;
  for (const site of sites) {
    const r = await readPythonPackage(ctx, site, want, fromProcess);
    if (r?.state === 'installed') return r;
    missing ??= r;
  }
  return missing;
}

/** `<interpreter> -m module`: through the interpreter's site-packages. */
export async function resolvePythonModule(
  ctx: ResolveContext,
  interpreterPath: string,
  module: string,
  fromProcess: boolean,
): Promise<Installed> {
  const sites = await interpreterSitePackages(ctx, interpreterPath);
  return (
    (await firstWith(ctx, sites, { module }, fromProcess)) ?? {
      state: 'unknown',
      ecosystem: 'python',
      name: module,
      reason: `no site-packages found for ${interpreterPath}`,
    }
  );
}

/** A console script inside a venv (pipx, `uv tool install`, a project's .venv/bin/x). */
export async function resolveVenvScript(
  ctx: ResolveContext,
  script: string,
  fromProcess: boolean,
): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  const venv = await venvOf(ctx, script);
  if (!venv) return undefined;
  const sp = await venvSitePackages(ctx, venv);
  if (!sp) return { state: 'unknown', ecosystem: 'python', reason: `venv ${venv} has no site-packages` };
  const scriptName = programName(script).replace(/\.(py|exe)$/, '');
  const how = venvKind(venv);
  return (
    (await readPythonPackage(ctx, { dir: sp, how }, { script: scriptName, hint: p.basename(venv) }, fromProcess)) ?? {
      state: 'unknown',
      reason: `no site-packages in ${venv}`,
    }
  );
}

/** uvx's and `pipx run`'s cached environments: one per resolution, a newer one beside the old. */
const UVX_ENV = /\/uv\/(archive-v\d+|environments-v\d+)\//;
const PIPX_RUN_ENV = /\/pipx\/\.cache\//;

/** Words for where a venv comes from, by its place on disk. */
function venvKind(venv: string): string {
  const v = venv.replace(/\\/g, '/');
  if (/\/uv\/tools\/[^/]+$/.test(v)) return `uv tool ${venv}`;
  if (/\/pipx\/venvs\/[^/]+$/.test(v)) return `pipx venv ${venv}`;
  if (UVX_ENV.test(v)) return `uvx environment ${venv}`;
  if (PIPX_RUN_ENV.test(v)) return `pipx run environment ${venv}`;
  return `venv ${venv}`;
}

/**
 * Whether a path lies in a uvx or `pipx run` cached environment. A process running from one is
 * not judged by it alone: the runner builds a new environment beside it when the launch resolves
 * to something else (a newer release), and what the launch runs now is the installed side.
 */
export function inRunnerEnvironment(file: string): boolean {
  const v = file.replace(/\\/g, '/');
  return UVX_ENV.test(v) || PIPX_RUN_ENV.test(v);
}

/** Whether a path lies in a venv `uv tool install` made (which uvx reuses where it satisfies a launch). */
export function inUvTool(file: string): boolean {
  return /\/uv\/(?:data\/)?tools\/[^/]+\//.test(file.replace(/\\/g, '/'));
}

/** `uv-run`: `uv run --with pkg cmd`, whose requirements uv installs in an environment of its cache and layers over the base. */
export type PythonRunner = 'uvx' | 'pipx-run' | 'uv-run';

export interface PythonRunnerLaunch {
  runner: PythonRunner;
  /** The project name (extras and version stripped). */
  name: string;
  /** The requested version, when pinned (`pkg==1.2`, `pkg@1.2`). */
  version?: string;
  /** The extras asked for (`pkg[cli]`): their requirements are part of the server's closure. */
  extras?: string[];
  /** `--cache-dir` given on the command line (uvx). */
  cacheDir?: string;
}

/** Recognises `uvx [opts] pkg`, `uvx --from pkg cmd`, `uv tool run ...`, `pipx run [--spec s] pkg` (through wrappers too). */
export function parsePythonRunner(
  launch: LaunchSpec,
  { target }: ParsedLaunch = parseLaunch([launch.command, ...launch.args]),
): PythonRunnerLaunch | undefined {
  if (target.kind !== 'package' || (target.runner !== 'uvx' && target.runner !== 'pipx-run')) return undefined;
  return {
    runner: target.runner,
    name: target.name,
    ...(target.version ? { version: target.version } : {}),
    ...(target.extras ? { extras: target.extras } : {}),
    ...(target.cacheDir ? { cacheDir: target.cacheDir } : {}),
  };
}

/**
 * Recognises `uv run --with pkg==1.2 cmd` (through wrappers too) where what runs is one of the
 * requirements uv layers (`cmd` or `python -m module` of that distribution): resolved as a runner's
 * package is, from uv's cache. Not a runner launch to the matcher: the process is `cmd`'s.
 */
export function parseLayeredRunner(
  launch: LaunchSpec,
  parsed: ParsedLaunch = parseLaunch([launch.command, ...launch.args]),
): PythonRunnerLaunch | undefined {
  const layered = layeredTarget(parsed);
  if (!layered) return undefined;
  return {
    runner: 'uv-run',
    name: layered.name,
    ...(layered.version ? { version: layered.version } : {}),
    ...(layered.extras ? { extras: layered.extras } : {}),
  };
}

/**
 * The `uv run --with` requirement that is what runs: the one named as the program or the module's
 * top-level package (`mcp-server-time`, `python -m mcp_server_time`). A program of another name is
 * not taken for one of them: it may come from the project's own environment.
 */
function layeredTarget(parsed: ParsedLaunch): ReturnType<typeof parseRequirement> | undefined {
  const { target } = parsed;
  if (!parsed.layered?.length) return undefined;
  const runs =
    target.kind === 'program'
      ? programName(target.program).replace(/\.(exe|cmd|bat)$/i, '')
      : target.kind === 'module'
        ? target.module.split('.')[0]
        : undefined;
  if (!runs) return undefined;
  return parsed.layered.map(parseRequirement).find((r) => normalizeName(r.name) === normalizeName(runs));
}

/** uv's cache folder: `--cache-dir`, `UV_CACHE_DIR`, then `$XDG_CACHE_HOME/uv` / `~/.cache/uv` (`%LOCALAPPDATA%\uv\cache`). */
export function uvCacheDir(ctx: ResolveContext, flag?: string): string {
  return flag ? pathFor(ctx.host).resolve(flag) : uvCacheFolder(ctx.host);
}

/** uv's tool folder (`uv tool install`), as launch/runnerHomes.ts derives it. */
export function uvToolDir(ctx: ResolveContext): string {
  return uvToolFolder(ctx.host);
}

/** pipx's home folders, as launch/runnerHomes.ts derives them. */
export async function pipxHomes(ctx: ResolveContext): Promise<string[]> {
  return pipxHomeFolders(ctx.host);
}

/** Every environment in a runner's cache folders whose site-packages hold the project (any version). */
export async function envCacheCopies(
  ctx: ResolveContext,
  roots: readonly string[],
  name: string,
  kind: string,
  extras?: readonly string[],
): Promise<Array<Extract<Installed, { state: 'installed' }>>> {
  const p = pathFor(ctx.host);
  const found: Array<Extract<Installed, { state: 'installed' }>> = [];
  for (const root of roots) {
    for (const d of (await ctx.fs.readdir(root)) ?? []) {
      const venv = p.join(root, d);
      const sp = await venvSitePackages(ctx, venv);
      if (!sp || !(await distributions(ctx, sp)).has(normalizeName(name))) continue;
      const pkg = await readPythonPackage(ctx, { dir: sp, how: `${kind} ${venv}` }, { hint: name }, false, extras);
      if (pkg?.state === 'installed') found.push(pkg);
    }
  }
  return found;
}

/** The cached environments uvx builds (`archive-v0`, `environments-v1`, `environments-v2` of uv's cache). */
export function uvxCacheRoots(ctx: ResolveContext, cacheDir?: string): string[] {
  const p = pathFor(ctx.host);
  const cache = uvCacheDir(ctx, cacheDir);
  return [p.join(cache, 'archive-v0'), p.join(cache, 'environments-v1'), p.join(cache, 'environments-v2')];
}

/** Candidate environments in a cache folder whose site-packages hold the project; newest first wins. */
async function fromEnvCache(
  ctx: ResolveContext,
  roots: string[],
  r: PythonRunnerLaunch,
  kind: string,
): Promise<Installed | undefined> {
  const found = (await envCacheCopies(ctx, roots, r.name, kind, r.extras)).filter(
    (pkg) => !r.version || pkg.version === r.version,
  );
  return found.sort((a, b) => (b.changedAt ?? 0) - (a.changedAt ?? 0))[0];
}

/**
 * What `uvx pkg` / `pipx run pkg` would run now: an installed tool of that name first (uvx prefers
 * `uv tool install`ed tools), then the runner's cached environments. `missing` when none holds it.
 */
export async function resolvePythonRunner(ctx: ResolveContext, r: PythonRunnerLaunch): Promise<Installed> {
  const p = pathFor(ctx.host);
  if (r.runner === 'uvx') {
    const tool = p.join(uvToolDir(ctx), r.name);
    const sp = await venvSitePackages(ctx, tool);
    if (sp) {
      const pkg = await readPythonPackage(ctx, { dir: sp, how: `uv tool ${tool}` }, { hint: r.name }, false, r.extras);
      if (pkg?.state === 'installed' && (!r.version || pkg.version === r.version)) return pkg;
    }
    const hit = await fromEnvCache(ctx, uvxCacheRoots(ctx, r.cacheDir), r, 'uvx environment');
    if (hit) return hit;
  } else if (r.runner === 'uv-run') {
    // `uv run --with` never runs an installed tool: the requirements are installed in uv's cache, as uvx's are.
    const hit = await fromEnvCache(ctx, uvxCacheRoots(ctx, r.cacheDir), r, 'uv run --with environment');
    if (hit) return hit;
  } else {
    const homes = await pipxHomes(ctx);
    const hit = await fromEnvCache(
      ctx,
      homes.map((h) => p.join(h, '.cache')),
      r,
      'pipx run environment',
    );
    if (hit) return hit;
  }
  return {
    state: 'missing',
    ecosystem: 'python',
    name: r.name,
    how: `${RUNNER_WORDS[r.runner]} ${r.name}: in no ${r.runner === 'uvx' ? 'installed tool and no ' : ''}cached environment`,
  };
}

const RUNNER_WORDS: Record<PythonRunner, string> = { uvx: 'uvx', 'pipx-run': 'pipx run', 'uv-run': 'uv run --with' };

/** `python -m x` with a bare interpreter name is resolved on PATH, like the client's spawn. */
export async function resolveInterpreter(
  ctx: ResolveContext,
  command: string,
  cwd?: string,
): Promise<string | undefined> {
  return whichCommand(command, ctx, cwd);
}
