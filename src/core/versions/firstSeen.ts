import type { Bucket } from '../base/engineCache';
import { readPrivate, writePrivateAtomic } from '../machine/privateFs';
import type { MachineFs } from '../machine/types';
import type { ServerInfoStatement } from '../base/versionTypes';
import { FirstSeen } from './versionEvidence';

/**
 * What each instance ran when it was first seen, persisted in the user's state dir so a later
 * run (another window, the CLI) still knows what an old process loaded after an upgrade.
 * Keyed by pid + start time (pids are reused). Only written when the installed files provably
 * predate the process; otherwise the instance's running version stays unknown.
 */

interface StoredEntry extends FirstSeen {
  /** ISO 8601: refreshed on every sighting; entries unseen for PRUNE_AFTER_MS are dropped. */
  lastSeenAt: string;
  serverInfo?: ServerInfoStatement;
}

/** A proof that a replaced file a process maps is (or is not) the file installed at its place now. */
interface StoredProof {
  check: 'identical' | 'differs';
  /** ISO 8601: refreshed on use at most once a day; pruned as instances are. */
  lastSeenAt: string;
}

/**
 * What a file's bytes said (its SHA-256, the distribution whose RECORD lists it), kept while the file
 * that says it keeps its identity (`sig`: device, inode, size, mtime and ctime, keptFacts.ts): any
 * write moves its change time, which nobody can set, and a fact whose file moved proves nothing.
 */
interface StoredFact {
  sig: string;
  value: string;
  /** ISO 8601: refreshed on use at most once a day; pruned as instances are. */
  lastSeenAt: string;
}

interface StoredFile {
  version: 1;
  instances: Record<string, StoredEntry>;
  /**
   * Content proofs (mappedContent.ts `proofKey`: the mapped old file's path, device, inode and
   * the ranges a comparison through memory reads, and the installed file's device, inode, size,
   * mtime and ctime), so the next run (a one-shot `status`, another window) does not
   * hash the same replaced libraries again.
   */
  proofs?: Record<string, StoredProof>;
  /** Facts read from files (keptFacts.ts), by what was asked of which file: one a file and question. */
  facts?: Record<string, StoredFact>;
}

const PRUNE_AFTER_MS = 30 * 24 * 3600 * 1000;
/** Proofs kept at most (the least recently used go first): a few hundred replaced libraries per process. */
const MAX_PROOFS = 4096;
/** Facts kept at most (the least recently used go first): a few per replaced library and metadata file. */
const MAX_FACTS = 4096;

export function instanceKey(pid: number, startTime: number): string {
  return `${pid}@${startTime}`;
}

export class FirstSeenStore {
  private dirty = false;
  /** Each kept proof's key by its stem (proofStem): the one proof kept of one replaced file. Made on first use. */
  private proofStems: Map<string, string> | undefined;

  private constructor(
    readonly file: string,
    private readonly entries: Map<string, StoredEntry>,
    private readonly proofs: Map<string, StoredProof>,
    private readonly facts: Map<string, StoredFact>,
    /** Our root (src/core/base/paths.ts): every folder from it down to the file's is checked before use. */
    private readonly root: string | undefined,
    private readonly fs: MachineFs,
    /** The platform of the Machine whose files these are (its path rules check the folders). */
    private readonly platform: NodeJS.Platform,
    private readonly loaded: Bucket<string, LoadedStore> | undefined,
    private readonly uid: number | undefined,
    /**
     * The file's signature (fileSig) as this store last read or wrote it: while the file has it
     * still, no other writer added anything since, and a save need not read it again to merge.
     */
    private sig: string,
  ) {}

  /**
   * The store as last loaded by this engine (`loaded`, its cache's bucket) when the file has not
   * changed since (a refresh then costs one stat instead of reading and parsing the file).
   */
  static async loadCached(
    file: string,
    o: {
      fs: MachineFs;
      /** The Machine's platform: its path rules read the file's folders. */
      platform: NodeJS.Platform;
      /** The user whose files ours are (the Machine's). */
      uid?: number;
      loaded?: Bucket<string, LoadedStore>;
      report?: (message: string) => void;
      root?: string;
    },
  ): Promise<FirstSeenStore> {
    const hit = o.loaded?.get(file);
    if (hit && hit.sig === fileSig(o.fs, file) && !hit.store.dirty) return hit.store;
    const store = await FirstSeenStore.load(file, o);
    o.loaded?.set(file, { sig: store.sig, store });
    return store;
  }

