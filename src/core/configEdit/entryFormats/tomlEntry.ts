import { parseToml as parse } from '../../base/toml';
import type { Translate } from '../translate';
import { canonical } from './canonical';
import { argsSplice } from './argsSplice';
import { EntryDocument, EntryFormat, EntryRewrite, EntryValue, NewEntry, RawEntry, rewriteRefusal } from './types';

/**
 * Codex's TOML. No TOML library rewrites a document while keeping its comments, so the edit is
 * surgical: inside the server's own `[mcp_servers.NAME]` table, only the value of `command` and of
 * `args` is replaced (trailing comments and every other line stay). The document is parsed once
 * and its table headers listed in one pass, whatever the number of entries; the result is parsed
 * again and must hold exactly the intended entries with everything else as it was. Any other layout
 * (inline tables, dotted keys) is refused with a reason rather than guessed at. TOML is UTF-8 by
 * definition: a file that is not is refused.
 */
export const tomlEntry: EntryFormat = {
  open(text, encoding, t) {
    if (encoding !== 'utf8') return t('the file is not valid UTF-8; fix its encoding first');
    let doc: unknown;
    try {
      doc = parse(text);
    } catch {
      return t('the file has syntax errors (see Problems); fix them first');
    }
    return new TomlDocument(text, doc, t);
  },
};

