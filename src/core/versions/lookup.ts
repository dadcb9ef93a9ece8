import type { EngineCache } from '../base/engineCache';
import { MtimeCache } from './cache';
import { HostEnv, pathFor } from '../base/hostEnv';
import { hasSeparator } from '../launch/program';
import { envVar, pathCandidates, which } from '../launch/which';
import type { FileStat } from '../machine/types';
import type { EnvironmentFingerprint, StartRisk } from '../base/versionTypes';
import { parseJsonText, VersionFs } from './fs';

/** What every resolver gets: the host (paths, env, platform) and the file reads. */
export interface ResolveContext {
  host: HostEnv;
  fs: VersionFs;
  /** The engine's cache, for answers kept across refreshes (histories); without one nothing is kept. */
  cache?: EngineCache;
  /**
   * The snapshot's reads, each made once for its length (memoizedFs over `fs`), when one is running:
   * answers computed in it read through them. What is kept across snapshots is checked against `fs`.
   */
  pass?: VersionFs;
}

/** A package specifier one of the script's files loads. */
export interface PackageImport {
  from: string;
  spec: string;
}

/** What a script's installed side gains from its imports: its words (`how`'s end) and its fields. */
export interface ScriptPackagesRead {
  /** ", importing @modelcontextprotocol/sdk 1.32.2 from /w/proj/node_modules" */
  how: string;
  fields: {
    nodeProject: { dir: string; imports: string[] };
    environment?: EnvironmentFingerprint;
    closureTimes?: Record<string, number>;
    startRisks?: StartRisk[];
  };
}

/**
 * An mtime-checked cache kept in the engine's cache under `name`, made for these file reads on
 * first use; a fresh one (kept nowhere) without an engine cache.
 */
export function keptMtimeCache<T>(ctx: ResolveContext, name: string): Pick<MtimeCache<T>, 'get'> {
  const make = () => new MtimeCache<T>(ctx.fs);
  const kept = ctx.cache ? ctx.cache.bucket<string, MtimeCache<T>>(name, { limit: 1 }).getOrSet('', make) : make();
  return { get: (key, compute) => kept.get(key, compute, ctx.pass) };
}

/** The launch being resolved: a configured command or a running process's argv. */
export interface LaunchSpec {
  command: string;
  args: string[];
  cwd?: string;
  /**
   * The env the entry sets, resolved. Resolution reads only what moves where the code is found
   * (PYTHONPATH); values are never shown or kept.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

export { hasSeparator, programName } from '../launch/program';

/** An environment variable, case-insensitively (npm reads `npm_config_x` in any case; Windows env is case-insensitive). */
export function envValue(host: HostEnv, name: string): string | undefined {
  return envVar(host.env, name);
}

/**
 * Finds a command the way a client's spawn would: a path is taken relative to the cwd; a bare name
 * is looked up on PATH (with PATHEXT on Windows). Never runs anything.
 */
export async function whichCommand(command: string, ctx: ResolveContext, cwd?: string): Promise<string | undefined> {
  const p = pathFor(ctx.host);
  if (hasSeparator(command)) {
    const full = p.isAbsolute(command) ? command : p.resolve(cwd ?? ctx.host.home, command);
    const s = await ctx.fs.stat(full);
    return s?.kind === 'file' ? full : undefined;
  }
  return which(
    command,
    ctx.host.platform,
    ctx.host.env,
    async (full) => (await statOnPath(ctx, full))?.kind === 'file',
    candidatesOf(command, ctx),
  );
}

/**
 * Where a bare command could be on PATH, kept by the engine for the environment it was read in: a
 * config of thousands of servers looks up one `node` or `uvx` thousands of times (a PATH of twenty
 * folders joined twenty times each). A list is shared and not to be changed.
 */
function candidatesOf(command: string, ctx: ResolveContext): readonly string[] {
  const { platform, env } = ctx.host;
  if (!ctx.cache) return pathCandidates(command, platform, env);
  const key = `${platform}\0${command}\0${envVar(env, 'PATH') ?? ''}\0${platform === 'win32' ? (envVar(env, 'PATHEXT') ?? '') : ''}`;
  return ctx.cache
    .bucket<string, readonly string[]>('PATH candidates', { limit: 64 })
    .getOrSet(key, () => pathCandidates(command, platform, env));
}

/**
 * A PATH entry the user cannot enter (EACCES, EPERM) or that is not a folder holds nothing they
 * could run: it is skipped, as a shell skips it, instead of failing the whole lookup.
 */
async function statOnPath(ctx: ResolveContext, full: string): Promise<FileStat | undefined> {
  try {
    return await ctx.fs.stat(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG')
      return undefined;
    throw err;
  }
}

/** Reads a JSON file; undefined when absent, an Error value when it is not JSON. */
export async function readJson(fs: VersionFs, file: string): Promise<unknown> {
  return fs.readJson ? fs.readJson(file) : parseJsonText(file, await fs.readText(file));
}

export { isRecord } from '../base/isRecord';

/** Simple `key = value` lines of an ini/npmrc file (sections ignored unless asked for). */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>([['', new Map()]]);
  let current = sections.get('')!;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      current = sections.get(sec[1].trim()) ?? new Map<string, string>();
      sections.set(sec[1].trim(), current);
      continue;
    }
    // npmrc keys may hold a colon (`@scope:registry=`): `=` wins; pip.conf also allows `key: value`.
    let eq = line.indexOf('=');
    if (eq < 0) eq = line.indexOf(':');
    if (eq <= 0) continue;
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}
