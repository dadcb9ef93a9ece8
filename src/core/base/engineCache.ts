/**
 * Everything one Engine remembers between snapshots, in one place with one rule: named buckets,
 * each a map bounded by its count of entries (the oldest entry goes first when it is full) and,
 * where its answers age, by a time to live. A bucket counts its hits, misses and evictions, which
 * the log can print. Nothing in core keeps state of its own at module level: an extension host, a
 * CLI run, each guard and each test own their Engine and so their cache.
 */

export interface BucketOptions {
  /** Entries kept at most; the oldest goes first. */
  limit: number;
  /** Answers older than this (ms, by the engine's clock) are asked again. */
  ttlMs?: number;
}

export interface BucketStats {
  size: number;
  hits: number;
  misses: number;
  evictions: number;
}

interface Entry<V> {
  value: V;
  at: number;
}

/** One named map of an EngineCache. */
export class Bucket<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  readonly stats: BucketStats = { size: 0, hits: 0, misses: 0, evictions: 0 };

  constructor(
    private readonly options: BucketOptions,
    private readonly now: () => number,
  ) {}

  /** The value kept for `key`, when there is one young enough. */
  get(key: K): V | undefined {
    const e = this.entries.get(key);
    if (e && (this.options.ttlMs === undefined || this.now() - e.at < this.options.ttlMs)) {
      this.stats.hits++;
      return e.value;
    }
    if (e) this.delete(key);
    this.stats.misses++;
    return undefined;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    while (this.entries.size >= this.options.limit) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
      this.stats.evictions++;
    }
    this.entries.set(key, { value, at: this.now() });
    this.stats.size = this.entries.size;
  }

  delete(key: K): void {
    this.entries.delete(key);
    this.stats.size = this.entries.size;
  }

  /** The kept value, or `compute`'s, kept (a promise is kept as it is: callers asking at once share one). */
  getOrSet(key: K, compute: () => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    this.set(key, value);
    return value;
  }

  /** How old the entry for `key` is (ms), when there is one. */
  age(key: K): number | undefined {
    const e = this.entries.get(key);
    return e ? this.now() - e.at : undefined;
  }

  clear(): void {
    this.entries.clear();
    this.stats.size = 0;
  }
}

export class EngineCache {
  private readonly buckets = new Map<string, Bucket<unknown, unknown>>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** The bucket of that name, made on first use with these options (later calls get the same one). */
  bucket<K, V>(name: string, options: BucketOptions): Bucket<K, V> {
    let b = this.buckets.get(name);
    if (!b) this.buckets.set(name, (b = new Bucket<unknown, unknown>(options, this.now)));
    return b as Bucket<K, V>;
  }

  /** Each bucket's counters, by name: for the log. */
  stats(): Record<string, BucketStats> {
    const out: Record<string, BucketStats> = {};
    for (const [name, b] of [...this.buckets].sort(([a], [c]) => a.localeCompare(c))) out[name] = { ...b.stats };
    return out;
  }

  clear(): void {
    for (const b of this.buckets.values()) b.clear();
  }
}

/** The counters of `stats()` in one log line: `resolutions 12 (40 hits, 12 misses), ...`; evictions only when some. */
export function cacheStatsLine(stats: Record<string, BucketStats>): string {
  const parts = Object.entries(stats).map(
    ([name, b]) =>
      `${name} ${b.size} (${b.hits} hits, ${b.misses} misses${b.evictions ? `, ${b.evictions} evicted` : ''})`,
  );
  return parts.length ? parts.join(', ') : 'empty';
}
