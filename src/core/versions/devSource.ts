import { pathFor } from '../base/hostEnv';
import { ChangedFile, DevMember, DevSource, Ecosystem, Installed } from '../base/versionTypes';
import { changedAt, changedAtOf } from './fs';
import { denoDirFolder } from '../launch/runnerHomes';
import { isRecord, readJson, ResolveContext } from './lookup';

/**
 * Development servers: a package whose code is not an installed registry release (a checkout run
 * with `node dist/index.js`, an `npm link`ed package, a `pip install -e` or `uv run` project). Its
 * version stays the same across rebuilds, so it is judged by the change times of its own source and
 * build files and its lockfile. Reads go through `ctx.fs`, so the resolution cache re-checks them.
 */

/** Folders never walked: dependencies, VCS data, caches and environments are not the server's own code. */
const SKIP_DIRS = new Set(['node_modules', '__pycache__', 'venv', 'env', 'coverage', 'site-packages', 'target']);

/** Whether a folder of a source tree holds no code of its own: installed packages, caches, build output, hidden ones. */
export function notOwnCode(name: string): boolean {
  return name.startsWith('.') || SKIP_DIRS.has(name) || name.endsWith('.egg-info');
}
/** What code, build output and lockfiles look like: a README edit is not a rebuild. */
const CODE_FILE =
  /\.(c?js|mjs|c?ts|mts|jsx|tsx|json|py|pyi|so|node|pyd|dylib|dll|wasm|lock|toml|cfg)$|^pnpm-lock\.yaml$/i;
/** A checkout can be large: the walk stops after this many entries (the newest files seen so far stand). */
const MAX_ENTRIES = 5000;
const MAX_DEPTH = 8;
/** Files named as evidence. */
const NEWEST_KEPT = 5;

/** The few newest of some files (a source folder's, a script's and what it loads), named as evidence: newest first. */
export function newestFiles(files: ReadonlyArray<{ path: string; at?: number }>): ChangedFile[] {
  return files
    .filter((f): f is { path: string; at: number } => f.at !== undefined)
    .sort((a, b) => b.at - a.at)
    .slice(0, NEWEST_KEPT)
    .map((f) => ({ path: f.path, at: new Date(f.at).toISOString() }));
}

/** The source folder of a package that is not an installed release; undefined for one that is. */
export async function devRootOf(
  ctx: ResolveContext,
  installed: Installed,
): Promise<{ root: string; how: string } | undefined> {
  if (installed.state !== 'installed') return undefined;
  return devRootAt(ctx, installed.ecosystem, installed.location);
}

/** The same for a package found at `location` (npm: its folder; Python: its `.dist-info`). */
async function devRootAt(
  ctx: ResolveContext,
  ecosystem: Ecosystem,
  location: string,
): Promise<{ root: string; how: string } | undefined> {
  const p = pathFor(ctx.host);
  if (ecosystem === 'npm') {
    const real = (await ctx.fs.realpath(location)) ?? location;
    if (real.split(/[\\/]/).includes('node_modules')) return undefined;
    // deno keeps the registry releases it runs outside any node_modules: `<DENO_DIR>/npm/<registry>/<name>/<version>`.
    const denoNpm = p.join(denoDirFolder(ctx.host), 'npm');
    const cache = (await ctx.fs.realpath(denoNpm)) ?? denoNpm;
    if (real.startsWith(cache + p.sep)) return undefined;
    return { root: real, how: 'a package folder outside node_modules (a checkout, or the target of npm link)' };
  }
  if (ecosystem === 'python' && location.endsWith('.dist-info')) {
    // PEP 610: an editable install records the project folder it points at.
    const direct = await readJson(ctx.fs, p.join(location, 'direct_url.json'));
    if (
      !isRecord(direct) ||
      !isRecord(direct.dir_info) ||
      direct.dir_info.editable !== true ||
      typeof direct.url !== 'string'
    )
      return undefined;
    const root = fileUrlPath(direct.url, ctx.host.platform);
    return root ? { root, how: `an editable install of ${root} (direct_url.json)` } : undefined;
  }
  return undefined;
}

