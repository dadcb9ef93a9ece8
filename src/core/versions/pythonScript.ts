import { pathFor } from '../base/hostEnv';
import type { Installed } from '../base/versionTypes';
import { fingerprint as closureFingerprint } from './fingerprint';
import { changedAtOf } from './fs';
import type { ResolveContext } from './lookup';
import { newestFiles } from './devSource';
import { LocalFile, sourcesBeside, walkLocalFiles } from './scriptWalk';
import {
  consoleScripts,
  distributions,
  findDistribution,
  interpreterSitePackages,
  parseMetadata,
  readPythonPackage,
  SitePackages,
} from './python';
import { closureOf, readDistMetadata, Requirement } from './pythonClosure';
import { pythonStartRisks } from './pythonStartRisk';

/**
 * A Python script that no package installs (`<venv>/bin/python server.py`, the MCP quickstart's
 * way): its code is the script, the local modules it imports from its folder, and the
 * distributions it imports with their dependency closure, in the interpreter's site-packages. So
 * an SDK upgraded under it (mcp 1.30.0 -> 2.3.0) is a move of what it runs, named, and an edit of
 * its own files is a change since start. Reads files only: the script is parsed, never run.
 */

/**
 * The SDKs an MCP server is written against, named first in the label of what the script runs:
 * "mcp 1.30.0" says more of a server than the first library it happens to import.
 */
const SDKS = ['mcp', 'fastmcp'];

/**
 * Standard library modules a server commonly imports: never looked up among the distributions
 * (a module no distribution provides is left out anyway; this only spares the look).
 */
const STDLIB = new Set(
  (
    'abc argparse array ast asyncio atexit base64 binascii bisect builtins bz2 calendar codecs collections ' +
    'concurrent configparser contextlib contextvars copy csv ctypes dataclasses datetime decimal difflib dis ' +
    'email enum errno faulthandler fcntl filecmp fnmatch fractions functools gc getpass gettext glob gzip ' +
    'hashlib heapq hmac html http imaplib importlib inspect io ipaddress itertools json keyword linecache ' +
    'locale logging lzma math mimetypes mmap multiprocessing numbers operator os pathlib pickle pkgutil ' +
    'platform plistlib pprint queue random re resource sched secrets select selectors shlex shutil signal ' +
    'site smtplib socket socketserver sqlite3 ssl stat statistics string struct subprocess sys sysconfig ' +
    'tarfile tempfile textwrap threading time timeit tokenize tomllib traceback types typing unicodedata ' +
    'unittest urllib uuid warnings weakref xml zipfile zlib zoneinfo __future__'
  ).split(' '),
);

/**
 * The top-level names of the modules a Python source imports absolutely, in order of first
 * appearance: `import a.b as c, d` -> a, d; `from x.y import z` -> x. Relative imports (`from .m
 * import x`) are the caller's own folder's; imports inside strings may be counted (harmless: a name
 * no distribution provides is left out). A parser of text, not of Python: never run.
 */
