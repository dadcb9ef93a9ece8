import { pathFor } from '../base/hostEnv';
import type { Installed } from '../base/versionTypes';
import type { PackageImport, ResolveContext } from './lookup';
import { readScriptPackages } from './nodeScriptPackages';
import { changedAtOf } from './fs';
import { newestFiles } from './devSource';
import { LocalFile, sourcesBeside, walkLocalFiles } from './scriptWalk';

/**
 * A JavaScript or TypeScript script that no package installs (`node server.js`, `tsx server.ts`):
 * its code is the script and the local files it loads by relative path, followed from file to file.
 * It has no version of its own, so an edit of any of them after the process started is a change
 * since start, and files all older than the start say it runs what is on disk. What they import by
 * package name (`@modelcontextprotocol/sdk/server/mcp.js`) is found as Node finds it, in the
 * nearest node_modules up, and read with its dependency closure: a dependency installed at another
 * version under it is a move of what it runs, named. Reads files only: the script is parsed, never run.
 */

/**
 * Extensions tried after a specifier as written, in Node's order (`.js`, `.json`, `.node`) and then
 * the ones TypeScript runners (tsx, ts-node) add.
 */
const EXTENSIONS = ['.js', '.json', '.node', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.tsx', '.jsx'];
/** TypeScript's own way: `import './x.js'` in a `.ts` file loads `x.ts`. */
const TS_FOR_JS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
  '.jsx': ['.tsx'],
};

/** A source without its whole-line comments: a `//` or `/*` inside a string (a URL, a glob) is no comment. */
function withoutLineComments(source: string): string {
  return source.replace(/^\s*\/\*[\s\S]*?\*\//gm, '').replace(/^\s*\/\/.*$/gm, '');
}

/**
 * The relative specifiers a JavaScript or TypeScript source loads, in order of first appearance:
 * `require('./a')`, `import x from './b.js'`, `import './c'`, `export * from './d'`, `import('./e')`.
 * Type-only imports (`import type`, erased before anything runs) and commented-out lines are left
 * out; bare package names and URLs are not the script's own files. A reader of text, never run.
 */
export function nodeLocalImports(source: string): string[] {
  return nodeSpecifiers(source).filter((spec) => /^\.\.?(\/|$)/.test(spec));
}

/** Every specifier a source loads by a literal name (relative, by package name, a URL), in order of first appearance, each once. */
export function nodeSpecifiers(source: string): string[] {
  const out: string[] = [];
  const text = withoutLineComments(source);
  const patterns = [
    /\brequire\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)/g,
    /\bimport\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)/g,
    /(?:^|[;\n}])\s*(?:import|export)(?!\s+type\b)(?:\s+[^'"`;()]*?\s+from)?\s*(['"])([^'"\n]+)\1/g,
  ];
  const found: Array<{ at: number; spec: string }> = [];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push({ at: m.index ?? 0, spec: m[2] });
  for (const { spec } of found.sort((a, b) => a.at - b.at)) if (!out.includes(spec)) out.push(spec);
  return out;
}

/**
 * Whether a source loads code by a name computed at run time (`require(path.join(dir, name))`,
 * `require(spec)`, `` import(`./plugins/${name}.js`) ``): which files it loads no reader can tell.
 * A string literal (a template with no `${}` too) is no computed name.
 */