/** `command = "..."` with what follows it on the line (a comment) and the line's `\r` in a CRLF file. */
const COMMAND_LINE = /^(\s*command\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*')(.*?)(\r?)$/;

interface Span {
  startLine: number;
  startCol: number;
  endLine: number;
  endCol: number;
}

/** An `args` array's extent and its values' places, each with its own text. */
interface ArraySpan extends Span {
  elements: Array<{ line: number; col: number; text: string }>;
}

/** Lines `start`..`end` (inclusive) of the text become `lines`. */
interface LineEdit {
  start: number;
  end: number;
  lines: string[];
}

class TomlDocument implements EntryDocument {
  private readonly lines: string[];
  /** Each table header's line: its key path (as JSON) for a plain `[table]`, null for `[[array]]` and what does not parse. */
  private headers: Array<{ line: number; key: string | null }> | undefined;
  private byKey: Map<string, number> | undefined;
  private readonly edits: LineEdit[] = [];
  private readonly edited = new Set<string>();
  private readonly intended: Array<{
    keyPath: readonly (string | number)[];
    entry: { command: string; args: string[] };
  }> = [];

  constructor(
    text: string,
    private readonly doc: unknown,
    private readonly t: Translate,
  ) {
    this.lines = text.split('\n');
  }

  read(keyPath: readonly (string | number)[]): RawEntry | string {
    const entry = entryOf(this.doc, keyPath, this.t);
    if (typeof entry === 'string') return entry;
    const where = this.locate(keyPath);
    if (typeof where === 'string') return where;
    // Each value's own text (its quotes), so a value moved keeps it.
    const command = COMMAND_LINE.exec(this.lines[where.commandLine])![2];
    const own = where.args?.elements.map((e) => e.text) ?? [];
    return own.length === entry.args.length ? { ...entry, raw: [command, ...own] } : entry;
  }

  set(keyPath: readonly (string | number)[], next: NewEntry): string | undefined {
    const { t } = this;
    const entry = this.read(keyPath);
    if (typeof entry === 'string') return entry;
    const where = this.locate(keyPath);
    if (typeof where === 'string') return where;
    const key = JSON.stringify(keyPath.map(String));
    if (this.edited.has(key)) return rewriteRefusal.twice(t);
    const lines = this.lines;
    const { commandLine, args: span } = where;
    if (span && span.startLine <= commandLine && commandLine <= span.endLine)
      return t('the entry is not written as its own [mcp_servers.NAME] table with `command = "..."`; wrap it by hand');
    this.edited.add(key);
    const commandMatch = COMMAND_LINE.exec(lines[commandLine])!;
    const cr = commandMatch[4];
    const newCommand = `${commandMatch[1]}${tomlValue(next.command)}${commandMatch[3]}${cr}`;
    this.edits.push({ start: commandLine, end: commandLine, lines: [newCommand] });
    if (span) {
      const block = this.argsBlock(span, commandLine, entry.raw?.slice(1), next.args);
      if (block) this.edits.push({ start: span.startLine, end: span.endLine, lines: block });
    } else if (next.args.length > 0) {
      // One value a line: an Unwrap knows these args as the ones Wrap added, and takes the lines away.
      const indent = /^\s*/.exec(lines[commandLine])![0];
      const values = next.args.map((a, i) => `${indent}  ${tomlValue(a)}${i < next.args.length - 1 ? ',' : ''}${cr}`);
      this.edits.push({
        start: commandLine + 1,
        end: commandLine,
        lines: [`${indent}args = [${cr}`, ...values, `${indent}]${cr}`],
      });
    }
    this.intended.push({ keyPath, entry: { command: next.command.value, args: next.args.map((a) => a.value) } });
    return undefined;
  }

  /**
   * The new lines of a written `args` array (undefined: unchanged). Values put in front of the
   * written ones, or the front ones taken away, edit only those values in the array's own layout
   * (argsSplice.ts), so an Unwrap gives back the bytes its Wrap found; else the array is rewritten.
   */
  private argsBlock(
    span: ArraySpan,
    commandLine: number,
    written: readonly string[] | undefined,
    next: readonly EntryValue[],
  ): string[] | undefined {
    const lines = this.lines.slice(span.startLine, span.endLine + 1);
    const block = lines.join('\n');
    const offset = (line: number, col: number) =>
      lines.slice(0, line - span.startLine).reduce((n, l) => n + l.length + 1, 0) + col;
    const open = offset(span.startLine, span.startCol);
    const close = offset(span.endLine, span.endCol) + 1;
    const list = (values: readonly EntryValue[]) => `[${values.map(tomlValue).join(', ')}]`;
    const replace = (from: number, to: number, content: string) =>
      (block.slice(0, from) + content + block.slice(to)).split('\n');
    const elements = span.elements;
    const splice = written ? argsSplice(written, next) : ({ kind: 'rewrite' } as const);
    const first = elements[0];
    const multiLine = first !== undefined && first.line > span.startLine;
    switch (splice.kind) {
      case 'rewrite':
        return replace(open, close, list(next));
      case 'replace': {
        // Each value's own text spans what was written (`written` is that text), last first so the
        // offsets before it hold.
        let text = block;
        for (const { index, value } of [...splice.values].reverse()) {
          const el = elements[index];
          const at = offset(el.line, el.col);
          text = text.slice(0, at) + tomlValue(value) + text.slice(at + written![index].length);
        }
        return text.split('\n');
      }
      case 'prepend': {
        if (splice.values.length === 0) return undefined;
        if (!first) return replace(open, close, list(splice.values));
        const indent = this.lines[first.line].slice(0, first.col);
        const cr = this.lines[first.line - 1]?.endsWith('\r') ? '\r' : '';
        const separator = multiLine && /^\s*$/.test(indent) ? `,${cr}\n${indent}` : ', ';
        const at = offset(first.line, first.col);
        return replace(at, at, splice.values.map((v) => tomlValue(v) + separator).join(''));
      }
      case 'drop': {
        const from = offset(first.line, first.col);
        if (splice.count < elements.length) {
          const keep = elements[splice.count];
          return replace(from, offset(keep.line, keep.col), '');
        }
        // Every value goes. Args written one value a line just under `command` are the ones a Wrap
        // added to an entry that had none: their lines go; any other array becomes `[]`.
        const ownLines =
          multiLine &&
          span.startLine === commandLine + 1 &&
          /^\s*args\s*=\s*$/.test(block.slice(0, open)) &&
          /^\r?$/.test(block.slice(close));
        return ownLines ? [] : replace(open, close, '[]');
      }
    }
  }

  result(): EntryRewrite {
    const { t } = this;
    const wrong = rewriteRefusal.notAsIntended(t);
    const edits = [...this.edits].sort((a, b) => a.start - b.start);
    const out: string[] = [];
    let at = 0;
    for (const e of edits) {
      if (e.start < at) return { kind: 'error', reason: rewriteRefusal.twice(t) };
      for (let i = at; i < e.start; i++) out.push(this.lines[i]);
      out.push(...e.lines);
      at = e.end + 1;
    }
    for (let i = at; i < this.lines.length; i++) out.push(this.lines[i]);
    const text = out.join('\n');
    let after: unknown;
    try {
      after = parse(text);
    } catch {
      return { kind: 'error', reason: wrong };
    }
    // Everything but the rewritten values must read as before; each entry as intended.
    const expected = JSON.parse(JSON.stringify(this.doc)) as Record<string, unknown>;
    for (const { keyPath, entry } of this.intended) {
      const node = walk(expected, keyPath) as Record<string, unknown>;
      node.command = entry.command;
      node.args = entry.args;
      // No args written reads as none: an Unwrap takes away the args its Wrap added.
      const read = walk(after, keyPath) as Record<string, unknown> | undefined;
      if (read && entry.args.length === 0) read.args ??= [];
    }
    if (canonical(expected) !== canonical(after)) return { kind: 'error', reason: wrong };
    return { kind: 'ok', text };
  }

  /** Finds the entry's table and, inside it, the `command` line and the `args` array's extent. */
  private locate(keyPath: readonly (string | number)[]): { commandLine: number; args?: ArraySpan } | string {
    const { t } = this;
    const lines = this.lines;
    const layout = t(
      'the entry is not written as its own [mcp_servers.NAME] table with `command = "..."`; wrap it by hand',
    );
    const headers = this.tableHeaders();
    const at = this.byKey!.get(JSON.stringify(keyPath.map(String)));
    if (at === undefined) return layout;
    const header = headers[at].line;
    const end = at + 1 < headers.length ? headers[at + 1].line : lines.length;
    let commandLine = -1;
    let args: ArraySpan | undefined;
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

  /** Every line that opens a table, in order (one pass; a plain table's key path noted once). */
  private tableHeaders(): Array<{ line: number; key: string | null }> {
    if (this.headers) return this.headers;
    const headers: Array<{ line: number; key: string | null }> = [];
    const byKey = new Map<string, number>();
    this.lines.forEach((line, i) => {
      if (!/^\s*\[/.test(line)) return;
      const key = /^\s*\[[^[]/.test(line) ? headerKey(line) : null;
      if (key !== null && !byKey.has(key)) byKey.set(key, headers.length);
      headers.push({ line: i, key });
    });
    this.headers = headers;
    this.byKey = byKey;
    return headers;
  }
}

function walk(doc: unknown, keyPath: readonly (string | number)[]): unknown {
  let node: unknown = doc;
  for (const k of keyPath)
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(k)] : undefined;
  return node;
}

function entryOf(doc: unknown, keyPath: readonly (string | number)[], t: Translate): RawEntry | string {
  const node = walk(doc, keyPath);
  if (!node || typeof node !== 'object') return t('no server entry at {0}', keyPath.map(String).join('.'));
  const value = node as { command?: unknown; args?: unknown };
  if (typeof value.command !== 'string' || value.command.length === 0) return t('the entry has no command');
  const args = value.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return t('"args" is not a list of strings');
  return { command: value.command, args };
}

/** `[mcp_servers.name]` (name bare or quoted): the table's key path as JSON, or null when the line is no plain header. */
function headerKey(line: string): string | null {
  let doc: unknown;
  try {
    doc = parse(line.trim());
  } catch {
    return null;
  }
  const path: string[] = [];
  let node: unknown = doc;
  while (node && typeof node === 'object' && !Array.isArray(node)) {
    const keys = Object.keys(node);
    if (keys.length === 0) return JSON.stringify(path);
    if (keys.length !== 1) return null;
    path.push(keys[0]);
    node = (node as Record<string, unknown>)[keys[0]];
  }
  return null;
}

/** The extent of an array starting at lines[line][col] ('['), skipping strings and comments. */
function arraySpan(lines: string[], line: number, col: number): ArraySpan | undefined {
  let depth = 0;
  const elements: ArraySpan['elements'] = [];
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
        if (depth === 1) elements.push({ line: l, col: c, text: m[0] });
        c += m[0].length - 1;
      } else if (ch === '[') depth++;
      else if (ch === ']' && --depth === 0) return { startLine: line, startCol: col, endLine: l, endCol: c, elements };
    }
  }
  return undefined;
}

/** A value as written: its own text when moved, else a TOML basic string (JSON's escapes are valid TOML escapes). */
function tomlValue(v: EntryValue): string {
  return v.raw ?? JSON.stringify(v.value);
}
