import { pathFor } from '../base/hostEnv';
import { changedAt, changedAtOf } from './fs';
import { ResolveContext } from './lookup';

/**
 * A Python server's dependency closure inside one site-packages: its `Requires-Dist`, resolved
 * against the distributions installed there, recursively. Packages of the same site-packages the
 * server never requires (pip itself, a tool installed beside it) are left out, so installing or
 * upgrading one of those does not make the server look changed. Reads files only; never runs Python.
 */

import { normalizeName } from '../base/pythonName';

export { normalizeName };

/** One requirement of a distribution. */
export interface Requirement {
  /** Normalised project name. */
  name: string;
  /** Extras it asks of that project (`pyjwt[crypto]`), normalised. */
  extras: string[];
  /** The extras of the requiring distribution it belongs to (`; extra == "cli"`); empty: it belongs to the distribution itself. */
  forExtras: string[];
}

const EXTRA_IN_MARKER = /\bextra\s*==\s*(['"])(.*?)\1|(['"])(.*?)\3\s*==\s*extra\b/g;

/**
 * One PEP 508 requirement as `Requires-Dist` writes it: `pyjwt[crypto]>=2.10.1`,
 * `brotli; (platform_python_implementation == 'CPython') and extra == 'brotli'`, `chardet (<6,>=3)`,
 * `pkg @ https://host/pkg.whl ; sys_platform == "linux"`. Undefined when it names no project.
 */
export function parseRequirementLine(value: string): Requirement | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?/.exec(value);
  if (!m) return undefined;
  // A URL may hold a `;`: after `name @ url` the marker starts at a `;` preceded by whitespace (PEP 508).
  const rest = value.slice(m[0].length);
  const semi = /^\s*@/.test(rest) ? rest.search(/\s;/) : rest.indexOf(';');
  const marker = semi >= 0 ? rest.slice(rest.indexOf(';', semi) + 1) : '';
  // Most markers name no extra (`python_version < "3.11"`): those need no walk of the pattern.
  const forExtras = marker.includes('extra')
    ? [...marker.matchAll(EXTRA_IN_MARKER)].map((x) => normalizeName(x[2] ?? x[4]))
    : [];
  const extras = (m[2] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map(normalizeName);
  return { name: normalizeName(m[1]), extras, forExtras };
}

/** Every `Requires-Dist` of a METADATA / PKG-INFO file (headers only: the description follows the first blank line). */
export function requiresDist(metadata: string): Requirement[] {
  const out: Requirement[] = [];
  // The description after the headers is most of a METADATA file (pandas': 60 KB): not split.
  const blank = /\r?\n\r?\n/.exec(metadata);
  for (const line of (blank ? metadata.slice(0, blank.index) : metadata).split(/\r?\n/)) {
    if (line === '') break;
    const m = /^Requires-Dist:\s*(.+?)\s*$/i.exec(line);
    const req = m && parseRequirementLine(m[1]);
    if (req) out.push(req);
  }
  return out;
}

/**
 * An egg-info's `requires.txt`: plain requirement lines, then sections `[extra]`, `[extra:marker]`
 * or `[:marker]` (a marker-only section belongs to the distribution itself).
 */
export function requiresTxt(text: string): Requirement[] {
  const out: Requirement[] = [];
  let forExtras: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const section = /^\[([^\]:]*)(?::.*)?\]$/.exec(line);
    if (section) {
      forExtras = section[1].trim() ? [normalizeName(section[1].trim())] : [];
      continue;
    }
    const req = parseRequirementLine(line);
    if (req) out.push({ ...req, forExtras: req.forExtras.length ? req.forExtras : forExtras });
  }
  return out;
}

/** One distribution's metadata: the file its headers are in, their text, and its requirements. */
export interface DistMetadata {
  file: string;
  text?: string;
  requirements: Requirement[];
}

/** Reads a `*.dist-info` (METADATA) or `*.egg-info` (a folder with PKG-INFO and requires.txt, or a PKG-INFO file itself). */
export async function readDistMetadata(
  ctx: ResolveContext,
  sitePackages: string,
  entry: string,
): Promise<DistMetadata> {
  const p = pathFor(ctx.host);
  const dir = p.join(sitePackages, entry);
  if (entry.endsWith('.dist-info')) {
    const file = p.join(dir, 'METADATA');
    const text = await ctx.fs.readText(file);
    return { file, ...(text !== undefined ? { text } : {}), requirements: requiresDist(text ?? '') };
  }
  const pkgInfo = p.join(dir, 'PKG-INFO');
  const inFolder = await ctx.fs.readText(pkgInfo);
  if (inFolder !== undefined) {
    const reqs = await ctx.fs.readText(p.join(dir, 'requires.txt'));
    return {
      file: pkgInfo,
      text: inFolder,
      requirements: reqs !== undefined ? requiresTxt(reqs) : requiresDist(inFolder),
    };
  }
  const single = (await ctx.fs.stat(dir))?.kind === 'file' ? await ctx.fs.readText(dir) : undefined;
  return {
    file: single !== undefined ? dir : pkgInfo,
    ...(single !== undefined ? { text: single } : {}),
    requirements: requiresDist(single ?? ''),
  };
}

