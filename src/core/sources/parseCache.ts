import { createHash } from 'node:crypto';

/**
 * What scanning one file gave, kept between scans in memory (never on disk) so that an unchanged
 * file is not parsed and normalised again: the extension and `status --watch` rescan every few
 * seconds, and a 10 MiB config would otherwise cost its full parse each time, delaying every
 * other source as long. Keyed by a hash of everything the result depends on (the file's text,
 * its source row, its place, the host's environment), so a changed file, or the same bytes read
 * for another source or environment, is a miss. Least recently used entries are dropped first,
 * past a count of files and a total of source text.
 */
export class ParseCache<T> {
  private readonly entries = new Map<string, { value: T; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly maxFiles = 64,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  /** The key of a result computed from `parts` (strings hashed in order, each ended by a NUL). */
  static key(parts: string[]): string {
    const h = createHash('sha256');
    for (const p of parts) h.update(p).update('\0');
    return h.digest('base64');
  }

  get(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    // Map order is insertion order: moving a hit to the end makes the first entry the least recently used.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /** Keeps `value`, weighing `bytes` (the size of the text it came from); one heavier than the whole cache is not kept. */
  set(key: string, value: T, bytes: number): void {
    if (bytes > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxFiles && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}