export function pythonImports(source: string): {
  absolute: string[];
  relative: string[];
  modules: string[];
  submodules: string[];
  relativeModules: string[];
} {
  const absolute: string[] = [];
  const relative: string[] = [];
  /** The dotted modules imported absolutely (`mcp.server.fastmcp`), for what a restart would import. */
  const modules: string[] = [];
  /**
   * What `from pkg import a, b` may import as modules of their own (`pkg.a`, `pkg.b`): a name there
   * is a submodule or a name the package defines, which only its folder can tell.
   */
  const submodules: string[] = [];
  /** Relative imports with their dots (`from .. import z` -> `..z`, `from .m import x` -> `.m`, `.m.x`). */
  const relativeModules: string[] = [];
  const add = (list: string[], name: string) => {
    if (name && !list.includes(name)) list.push(name);
  };
  // Continuation lines of a parenthesised or backslashed import are joined first.
  const text = source.replace(/\\\r?\n/g, ' ').replace(/\(([^()]*)\)/g, (m) => m.replace(/\r?\n/g, ' '));
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    let m = /^from\s+(\.+)([\w.]*)\s+import\s+(.+)$/.exec(line);
    if (m) {
      // `from . import a, b` names modules of the folder; `from .m import x` the module m.
      if (m[2]) add(relative, m[2].split('.')[0]);
      else for (const n of importedNames(m[3])) add(relative, n);
      if (m[2]) add(relativeModules, `${m[1]}${m[2]}`);
      for (const n of importedNames(m[3])) add(relativeModules, m[2] ? `${m[1]}${m[2]}.${n}` : `${m[1]}${n}`);
      continue;
    }
    m = /^from\s+([A-Za-z_][\w.]*)\s+import\s+(.+)$/.exec(line);
    if (m) {
      add(absolute, m[1].split('.')[0]);
      add(modules, m[1]);
      for (const n of importedNames(m[2])) add(submodules, `${m[1]}.${n}`);
      continue;
    }
    m = /^import\s+(.+)$/.exec(line);
    if (m)
      for (const n of importedNames(m[1])) {
        add(absolute, n.split('.')[0]);
        add(modules, n);
      }
  }
  for (const m of source.matchAll(LITERAL_IMPORT_MODULE)) {
    add(absolute, m[2].split('.')[0]);
    add(modules, m[2]);
  }
  return { absolute, relative, modules, submodules, relativeModules };
}

/**
 * Whether a source imports by a name computed at run time (`importlib.import_module('plugins.' +
 * name)`, `__import__(name)`, an f-string, a module loaded from a file path): which modules no
 * reader can tell. A string literal is no computed name (it is read as an import).
 */