/**
 * Whether a requirement is part of the closure when its distribution was asked for `extras`.
 * Only the `extra` marker is evaluated. Any other marker (python_version, sys_platform, ...) is
 * taken as true, and the requirement then counts when its project is installed there: the
 * installer evaluated those markers against the real interpreter when it installed the environment
 * (which this reader never runs), so what is installed is its answer. A requirement whose marker is
 * false but whose project is installed anyway for another reason errs towards watching one more
 * package, never towards missing one the server loads.
 */
function wanted(req: Requirement, extras: ReadonlySet<string>): boolean {
  return req.forExtras.length === 0 || req.forExtras.some((e) => extras.has(e));
}

export interface Closure {
  /** `name -> version` of every distribution the root requires, directly or not, that is installed (the root excluded). */
  packages: Record<string, string>;
  /** Newest change (ms) among the root's and the members' dist-info folders and metadata files. */
  changedAt?: number;
  /** The same, by member. */
  times: Record<string, number>;
}

/**
 * The closure of `root` (whose metadata the caller already read) in a site-packages, given the
 * distributions there by normalised name. Each distribution's metadata is read once; one reached
 * again with extras not yet followed has just those extras' requirements added. A requirement not
 * installed there is left out (optional, or for another platform); cycles end at the first repeat.
 */
export async function closureOf(
  ctx: ResolveContext,
  sitePackages: string,
  dists: ReadonlyMap<string, { version: string; entry: string }>,
  root: { name: string; metadata: DistMetadata },
  rootExtras: readonly string[] = [],
): Promise<Closure> {
  const p = pathFor(ctx.host);
  const members = new Map<string, { requirements: Requirement[]; extras: Set<string> }>([
    [root.name, { requirements: root.metadata.requirements, extras: new Set() }],
  ]);
  const times: Array<number | undefined> = [];
  const byMember: Record<string, number> = {};
  const noteTimes = async (name: string, entry: string, file: string) => {
    const read = (await Promise.all([ctx.fs.stat(p.join(sitePackages, entry)), ctx.fs.stat(file)])).map(changedAt);
    times.push(...read);
    // A member is dated only when both were read.
    if (read[0] !== undefined && read[1] !== undefined) byMember[name] = Math.max(read[0], read[1]);
  };
  // Every queued distribution that is installed and not yet a member becomes one when its turn
  // comes, so its metadata is read ahead, all of a queue at once: a large environment (a hundred
  // members) then waits on the file system a few times instead of three times per member. The
  // walk itself stays in queue order, so the closure is the same.
  const ahead = new Map<string, Promise<DistMetadata>>();
  const readAhead = (name: string): Promise<DistMetadata> | undefined => {
    const d = dists.get(name);
    if (!d) return undefined;
    let read = ahead.get(name);
    if (!read) {
      read = readDistMetadata(ctx, sitePackages, d.entry).then(async (metadata) => {
        await noteTimes(name, d.entry, metadata.file);
        return metadata;
      });
      ahead.set(name, read);
    }
    return read;
  };
  const rootEntry = dists.get(root.name);
  if (rootEntry) await noteTimes(root.name, rootEntry.entry, root.metadata.file);

  const pending: Array<{ name: string; extras: string[]; first: boolean }> = [
    { name: root.name, extras: rootExtras.map(normalizeName), first: true },
  ];
  const follow = (requirements: Requirement[], extras: ReadonlySet<string>) => {
    for (const r of requirements) if (wanted(r, extras)) pending.push({ name: r.name, extras: r.extras, first: false });
  };
  while (pending.length) {
    const { name, extras, first } = pending.shift()!;
    let member = members.get(name);
    const fresh = !member || first;
    if (!member) {
      for (const q of pending) if (!members.has(q.name)) void readAhead(q.name)?.catch(() => undefined);
      const read = readAhead(name);
      if (!read) continue;
      const metadata = await read;
      members.set(name, (member = { requirements: metadata.requirements, extras: new Set() }));
    }
    const added = extras.filter((e) => !member!.extras.has(e));
    for (const e of added) member.extras.add(e);
    if (fresh) follow(member.requirements, member.extras);
    else if (added.length)
      follow(
        member.requirements.filter((r) => r.forExtras.length > 0),
        new Set(added),
      );
  }

  const packages: Record<string, string> = {};
  for (const name of members.keys()) if (name !== root.name) packages[name] = dists.get(name)!.version;
  return { packages, ...changedAtOf(times), times: byMember };
}
