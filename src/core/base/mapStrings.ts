/**
 * A copy of plain data (a snapshot, a lock list) with `f` applied to every string in it, keys kept
 * as they are. One walk for the masks and escapes applied to whole snapshots (redact.ts,
 * terminalSafe.ts). A plain loop: a snapshot of many servers is mostly small objects, and entry
 * arrays per object were most of the cost.
 */
export function mapStrings(value: unknown, f: (text: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((x) => mapStrings(x, f));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const x = mapStrings((value as Record<string, unknown>)[k], f);
      // defineProperty, not assignment: a key named "__proto__" stays an own property.
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
      else out[k] = x;
    }
    return out;
  }
  return value;
}