function fileUrlPath(url: string, platform: NodeJS.Platform): string | undefined {
  if (!url.startsWith('file://')) return undefined;
  try {
    const decoded = decodeURIComponent(new URL(url).pathname);
    return platform === 'win32' ? decoded.replace(/^\/([A-Za-z]:)/, '$1').replace(/\//g, '\\') : decoded;
  } catch {
    return undefined;
  }
}

/** The newest code files under a source folder, newest first, and the newest change time among them. */
export async function newestSourceFiles(
  ctx: ResolveContext,
  root: string,
  maxEntries = MAX_ENTRIES,
): Promise<{ newest: ChangedFile[]; changedAt?: number; entries: number }> {
  const p = pathFor(ctx.host);
  const found: Array<{ path: string; at: number }> = [];
  let entries = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    const names = (await ctx.fs.readdir(dir)) ?? [];
    for (const name of names) {
      if (++entries > maxEntries) return;
      const full = p.join(dir, name);
      if (notOwnCode(name)) continue;
      const st = await (ctx.fs.lstatContent ?? ctx.fs.lstat)(full);
      if (st?.kind === 'dir') {
        if (depth < MAX_DEPTH) await walk(full, depth + 1);
      } else if (st?.kind === 'file' && CODE_FILE.test(name)) {
        found.push({ path: full, at: changedAt(st)! });
      }
    }
  };
  await walk(root, 0);
  return {
    newest: newestFiles(found),
    ...changedAtOf(found.map((f) => f.at)),
    entries: Math.min(entries, maxEntries),
  };
}

/** Marks a development package as such, its change time covering its own files. */
export async function withDevSource(ctx: ResolveContext, installed: Installed): Promise<Installed> {
  // A loose script was read as its own source already (nodeScript.ts, pythonScript.ts).
  if (installed.state === 'installed' && installed.dev?.script) return installed;
  const dev = await devRootOf(ctx, installed);
  if (!dev || installed.state !== 'installed') return installed;
  const files = await newestSourceFiles(ctx, dev.root);
  const source: DevSource = { root: dev.root, how: dev.how, newest: files.newest };
  return { ...installed, dev: source, ...changedAtOf([installed.changedAt, files.changedAt]) };
}

/**
 * Closure members walked as development packages, at most: a monorepo linking every workspace into
 * every other stays bounded (members past these are judged by their versions only).
 */
const MAX_DEV_MEMBERS = 32;
/** Entries walked among all the development members of one closure (each also within MAX_ENTRIES). */
const MAX_MEMBER_ENTRIES = 10_000;

/** A member of a server's closure that may be a development package: where it is installed. */
export interface MemberCandidate {
  name: string;
  version: string;
  ecosystem: Ecosystem;
  /** npm: its real folder; Python: its `.dist-info`. */
  location: string;
}

/**
 * The development packages among a closure's members (a workspace package linked into
 * node_modules: its real folder is outside every node_modules; a dependency installed editable),
 * each with its newest source files, and the newest change among them all.
 */
export async function devMembersOf(
  ctx: ResolveContext,
  candidates: readonly MemberCandidate[],
): Promise<{ members: DevMember[]; changedAt?: number }> {
  const members: DevMember[] = [];
  const times: number[] = [];
  let left = MAX_MEMBER_ENTRIES;
  for (const c of candidates) {
    if (members.length >= MAX_DEV_MEMBERS || left <= 0) break;
    const dev = await devRootAt(ctx, c.ecosystem, c.location);
    if (!dev) continue;
    const files = await newestSourceFiles(ctx, dev.root, Math.min(MAX_ENTRIES, left));
    left -= files.entries;
    if (files.changedAt !== undefined) times.push(files.changedAt);
    members.push({ name: c.name, version: c.version, root: dev.root, how: dev.how, newest: files.newest });
  }
  return { members, ...changedAtOf(times) };
}