export function nodeComputedLoads(source: string): boolean {
  const text = withoutLineComments(source);
  return /(?<![\w.$])(?:require|import)\s*\(\s*(?!(?:'[^'\n]*'|"[^"\n]*"|`[^`$\n]*`)\s*\))(?!\s*\))/.test(text);
}

/** Code a script's folder holds, for a file that loads by computed names. */
const NODE_SOURCE = /\.(c|m)?(j|t)sx?$/i;

/** The file a relative specifier loads from `from`, as Node (and a TypeScript runner) would find it; undefined: none. */
async function resolveLocal(ctx: ResolveContext, from: string, spec: string): Promise<string | undefined> {
  const p = pathFor(ctx.host);
  const base = p.resolve(p.dirname(from), spec);
  const ext = p.extname(base);
  const asTs = (TS_FOR_JS[ext] ?? []).map((e) => base.slice(0, -ext.length) + e);
  // From a TypeScript file, `./x.js` is the TypeScript file beside it first, as its runner reads it.
  const fromTs = /\.(c|m)?tsx?$/i.test(from);
  const candidates = [
    ...(fromTs ? asTs : []),
    base,
    ...EXTENSIONS.map((e) => base + e),
    ...(fromTs ? [] : asTs),
    ...EXTENSIONS.map((e) => p.join(base, `index${e}`)),
  ];
  for (const candidate of candidates) if ((await ctx.fs.stat(candidate))?.kind === 'file') return candidate;
  return undefined;
}

/**
 * The script and the local files it loads (and they load), each with its change time; `computed`
 * collects the files that load by computed names (their folders' code is walked too), `packages`
 * what they load by package name.
 */
function localFiles(
  ctx: ResolveContext,
  script: string,
  computed: string[],
  packages: PackageImport[],
): Promise<LocalFile[]> {
  const p = pathFor(ctx.host);
  /** Files a load reached (and the script): only these are read for what they load. */
  const loaded = new Set<string>([script]);
  const follow = async (file: string, text: string): Promise<string[]> => {
    // A file walked only for lying beside a computed load is watched for its times, never read.
    if (!loaded.has(file)) return [];
    const next: string[] = [];
    const computedHere = nodeComputedLoads(text);
    if (computedHere) computed.push(file);
    for (const spec of nodeSpecifiers(text)) {
      if (!/^\.\.?(\/|$)/.test(spec)) {
        packages.push({ from: file, spec });
        continue;
      }
      const found = await resolveLocal(ctx, file, spec);
      // A relative path into node_modules is a package's code, not the script's own.
      if (found && !/[\\/]node_modules[\\/]/.test(found)) next.push(found);
    }
    for (const f of next) loaded.add(f);
    return computedHere ? [...next, ...(await sourcesBeside(ctx, p.dirname(file), NODE_SOURCE))] : next;
  };
  // Data and native addons load nothing further.
  return walkLocalFiles(ctx, script, follow, (file) => file === script || /\.(c|m)?(j|t)sx?$/i.test(file));
}

/** What a loose script runs, for `node script` (or tsx, ts-node): the script, the local files it loads and the packages they import. */
export async function resolveNodeScript(ctx: ResolveContext, script: string, fromProcess: boolean): Promise<Installed> {
  const p = pathFor(ctx.host);
  const computed: string[] = [];
  const imports: PackageImport[] = [];
  const files = await localFiles(ctx, script, computed, imports);
  // What its files import by package name, read by every engine: the guard judging its own child as a snapshot does.
  const read = imports.length ? await readScriptPackages(ctx, imports) : undefined;
  const others = files.length - 1;
  return {
    state: 'installed',
    ecosystem: 'npm',
    name: p.basename(script),
    // A script has no version of its own: its files' times, and what it imports, decide.
    version: 'script',
    how: `the script ${script}${others > 0 ? `, with the ${others} local file${others > 1 ? 's' : ''} it loads` : ''}${read?.how ?? ''}`,
    location: script,
    ...read?.fields,
    // Its own files' times only: the packages it imports are released versions, named by the closure's
    // fingerprint (a reinstall, or a roll back to what it started with, is the same code).
    ...changedAtOf(files.map((f) => f.at)),
    ...(fromProcess ? { fromProcess } : {}),
    dev: {
      root: p.dirname(script),
      how: 'a script no package installs: judged by its own file and the local files it loads',
      newest: newestFiles(files),
      script: true,
      ...(computed.length ? { computedLoads: computed } : {}),
    },
  };
}
