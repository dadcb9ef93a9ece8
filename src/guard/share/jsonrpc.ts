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

export const ok = (id: Id, result: Record<string, unknown> = {}): Message => ({ jsonrpc: '2.0', id, result });
export const fail = (id: Id, code: number, message: string, data?: unknown): Message => ({
  jsonrpc: '2.0',
  id,
  error: { code, message, ...(data !== undefined ? { data } : {}) },
});
