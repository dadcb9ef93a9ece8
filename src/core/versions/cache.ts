import { trackingFs, signature, VersionFs } from './fs';

interface Entry<T> {
  value: T;
  /** `stat:<path>` / `lstat:<path>` -> signature at the time of resolution. */
  deps: Map<string, { how: 'stat' | 'lstat'; sig: string }>;
}

/**
 * Resolutions cached by the mtimes of the files they read. A refresh re-stats only those paths
 * (a handful per server) instead of reading and parsing package metadata again; any change to any
 * of them (an upgrade, a reinstall, a new npx cache entry) invalidates the entry.
 */
export class MtimeCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  hits = 0;
  misses = 0;

  constructor(private readonly fs: VersionFs) {}

  async get(key: string, compute: (fs: VersionFs) => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && (await this.stillValid(cached))) {
      this.hits++;
      return cached.value;
    }
    this.misses++;
    const t = trackingFs(this.fs);
    const value = await compute(t.fs);
    this.entries.set(key, { value, deps: t.deps });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private async stillValid(entry: Entry<T>): Promise<boolean> {
    const checks = await Promise.all(
      [...entry.deps].map(async ([key, dep]) => {
        const p = key.slice(dep.how.length + 1);
        try {
          return signature(await this.fs[dep.how](p)) === dep.sig;
        } catch {
          // A path that cannot be stat'ed now: resolve again, and let that resolution report why.
          return false;
        }
      }),
    );
    return checks.every(Boolean);
  }
}
