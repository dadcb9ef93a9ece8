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

/** A JSON object (not an array, not null): what a message must be. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
/** A JSON-RPC id as MCP sends them: a string or an integer. */
export const isId = (v: unknown): v is Id => typeof v === 'string' || Number.isInteger(v);

export const ok = (id: Id, result: Record<string, unknown> = {}): Message => ({ jsonrpc: '2.0', id, result });
export const fail = (id: Id, code: number, message: string, data?: unknown): Message => ({
  jsonrpc: '2.0',
  id,
  error: { code, message, ...(data !== undefined ? { data } : {}) },
});
