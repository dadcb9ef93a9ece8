import { thisMachinePath } from '../machine/live';
import { HTTP_LIMITS, HttpLimits } from './limits';
import { INITIALIZED_NOTIFICATION, replayableInitialize, replayableProtocolVersion } from './replayRecord';
import { ensurePrivateDir, PrivateFileError, readPrivate, writePrivateAtomic } from '../machine/privateFs';

/**
 * What the HTTP front remembers of one client-facing session, enough to rebuild it on a fresh
 * upstream: the replayable part of the client's `initialize` (see replayRecord.ts) and whether it
 * sent `notifications/initialized`. Nothing else of what the client sent is kept.
 */
export interface FrontSession {
  /** The upstream's session id the client id maps to now; undefined once it is known to be gone. */
  upstream: string | undefined;
  /** The client's initialize request as `replayableInitialize` keeps it, replayed under an id of the front's. */
  initialize: Record<string, unknown>;
  /** `notifications/initialized` (params dropped), once the client sent it. */
  initialized?: Record<string, unknown>;
  /** The `MCP-Protocol-Version` the client sends on later requests, sent on the replayed ones too. */
  protocolVersion?: string;
  /** How many times the session was rebuilt upstream (event ids of older epochs mean nothing upstream). */
  epoch: number;
  createdAt: string;
  /** Set once the client made a call on the session (more than its handshake): such sessions are forgotten last. */
  used?: boolean;
}

/** Sessions kept per front (the default of `HttpLimits.maxSessions`). */
export const MAX_SESSIONS = HTTP_LIMITS.maxSessions;

export type SessionLimits = Pick<HttpLimits, 'maxSessions' | 'maxStoreBytes' | 'maxCapabilitiesBytes'>;

interface StoreFile {
  version: 1;
  sessions: Record<string, FrontSession>;
}

/**
 * Client session id -> session, kept in memory and mirrored to one private file (0600 in a 0700
 * directory) so a restarted front still knows the ids its clients hold. Writes are atomic (temp file
 * + rename) and coalesced: while one write runs, later changes are folded into one more write.
 *
 * Bounded by count and by bytes (as written). Any local process can open sessions, so when full the
 * store forgets sessions that were never used for a call first, least recently used first, and
 * only then the least recently used of the others: a flood of handshakes that are never followed
 * by a call cannot push out a client that is working. The map's order is the recency order.
 */
export class SessionStore {
  private readonly sessions = new Map<string, FrontSession>();
  /** Bytes each session takes in the file (its id and record as JSON). */
  private readonly sizes = new Map<string, number>();
  private totalBytes = 0;
  private writing: Promise<void> | undefined;
  private dirty = false;
  readonly limits: SessionLimits;

  private constructor(
    readonly file: string | undefined,
    limits: Partial<SessionLimits> = {},
  ) {
    this.limits = {
      maxSessions: limits.maxSessions ?? HTTP_LIMITS.maxSessions,
      maxStoreBytes: limits.maxStoreBytes ?? HTTP_LIMITS.maxStoreBytes,
      maxCapabilitiesBytes: limits.maxCapabilitiesBytes ?? HTTP_LIMITS.maxCapabilitiesBytes,
    };
  }

  /** A store that lives in memory only (tests, benches). */
  static inMemory(limits: Partial<SessionLimits> = {}): SessionStore {
    return new SessionStore(undefined, limits);
  }

  /** Loads `file` (missing: empty). A garbled file is reported and replaced: losing maps is recoverable, clients start over. */
  static async open(
    file: string,
    warn: (line: string) => void = () => undefined,
    limits: Partial<SessionLimits> = {},
  ): Promise<SessionStore> {
    const store = new SessionStore(file, limits);
    // The front keeps its sessions here, on this machine.
    ensurePrivateDir(thisMachinePath().dirname(file));
    let text: string | undefined;
    try {
      text = await readPrivate(file);
    } catch (err) {
      // A link or a file not of ours is never read; the next write replaces it.
      if (!(err instanceof PrivateFileError)) throw err;
      warn(`${err.message}; starting with no sessions`);
    }
    if (text !== undefined) {
      const parsed = parseStoreFile(text);
      if (parsed.ok) {
        for (const [id, s] of Object.entries(parsed.file.sessions)) store.put(id, store.trimmed(s));
        store.evict(undefined);
      } else warn(`${file}: ${parsed.error}; starting with no sessions`);
    }
    return store;
  }

