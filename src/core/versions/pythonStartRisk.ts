import { pathFor } from '../base/hostEnv';
import type { StartRisk } from '../base/versionTypes';
import type { ResolveContext } from './lookup';

/**
 * Will the installed code start? Read from files, never by importing: for each dotted module a
 * server imports from a distribution (`mcp.server.fastmcp` of `mcp`), whether it is still there and
 * whether its file raises when imported (a module kept only to say it was removed, as mcp 2.x's
 * `fastmcp.py` does). A module is said to be missing only where its parent is a regular package
 * (a folder with `__init__.py`) that lacks it as a file, a package or an extension, and whose
 * `__init__.py` does not name it: a module a package makes up at run time (`six.moves`) is named in
 * its code, and is never judged. Nor is a module an importer could provide: one a package on its
 * way installs (`sys.meta_path`, `sys.path_hooks`, a module `__getattr__`, a `__path__` it extends),
 * or a `.pth` hook of the site that names the package, since finders make modules up from names
 * kept anywhere (a data file).
 */

/** Bytes of a module file read to see whether it raises at import. */
const MAX_MODULE_BYTES = 256 * 1024;
/** Modules checked per server, at most. */
const MAX_MODULES = 64;

/** A requirement a module's own words advise: "pin 'mcp<2'" -> `mcp<2`. */
export function pinAdvice(text: string): string | undefined {
  const m =
    /\bpin(?:ning)?\s+(?:to\s+)?['"`]?([A-Za-z0-9][A-Za-z0-9_.-]*\s*(?:===|==|!=|<=|>=|~=|<|>)\s*[A-Za-z0-9_.*]+)/i.exec(
      text,
    );
  return m?.[1].replace(/\s+/g, '');
}

/** Whether a module's source raises at its top level (a statement `raise ...` at the start of a line). */
export function raisesAtImport(source: string): boolean {
  return /^raise\b/m.test(source);
}

/**
 * The start risks of `modules` (dotted names) in one site-packages, `providers` naming the
 * distribution and version that provides each top-level name.
 */
export async function pythonStartRisks(
  ctx: ResolveContext,
  siteDir: string,
  modules: readonly string[],
  providers: ReadonlyMap<string, { name: string; version: string }>,
): Promise<StartRisk[]> {
  const p = pathFor(ctx.host);
  const risks: StartRisk[] = [];
  for (const module of modules.slice(0, MAX_MODULES)) {
    const parts = module.split('.');
    const provider = providers.get(parts[0]);
    if (!provider) continue;
    const found = await moduleFile(
      ctx,
      p.join(siteDir, ...parts.slice(0, -1)),
      parts[parts.length - 1],
      parts.length > 1,
    );
    const base = { module, package: provider.name, version: provider.version };
    // A package (or a site's .pth hook naming it) that installs an importer can provide any name: no proof.
    if (found === 'missing' && (await importerCanProvide(ctx, siteDir, parts))) continue;
    if (found === 'missing') {
      risks.push({ ...base, why: 'missing', summary: `${provider.name} ${provider.version} has no module ${module}` });
      continue;
    }
    if (!found) continue;
    const st = await ctx.fs.stat(found);
    if (!st || st.size > MAX_MODULE_BYTES) continue;
    const text = (await ctx.fs.readText(found)) ?? '';
    if (!raisesAtImport(text)) continue;
    const pin = pinAdvice(text);
    risks.push({
      ...base,
      why: 'raises',
      ...(pin ? { pin } : {}),
      summary: `${module} raises at import in ${provider.name} ${provider.version}${pin ? ` (it says to pin ${pin})` : ''}`,
    });
  }
  return risks;
}

/**
 * The source file of `name` in `dir` (`name.py`, `name/__init__.py`), `undefined` when it is there
 * in another form (a namespace folder, an extension, bytecode) or cannot be judged, `missing` when
 * `dir` is a regular package (`checkMissing`) that has it in no form.
 */
async function moduleFile(
  ctx: ResolveContext,
  dir: string,
  name: string,
  checkMissing: boolean,
): Promise<string | 'missing' | undefined> {
  const p = pathFor(ctx.host);
  const asFile = p.join(dir, `${name}.py`);
  if ((await ctx.fs.stat(asFile))?.kind === 'file') return asFile;
  const asPackage = p.join(dir, name, '__init__.py');
  if ((await ctx.fs.stat(asPackage))?.kind === 'file') return asPackage;
  if ((await ctx.fs.stat(p.join(dir, name)))?.kind === 'dir') return undefined;
  const init = p.join(dir, '__init__.py');
  const initStat = await ctx.fs.stat(init);
  if (!checkMissing || initStat?.kind !== 'file') return undefined;
  const entries = (await ctx.fs.readdir(dir)) ?? [];
  if (entries.some((e) => e.startsWith(`${name}.`) && /\.(py[cdw]?|so|pyd)$/i.test(e))) return undefined;
  // A package that makes the module up at import (`sys.modules[__name__ + ".moves"] = ...`) names it in its code.
  if (initStat.size > MAX_MODULE_BYTES) return undefined;
  const code = (await ctx.fs.readText(init)) ?? '';
  if (new RegExp(`\\b${name}\\b`).test(code)) return undefined;
  return 'missing';
}

/** Import machinery a module's code sets up: finders, path hooks, lazy module attributes, a `__path__` it extends. */
const IMPORTER =
  /\bsys\.(?:meta_path|path_hooks|path_importer_cache)\b|\bMetaPathFinder\b|\bPathEntryFinder\b|\bdef\s+find_spec\b|\bdef\s+__getattr__\s*\(|\b__path__\s*(?:=|\+=|\.(?:append|extend|insert))|\bextend_path\b/;

/**
 * Whether an importer could provide a module a package lacks as a file: a package on its way
 * (`a/__init__.py`, `a/b/__init__.py` for `a.b.c`) sets up import machinery, or a `.pth` file of
 * the site runs an import hook whose module names the top-level package.
 */
async function importerCanProvide(ctx: ResolveContext, siteDir: string, parts: readonly string[]): Promise<boolean> {
  const p = pathFor(ctx.host);
  const code = async (file: string): Promise<string> => {
    const st = await ctx.fs.stat(file);
    return st?.kind === 'file' && st.size <= MAX_MODULE_BYTES ? ((await ctx.fs.readText(file)) ?? '') : '';
  };
  for (let depth = 1; depth < parts.length; depth++)
    if (IMPORTER.test(await code(p.join(siteDir, ...parts.slice(0, depth), '__init__.py')))) return true;
  const top = new RegExp(`\\b${parts[0]}\\b`);
  for (const entry of (await ctx.fs.readdir(siteDir)) ?? []) {
    if (!entry.endsWith('.pth')) continue;
    for (const line of (await code(p.join(siteDir, entry))).split(/\r?\n/)) {
      // Only lines that start with `import` run (site.py); the rest are folders.
      const hook = /^import\s+([A-Za-z_]\w*)/.exec(line)?.[1];
      if (!hook) continue;
      const text = line + (await code(p.join(siteDir, `${hook}.py`)));
      if (IMPORTER.test(text) && top.test(text)) return true;
    }
  }
  return false;
}
