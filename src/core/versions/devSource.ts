import { pathFor } from '../base/hostEnv';
import { ChangedFile, DevSource, Installed } from '../base/versionTypes';
import { changedAt } from './fs';
import { isRecord, readJson, ResolveContext } from './lookup';

/**
 * Development servers: a package whose code is not an installed registry release (a checkout run
 * with `node dist/index.js`, an `npm link`ed package, a `pip install -e` or `uv run` project). Its
 * version stays the same across rebuilds, so it is judged by the change times of its own source and
 * build files and its lockfile. Reads go through `ctx.fs`, so the resolution cache re-checks them.
 */

/** Folders never walked: dependencies, VCS data, caches and environments are not the server's own code. */
const SKIP_DIRS = new Set(['node_modules', '__pycache__', 'venv', 'env', 'coverage', 'site-packages', 'target']);
/** What code, build output and lockfiles look like: a README edit is not a rebuild. */
const CODE_FILE =
  /\.(c?js|mjs|c?ts|mts|jsx|tsx|json|py|pyi|so|node|pyd|dylib|dll|wasm|lock|toml|cfg)$|^pnpm-lock\.yaml$/i;
/** A checkout can be large: the walk stops after this many entries (the newest files seen so far stand). */
const MAX_ENTRIES = 5000;
const MAX_DEPTH = 8;
/** Files named as evidence. */
const NEWEST_KEPT = 5;

/** The source folder of a package that is not an installed release; undefined for one that is. */
export async function devRootOf(
  ctx: ResolveContext,
  installed: Installed,
): Promise<{ root: string; how: string } | undefined> {
  if (installed.state !== 'installed') return undefined;
  const p = pathFor(ctx.host);
  if (installed.ecosystem === 'npm') {
    const real = (await ctx.fs.realpath(installed.location)) ?? installed.location;
    if (real.split(/[\\/]/).includes('node_modules')) return undefined;
    return { root: real, how: 'a package folder outside node_modules (a checkout, or the target of npm link)' };
  }
  if (installed.ecosystem === 'python' && installed.location.endsWith('.dist-info')) {
    // PEP 610: an editable install records the project folder it points at.
    const direct = await readJson(ctx.fs, p.join(installed.location, 'direct_url.json'));
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
): Promise<{ newest: ChangedFile[]; changedAt?: number }> {
  const p = pathFor(ctx.host);
  const found: Array<{ path: string; at: number }> = [];
  let entries = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    const names = (await ctx.fs.readdir(dir)) ?? [];
    for (const name of names) {
      if (++entries > MAX_ENTRIES) return;
      const full = p.join(dir, name);
      if (name.startsWith('.') || SKIP_DIRS.has(name) || name.endsWith('.egg-info')) continue;
      const st = await (ctx.fs.lstatContent ?? ctx.fs.lstat)(full);
      if (st?.kind === 'dir') {
        if (depth < MAX_DEPTH) await walk(full, depth + 1);
      } else if (st?.kind === 'file' && CODE_FILE.test(name)) {
        found.push({ path: full, at: changedAt(st)! });
      }
    }
  };
  await walk(root, 0);
  found.sort((a, b) => b.at - a.at);
  return {
    newest: found.slice(0, NEWEST_KEPT).map((f) => ({ path: f.path, at: new Date(f.at).toISOString() })),
    ...(found.length ? { changedAt: found[0].at } : {}),
  };
}

/** Marks a development package as such, its change time covering its own files. */
export async function withDevSource(ctx: ResolveContext, installed: Installed): Promise<Installed> {
  const dev = await devRootOf(ctx, installed);
  if (!dev || installed.state !== 'installed') return installed;
  const files = await newestSourceFiles(ctx, dev.root);
  const source: DevSource = { root: dev.root, how: dev.how, newest: files.newest };
  const times = [installed.changedAt, files.changedAt].filter((t): t is number => t !== undefined);
  return { ...installed, dev: source, ...(times.length ? { changedAt: Math.max(...times) } : {}) };
}
