import { RawServerEntry } from './types';

/**
 * A JSON value with every string in it (at any depth, not keys) replaced by `f` of it: how a client
 * substitutes its own variables into a manifest before it reads it.
 */
export function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, f);
    return out;
  }
  return value;
}

/** An entry's fields, every string of their values replaced by `f` of it (each field keeps its place). */
export function mapFieldStrings(fields: RawServerEntry['fields'], f: (s: string) => string): RawServerEntry['fields'] {
  const out: RawServerEntry['fields'] = {};
  for (const [key, field] of Object.entries(fields)) out[key] = { ...field, value: mapStrings(field.value, f) };
  return out;
}
