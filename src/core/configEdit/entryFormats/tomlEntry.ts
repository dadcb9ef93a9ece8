import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { EntryFormat, RawEntry } from './types';
import { english, Translate } from '../translate';

/**
 * Codex's TOML. No TOML library rewrites a document while keeping its comments, so the edit is
 * surgical: inside the server's own `[mcp_servers.NAME]` table, only the value of `command` and of
 * `args` is replaced (trailing comments and every other line stay). The result is parsed again
 * and must hold exactly the intended entry; any other layout (inline tables, dotted keys) is
 * refused with a reason rather than guessed at.
 */
export const tomlEntry: EntryFormat = {
  read(text, keyPath, t = english) {
    const entry = entryOf(text, keyPath, t);
    if (typeof entry === 'string') return entry;
    const where = locate(text, keyPath, t);
    return typeof where === 'string' ? where : entry;
  },
  write(text, keyPath, entry) {
    const where = locate(text, keyPath);
    if (typeof where === 'string') throw new Error(where);
    const lines = text.split('\n');
    const { commandLine, args } = where;
    const commandMatch = COMMAND_LINE.exec(lines[commandLine])!;
    lines[commandLine] = `${commandMatch[1]}${tomlString(entry.command)}${commandMatch[3]}`;
    const newArgs = `[${entry.args.map(tomlString).join(', ')}]`;
    if (args) {
      // The array may span lines: what precedes it on its first line and follows it on its last stays.
      const replaced =
        lines[args.startLine].slice(0, args.startCol) + newArgs + lines[args.endLine].slice(args.endCol + 1);
      lines.splice(args.startLine, args.endLine - args.startLine + 1, replaced);
    } else {
      const indent = /^\s*/.exec(lines[commandLine])![0];
      lines.splice(commandLine + 1, 0, `${indent}args = ${newArgs}`);
    }
    const out = lines.join('\n');
    const check = entryOf(out, keyPath);
    if (
      typeof check === 'string' ||
      check.command !== entry.command ||
      JSON.stringify(check.args) !== JSON.stringify(entry.args)
    ) {
      throw new Error('the rewritten file would not hold the intended entry; edit it by hand');
    }
    return out;
  },
};

// smol-toml ships a CommonJS build, but its types are declared as ESM only: load the CommonJS build with its types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse } = require('smol-toml') as typeof SmolToml;

const COMMAND_LINE = /^(\s*command\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*')(.*)$/;

function entryOf(text: string, keyPath: (string | number)[], t: Translate = english): RawEntry | string {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return t('the file has syntax errors (see Problems); fix them first');
  }
  let node: unknown = doc;
  for (const k of keyPath)
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(k)] : undefined;
  if (!node || typeof node !== 'object') return t('no server entry at {0}', keyPath.map(String).join('.'));
  const value = node as { command?: unknown; args?: unknown };
  if (typeof value.command !== 'string' || value.command.length === 0) return t('the entry has no command');
  const args = value.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return t('"args" is not a list of strings');
  return { command: value.command, args };
}

interface Span {
  startLine: number;
  startCol: number;
  endLine: number;
  endCol: number;
}

/** Finds the entry's table and, inside it, the `command` line and the `args` array's extent. */
function locate(
  text: string,
  keyPath: (string | number)[],
  t: Translate = english,
): { commandLine: number; args?: Span } | string {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => isHeaderFor(l, keyPath));
  const layout = t(
    'the entry is not written as its own [mcp_servers.NAME] table with `command = "..."`; wrap it by hand',
  );
  if (header < 0) return layout;
  let end = lines.length;
  for (let i = header + 1; i < lines.length; i++) {
    if (/^\s*\[/.test(lines[i])) {
      end = i;
      break;
    }
  }
  let commandLine = -1;
  let args: Span | undefined;
  for (let i = header + 1; i < end; i++) {
    if (COMMAND_LINE.test(lines[i])) commandLine = i;
    const a = /^(\s*args\s*=\s*)\[/.exec(lines[i]);
    if (a) {
      const span = arraySpan(lines, i, a[1].length);
      if (!span) return layout;
      args = span;
    }
  }
  if (commandLine < 0) return layout;
  return { commandLine, ...(args ? { args } : {}) };
}

/** `[mcp_servers.name]` (name bare or quoted) is this entry's table header. */
function isHeaderFor(line: string, keyPath: (string | number)[]): boolean {
  if (!/^\s*\[[^[]/.test(line)) return false;
  let doc: unknown;
  try {
    doc = parse(line.trim());
  } catch {
    return false;
  }
  let node: unknown = doc;
  for (const k of keyPath) {
    if (!node || typeof node !== 'object' || Object.keys(node).length !== 1 || !(String(k) in node)) return false;
    node = (node as Record<string, unknown>)[String(k)];
  }
  return !!node && typeof node === 'object' && Object.keys(node).length === 0;
}

/** The extent of an array starting at lines[line][col] ('['), skipping strings and comments. */
function arraySpan(lines: string[], line: number, col: number): Span | undefined {
  let depth = 0;
  for (let l = line; l < lines.length; l++) {
    const s = lines[l];
    for (let c = l === line ? col : 0; c < s.length; c++) {
      const ch = s[c];
      if (ch === '#') break;
      if (ch === '"' || ch === "'") {
        const close = ch === '"' ? /"(?:[^"\\]|\\.)*"/y : /'[^']*'/y;
        close.lastIndex = c;
        const m = close.exec(s);
        if (!m) return undefined; // multi-line strings: not edited by hand here
        c += m[0].length - 1;
      } else if (ch === '[') depth++;
      else if (ch === ']' && --depth === 0) return { startLine: line, startCol: col, endLine: l, endCol: c };
    }
  }
  return undefined;
}

/** A TOML basic string: JSON's escapes are valid TOML escapes. */
function tomlString(s: string): string {
  return JSON.stringify(s);
}
