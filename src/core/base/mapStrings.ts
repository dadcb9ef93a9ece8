/**
 * Plain data (a snapshot, a lock list) with `f` applied to every string in it, keys kept as they
 * are. One walk for the masks and escapes applied to whole snapshots (redact.ts, terminalSafe.ts).
 *
 * What `f` leaves as it is stays the very same value: an object or array is copied only when a
 * string somewhere in it changed, so a snapshot with a few masked values is not copied whole. Most
 * of a large snapshot has nothing to mask or escape, and copying it all was most of the walk's cost
 * and of the garbage a refresh left. The data is never written to, here or by its readers.
 */
export function mapStrings(value: unknown, f: (text: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return mapArray(value, f);
  if (value !== null && typeof value === 'object') return mapObject(value as Record<string, unknown>, f);
  return value;
}

function mapArray(value: readonly unknown[], f: (text: string) => string): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const x = mapStrings(value[i], f);
    if (out === undefined && x !== value[i]) out = value.slice(0, i);
    if (out !== undefined) out.push(x);
  }
  return out ?? value;
}

function mapObject(value: Record<string, unknown>, f: (text: string) => string): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const x = mapStrings(value[keys[i]], f);
    if (out === undefined && x !== value[keys[i]]) {
      out = {};
      for (let j = 0; j < i; j++) put(out, keys[j], value[keys[j]]);
    }
    if (out !== undefined) put(out, keys[i], x);
  }
  return out ?? value;
}

function put(out: Record<string, unknown>, k: string, x: unknown): void {
  // defineProperty, not assignment: a key named "__proto__" stays an own property.
  if (k === '__proto__')
    Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
  else out[k] = x;
}
