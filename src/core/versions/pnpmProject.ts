import { pathFor } from '../base/hostEnv';
import { Installed, Running } from '../base/versionTypes';
import { isRecord, ResolveContext } from './lookup';
import { readNpmPackage } from './npmPackages';

/**
 * A package in a pnpm project's virtual store is judged against what the project resolves now, not
 * against the folder the process runs from: pnpm keeps the folder of a release it no longer
 * installs (`node_modules/.pnpm/<name>@<old>/...`), so after `pnpm add pkg@NEW` the old folder is
 * still on disk, whole, and reading it would call the old process current.
 */

/** `<root>/node_modules/.pnpm/<folder>/node_modules/<name>`: a package folder of a pnpm virtual store. */
export interface PnpmStoreEntry {
  /** The project (or workspace root) whose `node_modules/.pnpm` it is. */
  root: string;
  /** The store entry's own folder name: `@scope+name@1.2.3_peer@4.5.6`. */
  folder: string;
  name: string;
}

export function pnpmStoreEntry(location: string, sep: string): PnpmStoreEntry | undefined {
  const parts = location.split(/[\\/]/);
  for (let i = parts.length - 1; i >= 1; i--) {
    if (parts[i] !== '.pnpm' || parts[i - 1] !== 'node_modules' || parts[i + 2] !== 'node_modules') continue;
    const name = parts.slice(i + 3).join('/');
    if (!name || (name.startsWith('@') ? name.split('/').length !== 2 : name.includes('/'))) return undefined;
    return { root: parts.slice(0, i - 1).join(sep), folder: parts[i + 1], name };
  }
  return undefined;
}

/** A store folder's name for a release: `@scope/name` + `1.2.3` -> `@scope+name@1.2.3`, peers after `_` or `(`. */
export function storeFolderIs(folder: string, name: string, version: string): boolean {
  const head = `${name.replace('/', '+')}@${version}`;
  return folder === head || folder.startsWith(`${head}_`) || folder.startsWith(`${head}(`);
}

/** The name and exact version of a lockfile's package key: `/@s/n@1.2.3(p@1)` (v6), `@s/n@1.2.3` (v9), `/@s/n/1.2.3_p@1` (v5). */
function keyRelease(key: string): { name: string; version: string } | undefined {
  const k = key.replace(/^\//, '');
  const at = k.indexOf('@', k.startsWith('@') ? 1 : 0);
  const slash = k.startsWith('@') ? k.indexOf('/', k.indexOf('/') + 1) : k.indexOf('/');
  if (at > 0 && (slash < 0 || at < slash)) return { name: k.slice(0, at), version: bare(k.slice(at + 1)) };
  if (slash > 0) return { name: k.slice(0, slash), version: bare(k.slice(slash + 1)) };
  return undefined;
}

/** A resolved version without its peer suffix: `1.2.3(zod@4.6.7)`, `1.2.3_zod@4.6.7` -> `1.2.3`. */
function bare(version: string): string {
  return version.split('(')[0].split('_')[0];
}

/** A scalar as pnpm writes it: bare, or in single or double quotes. */
function unquote(v: string): string {
  const t = v.trim();
  return /^'.*'$|^".*"$/.test(t) ? t.slice(1, -1).replace(/''/g, "'") : t;
}

/**
 * The nested maps of a YAML file written as block mappings, the way pnpm writes its lockfiles:
 * `key: value` and `key:` lines nested by indentation. Sequences, flow collections and multi-line
 * scalars are kept as their text or skipped: the lockfile reading needs keys and plain values only
 * (and a YAML library would weigh more than the guard may carry).
 */
export function blockMaps(text: string): Record<string, unknown> {
  const top: Record<string, unknown> = {};
  const stack: Array<{ indent: number; map: Record<string, unknown> }> = [{ indent: -1, map: top }];
  for (const line of text.split(/\r?\n/)) {
    const m = /^( *)('(?:[^']|'')*'|"[^"]*"|[^\s#'"-][^:]*?|-[^\s][^:]*?):(?: +(.*))?$/.exec(line);
    if (!m) continue;
    const indent = m[1].length;
    while (stack.length > 1 && stack[stack.length - 1].indent >= indent) stack.pop();
    const parent = stack[stack.length - 1].map;
    const key = unquote(m[2]);
    const value = m[3]?.replace(/\s+#.*$/, '');
    if (value === undefined || value === '') {
      const child: Record<string, unknown> = {};
      parent[key] = child;
      stack.push({ indent, map: child });
    } else parent[key] = unquote(value);
  }
  return top;
}

export interface PnpmLockFacts {
  /** The releases of the package the project's importers (it and its workspace packages) depend on directly, each once. */
  direct: string[];
  /** Whether the release is in the tree the lockfile describes at all (a direct or a transitive dependency). */
  inTree: boolean;
}

/**
 * What a pnpm lockfile (`pnpm-lock.yaml`, or `node_modules/.pnpm/lock.yaml`, the one of what is
 * installed) says of one package: the releases its importers depend on and whether `name@version`
 * is part of the tree. Lockfile formats 5 to 9. Undefined when the text is not such a lockfile.
 */
export function pnpmLockFacts(text: string, name: string, version: string): PnpmLockFacts | undefined {
  const doc = blockMaps(text);
  if (doc.lockfileVersion === undefined) return undefined;
  // One project without workspaces: its dependencies at the top (formats 5 and 6); else each importer's.
  const importers = isRecord(doc.importers) ? Object.values(doc.importers) : [doc];
  const direct = new Set<string>();
  for (const importer of importers) {
    if (!isRecord(importer)) continue;
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      const deps = importer[field];
      if (!isRecord(deps)) continue;
      const dep = deps[name];
      const resolved = isRecord(dep) ? dep.version : dep;
      // `link:../pkg` is a workspace package, not a release.
      if (typeof resolved === 'string' && !/^(link|file):/.test(resolved)) direct.add(bare(resolved));
    }
  }
  let inTree = false;
  for (const section of ['packages', 'snapshots']) {
    const table = doc[section];
    if (!isRecord(table)) continue;
    for (const key of Object.keys(table)) {
      const r = keyRelease(key);
      if (r?.name === name && r.version === version) inTree = true;
    }
  }
  return { direct: [...direct], inTree };
}

