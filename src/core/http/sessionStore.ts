import * as path from 'node:path';
import { ensurePrivateDir, PrivateFileError, readPrivate, writePrivateAtomic } from '../privateFs';

/**
 * What the HTTP front remembers of one client-facing session, enough to rebuild it on a fresh
 * upstream: the client's own `initialize` request and `notifications/initialized` as it sent them.
 */
export interface FrontSession {
  /** The upstream's session id the client id maps to now; undefined once it is known to be gone. */
  upstream: string | undefined;
  /** The client's initialize request (a JSON-RPC object), replayed verbatim but for its id. */
  initialize: Record<string, unknown>;
  /** The client's `notifications/initialized`, when it sent one. */
  initialized?: Record<string, unknown>;
  /** The `MCP-Protocol-Version` the client sends on later requests, sent on the replayed ones too. */
  protocolVersion?: string;
  /** How many times the session was rebuilt upstream (event ids of older epochs mean nothing upstream). */
  epoch: number;
  createdAt: string;
}

/** Sessions kept per front. */
export const MAX_SESSIONS = 1000;

interface StoreFile {
  version: 1;
  sessions: Record<string, FrontSession>;
}

/**
 * Client session id -> session, kept in memory and mirrored to one private file (0600 in a 0700
 * directory) so a restarted front still knows the ids its clients hold. Writes are atomic (temp file
 * + rename) and coalesced: while one write runs, later changes are folded into one more write.
 */
export class SessionStore {
  private readonly sessions = new Map<string, FrontSession>();
  private writing: Promise<void> | undefined;
  private dirty = false;

  private constructor(readonly file: string | undefined) {}

  /** A store that lives in memory only (tests, benches). */
  static inMemory(): SessionStore {
    return new SessionStore(undefined);
  }

  /** Loads `file` (missing: empty). A garbled file is reported and replaced: losing maps is recoverable, clients start over. */
  static async open(file: string, warn: (line: string) => void = () => undefined): Promise<SessionStore> {
    const store = new SessionStore(file);
    ensurePrivateDir(path.dirname(file));
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
      if (parsed.ok) for (const [id, s] of Object.entries(parsed.file.sessions)) store.sessions.set(id, s);
      else warn(`${file}: ${parsed.error}; starting with no sessions`);
    }
    return store;
  }

  get(id: string): FrontSession | undefined {
    return this.sessions.get(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  set(id: string, session: FrontSession): void {
    this.sessions.set(id, session);
    // Clients that never DELETE their sessions must not grow the map forever: the oldest go first
    // (a client of an evicted session gets 404 and starts over, as the spec has it).
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    this.persist();
  }

  delete(id: string): void {
    if (this.sessions.delete(id)) this.persist();
  }

  /** Call after changing a session object in place. */
  changed(): void {
    this.persist();
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
    };
  }
  return { ok: true, file: { version: 1, sessions } };
}
