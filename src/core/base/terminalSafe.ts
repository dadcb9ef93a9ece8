import { stripVTControlCharacters } from 'node:util';
import { mapStrings } from './mapStrings';

/**
 * Text from configs, process tables and lock records can hold terminal control sequences (ESC, BEL,
 * CR, a newline that forges a line) and bidirectional controls that reorder what is shown (U+202E).
 * Wherever such text is shown, these characters are written as visible escapes instead. Every
 * escape is also a valid JSON string escape, so text already in JSON form stays valid JSON and
 * parses back to the exact same strings.
 */

/**
 * C0 controls, DEL, C1 controls, the bidi controls, the line and paragraph separators, and the
 * invisible format characters that make two names look alike (soft hyphen, zero-width space and
 * joiners, word joiner and invisible operators, the byte order mark, the Mongolian vowel separator,
 * tag characters).
 */
const INVISIBLE = '\\u00ad\\u180e\\u200b-\\u200d\\u2060-\\u2064\\ufeff\\u{e0000}-\\u{e007f}';
const UNSAFE = new RegExp(
  `[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069${INVISIBLE}]`,
  'gu',
);
const UNSAFE_BUT_NEWLINE = new RegExp(
  `[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069${INVISIBLE}]`,
  'gu',
);

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `\\uXXXX` per UTF-16 unit, so a tag character becomes its surrogate pair: still a valid JSON escape. */
function escape(c: string): string {
  return (
    NAMED[c] ?? [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')
  );
}

/** One value shown on one line (a name, an argument, a message): every control and bidi character escaped, newlines too. */
export function terminalSafe(text: string): string {
  return printableAscii(text) ? text : text.replace(UNSAFE, escape);
}

/**
 * Whether every character is printable ASCII (space to `~`): most text is, and needs no escape. A
 * regular expression, not a loop of `charCodeAt`: V8 runs it as native code, and a snapshot of
 * 20,000 servers has 400,000 strings to check (about 80 ms against 220 ms a walk).
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
export function printableAscii(text: string): boolean {
  return PRINTABLE_ASCII.test(text);
}

/** Whole output text whose own lines are meant: the same, except that a newline stays a newline. */
export function terminalSafeLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, escape);
}

/** Every string of plain data (a snapshot, a lock list) made safe to show, for the text formatters. */
export function terminalSafeDeep<T>(value: T): T {
  return mapStrings(value, terminalSafe) as T;
}

/** An operating system command (a window title, a link): ESC ] ... ended by BEL or ESC \\, whatever it holds. */
const OSC = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;

/**
 * A program's own output (a server's stderr) without its terminal escapes: colours, cursor moves,
 * titles and links are removed, not shown as escapes (Node's own stripper, which leaves an OSC with
 * spaces in it, after those are removed whole). What other controls remain, terminalSafe escapes.
 */
export function withoutEscapes(text: string): string {
  return stripVTControlCharacters(text.includes('\u001b]') ? text.replace(OSC, '') : text);
}
