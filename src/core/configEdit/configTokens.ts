import { createScanner, SyntaxKind } from 'jsonc-parser';
import type * as Yaml from 'yaml';
import { yaml } from '../base/yamlLib';

/**
 * The values of a config file as its parser reads them, each with the span of text that spells it:
 * what redaction needs to find a secret in whatever spelling the file uses (JSON's `\u0073` and
 * `\/`, TOML's basic, literal and multi-line strings, YAML's quoted, plain and block scalars) and
 * to replace the spelling whole. JSON through jsonc-parser's scanner, YAML through the `yaml`
 * library's nodes, TOML through a small lexer here (no TOML library gives positions) whose values
 * are checked against smol-toml's in the unit tests.
 */

export type TokenStyle =
  /** A JSON string, a TOML basic string, a YAML double-quoted scalar: `"..."` with backslash escapes. */
  | 'double'
  /** A TOML literal string, a YAML single-quoted scalar: `'...'`. */
  | 'single'
  /** TOML `"""..."""` and `'''...'''`, YAML `|` and `>` block scalars: spelled over lines. */
  | 'multiline'
  /** A YAML plain scalar, a number, a boolean: written without quotes. */
  | 'bare';

export interface ConfigToken {
  /** The span of the text that spells the value (quotes and block headers included). */
  start: number;
  end: number;
  /** The value as the file's parser reads it. */
  value: string;
  role: 'key' | 'value' | 'item';
  /** For a value, and for the items of a list: the key it stands under. */
  key?: string;
  /** Items of one list share a number, in the order written. */
  list?: number;
  style: TokenStyle;
  /** The opening and closing delimiters as written (`"`, `'''`, `|-` and ``), for writing the span again. */
  open: string;
  close: string;
}

/** The file's values, by its format (from the file's name); undefined when the text cannot be read as that format. */
export function configTokens(text: string, file: string): ConfigToken[] | undefined {
  if (/\.toml$/i.test(file)) return tomlTokens(text);
  if (/\.ya?ml$/i.test(file)) return yamlTokens(text);
  return jsonTokens(text);
}

// ---- JSON and JSONC

export function jsonTokens(text: string): ConfigToken[] | undefined {
  const scanner = createScanner(text, false);
  const out: ConfigToken[] = [];
  /** One frame per open object or list: for an object, whether a key comes next and the last key; for a list, its number. */
  const stack: Array<
    { kind: 'object'; expectKey: boolean; key?: string } | { kind: 'list'; list: number; key?: string }
  > = [];
  let lists = 0;
  let pendingKey: string | undefined;
  const place = (): Pick<ConfigToken, 'role' | 'key' | 'list'> => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'list')
      return { role: 'item', list: top.list, ...(top.key !== undefined ? { key: top.key } : {}) };
    return { role: 'value', ...(top?.key !== undefined ? { key: top.key } : {}) };
  };
  for (let token = scanner.scan(); token !== SyntaxKind.EOF; token = scanner.scan()) {
    if (scanner.getTokenError() !== 0) return undefined;
    const start = scanner.getTokenOffset();
    const end = start + scanner.getTokenLength();
    const top = stack[stack.length - 1];
    switch (token) {
      case SyntaxKind.OpenBraceToken:
        stack.push({ kind: 'object', expectKey: true, ...(keyOf(top) !== undefined ? { key: keyOf(top) } : {}) });
        break;
      case SyntaxKind.OpenBracketToken:
        stack.push({ kind: 'list', list: ++lists, ...(keyOf(top) !== undefined ? { key: keyOf(top) } : {}) });
        break;
      case SyntaxKind.CloseBraceToken:
      case SyntaxKind.CloseBracketToken:
        stack.pop();
        break;
      case SyntaxKind.CommaToken:
        if (top?.kind === 'object') top.expectKey = true;
        break;
      case SyntaxKind.ColonToken:
        if (top?.kind === 'object') {
          top.expectKey = false;
          top.key = pendingKey;
        }
        break;
      case SyntaxKind.StringLiteral:
        if (top?.kind === 'object' && top.expectKey) {
          pendingKey = scanner.getTokenValue();
          out.push({ start, end, value: pendingKey, role: 'key', style: 'double', open: '"', close: '"' });
        } else
          out.push({ start, end, value: scanner.getTokenValue(), ...place(), style: 'double', open: '"', close: '"' });
        break;
      case SyntaxKind.NumericLiteral:
      case SyntaxKind.TrueKeyword:
      case SyntaxKind.FalseKeyword:
        out.push({ start, end, value: text.slice(start, end), ...place(), style: 'bare', open: '', close: '' });
        break;
      default:
        break;
    }
  }
  return out;
}

