import { lstatSync, promises as fsp, statSync, Stats } from 'node:fs';

/**
 * The file reads version resolution needs, injected so resolvers run against fixture trees and so
 * the mtime cache can record exactly which paths an answer depended on.
 * "Not there" (ENOENT, ENOTDIR) is an answer (`undefined`); any other failure throws and becomes the
 * resolution's `unknown` reason.
 */
export interface FileStat {
  kind: 'file' | 'dir' | 'link' | 'other';
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
}

export interface VersionFs {
  stat(path: string): Promise<FileStat | undefined>;
  /** Does not follow a final symlink: a retargeted link changes its own ctime. */
  lstat(path: string): Promise<FileStat | undefined>;
  readText(path: string): Promise<string | undefined>;
  readdir(path: string): Promise<string[] | undefined>;
  realpath(path: string): Promise<string | undefined>;
  /**
   * Up to `length` bytes of a file from `position` (fewer at its end; undefined: not there). Optional:
   * what reads a binary's own bytes (a Go binary's build information) reads nothing without it.
   */
  readBytes?(path: string, position: number, length: number): Promise<Buffer | undefined>;
  /**
   * An lstat whose answer is evidence in itself (a development server's own files: their change
   * times are the verdict), so a cache re-checks it on every refresh, like a file whose content was
   * read. Defaults to `lstat`.
   */
  lstatContent?(path: string): Promise<FileStat | undefined>;
  /** Optional synchronous stats: the cache's validation pass re-stats hundreds of paths, where sync is ~10x cheaper. */
  statSync?(path: string): FileStat | undefined;
  lstatSync?(path: string): FileStat | undefined;
}

function absent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function toStat(s: Stats): FileStat {
  const kind = s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'link' : 'other';
  return { kind, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, size: s.size, ino: s.ino };
}

async function orAbsent<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (absent(err)) return undefined;
    throw err;
  }
}

function orAbsentSync<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch (err) {
    if (absent(err)) return undefined;
    throw err;
  }
}

export const nodeFs: VersionFs = {
  stat: async (p) => {
    const s = await orAbsent(fsp.stat(p));
    return s && toStat(s);
  },
  lstat: async (p) => {
    const s = await orAbsent(fsp.lstat(p));
    return s && toStat(s);
  },
  readText: (p) => orAbsent(fsp.readFile(p, 'utf8')),
  readdir: (p) => orAbsent(fsp.readdir(p)),
  realpath: (p) => orAbsent(fsp.realpath(p)),
  readBytes: async (p, position, length) => {
    const handle = await orAbsent(fsp.open(p, 'r'));
    if (!handle) return undefined;
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  },
  // ENOTDIR is "not there" here too, as in the promise versions: the same path gets the same answer either way.
  statSync: (p) => {
    const s = orAbsentSync(() => statSync(p, { throwIfNoEntry: false }));
    return s && toStat(s);
  },
  lstatSync: (p) => {
    const s = orAbsentSync(() => lstatSync(p, { throwIfNoEntry: false }));
    return s && toStat(s);
  },
};

/**
 * Remembers every answer of `inner` for as long as it is used: one snapshot's resolutions look up the
 * same paths over and over (every `node` launch probes each PATH folder, every script in one package
 * reads the same package.json), and within one snapshot a path is taken to hold still. Failures are
 * remembered too, so each caller still sees its own rejection. Stats go through the synchronous
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
  return {
    stat: memo(inner.statSync ? async (p) => inner.statSync!(p) : (p) => inner.stat(p)),
    lstat: memo(inner.lstatSync ? async (p) => inner.lstatSync!(p) : (p) => inner.lstat(p)),
    readText: memo((p) => inner.readText(p)),
    readdir: memo((p) => inner.readdir(p)),
    realpath: memo((p) => inner.realpath(p)),
    lstatContent: memo(
      inner.lstatSync ? async (p) => inner.lstatSync!(p) : (p) => (inner.lstatContent ?? inner.lstat)(p),
    ),
    ...(inner.readBytes ? { readBytes: inner.readBytes.bind(inner) } : {}),
    ...(inner.statSync ? { statSync: inner.statSync } : {}),
    ...(inner.lstatSync ? { lstatSync: inner.lstatSync } : {}),
  };
}

/** A stat's identity for the cache: any rewrite, replacement or touch changes it. */
export function signature(s: FileStat | undefined): string {
  return s ? `${s.kind}:${s.mtimeMs}:${s.ctimeMs}:${s.size}:${s.ino}` : 'absent';
}

/** Newest change of a file: ctime catches rewrites even when an extractor restored an old mtime. */
export function changedAt(s: FileStat | undefined): number | undefined {
  return s ? Math.max(s.mtimeMs, s.ctimeMs) : undefined;
}

/**
 * One path an answer depended on. `content`: the answer used what the file or folder holds (read
 * or listed, and it exists): upgrades and reinstalls rewrite exactly these (package.json, the
 * lockfile, METADATA, site-packages). Otherwise it was a probe: a path looked for, found absent,
 * or a link followed.
 */
export interface Dependency {
  how: 'stat' | 'lstat';
  sig: string;
  content: boolean;
}

/**
 * Wraps a VersionFs and records the signature of every path read through it, so a cached answer
 * can later be checked by re-stat'ing exactly those paths.
 */
export function trackingFs(inner: VersionFs): { fs: VersionFs; deps: Map<string, Dependency> } {
  const deps = new Map<string, Dependency>();
  const record = (p: string, how: 'stat' | 'lstat', s: FileStat | undefined, content: boolean) => {
    const key = `${how}:${p}`;
    const sig = signature(s);
    deps.set(key, { how, sig, content: (deps.get(key)?.content ?? false) || (content && sig !== 'absent') });
  };
  const note = async (p: string, how: 'stat' | 'lstat', content: boolean) => {
    const known = deps.get(`${how}:${p}`);
    if (known) {
      if (content && known.sig !== 'absent') known.content = true;
      return;
    }
    record(p, how, await inner[how](p), content);
  };
  const fs: VersionFs = {
    stat: async (p) => {
      const s = await inner.stat(p);
      record(p, 'stat', s, false);
      return s;
    },
    lstat: async (p) => {
      const s = await inner.lstat(p);
      record(p, 'lstat', s, false);
      return s;
    },
    lstatContent: async (p) => {
      const s = await (inner.lstatContent ?? inner.lstat)(p);
      record(p, 'lstat', s, true);
      return s;
    },
    readText: async (p) => {
      await note(p, 'stat', true);
      return inner.readText(p);
    },
    readdir: async (p) => {
      await note(p, 'stat', true);
      return inner.readdir(p);
    },
    ...(inner.readBytes
      ? {
          readBytes: async (p: string, position: number, length: number) => {
            await note(p, 'stat', true);
            return inner.readBytes!(p, position, length);
          },
        }
      : {}),
    realpath: async (p) => {
      // Every link along the way could be retargeted; the final target's lstat and the path's own cover the usual cases.
      const r = await inner.realpath(p);
      // A path that went through a link is checked like content: retargeting a link is how pnpm's
      // `node_modules/<name>` (and `npm link`) switch versions, with the old target left in place.
      await note(p, 'lstat', r !== undefined && r !== p);
      if (r && r !== p) await note(r, 'lstat', false);
      return r;
    },
  };
  return { fs, deps };
}
