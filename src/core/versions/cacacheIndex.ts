import { createHash } from 'node:crypto';
import { format } from 'node:url';
import { joinBelow, pathFor } from '../base/hostEnv';

/**
 * The on-disk format of npm's cache (cacache, as written by npm 7 and later), computed the way
 * cacache and make-fetch-happen compute it so one entry is found by its key without ever listing
 * the index (which can hold 100k files):
 * - `<cache>/_cacache/index-v5/<sha256(key) split 2/2/rest>` is a bucket: one line per write,
 *   `\n<sha1(json)>\t<json>` appended, the newest last (cacache lib/entry-index.js insert,
 *   bucketPath, hashKey, hashEntry).
 * - an entry's content is `<cache>/_cacache/content-v2/<algo>/<hex(digest) split 2/2/rest>` for the
 *   strongest hash of its integrity (cacache lib/content/path.js).
 * - an HTTP response's key is `make-fetch-happen:request-cache:<url>` with the URL formatted without
 *   auth or fragment (make-fetch-happen lib/cache/key.js).
 * Pure: paths are built for the host's platform, reading is left to the caller.
 */

export interface IndexEntry {
  key: string;
  /** `null` is a deletion: it shadows every earlier write of the key. */
  integrity: string | null;
  /** ms since the epoch, when the line was written (a fetch, or a revalidation of it). */
  time: number;
  size?: number;
}

/** The cache's own folder under npm's cache dir. */
export function cacacheRoot(host: { platform: NodeJS.Platform }, npmCache: string): string {
  return pathFor(host).join(npmCache, '_cacache');
}

/** The HTTP cache key make-fetch-happen gives a request for `url`. */
export function requestKey(url: string): string {
  return `make-fetch-happen:request-cache:${format(new URL(url), { auth: false, fragment: false, search: true, unicode: false })}`;
}

function segments(hex: string): string[] {
  return [hex.slice(0, 2), hex.slice(2, 4), hex.slice(4)];
}

/** The bucket file that holds every write of `key`. */
export function bucketPath(host: { platform: NodeJS.Platform }, root: string, key: string): string {
  // `root` is cacacheRoot's (normalized); a history asks for hundreds of buckets under it.
  return joinBelow(pathFor(host), root, ['index-v5', ...segments(createHash('sha256').update(key).digest('hex'))]);
}

/**
 * A bucket's lines, oldest first. A line whose hash does not match its JSON (a torn append, two
 * writers at once) is skipped, as cacache itself skips it.
 */
export function parseBucket(text: string): IndexEntry[] {
  const entries: IndexEntry[] = [];
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const json = line.slice(tab + 1);
    if (createHash('sha1').update(json).digest('hex') !== line.slice(0, tab)) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(json);
    } catch {
      continue;
    }
    if (typeof obj !== 'object' || obj === null) continue;
    const { key, integrity, time, size } = obj as Record<string, unknown>;
    if (typeof key !== 'string' || typeof time !== 'number' || (integrity !== null && typeof integrity !== 'string'))
      continue;
    entries.push({ key, integrity, time, ...(typeof size === 'number' ? { size } : {}) });
  }
  return entries;
}

/** What the cache holds for `key` now: its last write, unless that was a deletion. */
export function currentEntry(entries: IndexEntry[], key: string): IndexEntry | undefined {
  const last = entries.filter((e) => e.key === key).at(-1);
  return last?.integrity ? last : undefined;
}

/** ssri's order of strength: the content file is named after the strongest hash an integrity lists. */
const STRENGTH = ['sha1', 'sha256', 'sha384', 'sha512'];

/** The content file of an integrity (`sha512-<base64>`); undefined when it names no hash cacache stores. */
export function contentPath(host: { platform: NodeJS.Platform }, root: string, integrity: string): string | undefined {
  let best: { algo: string; digest: string } | undefined;
  for (const part of integrity.trim().split(/\s+/)) {
    const m = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+=*)(\?.*)?$/.exec(part);
    if (m && (!best || STRENGTH.indexOf(m[1]) > STRENGTH.indexOf(best.algo))) best = { algo: m[1], digest: m[2] };
  }
  if (!best) return undefined;
  return pathFor(host).join(
    root,
    'content-v2',
    best.algo,
    ...segments(Buffer.from(best.digest, 'base64').toString('hex')),
  );
}
