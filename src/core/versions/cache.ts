import type { FileStat } from '../machine/types';
import { Dependency, isOwnLink, memoizedFs, sameAsSeen, trackingFs, VersionFs } from './fs';

interface Entry<T> {
  value: T;
  /** `stat:<path>` / `lstat:<path>` -> its stat at the time of resolution. */
  deps: Map<string, Dependency>;
  /** ms: when the probes (absent paths, links) were last checked. */
  probedAt: number;
}

/** How long probes may go unchecked: a new install where nothing was (a first npx cache entry) shows within this. */
export const PROBE_TTL_MS = 10_000;

export interface MtimeCacheOptions<T = unknown> {
  /** Defaults to PROBE_TTL_MS; 0 checks every probe on every lookup. */
  probeTtlMs?: number;
  /**
   * Answers whose probes are checked on every lookup: an answer built on absence (a package not
   * found) must see the reinstall that ends it at once, not a probe interval later.
   */
  recheck?: (value: T) => boolean;
  now?: () => number;
}

/**
 * Resolutions cached by the mtimes of the files they read. A refresh re-stats the files whose
 * content an answer used (package.json, lockfiles, METADATA, site-packages: what an upgrade or a
 * reinstall rewrites) instead of reading and parsing package metadata again; the other paths it
 * looked at (absent places, links, PATH entries) are re-checked at most every PROBE_TTL_MS. Any
 * change invalidates the entry.
 */
export class MtimeCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /** Stats already taken in this pass: entries of one snapshot share most paths (package.json, lockfiles). */
  private pass: Map<string, Promise<Seen> | Seen> | undefined;
  /** Answers already given in this pass: a server and its instances often ask for the same launch. */
  private answers: Map<string, Promise<T>> | undefined;
  /** File reads already made in this pass: thousands of launches of one `node` probe the same PATH folders. */
  private passFs: VersionFs | undefined;
  hits = 0;
  misses = 0;
  /** While it holds, every lookup checks its answer's probes too (a pass whose reads must be all it rests on, snapshot/quietTick.ts). */
  probeAll?: () => boolean;

  private readonly probeTtlMs: number;
  private readonly recheck: ((value: T) => boolean) | undefined;
  private readonly now: () => number;

  constructor(
    private readonly fs: VersionFs,
    options: MtimeCacheOptions<T> = {},
  ) {
    this.probeTtlMs = options.probeTtlMs ?? PROBE_TTL_MS;
    this.recheck = options.recheck;
    this.now = options.now ?? Date.now;
  }

  /** The answer for `key`: kept while what it read is unchanged, else computed through `reads` (the running pass's by default). */
  get(key: string, compute: (fs: VersionFs) => Promise<T>, reads?: VersionFs): Promise<T> {
    const given = this.answers?.get(key);
    if (given) return given;
    const answer = this.lookup(key, compute, reads);
    this.answers?.set(key, answer);
    return answer;
  }

  private async lookup(key: string, compute: (fs: VersionFs) => Promise<T>, reads?: VersionFs): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && (await this.stillValid(cached))) {
      this.hits++;
      return cached.value;
    }
    this.misses++;
    const t = trackingFs(reads ?? this.passFs ?? this.fs);
    const value = await compute(t.fs);
    this.entries.set(key, { value, deps: t.deps, probedAt: this.now() });
    return value;
  }

  /**
   * Starts a validation pass (one per snapshot): until endPass, a path is stat'ed at most once, and
   * answers are computed through `reads` (the snapshot's own memoizedFs over this cache's fs, when
   * others read through it too) or a memoizedFs of the pass's own.
   */
  newPass(reads?: VersionFs): void {
    this.pass = new Map();
    this.answers = new Map();
    this.passFs = reads ?? memoizedFs(this.fs);
  }

  endPass(): void {
    this.pass = undefined;
    this.answers = undefined;
    this.passFs = undefined;
  }

  clear(): void {
    this.entries.clear();
    this.endPass();
  }

  /**
   * The files whose content the answer for `key` was read from, and the links it was read through,
   * with their change times (ms): the evidence of when a package's metadata last changed. Empty before the answer is known.
   */
  filesOf(key: string): Array<{ path: string; at: number }> {
    const entry = this.entries.get(key);
    if (!entry) return [];
    const out: Array<{ path: string; at: number }> = [];
    for (const [k, dep] of entry.deps) {
      if (!dep.content) continue;
      if (dep.how === 'stat' && dep.seen?.kind === 'file')
        out.push({ path: k.slice('stat:'.length), at: Math.max(dep.seen.mtimeMs, dep.seen.ctimeMs) });
      // A link on the way to what runs (linkChain.ts): re-pointing it changes what is loaded. Not a
      // package manager's own links (`isOwnLink`): its trees are read through them.
      const link = k.slice('lstat:'.length);
      if (dep.how === 'lstat' && dep.seen?.kind === 'link' && isOwnLink(link))
        out.push({ path: link, at: Math.max(dep.seen.mtimeMs, dep.seen.ctimeMs) });
    }
    return out;
  }

  get size(): number {
    return this.entries.size;
  }

  private async stillValid(entry: Entry<T>): Promise<boolean> {
    const now = this.now();
    const probe =
      now - entry.probedAt >= this.probeTtlMs || (this.recheck?.(entry.value) ?? false) || !!this.probeAll?.();
    for (const [key, dep] of entry.deps) {
      if (!dep.content && !probe) continue;
      const current = await this.statOf(key, dep.how);
      if (current === 'error' || !sameAsSeen(dep, current)) return false;
    }
    if (probe) entry.probedAt = now;
    return true;
  }

  private statOf(key: string, how: 'stat' | 'lstat'): Promise<Seen> | Seen {
    const known = this.pass?.get(key);
    if (known !== undefined || this.pass?.has(key)) return known;
    const p = key.slice(how.length + 1);
    const sync = how === 'stat' ? this.fs.statSync : this.fs.lstatSync;
    let seen: Promise<Seen> | Seen;
    try {
      seen = sync ? sync(p) : this.fs[how](p).catch((): Seen => 'error');
    } catch {
      // A path that cannot be stat'ed now: resolve again, and let that resolution report why.
      seen = 'error';
    }
    this.pass?.set(key, seen);
    return seen;
  }
}

/** A path's stat in a validation pass: `undefined` when not there, 'error' when it could not be taken. */
type Seen = FileStat | undefined | 'error';
