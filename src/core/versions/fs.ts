import type { FileStat, MachineFs } from '../machine/types';

/**
 * The file reads version resolution makes: a part of the Machine's (core/machine), so resolvers run
 * against fixture trees in tests and the mtime cache can record exactly which paths an answer
 * depended on. "Not there" (ENOENT, ENOTDIR) is an answer (`undefined`); any other failure throws and
 * becomes the resolution's `unknown` reason. `readBytes` (a binary's own bytes), `lstatContent` (an
 * lstat that is evidence in itself) and the synchronous stats are optional: a fixture may leave them out.
 */
export type VersionFs = Pick<MachineFs, 'stat' | 'lstat' | 'readText' | 'readdir' | 'realpath'> &
  Partial<Pick<MachineFs, 'readBytes' | 'searchBytes' | 'lstatContent' | 'statSync' | 'lstatSync'>> & {
    /**
     * A JSON file's value (see parseJsonText), when the fs keeps it: one snapshot's resolutions walk
     * the same dependency closures (every instance of a package, every project of the same tree)
     * and would parse each package.json again. The value is shared: never to be changed.
     */
    readJson?(p: string): Promise<unknown>;
    /**
     * One answer computed once for the fs's life (a snapshot's pass), with the paths it read: a
     * server's resolution and each of its instances' read the same package's tree. Use `shared`.
     */
    passAnswer?<V>(key: string, compute: (fs: VersionFs) => Promise<V>): Promise<PassAnswer<V>>;
    /** A tracking fs's `passAnswer`: the answer, its paths taken as read through this fs. */
    share?<V>(key: string, compute: (fs: VersionFs) => Promise<V>): Promise<V>;
    /**
     * An lstat read for what the path is (a folder, a link, a file, nothing), not for its times: a
     * tracking fs notes a folder found so by it as unchanged while it stays that folder (its
     * inode), whatever is added to it (`/tmp`, a home, on the way to a venv). What is in it is
     * read through paths of its own, each noted.
     */
    lstatKind?(p: string): Promise<FileStat | undefined>;
  };

/** An answer kept for a pass and what it read. */
export interface PassAnswer<V> {
  value: V;
  deps: ReadonlyMap<string, Dependency>;
}

/**
 * `compute` run against `fs`, or its answer from earlier in the pass when `fs` keeps one (`key`
 * names what it computes completely: the same key, the same answer). The paths that answer read
 * count as read through `fs`, so a cached resolution that used it is checked against them too.
 */
export function shared<V>(fs: VersionFs, key: string, compute: (fs: VersionFs) => Promise<V>): Promise<V> {
  return fs.share ? fs.share(key, compute) : compute(fs);
}

