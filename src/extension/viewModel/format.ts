import { cpuText, memoryText } from '../../core/report/cost';
import { terminalSafe, terminalSafeLines } from '../../core/base/terminalSafe';
import { t } from './l10n';

/**
 * Text from configs, process tables and lock records as the views show it: control characters and
 * bidi controls (U+202E reverses what follows it in a label) as visible escapes, as in the CLI.
 */
export const shownText = terminalSafe;
/** The same for Markdown that has lines of its own (tooltips): newlines stay. */
export const shownLines = terminalSafeLines;

/** The one arrow every text of the extension uses for "from -> to" (versions, pids). */
export const ARROW = '→';

/** A restart's pids as every result words them: those it ran as, then those it runs as (`4242 → 4317`). */
export function pidsMoved(from: readonly number[], to: readonly number[]): string {
  return `${from.join(', ')} ${ARROW} ${to.join(', ')}`;
}

/** Short human forms for instance rows: `up 3h`, `84 MB`. */

export function formatUptime(startTime: number | undefined, now: number): string | undefined {
  if (startTime === undefined) return undefined;
  const s = Math.max(0, Math.floor((now - startTime) / 1000));
  if (s < 60) return t('{0}s', s);
  const m = Math.floor(s / 60);
  if (m < 60) return t('{0}m', m);
  const h = Math.floor(m / 60);
  if (h < 48) return t('{0}h', h);
  return t('{0}d', Math.floor(h / 24));
}

/** CPU time: "4.2 s", "3 min 10 s", "2 h 5 min" (the engine's words, in the user's language). */
export function formatCpu(ms: number): string {
  return cpuText(ms, t);
}

export function formatMemory(bytes: number | undefined): string | undefined {
  return bytes === undefined ? undefined : memoryText(bytes, t);
}

/** Escapes text for a MarkdownString table cell. */
export function mdCell(text: string): string {
  return shownText(text.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' '));
}

/** A `command:` link with JSON arguments, as MarkdownString (isTrusted for that command) renders it. */
export function commandLink(title: string, command: string, args: unknown[] = []): string {
  const query = args.length ? `?${encodeURIComponent(JSON.stringify(args))}` : '';
  return `[${title}](command:${command}${query})`;
}

/** A count and its noun, both forms translated by the caller: `plural(n, t('{0} instance', n), t('{0} instances', n))`. */
export function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** Names as a sentence lists them: `Cursor`, `Cursor and Codex`, `Cursor, Codex and Claude Code`. */
export function listWords(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return t('{0} and {1}', names.slice(0, -1).join(', '), names[names.length - 1]);
}

/** Inline code: paths and command lines read literally, without markdown escapes. */
export function inlineCode(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
