import type { ConfigEncoding } from '../configText';
import type { Translate } from '../translate';

/** A server entry's launch as written in its file (the values its client reads). */
export interface RawEntry {
  command: string;
  args: string[];
  /**
   * Each value's own text in the file (`command` first, then each argument), where the format can
   * move a value as written: a JSON string keeps its escapes and, in a file that is not UTF-8, its
   * bytes.
   */
  raw?: string[];
}

/** A value of a rewritten entry: a new one, or one of the entry's own, moved as written. */
export interface EntryValue {
  value: string;
  /** Its text in the file, when it is moved (RawEntry.raw); absent for a new value. */
  raw?: string;
}

export interface NewEntry {
  command: EntryValue;
  args: EntryValue[];
}

/**
 * One config file opened for editing: parsed once, whatever the number of entries edited in it.
 * `read` answers the entry the client uses (of a key written twice, the last, as the scan reads it;
 * YAML and TOML refuse repeated keys as their parsers do) or why it cannot be edited; `set` records
 * an entry's new `command` and `args`; `result` is the text with every recorded entry rewritten,
 * touching nothing outside those values, checked by parsing it again.
 */
export interface EntryDocument {
  read(keyPath: readonly (string | number)[]): RawEntry | string;
  set(keyPath: readonly (string | number)[], entry: NewEntry): string | undefined;
  result(): EntryRewrite;
}

export type EntryRewrite = { kind: 'ok'; text: string } | { kind: 'error'; reason: string };

/** Reading and rewriting entries' `command` and `args` in one config format, touching nothing else. */
export interface EntryFormat {
  /** Parses `text` (decoded as `encoding` says); a reason when the file cannot be edited at all. */
  open(text: string, encoding: ConfigEncoding, t: Translate): EntryDocument | string;
}

/** One replacement in a file's text: `length` characters at `offset` become `content`. */
export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

/** The text with every edit applied, in offset order; undefined when two edits overlap (one entry rewritten twice). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string | undefined {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset);
  const parts: string[] = [];
  let at = 0;
  for (const e of sorted) {
    if (e.offset < at) return undefined;
    parts.push(text.slice(at, e.offset), e.content);
    at = e.offset + e.length;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Why a plan's rewrite of a file is refused, worded once for every format. */
export const rewriteRefusal = {
  /** An entry edited twice in one plan (its edits would overlap). */
  twice: (t: Translate) => t('the entry is rewritten twice in one plan'),
  /** The result, read again, does not hold what was meant. */
  notAsIntended: (t: Translate) => t('the rewritten file would not hold the intended entry; edit it by hand'),
};

/**
 * `edits` applied to `text`, kept when `holdsIntended` finds that the result reads as meant:
 * refused when two edits overlap (one entry rewritten twice) or when it does not.
 */
export function checkedRewrite(
  text: string,
  edits: readonly TextEdit[],
  t: Translate,
  holdsIntended: (out: string) => boolean,
): EntryRewrite {
  const out = applyTextEdits(text, edits);
  if (out === undefined) return { kind: 'error', reason: rewriteRefusal.twice(t) };
  return holdsIntended(out) ? { kind: 'ok', text: out } : { kind: 'error', reason: rewriteRefusal.notAsIntended(t) };
}