export function pythonComputedImports(source: string): boolean {
  const text = source.replace(/^\s*#.*$/gm, '');
  return (
    /\b(?:import_module|__import__)\s*\(\s*(?!(?:'[^'\n]*'|"[^"\n]*")\s*[,)])/.test(text) ||
    /\b(?:spec_from_file_location|SourceFileLoader|run_path|load_source)\s*\(/.test(text)
  );
}

/** `importlib.import_module('a.b')` with a literal name: an import like any other. */
const LITERAL_IMPORT_MODULE = /\bimport_module\s*\(\s*(['"])([A-Za-z_][\w.]*)\1\s*\)/g;

function importedNames(list: string): string[] {
  return list
    .replace(/[()]/g, ' ')
    .split(',')
    .map((part) =>
      part
        .trim()
        .split(/\s+as\s+/)[0]
        .trim(),
    )
    .filter((n) => /^[A-Za-z_][\w.]*$/.test(n));
}

/**
 * The script and the local modules it imports (and they import): relative imports from the
 * importing file's folder, absolute ones from the folders Python puts first on the path (the script's folder, or the
 * entry's PYTHONPATH roots), a dotted module through each package on the way
 * (`from srv.tools import x` -> `srv/__init__.py`, `srv/tools.py`); with what they import from elsewhere.
 */
async function localSources(
  ctx: ResolveContext,
  script: string,
  roots: readonly string[],
): Promise<{ files: LocalFile[]; imports: string[]; modules: string[]; computed: string[] }> {
  const p = pathFor(ctx.host);
  const imports: string[] = [];
  const modules: string[] = [];
  const isFile = async (f: string) => (await ctx.fs.stat(f))?.kind === 'file';
  /**
   * The files a dotted module is read from under one of `bases` (the first that has its top); none
   * when it is not local. `whole`: only when its last part is a module of its own (`pkg.name` of
   * `from pkg import name`). Folders with no `__init__.py` are walked too (namespace packages); a
   * top one only to a module file it holds (`import tools.db` -> `tools/db.py`), as a bare folder
   * of that name (`import mcp` beside a stray `mcp/`) is no proof the import is local.
   */
  const localModule = async (dotted: string, bases: readonly string[], whole = false): Promise<string[]> => {
    const parts = dotted.split('.');
    for (const base of bases) {
      const files: string[] = [];
      let dir = base;
      let reached = false;
      let namespaceTop = false;
      for (const [i, part] of parts.entries()) {
        const init = p.join(dir, part, '__init__.py');
        if (await isFile(init)) files.push(init);
        else if (await isFile(p.join(dir, `${part}.py`))) {
          files.push(p.join(dir, `${part}.py`));
          reached = i === parts.length - 1;
          break;
        } else if ((await ctx.fs.stat(p.join(dir, part)))?.kind !== 'dir') break;
        else if (i === 0) namespaceTop = true;
        dir = p.join(dir, part);
        if (i === parts.length - 1) reached = files.length > 0;
      }
      if (whole || namespaceTop ? reached : files.length) return files;
    }
    return [];
  };
  const computed: string[] = [];
  /** Files an import reached (and the script): only these are read for what they import. */
  const imported = new Set<string>([script]);
  const follow = async (file: string, text: string): Promise<string[]> => {
    // A file walked only for lying beside a computed import is watched for its times, never read:
    // what it imports may never be loaded, so it names no distribution and predicts no failed start.
    if (!imported.has(file)) return [];
    const found = pythonImports(text);
    const local = new Set<string>();
    const next: string[] = [];
    // What it imports by computed names may be any module beside it: its folder's code is walked.
    const computedHere = pythonComputedImports(text);
    const beside = computedHere ? await sourcesBeside(ctx, p.dirname(file), /\.py$/) : [];
    if (computedHere) computed.push(file);
    // `from . import x` is the importing file's own package's; each further dot is a package up.
    for (const rel of found.relativeModules) {
      const dots = /^\.+/.exec(rel)?.[0].length ?? 1;
      let base = p.dirname(file);
      for (let up = 1; up < dots; up++) base = p.dirname(base);
      const name = rel.slice(dots);
      if (name) next.push(...(await localModule(name, [base], true)));
    }
    for (const m of found.modules) {
      const at = await localModule(m, roots);
      if (at.length) {
        local.add(m.split('.')[0]);
        next.push(...at);
      }
    }
    // `from tools import db`: db may be a module of the local package tools (a folder beside the script).
    for (const m of found.submodules) {
      const at = await localModule(m, roots, true);
      if (at.length) {
        local.add(m.split('.')[0]);
        next.push(...at);
      }
    }
    for (const name of found.absolute)
      if (!local.has(name) && !STDLIB.has(name) && !imports.includes(name)) imports.push(name);
    for (const m of found.modules) if (!local.has(m.split('.')[0]) && !modules.includes(m)) modules.push(m);
    for (const f of next) imported.add(f);
    return [...next, ...beside];
  };
  const files = await walkLocalFiles(ctx, script, follow);
  return { files, imports, modules, computed };
}

/** How a loose file is run: as a script (its folder first on the path) or as a module (`-m`, labelled by its name), with PYTHONPATH's roots. */
export interface ScriptRun {
  module?: boolean;
  /** The name the code goes by (the module's, for `-m`); the file's base name otherwise. */
  label?: string;
  /** PYTHONPATH's folders, absolute, in order. */
  roots?: readonly string[];
}

/**
 * What a loose script runs, for `interpreter script`: undefined when the interpreter has no
 * site-packages to read (nothing to say beyond the file itself is then said elsewhere).
 */
export async function resolvePythonScript(
  ctx: ResolveContext,
  interpreter: string,
  script: string,
  fromProcess: boolean,
  as: ScriptRun = {},
): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  const label = as.label ?? p.basename(script);
  const st = await ctx.fs.stat(script);
  if (st?.kind !== 'file')
    return {
      state: 'missing',
      ecosystem: 'python',
      name: label,
      how: `the script the process runs, ${script}, is gone`,
      location: script,
      ...(fromProcess ? { fromProcess } : {}),
    };
  const sites = await interpreterSitePackages(ctx, interpreter);
  // A console script an installer wrote outside a venv (pip --user's ~/.local/bin, /usr/local/bin) is its distribution's.
  const installedBy = await consoleScriptOwner(ctx, sites, p.basename(script), fromProcess);
  if (installedBy) return installedBy;
  // `python s.py` looks for absolute imports in the script's folder first; `python -m mod` in the cwd
  // (not read here), and both then in PYTHONPATH's roots.
  const roots = [...(as.module ? [] : [p.dirname(script)]), ...(as.roots ?? [])];
  const { files, imports, modules, computed } = await localSources(ctx, script, roots);
  // The site-packages that provides the first import it has: the script's environment.
  let site: SitePackages | undefined;
  let dists: Awaited<ReturnType<typeof distributions>> = new Map();
  const provided: string[] = [];
  /** Top-level import name -> the distribution that provides it there. */
  const providerOf = new Map<string, string>();
  for (const candidate of sites) {
    if ((await ctx.fs.stat(candidate.dir))?.kind !== 'dir') continue;
    const here = await distributions(ctx, candidate.dir);
    for (const module of imports) {
      const name = await findDistribution(ctx, candidate.dir, here, { module });
      if (!name) continue;
      providerOf.set(module, name);
      if (!provided.includes(name)) provided.push(name);
    }
    site ??= candidate;
    if (provided.length) {
      site = candidate;
      dists = here;
      break;
    }
  }
  if (!site) return undefined;
  const requirements: Requirement[] = provided.map((name) => ({ name, extras: [], forExtras: [] }));
  // The root is the script (a name no distribution can have: normalised names have no dot).
  const closure = await closureOf(ctx, site.dir, dists, {
    name: label,
    metadata: { file: script, requirements },
  });
  const providers = new Map<string, { name: string; version: string }>();
  for (const [module, name] of providerOf) {
    const v = await distVersion(ctx, site.dir, dists, name);
    if (v) providers.set(module, v);
  }
  // Whether what is installed will start: every module it imports from those distributions, read (never imported).
  const startRisks = await pythonStartRisks(ctx, site.dir, modules, providers);
  const sdk = SDKS.find((s) => provided.includes(s)) ?? provided[0];
  const sdkVersion = sdk ? await distVersion(ctx, site.dir, dists, sdk) : undefined;
  return {
    state: 'installed',
    ecosystem: 'python',
    name: label,
    // What it runs on, named by the SDK it imports (or its first import): a script has no version of its own.
    version: sdk && sdkVersion ? `${sdkVersion.name} ${sdkVersion.version}` : 'script',
    how: `${as.module ? `the module ${label}, ${script}` : `the script ${script}`}, with what it imports from ${site.how}`,
    location: script,
    environment: closureFingerprint(closure.packages),
    // Only where it imports something: an empty closure has no times to say.
    ...(Object.keys(closure.times).length ? { closureTimes: closure.times } : {}),
    ...changedAtOf([closure.changedAt, ...files.map((f) => f.at)]),
    ...(fromProcess ? { fromProcess } : {}),
    ...(startRisks.length ? { startRisks } : {}),
    sitePackages: site.dir,
    dev: {
      root: p.dirname(script),
      how: 'a script no package installs: judged by its own files and the distributions it imports',
      newest: newestFiles(files),
      script: true,
      ...(computed.length ? { computedLoads: computed } : {}),
    },
  };
}

/** The distribution whose `entry_points.txt` names `name` as a console script, read as a package; undefined for none. */
async function consoleScriptOwner(
  ctx: ResolveContext,
  sites: readonly SitePackages[],
  name: string,
  fromProcess: boolean,
): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  for (const site of sites) {
    if ((await ctx.fs.stat(site.dir))?.kind !== 'dir') continue;
    for (const [dist, d] of await distributions(ctx, site.dir)) {
      if (!d.entry.endsWith('.dist-info')) continue;
      const eps = await ctx.fs.readText(p.join(site.dir, d.entry, 'entry_points.txt'));
      if (eps && consoleScripts(eps).has(name)) return readPythonPackage(ctx, site, { hint: dist }, fromProcess);
    }
  }
  return undefined;
}

async function distVersion(
  ctx: ResolveContext,
  dir: string,
  dists: ReadonlyMap<string, { version: string; entry: string }>,
  name: string,
): Promise<{ name: string; version: string } | undefined> {
  const d = dists.get(name);
  if (!d) return undefined;
  const meta = parseMetadata((await readDistMetadata(ctx, dir, d.entry)).text ?? '');
  return { name: meta.name ?? name, version: meta.version ?? d.version };
}