/** A JSON file's text read: its value, `undefined` when absent, or an Error naming the file when not JSON. */
export function parseJsonText(file: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Remembers every answer of `inner` for as long as it is used: one snapshot's resolutions look up the
 * same paths over and over (every `node` launch probes each PATH folder, every script in one package
 * reads the same package.json), and within one snapshot a path is taken to hold still. Failures are
 * remembered too, so each caller still sees its own rejection. A JSON text is parsed once, however
 * many paths hold it (its value is shared, as readJson's always is). Stats go through the synchronous
 * calls when `inner` has them, as the cache's own validation does: a promise stat costs a
 * thread-pool round trip, and for an absent path an error with a stack, about ten times more.
 */
export function memoizedFs(inner: VersionFs): VersionFs {
  const memo = <T>(call: (p: string) => Promise<T>) => {
    const answers = new Map<string, Promise<T>>();
    return (p: string): Promise<T> => {
      let answer = answers.get(p);
      if (!answer) answers.set(p, (answer = call(p)));
      return answer;
    };
  };
  const answers = new Map<string, Promise<PassAnswer<unknown>>>();
  const parsedTexts = new Map<string, unknown>();
  const fs: VersionFs = {
    passAnswer<V>(key: string, compute: (fs: VersionFs) => Promise<V>): Promise<PassAnswer<V>> {
      let answer = answers.get(key);
      if (!answer) {
        const t = trackingFs(fs);
        answers.set(key, (answer = compute(t.fs).then((value) => ({ value, deps: t.deps }))));
      }
      return answer as Promise<PassAnswer<V>>;
    },
    stat: memo(inner.statSync ? async (p) => inner.statSync!(p) : (p) => inner.stat(p)),
    lstat: memo(inner.lstatSync ? async (p) => inner.lstatSync!(p) : (p) => inner.lstat(p)),
    readText: memo((p) => inner.readText(p)),
    readdir: memo((p) => inner.readdir(p)),
    realpath: memo((p) => inner.realpath(p)),
    readJson: memo(async (p) => {
      const text = await fs.readText(p);
      if (text === undefined) return undefined;
      // The same text at another path (a pnpm store's copies, npx caches of one release): parsed once.
      // An error names its own file, so only values are shared.
      const known = parsedTexts.get(text);
      if (known !== undefined) return known;
      const value = parseJsonText(p, text);
      if (!(value instanceof Error)) parsedTexts.set(text, value);
      return value;
    }),
    lstatContent: memo(
      inner.lstatSync ? async (p) => inner.lstatSync!(p) : (p) => (inner.lstatContent ?? inner.lstat)(p),
    ),
    ...(inner.readBytes ? { readBytes: inner.readBytes.bind(inner) } : {}),
    ...(inner.searchBytes ? { searchBytes: inner.searchBytes.bind(inner) } : {}),
    ...(inner.statSync ? { statSync: inner.statSync } : {}),
    ...(inner.lstatSync ? { lstatSync: inner.lstatSync } : {}),
  };
  return fs;
}

/**
 * Whether two stats of one path say the same file, as the cache sees it: any rewrite, replacement or
 * touch changes its kind, mtime, ctime, size or inode. Both absent is the same too.
 */
export function sameSignature(a: FileStat | undefined, b: FileStat | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.kind === b.kind && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.size === b.size && a.ino === b.ino
  );
}

/** Whether a path a dependency saw is the same as the cache sees it: a folder read for its kind alone (`lstatKind`) by its inode. */
export function sameAsSeen(dep: Dependency, now: FileStat | undefined): boolean {
  if (dep.kindOnly && dep.seen?.kind === 'dir') return now?.kind === 'dir' && now.ino === dep.seen.ino;
  return sameSignature(now, dep.seen);
}

/** Newest change of a file: ctime catches rewrites even when an extractor restored an old mtime. */
export function changedAt(s: FileStat | undefined): number | undefined {
  return s ? Math.max(s.mtimeMs, s.ctimeMs) : undefined;
}

/** The newest of the change times known (ms), as an answer's `changedAt` to spread into it: `{}` when none is. */
export function changedAtOf(times: ReadonlyArray<number | undefined>): { changedAt?: number } {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length ? { changedAt: Math.max(...known) } : {};
}

/**
 * One path an answer depended on. `content`: the answer used what the file or folder holds (read
 * or listed, and it exists): upgrades and reinstalls rewrite exactly these (package.json, the
 * lockfile, METADATA, site-packages). Otherwise it was a probe: a path looked for, found absent,
 * or a link followed.
 */
export interface Dependency {
  how: 'stat' | 'lstat';
  /** What the stat said (`undefined`: not there); compared with sameSignature. Never to be changed. */
  seen: FileStat | undefined;
  content: boolean;
  /** Read only for what the path is (`lstatKind`), by every read that noted it. */
  kindOnly?: true;
}

/** How a tracked read is keyed: `stat:<path>` or `lstat:<path>` (the path is the rest, after the colon). */
function dependencyKey(how: 'stat' | 'lstat', p: string): string {
  return how === 'stat' ? `stat:${p}` : `lstat:${p}`;
}

/**
 * Wraps a VersionFs and records the stat of every path read through it, so a cached answer
 * can later be checked by re-stat'ing exactly those paths.
 */
export function trackingFs(inner: VersionFs): { fs: VersionFs; deps: Map<string, Dependency> } {
  const deps = new Map<string, Dependency>();
  // Methods, not arrow properties: a resolution makes one of these per server, and a build that keeps
  // names writes one per arrow property at each making. They use no `this`: a resolver may call one
  // detached (`(fs.lstatContent ?? fs.lstat)(p)`).
  const fs: VersionFs = {
    async stat(p) {
      const s = await inner.stat(p);
      record(deps, dependencyKey('stat', p), 'stat', s, false);
      return s;
    },
    async lstat(p) {
      const s = await inner.lstat(p);
      record(deps, dependencyKey('lstat', p), 'lstat', s, false);
      return s;
    },
    async lstatContent(p) {
      const s = await (inner.lstatContent ?? inner.lstat)(p);
      record(deps, dependencyKey('lstat', p), 'lstat', s, true);
      return s;
    },
    async lstatKind(p) {
      const s = await (inner.lstatKind ?? inner.lstat)(p);
      record(deps, dependencyKey('lstat', p), 'lstat', s, false, true);
      return s;
    },
    async readText(p) {
      await note(deps, inner, p, 'stat', true);
      return inner.readText(p);
    },
    async readdir(p) {
      await note(deps, inner, p, 'stat', true);
      return inner.readdir(p);
    },
    ...(inner.passAnswer
      ? {
          async share<V>(key: string, compute: (fs: VersionFs) => Promise<V>): Promise<V> {
            const { value, deps: read } = await inner.passAnswer!(key, compute);
            for (const [k, dep] of read) {
              const known = deps.get(k);
              if (!known) deps.set(k, { ...dep });
              else {
                if (dep.content && known.seen !== undefined) known.content = true;
                if (!dep.kindOnly) delete known.kindOnly;
              }
            }
            return value;
          },
        }
      : {}),
    async readJson(p) {
      await note(deps, inner, p, 'stat', true);
      return inner.readJson ? inner.readJson(p) : parseJsonText(p, await inner.readText(p));
    },
    ...(inner.readBytes
      ? {
          async readBytes(p: string, position: number, length: number) {
            await note(deps, inner, p, 'stat', true);
            return inner.readBytes!(p, position, length);
          },
        }
      : {}),
    ...(inner.searchBytes
      ? {
          async searchBytes(p: string, pattern: string, limit: number) {
            await note(deps, inner, p, 'stat', true);
            return inner.searchBytes!(p, pattern, limit);
          },
        }
      : {}),
    async realpath(p) {
      // Every link along the way could be retargeted; the final target's lstat and the path's own cover the usual cases.
      const r = await inner.realpath(p);
      // A path that went through a link is checked like content: retargeting a link is how pnpm's
      // `node_modules/<name>` (and `npm link`) switch versions, with the old target left in place.
      await note(deps, inner, p, 'lstat', r !== undefined && r !== p);
      if (r && r !== p) await note(deps, inner, r, 'lstat', false);
      return r;
    },
  };
  return { fs, deps };
}

/** Records what a tracked read saw. Each question's key is spelled once per call: a snapshot asks thousands, and the key is the map's cost. */
function record(
  deps: Map<string, Dependency>,
  key: string,
  how: 'stat' | 'lstat',
  s: FileStat | undefined,
  content: boolean,
  kindOnly = false,
): void {
  const known = deps.get(key);
  deps.set(key, {
    how,
    seen: s,
    content: (known?.content ?? false) || (content && s !== undefined),
    // Read for its kind alone only while no read of it asked more.
    ...(kindOnly && (known === undefined || known.kindOnly) ? { kindOnly: true as const } : {}),
  });
}

/** Notes a path a read depends on, stat'ing it once (a content read marks it as content). */
async function note(
  deps: Map<string, Dependency>,
  inner: VersionFs,
  p: string,
  how: 'stat' | 'lstat',
  content: boolean,
): Promise<void> {
  const key = dependencyKey(how, p);
  const known = deps.get(key);
  if (known) {
    if (content && known.seen !== undefined) known.content = true;
    delete known.kindOnly;
    return;
  }
  record(deps, key, how, await inner[how](p), content);
}

/**
 * Whether a re-pointed link moves what a path loads: not a package manager's own links inside
 * `node_modules` (`.bin/x`, pnpm's `node_modules/pkg`), remade by installs that change nothing of
 * the package: its files, and the managers' rules, tell.
 */
export function isOwnLink(path: string): boolean {
  return !/[\\/]node_modules[\\/]/.test(path);
}