  /**
   * Loads the store; a missing file is empty, a garbage one is reported and replaced, and one that
   * is not a private file of ours (a link, another user's) is reported and ignored.
   */
  static async load(
    file: string,
    o: {
      fs: MachineFs;
      platform: NodeJS.Platform;
      uid?: number;
      report?: (message: string) => void;
      root?: string;
      loaded?: Bucket<string, LoadedStore>;
    },
  ): Promise<FirstSeenStore> {
    const { report, root } = o;
    const entries = new Map<string, StoredEntry>();
    const proofs = new Map<string, StoredProof>();
    const facts = new Map<string, StoredFact>();
    // Taken before the read: a write that lands meanwhile leaves it older than what was read, and is merged on save.
    const sig = fileSig(o.fs, file);
    let text: string | undefined;
    try {
      text = await readPrivate(file, {
        root,
        fs: o.fs,
        platform: o.platform,
        ...(o.uid !== undefined ? { uid: o.uid } : {}),
      });
    } catch (err) {
      report?.(`${file}: ${(err as Error).message}`);
    }
    if (text !== undefined) {
      try {
        const json = JSON.parse(text) as StoredFile;
        for (const [k, v] of Object.entries(json.instances ?? {})) {
          if (v && typeof v.version === 'string' && typeof v.name === 'string' && typeof v.firstSeenAt === 'string')
            entries.set(k, v);
        }
        for (const [k, v] of Object.entries(json.proofs ?? {}))
          if (v && (v.check === 'identical' || v.check === 'differs') && typeof v.lastSeenAt === 'string')
            proofs.set(k, v);
        for (const [k, v] of Object.entries(json.facts ?? {}))
          if (v && typeof v.sig === 'string' && typeof v.value === 'string' && typeof v.lastSeenAt === 'string')
            facts.set(k, v);
      } catch (err) {
        report?.(`${file} is not valid JSON and will be rewritten: ${(err as Error).message}`);
      }
    }
    return new FirstSeenStore(file, entries, proofs, facts, root, o.fs, o.platform, o.loaded, o.uid, sig);
  }

  get(key: string): (FirstSeen & { serverInfo?: ServerInfoStatement }) | undefined {
    return this.entries.get(key);
  }

  /** Records a first sighting (never overwrites: the first one is what the process loaded). */
  record(key: string, seen: FirstSeen, now: Date): void {
    if (this.entries.has(key)) return;
    this.entries.set(key, { ...seen, lastSeenAt: now.toISOString() });
    this.dirty = true;
  }

  rememberServerInfo(key: string, info: ServerInfoStatement): void {
    const e = this.entries.get(key);
    const same =
      e?.serverInfo &&
      e.serverInfo.name === info.name &&
      e.serverInfo.version === info.version &&
      e.serverInfo.era === info.era &&
      e.serverInfo.how === info.how;
    if (!e || same) return;
    e.serverInfo = info;
    this.dirty = true;
  }

  /** A content proof made by an earlier run (see StoredFile `proofs`), marked used. */
  proof(key: string, now: Date): 'identical' | 'differs' | undefined {
    const p = this.proofs.get(key);
    if (p && now.getTime() - Date.parse(p.lastSeenAt) > 24 * 3600 * 1000) {
      p.lastSeenAt = now.toISOString();
      this.dirty = true;
    }
    return p?.check;
  }

  /**
   * Keeps a proof, in place of the one kept of the same replaced file against an earlier installed
   * file (proofStem): each reinstall makes a new one, and the earlier can never be asked again.
   */
  recordProof(key: string, check: 'identical' | 'differs', now: Date): void {
    if (this.proofs.get(key)?.check === check) return;
    if (!this.proofStems) {
      this.proofStems = new Map();
      for (const k of this.proofs.keys()) this.proofStems.set(proofStem(k), k);
    }
    const stem = proofStem(key);
    const earlier = this.proofStems.get(stem);
    if (earlier !== undefined && earlier !== key) this.proofs.delete(earlier);
    this.proofStems.set(stem, key);
    this.proofs.set(key, { check, lastSeenAt: now.toISOString() });
    this.dirty = true;
  }

