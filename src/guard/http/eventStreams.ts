/**
 * Bounds the GET event streams the front relays. A stream is a busy connection that may stay open
 * for hours doing nothing, so without a bound a local process could open one per session until
 * every connection is taken and a working client gets 503. Two rules keep them fair:
 *
 * - one stream per session: a newer GET stream of a session ends its older one (the spec lets a
 *   server close a stream at any time; the client resumes on the newer one);
 * - at most `max` streams in all, well below the connection limit: a stream past it ends the stream
 *   of the session the session store would forget first (never used for a call, then least
 *   recently used), so a client that keeps working keeps its stream.
 *
 * Ending a stream is clean (the chunked answer is finished), so its client may reconnect. Answers
 * to POST requests, streamed ones included, are never registered here and never cut.
 */
export class EventStreams {
  /** Session key -> how to end its open stream. */
  private readonly open = new Map<string, () => void>();

  constructor(
    private readonly max: number,
    /** Of the keys given, the one whose stream goes first. */
    private readonly firstToForget: (keys: ReadonlySet<string>) => string | undefined,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /**
   * Registers the stream of session `key`, ending others as the rules above say (a key no session
   * store knows, a stream without a session say, goes first). Returns the call that unregisters it
   * once it is over.
   */
  add(key: string, end: () => void): () => void {
    this.endStream(key);
    while (this.open.size >= this.max) {
      const victim = this.firstToForget(new Set(this.open.keys()));
      if (victim === undefined) break;
      this.endStream(victim);
    }
    this.open.set(key, end);
    return () => {
      if (this.open.get(key) === end) this.open.delete(key);
    };
  }

  private endStream(key: string): void {
    const end = this.open.get(key);
    if (!end) return;
    this.open.delete(key);
    end();
  }
}