/** The key a nested object or list stands under: the member's key in an object, the list's own key in a list. */
function keyOf(
  frame: { kind: 'object'; key?: string } | { kind: 'list'; key?: string } | undefined,
): string | undefined {
  return frame?.key;
}

// ---- YAML

export function yamlTokens(text: string): ConfigToken[] | undefined {
  const Y = yaml();
  const out: ConfigToken[] = [];
  let lists = 0;
  const scalar = (node: Yaml.Scalar, at: Pick<ConfigToken, 'role' | 'key' | 'list'>) => {
    if (!node.range) return;
    const [start, end] = node.range;
    const raw = text.slice(start, end);
    const value = node.value === null || node.value === undefined ? raw : String(node.value);
    switch (node.type) {
      case 'QUOTE_DOUBLE':
      case 'QUOTE_SINGLE': {
        const [style, quote] = node.type === 'QUOTE_DOUBLE' ? (['double', '"'] as const) : (['single', "'"] as const);
        out.push({
          start,
          end,
          value,
          ...at,
          style: raw.includes('\n') ? 'multiline' : style,
          open: quote,
          close: quote,
        });
        break;
      }
      case 'BLOCK_LITERAL':
      case 'BLOCK_FOLDED': {
        const header = /^[|>][^\n]*/.exec(raw)?.[0] ?? '|';
        out.push({ start, end, value, ...at, style: 'multiline', open: header, close: '' });
        break;
      }
      default:
        out.push({ start, end, value, ...at, style: raw.includes('\n') ? 'multiline' : 'bare', open: '', close: '' });
    }
  };
  const walk = (node: unknown, at: Pick<ConfigToken, 'role' | 'key' | 'list'>): void => {
    if (Y.isScalar(node)) scalar(node, at);
    else if (Y.isMap(node))
      for (const pair of node.items) {
        const key = Y.isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (Y.isScalar(pair.key)) scalar(pair.key, { role: 'key' });
        else walk(pair.key, { role: 'value' });
        walk(pair.value, { role: 'value', ...(key !== undefined ? { key } : {}) });
      }
    else if (Y.isSeq(node)) {
      const list = ++lists;
      for (const item of node.items)
        walk(item, { role: 'item', list, ...(at.key !== undefined ? { key: at.key } : {}) });
    }
  };
  let docs: Yaml.Document.Parsed[];
  try {
    docs = Y.parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false }) as Yaml.Document.Parsed[];
  } catch {
    return undefined;
  }
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  for (const doc of docs) walk(doc.contents, { role: 'value' });
  return out.sort((a, b) => a.start - b.start);
}

// ---- TOML

/**
 * TOML's values with their spans: keys (bare, quoted, dotted; in table headers too), strings of the
 * four kinds decoded as TOML decodes them, lists (over lines, with comments), inline tables, and
 * other scalars (numbers, booleans, dates) as written. Undefined when the text is not TOML it can read.
 */
export function tomlTokens(text: string): ConfigToken[] | undefined {
  return new TomlLexer(text).tokens();
}

type Place = Pick<ConfigToken, 'role' | 'key' | 'list'>;
type TomlString = { start: number; end: number; value: string; style: TokenStyle; open: string };

/** TOML read left to right from `i`, each value found pushed to `out`; every reader returns false (or undefined) where the text is not TOML. */
class TomlLexer {
  private readonly out: ConfigToken[] = [];
  private readonly n: number;
  private i: number;
  private lists = 0;