  /**
   * A fact kept for `key` and the identity of the file it was read from (see StoredFact), marked
   * used: the caller compares that identity with the file's now, and uses the value only when equal.
   */
  fact(key: string, now: Date): { sig: string; value: string } | undefined {
    const f = this.facts.get(key);
    if (f && now.getTime() - Date.parse(f.lastSeenAt) > 24 * 3600 * 1000) {
      f.lastSeenAt = now.toISOString();
      this.dirty = true;
    }
    return f && { sig: f.sig, value: f.value };
  }

  recordFact(key: string, sig: string, value: string, now: Date): void {
    const f = this.facts.get(key);
    if (f?.sig === sig && f.value === value) return;
    this.facts.set(key, { sig, value, lastSeenAt: now.toISOString() });
    this.dirty = true;
  }

  /** Marks an instance as seen now (at most one write a day per entry for this alone). */
  touch(key: string, now: Date): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (now.getTime() - Date.parse(e.lastSeenAt) > 24 * 3600 * 1000) {
      e.lastSeenAt = now.toISOString();
      this.dirty = true;
    }
  }

  /** Writes atomically when something changed, merging what another writer added meanwhile. */
  async save(now: Date): Promise<void> {
    const stale = (e: { lastSeenAt: string }) => now.getTime() - Date.parse(e.lastSeenAt) > PRUNE_AFTER_MS;
    for (const [k, e] of this.entries) {
      if (stale(e)) {
        this.entries.delete(k);
        this.dirty = true;
      }
    }
    for (const kept of [this.proofs, this.facts])
      for (const [k, e] of kept) {
        if (stale(e)) {
          kept.delete(k);
          this.dirty = true;
        }
      }
    if (!this.dirty) return;
    // Another writer (a window, a watch loop) may have written since this store read the file: what it added is kept.
    if (fileSig(this.fs, this.file) !== this.sig) {
      const current = await FirstSeenStore.load(this.file, {
        fs: this.fs,
        platform: this.platform,
        root: this.root,
        uid: this.uid,
      });
      for (const [k, e] of current.entries) if (!this.entries.has(k) && !stale(e)) this.entries.set(k, e);
      for (const [k, e] of current.proofs)
        if (!this.proofs.has(k) && !stale(e) && !this.proofStems?.has(proofStem(k))) this.proofs.set(k, e);
      for (const [k, e] of current.facts) if (!this.facts.has(k) && !stale(e)) this.facts.set(k, e);
      this.proofStems = undefined;
    }
    const proofs = newest(this.proofs, MAX_PROOFS);
    const facts = newest(this.facts, MAX_FACTS);
    const body: StoredFile = {
      version: 1,
      instances: Object.fromEntries(this.entries),
      ...(proofs.length ? { proofs: Object.fromEntries(proofs) } : {}),
      ...(facts.length ? { facts: Object.fromEntries(facts) } : {}),
    };
    await writePrivateAtomic(this.file, `${JSON.stringify(body)}\n`, { root: this.root });
    this.dirty = false;
    this.sig = fileSig(this.fs, this.file);
    this.loaded?.set(this.file, { sig: this.sig, store: this });
  }
}

/** A store as loaded, with the file's signature then: the engine keeps it in its `first-seen` bucket. */
export interface LoadedStore {
  sig: string;
  store: FirstSeenStore;
}

export const FIRST_SEEN_STORES = { name: 'first-seen', limit: 8 } as const;

/**
 * The `limit` most recently used of a kept map: the bound of what the file holds. Sorted only past
 * the bound; ISO 8601 times of one length order as their text does.
 */
function newest<T extends { lastSeenAt: string }>(kept: Map<string, T>, limit: number): Array<[string, T]> {
  const all = [...kept];
  return all.length > limit ? all.sort((a, b) => (a[1].lastSeenAt < b[1].lastSeenAt ? 1 : -1)).slice(0, limit) : all;
}

/**
 * What a proof's key (mappedContent.ts `proofKey`) says before the installed file's identity, its
 * last `|`-separated part: the replaced file, as mapped, and the ranges compared. Two proofs of one
 * stem were made against two installed files, and only the later one can be asked again.
 */
function proofStem(key: string): string {
  return key.slice(0, key.lastIndexOf('|') + 1);
}

/** The file as stat'ed (never through a link): any write of ours or another's (a rename) changes it. */
function fileSig(fs: MachineFs, file: string): string {
  const st = fs.lstatSync(file);
  return st ? `${st.dev ?? '?'}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : 'absent';
}
