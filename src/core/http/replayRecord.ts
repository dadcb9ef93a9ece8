/**
 * What the HTTP front writes down of a client's handshake: only what replaying it to a restarted
 * server needs (protocol version, capabilities, client name and version), each bounded. Anything
 * else a client sends in its `initialize` (`_meta`, extra params, whatever a client puts there)
 * may carry secrets or junk and is never stored.
 */

/** The standard client capabilities (MCP 2025-11-25); `experimental` and unknown keys are kept only while small. */
const STANDARD_CAPABILITIES = ['roots', 'sampling', 'elicitation', 'tasks'];
const MAX_TEXT = 256;
const MAX_VERSION = 64;
/** Nesting kept inside capabilities; deeper values are dropped. */
const MAX_DEPTH = 8;

export const INITIALIZED_NOTIFICATION: Readonly<Record<string, unknown>> = Object.freeze({
  jsonrpc: '2.0',
  method: 'notifications/initialized',
});

/** The client's `initialize` as it is recorded and replayed (the replay adds an id of its own). */
export function replayableInitialize(message: unknown, maxCapabilitiesBytes: number): Record<string, unknown> {
  const params = objectOr(objectOr(message).params);
  const out: Record<string, unknown> = {};
  const version = replayableProtocolVersion(params.protocolVersion);
  if (version !== undefined) out.protocolVersion = version;
  out.capabilities = capabilitiesOf(params.capabilities, maxCapabilitiesBytes);
  const info = objectOr(params.clientInfo);
  const clientInfo: Record<string, string> = {};
  for (const key of ['name', 'version', 'title'])
    if (typeof info[key] === 'string') clientInfo[key] = (info[key] as string).slice(0, MAX_TEXT);
  out.clientInfo = clientInfo;
  return { jsonrpc: '2.0', method: 'initialize', params: out };
}

/** A protocol version as recorded (`MCP-Protocol-Version` or the initialize's), or undefined when it is not a short string. */
export function replayableProtocolVersion(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_VERSION ? value : undefined;
}

/** Capabilities without `_meta` at any depth; over `maxBytes`, only the standard keys, each dropped if it alone is too large. */
function capabilitiesOf(value: unknown, maxBytes: number): Record<string, unknown> {
  const clean = withoutMeta(objectOr(value), 0) as Record<string, unknown>;
  if (JSON.stringify(clean).length <= maxBytes) return clean;
  const out: Record<string, unknown> = {};
  let size = 2;
  for (const key of STANDARD_CAPABILITIES) {
    if (!(key in clean)) continue;
    const entry = JSON.stringify(clean[key]) ?? '';
    if (size + key.length + entry.length + 4 > maxBytes) continue;
    out[key] = clean[key];
    size += key.length + entry.length + 4;
  }
  return out;
}

function withoutMeta(value: unknown, depth: number): unknown {
  if (Array.isArray(value)) return depth >= MAX_DEPTH ? [] : value.map((v) => withoutMeta(v, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== '_meta') out[k] = withoutMeta(v, depth + 1);
  return out;
}

function objectOr(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