  constructor(private readonly text: string) {
    this.n = text.length;
    // A byte order mark opens the file, as TOML's parsers allow.
    this.i = text.startsWith('\ufeff') ? 1 : 0;
  }

  tokens(): ConfigToken[] | undefined {
    const { text, n } = this;
    for (;;) {
      this.space();
      if (this.i >= n) return this.out;
      if (text[this.i] === '[' ? !this.header() : !this.pair(0)) return undefined;
      this.blank();
      if (this.i < n && text[this.i] !== '#' && text[this.i] !== '\n' && text[this.i] !== '\r') return undefined;
    }
  }

  /** A table header: `[a.b]` or `[[a.b]]`. */
  private header(): boolean {
    const { text } = this;
    this.i += text[this.i + 1] === '[' ? 2 : 1;
    if (this.key() === undefined) return false;
    this.blank();
    if (text[this.i] !== ']') return false;
    this.i += text[this.i + 1] === ']' ? 2 : 1;
    return true;
  }

  /** `key = value`, at the top or in an inline table. */
  private pair(depth: number): boolean {
    const k = this.key();
    if (k === undefined) return false;
    this.blank();
    if (this.text[this.i] !== '=') return false;
    this.i++;
    this.blank();
    return this.value({ role: 'value', key: k }, depth);
  }

  private blank(): void {
    while (this.i < this.n && (this.text[this.i] === ' ' || this.text[this.i] === '\t')) this.i++;
  }

  /** Blanks, line breaks and comments: what may stand between the values of a list or inline table. */
  private space(): void {
    const { text, n } = this;
    for (;;) {
      this.blank();
      if (text[this.i] === '#') while (this.i < n && text[this.i] !== '\n') this.i++;
      else if (text[this.i] === '\n' || (text[this.i] === '\r' && text[this.i + 1] === '\n'))
        this.i += text[this.i] === '\r' ? 2 : 1;
      else return;
    }
  }

  /** A string at `i` (any of the four kinds), or undefined when none is there or it does not end. */
  private string(): TomlString | undefined {
    const { text, n } = this;
    const start = this.i;
    const q = text[this.i];
    if (q !== '"' && q !== "'") return undefined;
    if (text.startsWith(q.repeat(3), this.i)) return this.multilineString(q);
    this.i++;
    const from = this.i;
    while (this.i < n && text[this.i] !== q && text[this.i] !== '\n') {
      if (q === '"' && text[this.i] === '\\') this.i++;
      this.i++;
    }
    if (text[this.i] !== q) return undefined;
    const body = text.slice(from, this.i);
    this.i++;
    const value = q === '"' ? decodeTomlBasic(body, false) : body;
    return value === undefined
      ? undefined
      : { start, end: this.i, value, style: q === '"' ? 'double' : 'single', open: q };
  }

  /** A `"""` or `'''` string at `i`. */
  private multilineString(q: '"' | "'"): TomlString | undefined {
    const { text, n } = this;
    const start = this.i;
    this.i += 3;
    const from = this.i;
    for (;;) {
      if (this.i >= n) return undefined;
      if (q === '"' && text[this.i] === '\\') {
        this.i += 2;
        continue;
      }
      if (text.startsWith(q.repeat(3), this.i)) {
        // Up to two more quotes right before the closing three belong to the value.
        let run = 3;
        while (run < 5 && text[this.i + run] === q) run++;
        const body = text.slice(from, this.i + run - 3);
        this.i += run;
        const trimmed = body.replace(/^\r?\n/, '');
        const value = q === '"' ? decodeTomlBasic(trimmed, true) : trimmed;
        return value === undefined ? undefined : { start, end: this.i, value, style: 'multiline', open: q.repeat(3) };
      }
      this.i++;
    }
  }

