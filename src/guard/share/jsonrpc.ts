/** The JSON-RPC messages the share multiplexer passes and answers itself with (parsed, no I/O). */

export type Id = string | number;
export type Message = {
  jsonrpc?: '2.0';
  id?: Id;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
};

/** JSON-RPC error codes the multiplexer answers with itself. */
export const ShareErrorCode = {
  /** A client of the other protocol era than the one the shared session speaks. */
  EraMismatch: -32046,
  /** A server request no attached client can answer (no client declared the capability). */
  NoClient: -32047,
  /** A client has too many requests in flight at the shared server (mux.ts MAX_IN_FLIGHT). */
  Busy: -32048,
} as const;

/** JSON-RPC 2.0's own error codes, as the share host answers a message it cannot relay. */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  InternalError: -32603,
} as const;

export const ok = (id: Id, result: Record<string, unknown> = {}): Message => ({ jsonrpc: '2.0', id, result });
export const fail = (id: Id, code: number, message: string, data?: unknown): Message => ({
  jsonrpc: '2.0',
  id,
  error: { code, message, ...(data !== undefined ? { data } : {}) },
});
