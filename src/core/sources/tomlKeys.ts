import { Position } from '../base/model';

/**
 * Where each key of a TOML document is written, for positions in diagnostics: smol-toml parses
 * values but does not say where they were. A line scan is enough for the shapes config files use
 * (`[table.headers]`, `key = value`, dotted keys); a key it cannot place falls back to its table's
 * header. Keys are indexed by their path joined with NUL.
 */
export function indexTomlKeys(text: string): Map<string, Position> {
  const out = new Map<string, Position>();
  let table: string[] = [];
  let depth = 0; // open [ or { of a value spanning lines
  let multiline: string | undefined; // """ or ''' of a string spanning lines
  const lines = text.split(/\r\n|\n|\r/);
  lines.forEach((line, i) => {
    if (multiline) {
      if (line.includes(multiline)) multiline = undefined;
      return;
    }
    if (depth > 0) {
      depth = Math.max(0, depth + bracketBalance(line, 0));
      return;
    }
    const start = line.search(/\S/);
    if (start < 0 || line[start] === '#') return;
    if (line[start] === '[') {
      const double = line[start + 1] === '[';
      const key = parseKey(line, start + (double ? 2 : 1));
      if (key) {
        table = key.segments;
        remember(out, table, { line: i + 1, column: start + 1 });
      }
      return;
    }
    const key = parseKey(line, start);
    if (!key || line[key.end] !== '=') return;
    const valueAt = skipSpace(line, key.end + 1);
    remember(out, [...table, ...key.segments], { line: i + 1, column: valueAt + 1 });
    const rest = line.slice(valueAt);
    for (const q of ['"""', "'''"]) {
      if (rest.startsWith(q) && rest.indexOf(q, 3) < 0) multiline = q;
    }
    if (!multiline) depth = Math.max(0, bracketBalance(line, valueAt));
  });
  return out;
}

export function tomlKey(path: string[]): string {
  return path.join('\0');
}

function remember(out: Map<string, Position>, path: string[], pos: Position) {
  const k = tomlKey(path);
  if (!out.has(k)) out.set(k, pos);
}

function skipSpace(line: string, i: number): number {
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

/** A dotted key (bare, "basic" or 'literal' segments) starting at `i`; `end` is just past it and any spaces. */
function parseKey(line: string, i: number): { segments: string[]; end: number } | undefined {
  const segments: string[] = [];
  for (;;) {
    i = skipSpace(line, i);
    const c = line[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < line.length && line[j] !== c) {
        if (c === '"' && line[j] === '\\' && j + 1 < line.length) {
          const e = line[j + 1];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
          continue;
        }
        s += line[j++];
      }
      if (j >= line.length) return undefined;
      segments.push(s);
      i = j + 1;
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(line.slice(i));
      if (!m) return undefined;
      segments.push(m[0]);
      i += m[0].length;
    }
    i = skipSpace(line, i);
    if (line[i] !== '.') return { segments, end: i };
    i++;
  }
}

/** Opened minus closed brackets and braces from `from`, outside strings and comments. */
function bracketBalance(line: string, from: number): number {
  let n = 0;
  let quote: string | undefined;
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#') break;
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') n++;
    else if (c === ']' || c === '}') n--;
  }
  return n;
}