/**
 * A package the process runs from a pnpm virtual store, judged against what the project resolves
 * now: undefined when the folder is still part of the project's tree (or nothing tells), else the
 * release the project installs now in its place (or `missing`), with the release the process runs,
 * which its own path names when it runs a file of the store entry (`.pnpm/<name>@<version>/...`:
 * a folder that holds that release alone).
 */
export async function pnpmProjectNow(
  ctx: ResolveContext,
  own: Extract<Installed, { state: 'installed' }>,
  script: string | undefined,
): Promise<{ installed: Installed; running?: Running } | undefined> {
  const p = pathFor(ctx.host);
  if (own.ecosystem !== 'npm') return undefined;
  const entry = pnpmStoreEntry(own.location, p.sep);
  if (!entry || entry.name !== own.name) return undefined;
  const modules = p.join(entry.root, 'node_modules');
  let lockfile = p.join(modules, '.pnpm', 'lock.yaml');
  let text = await ctx.fs.readText(lockfile);
  if (text === undefined) text = await ctx.fs.readText((lockfile = p.join(entry.root, 'pnpm-lock.yaml')));
  const facts = text === undefined ? undefined : pnpmLockFacts(text, own.name, own.version);
  if (!facts || facts.inTree) return undefined;
  const runs = `${p.sep}node_modules${p.sep}.pnpm${p.sep}${entry.folder}${p.sep}`;
  const running: Running | undefined =
    script !== undefined && p.resolve(script).includes(runs) && storeFolderIs(entry.folder, own.name, own.version)
      ? {
          state: 'known',
          version: own.version,
          source: 'launch-pin',
          how: `its command line runs a file of pnpm's folder ${entry.folder}, which holds ${own.name} ${own.version} alone`,
        }
      : undefined;
  const why = `${lockfile} no longer has ${own.name}@${own.version}; pnpm keeps its folder ${own.location}`;
  const now = await installedNow(ctx, entry, facts);
  const installed: Installed =
    now?.state === 'installed'
      ? { ...now, how: `${now.how} (${why})` }
      : (now ?? {
          state: 'missing',
          ecosystem: 'npm',
          name: own.name,
          how: `the pnpm project ${entry.root} no longer installs ${own.name} (${why})`,
          location: own.location,
        });
  // The same release with other peers: the versions say nothing, the closure and the files do.
  const pinned = running && !(installed.state === 'installed' && installed.version === own.version);
  return { installed, ...(pinned ? { running } : {}) };
}

/** The project's `node_modules/<name>` where it links into the store, else the one release its importers depend on. */
async function installedNow(
  ctx: ResolveContext,
  entry: PnpmStoreEntry,
  facts: PnpmLockFacts,
): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  const modules = p.join(entry.root, 'node_modules');
  const link = p.join(modules, ...entry.name.split('/'));
  const real = await ctx.fs.realpath(link);
  if (real && pnpmStoreEntry(real, p.sep)?.root === entry.root) {
    const pkg = await readNpmPackage(ctx, real, `what the pnpm project resolves now: ${link} -> ${real}`);
    if (pkg) return pkg;
  }
  if (facts.direct.length > 1)
    return {
      state: 'unknown',
      ecosystem: 'npm',
      name: entry.name,
      reason: `the pnpm project ${entry.root} depends on ${entry.name} ${facts.direct.join(' and ')}: which one replaces the release it runs is not known`,
    };
  const version = facts.direct[0];
  if (version === undefined) return undefined;
  const store = p.join(modules, '.pnpm');
  for (const folder of (await ctx.fs.readdir(store)) ?? []) {
    if (!storeFolderIs(folder, entry.name, version)) continue;
    const dir = p.join(store, folder, 'node_modules', ...entry.name.split('/'));
    const pkg = await readNpmPackage(ctx, dir, `what the pnpm project ${entry.root} resolves now: ${dir}`);
    if (pkg) return pkg;
  }
  return undefined;
}
