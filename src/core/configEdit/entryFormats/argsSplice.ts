import type { EntryValue } from './types';

/**
 * How a rewrite's new `args` relate to the ones written, so that only the difference is edited and
 * the array's own layout (one line or one value a line, comments beside values, trailing commas)
 * stays. Wrap puts values in front of the written ones; Unwrap takes the front ones away: done so,
 * an Unwrap gives back the bytes the Wrap found. A pin changed by Upgrade or Roll back is one value
 * written in its place. Anything else is a rewrite of the whole array.
 */
export type ArgsSplice =
  /** The written args stay, after `values`. */
  | { kind: 'prepend'; values: EntryValue[] }
  /** The first `count` written args go; the rest stay. */
  | { kind: 'drop'; count: number }
  /** As many args as written, some of them other values (a pin changed): each written in its own place. */
  | { kind: 'replace'; values: Array<{ index: number; value: EntryValue }> }
  | { kind: 'rewrite' };

/** `next` against the args written, `written` each one's own text in the file. */
export function argsSplice(written: readonly string[], next: readonly EntryValue[]): ArgsSplice {
  const n = written.length;
  if (next.length >= n) {
    const tail = next.slice(next.length - n);
    if (tail.every((v, i) => v.raw !== undefined && v.raw === written[i]))
      return { kind: 'prepend', values: next.slice(0, next.length - n) };
    if (next.length === n)
      return {
        kind: 'replace',
        values: next.flatMap((value, index) => (value.raw === written[index] ? [] : [{ index, value }])),
      };
    return { kind: 'rewrite' };
  }
  const count = n - next.length;
  if (next.every((v, i) => v.raw !== undefined && v.raw === written[count + i])) return { kind: 'drop', count };
  return { kind: 'rewrite' };
}
