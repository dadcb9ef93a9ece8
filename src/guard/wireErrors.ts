/**
 * Every JSON-RPC error code the guard answers a client with itself, in one place: the stdio guard
 * (`run`), the HTTP front (`run --http`) and the share host (`run --on-conflict share`). Anything
 * else a client sees came from its server, relayed untouched. docs/guard-errors.md lists each code
 * with when it is sent and what a client should do; a unit test holds that table and this file equal.
 */

/** JSON-RPC 2.0's own codes, for a message the guard cannot relay or answers itself. */
export const JsonRpcErrorCode = {
  /** The share host: a client's line is not JSON; the HTTP fronts (`run --http`, `--share-listen`): a request body is not JSON. */
  ParseError: -32700,
  /**
   * The share host: a client's line is no JSON-RPC 2.0 message it may relay (no `jsonrpc: "2.0"`, an
   * empty or refused batch, nested too deep, too long, an answer it cannot relay); the HTTP front: a
   * body over `--max-body` (413); the share host's HTTP front: a batch (400), a body over 4 MiB (413).
   */
  InvalidRequest: -32600,
  /** The share host: a method of the other protocol era's discovery (`server/discover`) on a legacy session. */
  MethodNotFound: -32601,
  /** The share host: a later client's `initialize` asks an older protocol version than the shared session speaks (MCP's "Unsupported protocol version", the versions in `data`). */
  InvalidParams: -32602,
  /**
   * The share host: a client's request, or its answer to a server request, could not be relayed (a
   * failure of its own); to the server: a client answered `roots/list` without roots.
   */
  InternalError: -32603,
} as const;

/** The guard's own codes, in JSON-RPC's implementation-defined server range (-32000 to -32099). */
export const GuardErrorCode = {
  /**
   * The HTTP front: the upstream did not answer (502), the origin or host was refused (403), too many
   * sessions or connections (429, 503), or the front failed (500); the share host's HTTP front: an
   * origin or host refused, or another user's connection (403), no session (400), a GET without one or another method (405), a
   * second event stream (409), too many sessions or the host stopping (503).
   */
  ServerError: -32000,
  /** Both HTTP fronts: an unknown or forgotten `Mcp-Session-Id` (404), as the reference TypeScript server answers; a compliant client starts over with `initialize`. */
  SessionNotFound: -32001,
  /** The stdio guard: the server process exited while the request was in flight (not retried). */
  ServerExited: -32040,
  /** The stdio guard: the server crashed repeatedly right after starting and is not restarted again. */
  CrashLoop: -32041,
  /** The stdio guard: the running server is stale and the `--when-stale` policy refuses this request. */
  Stale: -32042,
  /** The stdio guard: the guard is shutting down. */
  ShuttingDown: -32043,
  /** Both guards: a request about a task (or multi-round state) of a server process that was restarted; the new one does not know it. */
  TaskLost: -32044,
  /** The share host: a client of the other protocol era than the one the shared session speaks. */
  EraMismatch: -32046,
  /** The share host: a server request no attached client can answer (none declared the capability, or the one it went to left). */
  NoClient: -32047,
  /** The share host: a client has too many requests in flight at the shared server (share/mux.ts MAX_IN_FLIGHT). */
  Busy: -32048,
} as const;