  /** A dotted key at `i`; its parts become key tokens. Returns its last part. */
  private key(): string | undefined {
    const { text } = this;
    let last: string | undefined;
    for (;;) {
      this.blank();
      if (text[this.i] === '"' || text[this.i] === "'") {
        const s = this.string();
        if (!s || s.style === 'multiline') return undefined;
        this.out.push({ ...s, role: 'key', close: s.open });
        last = s.value;
      } else {
        const m = /[A-Za-z0-9_-]+/y;
        m.lastIndex = this.i;
        const bare = m.exec(text);
        if (!bare) return undefined;
        this.out.push({
          start: this.i,
          end: this.i + bare[0].length,
          value: bare[0],
          role: 'key',
          style: 'bare',
          open: '',
          close: '',
        });
        this.i += bare[0].length;
        last = bare[0];
      }
      this.blank();
      if (text[this.i] !== '.') return last;
      this.i++;
    }
  }

  private value(at: Place, depth: number): boolean {
    if (depth > 256) return false;
    const c = this.text[this.i];
    if (c === '"' || c === "'") {
      const s = this.string();
      if (!s) return false;
      this.out.push({ ...s, ...at, close: s.open });
      return true;
    }
    if (c === '[') return this.list(at, depth);
    if (c === '{') return this.inlineTable(depth);
    return this.bare(at);
  }

  /** `[a, b, ...]`, over lines and with comments; its items stand under the list's key. */
  private list(at: Place, depth: number): boolean {
    const list = ++this.lists;
    const item: Place = { role: 'item', list, ...(at.key !== undefined ? { key: at.key } : {}) };
    return this.enclosed(']', () => this.value(item, depth + 1));
  }

  /** `{ k = v, ... }`. */
  private inlineTable(depth: number): boolean {
    return this.enclosed('}', () => this.pair(depth + 1));
  }

  /** From the opening bracket at `i` to its `close`: members read by `member`, between commas, blanks, lines and comments. */
  private enclosed(close: ']' | '}', member: () => boolean): boolean {
    const { text, n } = this;
    this.i++;
    for (;;) {
      this.space();
      if (this.i >= n) return false;
      if (text[this.i] === close) {
        this.i++;
        return true;
      }
      if (!member()) return false;
      this.space();
      if (text[this.i] === ',') this.i++;
      else if (text[this.i] !== close) return false;
    }
  }

  /** A number, a boolean, a date: up to what ends a value. */
  private bare(at: Place): boolean {
    const { text, n } = this;
    const start = this.i;
    while (this.i < n && !/[,\]}#\r\n]/.test(text[this.i])) this.i++;
    const raw = text.slice(start, this.i).trimEnd();
    if (raw.length === 0) return false;
    this.out.push({ start, end: start + raw.length, value: raw, ...at, style: 'bare', open: '', close: '' });
    this.i = start + raw.length;
    return true;
  }
}

/** The letter escapes TOML's basic strings and YAML's double-quoted scalars share (JSON has them all but `\e`). */
export const LETTER_ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\x1b',
};

const TOML_ESCAPES: Record<string, string> = { ...LETTER_ESCAPES, '"': '"', '\\': '\\' };

/** A TOML basic string's body decoded (TOML 1.1's escapes too); `multiline`: a backslash at a line's end joins the next non-blank text. */
export function decodeTomlBasic(body: string, multiline: boolean): string | undefined {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[i + 1];
    if (multiline && /^[ \t]*\r?\n/.test(body.slice(i + 1))) {
      i++;
      while (i < body.length && /[ \t\r\n]/.test(body[i])) i++;
      i--;
      continue;
    }
    if (e in TOML_ESCAPES) {
      out += TOML_ESCAPES[e];
      i++;
      continue;
    }
    const width = e === 'u' ? 4 : e === 'U' ? 8 : e === 'x' ? 2 : 0;
    const hex = body.slice(i + 2, i + 2 + width);
    if (width === 0 || !new RegExp(`^[0-9A-Fa-f]{${width}}$`).test(hex)) return undefined;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return undefined;
    out += String.fromCodePoint(code);
    i += 1 + width;
  }
  return out;
}
