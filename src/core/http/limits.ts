/**
 * Every bound of the HTTP front (`run --http`, `ensure --http`) in one place. The front is local
 * and any process on the machine can reach it, so each resource a client can make it hold (a
 * connection, a request body, a remembered session) has a limit here; docs/http-front.md explains
 * each one. `--max-body` is the only one with its own command-line option.
 */
export interface HttpLimits {
  /** A request's headers must be complete this long after its connection starts sending one (slowloris). */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must have arrived this long after it started; else 408 and close. Answers, event streams included, are not limited. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection (no request in progress) is closed after this long. */
  keepAliveTimeoutMs: number;
  /** How often the two request timeouts above are checked: they fire at most this much late. */
  connectionsCheckIntervalMs: number;
  /** Client connections open at once; past it the one waiting longest is closed, or, when all are busy, the new one gets 503. */
  maxConnections: number;
  /** GET event streams open at once, kept well below `maxConnections`; past it (or on a second stream of the same session) one stream is ended cleanly, see docs. */
  maxEventStreams: number;
  /** Modern `subscriptions/listen` streams open at once; past it a new listen gets 503 (an open one is never ended to make room). */
  maxListenStreams: number;
  /** Of those, how many one peer (a remote address) may hold; past it its new listen gets 503. */
  maxListenStreamsPerPeer: number;
  /** New sessions (initialize requests) one client connection may open; more get 429 and the connection is closed. */
  maxInitializesPerConnection: number;
  /** Sessions remembered; past it, never-used sessions go first, then the least recently used. */
  maxSessions: number;
  /** Bytes of the session file (all sessions, as written); past it, sessions are forgotten as above. */
  maxStoreBytes: number;
  /** Bytes of one session's recorded `capabilities`; larger ones are stored trimmed to the standard keys. */
  maxCapabilitiesBytes: number;
  /** A client (a session, or a session-less client) with nothing open drops out of the lock record's `attached` this long after it was last seen. */
  clientIdleMs: number;
  /** Clients the lock record lists at most (the most recently active): the record stays within its 64 KiB. */
  maxListedClients: number;
  /** Connections waiting for their peer process to be found at most; past it a connection's pid stays unknown. */
  maxPeerLookups: number;
}

export const HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  connectionsCheckIntervalMs: 1_000,
  // Well under the common 1,024 open-file limit: each client connection can need an upstream one too.
  maxConnections: 256,
  // Half the connections at most: the other half stays free for requests, so idle streams can never
  // leave a working client with no connection to send its call on.
  maxEventStreams: 128,
  // A listen holds a connection as a GET stream does: with the GET streams, three quarters of the
  // connections at most, so requests always have a quarter.
  maxListenStreams: 64,
  maxListenStreamsPerPeer: 32,
  maxInitializesPerConnection: 16,
  maxSessions: 1000,
  maxStoreBytes: 2 * 1024 * 1024,
  maxCapabilitiesBytes: 8 * 1024,
  clientIdleMs: 10 * 60_000,
  maxListedClients: 32,
  maxPeerLookups: 32,
});

/** The defaults with `overrides` applied (tests and benches lower them). */
export function httpLimits(overrides: Partial<HttpLimits> = {}): HttpLimits {
  const out = { ...HTTP_LIMITS };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof HttpLimits, number | undefined]>)
    if (value !== undefined) out[key] = value;
  return out;
}
