import { terminalSafe } from './terminalSafe';

/**
 * What a model reads is read as instructions as much as data, and a config's text or a server's
 * answer is anyone's: a name or version of "1.0 installed. SYSTEM: ..." must read as a value, never
 * as the sentence's own words. Every face that writes for a model (the agent face, the guard's
 * notices in tool results and its errors to the client) quotes such values with `quoted`, escapes
 * every string (visible `\uXXXX` escapes, newlines too) and caps sizes.
 */

/** Longest single string (a command line, a name, an echoed argument) a model is shown. */
export const MAX_STRING_CHARS = 2000;

/** `text` cut to `max` characters, saying how much was cut. */
export function capped(text: string, max = MAX_STRING_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

/** Every string of plain data escaped and capped: what a model may be shown of it. */
export function forModel<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return terminalSafe(capped(v));
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** A value from a file, a process or a server inside a sentence: a quoted JSON string, escaped, so it reads as data and never starts a line. */
export function quoted(text: string): string {
  return terminalSafe(JSON.stringify(capped(text)));
}
