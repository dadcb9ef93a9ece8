/**
 * JSON on the relay path (the stdio transport, the share hub and its multiplexer), safe at any
 * nesting a peer sends. Nothing here recurses once per level:
 * - reading is V8's `JSON.parse`, which is iterative (it reads 100,000 levels; what a parse
 *   builds is bounded by the line it reads);
 * - `JSON.stringify` recurses once per level and throws RangeError near 4,500 levels, so
 *   `stringifyJson` measures a value first (an explicit stack, stopping at NATIVE_DEPTH) and writes
 *   a deeper one with an explicit stack of its own, to the same text.
 */

/** Values nested at most this deep are written by `JSON.stringify` itself (far from its limit). */
export const NATIVE_DEPTH = 1_000;

type Container = Record<string, unknown> | unknown[];

const isContainer = (v: unknown): v is Container => v !== null && typeof v === 'object';

/**
 * Whether `value` nests containers (objects, arrays) more than `limit` levels deep: a top-level
 * object or array is one level. One walk with an explicit stack, which stops as soon as it knows.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (!isContainer(value)) return false;
  if (limit < 1) return true;
  const stack: Container[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const depth = depths.pop()! + 1;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (!isContainer(x)) continue;
        if (depth > limit) return true;
        stack.push(x);
        depths.push(depth);
      }
    } else {
      for (const k in v) {
        const x = v[k];
        if (!isContainer(x)) continue;
        if (depth > limit) return true;
        stack.push(x);
        depths.push(depth);
      }
    }
  }
  return false;
}

/**
 * `JSON.stringify(value)` for any depth: the same text, or the same TypeError (a BigInt, a cycle
 * in a deep value), never a RangeError from the stack. The one writer of the relay path.
 */
export function stringifyJson(value: object): string {
  return nestedDeeperThan(value, NATIVE_DEPTH) ? stringifyDeep(value) : JSON.stringify(value);
}

/** An open container being written. */
interface Frame {
  value: Container;
  /** An object's keys (undefined for an array). */
  keys: string[] | undefined;
  next: number;
  /** Whether a member or element was written (a comma goes before the next). */
  wrote: boolean;
}

/**
 * What `JSON.stringify` writes, with an explicit stack instead of recursion: members in key order,
 * `undefined`, functions and symbols left out of objects and `null` in arrays, `toJSON` honoured,
 * non-finite numbers as `null`. Exported for the tests; use `stringifyJson`.
 */
export function stringifyDeep(value: object): string {
  const parts: string[] = [];
  const stack: Frame[] = [];
  const onStack = new Set<object>();
  /** What JSON.stringify writes for a value: what its `toJSON` returns, when it has one. */
  const prepared = (key: string, v: unknown): unknown =>
    isContainer(v) && typeof (v as { toJSON?: unknown }).toJSON === 'function'
      ? (v as { toJSON(key: string): unknown }).toJSON(key)
      : v;
  /** Writes a prepared value, or opens its container; false when it writes nothing (undefined...). */
  const write = (v: unknown): boolean => {
    switch (typeof v) {
      case 'string':
        parts.push(JSON.stringify(v));
        return true;
      case 'number':
        parts.push(Number.isFinite(v) ? JSON.stringify(v) : 'null');
        return true;
      case 'boolean':
        parts.push(v ? 'true' : 'false');
        return true;
      case 'bigint':
        throw new TypeError('Do not know how to serialize a BigInt');
      case 'object': {
        if (v === null) {
          parts.push('null');
          return true;
        }
        if (onStack.has(v)) throw new TypeError('Converting circular structure to JSON');
        onStack.add(v);
        const array = Array.isArray(v);
        parts.push(array ? '[' : '{');
        stack.push({ value: v as Container, keys: array ? undefined : Object.keys(v), next: 0, wrote: false });
        return true;
      }
      default:
        return false;
    }
  };
  if (!write(prepared('', value))) return JSON.stringify(undefined) as unknown as string;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.keys === undefined) {
      const array = frame.value as unknown[];
      if (frame.next >= array.length) {
        parts.push(']');
        onStack.delete(stack.pop()!.value);
        continue;
      }
      const i = frame.next++;
      if (frame.wrote) parts.push(',');
      frame.wrote = true;
      if (!write(prepared(String(i), array[i]))) parts.push('null');
      continue;
    }
    if (frame.next >= frame.keys.length) {
      parts.push('}');
      onStack.delete(stack.pop()!.value);
      continue;
    }
    const key = frame.keys[frame.next++];
    const v = prepared(key, (frame.value as Record<string, unknown>)[key]);
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    parts.push(frame.wrote ? ',' : '', JSON.stringify(key), ':');
    frame.wrote = true;
    write(v);
  }
  return parts.join('');
}
