/**
 * The JSON-RPC 2.0 message shapes MCP uses, checked by hand: the guard classifies every line it
 * relays, and loading a schema library (and the SDK's schemas of the whole protocol) for four
 * shapes would be most of what a guard costs to start. The rules are the SDK's: a request has an
 * id (a string or an integer) and a method; a notification a method and no id; a result response
 * an id and a result object; an error response an error with an integer code and a message. No
 * other top-level member is allowed; `params` and `result` are objects.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isId = (v: unknown): boolean => typeof v === 'string' || Number.isInteger(v);
const onlyKeys = (o: Json, allowed: readonly string[]): boolean => Object.keys(o).every((k) => allowed.includes(k));

/** `_meta` of params or a result: an object; a progress token is an id; a related task names its id. */
function metaOk(meta: unknown): boolean {
  if (meta === undefined) return true;
  if (!isObject(meta)) return false;
  if (meta.progressToken !== undefined && !isId(meta.progressToken)) return false;
  const task = meta['io.modelcontextprotocol/related-task'];
  return task === undefined || (isObject(task) && typeof task.taskId === 'string');
}

export function isJsonRpcMessage(value: unknown): boolean {
  if (!isObject(value) || value.jsonrpc !== '2.0') return false;
  if ('method' in value) {
    if (typeof value.method !== 'string') return false;
    if (value.params !== undefined && !isObject(value.params)) return false;
    if (value.params !== undefined && !metaOk(value.params._meta)) return false;
    // A request has an id; a notification has none.
    return 'id' in value
      ? isId(value.id) && onlyKeys(value, ['jsonrpc', 'id', 'method', 'params'])
      : onlyKeys(value, ['jsonrpc', 'method', 'params']);
  }
  if ('result' in value)
    return (
      isId(value.id) &&
      isObject(value.result) &&
      metaOk(value.result._meta) &&
      onlyKeys(value, ['jsonrpc', 'id', 'result'])
    );
  if ('error' in value) {
    const e = value.error;
    return (
      (value.id === undefined || isId(value.id)) &&
      isObject(e) &&
      Number.isInteger(e.code) &&
      typeof e.message === 'string' &&
      onlyKeys(value, ['jsonrpc', 'id', 'error'])
    );
  }
  return false;
}