  get(id: string): FrontSession | undefined {
    return this.sessions.get(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Bytes the sessions take in the file, about (the file adds a few bytes of its own). */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Records a session; its handshake is trimmed to what a replay needs. May forget other sessions (see the class). */
  set(id: string, session: FrontSession): void {
    this.remove(id);
    this.put(id, this.trimmed(session));
    // Clients that never DELETE their sessions must not grow the store forever. A client of a
    // forgotten session gets 404 and starts over, as the spec has it.
    this.evict(id);
    this.persist();
  }

  delete(id: string): void {
    if (this.remove(id)) this.persist();
  }

  /** Marks `id` as just used (most recent); `call` says the client made a call on it, not just its handshake. */
  touch(id: string, call: boolean): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.sessions.set(id, session);
    if (call && !session.used) {
      session.used = true;
      this.changed(id);
    }
  }

  /** Call after changing a session object in place (`id`: which one; all are measured again without it). */
  changed(id?: string): void {
    for (const sid of id === undefined ? [...this.sessions.keys()] : [id]) {
      const session = this.sessions.get(sid);
      if (!session) continue;
      this.totalBytes -= this.sizes.get(sid) ?? 0;
      const size = sizeOf(sid, session);
      this.sizes.set(sid, size);
      this.totalBytes += size;
    }
    this.evict(id);
    this.persist();
  }

  private trimmed(s: FrontSession): FrontSession {
    const out: FrontSession = {
      upstream: s.upstream,
      initialize: replayableInitialize(s.initialize, this.limits.maxCapabilitiesBytes),
      epoch: s.epoch,
      createdAt: s.createdAt,
    };
    if (s.initialized !== undefined) out.initialized = { ...INITIALIZED_NOTIFICATION };
    const version = replayableProtocolVersion(s.protocolVersion);
    if (version !== undefined) out.protocolVersion = version;
    if (s.used) out.used = true;
    return out;
  }

  private put(id: string, session: FrontSession): void {
    this.sessions.set(id, session);
    const size = sizeOf(id, session);
    this.sizes.set(id, size);
    this.totalBytes += size;
  }

  private remove(id: string): boolean {
    if (!this.sessions.delete(id)) return false;
    this.totalBytes -= this.sizes.get(id) ?? 0;
    this.sizes.delete(id);
    return true;
  }

  /**
   * Of `ids`, the one this store would forget first (the order of the class comment); an id it no
   * longer knows comes before all. Used to pick which session's event stream makes way.
   */
  firstToForget(ids: ReadonlySet<string>): string | undefined {
    for (const id of ids) if (!this.sessions.has(id)) return id;
    let oldestUsed: string | undefined;
    for (const [sid, s] of this.sessions) {
      if (!ids.has(sid)) continue;
      if (!s.used) return sid;
      oldestUsed ??= sid;
    }
    return oldestUsed;
  }

  /** Forgets sessions until within both limits; `keep` (the one just recorded) goes last. */
  private evict(keep: string | undefined): void {
    const { maxSessions, maxStoreBytes } = this.limits;
    while (this.sessions.size > maxSessions || (this.totalBytes > maxStoreBytes && this.sessions.size > 0)) {
      let victim: string | undefined;
      let oldestUsed: string | undefined;
      for (const [sid, s] of this.sessions) {
        if (sid === keep) continue;
        if (!s.used) {
          victim = sid;
          break;
        }
        oldestUsed ??= sid;
      }
      victim ??= oldestUsed ?? keep;
      if (victim === undefined) return;
      this.remove(victim);
    }
  }

  /** Resolves once everything changed so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private persist(): void {
    if (!this.file) return;
    this.dirty = true;
    if (this.writing) return;
    this.writing = this.writeLoop().finally(() => (this.writing = undefined));
  }

  private async writeLoop(): Promise<void> {
    const file = this.file!;
    while (this.dirty) {
      this.dirty = false;
      const body: StoreFile = { version: 1, sessions: Object.fromEntries(this.sessions) };
      try {
        await writePrivateAtomic(file, JSON.stringify(body));
      } catch (err) {
        process.emitWarning(`cannot save HTTP sessions to ${file}: ${(err as Error).message}`);
      }
    }
  }
}

/** The bytes a session adds to the file: `"id":{...},`. */
function sizeOf(id: string, session: FrontSession): number {
  return Buffer.byteLength(JSON.stringify(session)) + Buffer.byteLength(id) + 4;
}

export function parseStoreFile(text: string): { ok: true; file: StoreFile } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON (${(err as Error).message})` };
  }
  const v = value as Partial<StoreFile> | null;
  if (!v || typeof v !== 'object' || v.version !== 1 || typeof v.sessions !== 'object' || v.sessions === null) {
    return { ok: false, error: 'not a session file of version 1' };
  }
  const sessions: Record<string, FrontSession> = {};
  for (const [id, s] of Object.entries(v.sessions)) {
    if (!s || typeof s !== 'object' || typeof s.initialize !== 'object' || s.initialize === null) continue;
    sessions[id] = {
      upstream: typeof s.upstream === 'string' ? s.upstream : undefined,
      initialize: s.initialize,
      initialized: typeof s.initialized === 'object' && s.initialized !== null ? s.initialized : undefined,
      protocolVersion: typeof s.protocolVersion === 'string' ? s.protocolVersion : undefined,
      epoch: typeof s.epoch === 'number' ? s.epoch : 0,
      createdAt: typeof s.createdAt === 'string' ? s.createdAt : new Date(0).toISOString(),
      ...(s.used === true ? { used: true } : {}),
    };
  }
  return { ok: true, file: { version: 1, sessions } };
}
