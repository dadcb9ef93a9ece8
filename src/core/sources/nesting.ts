/**
 * The deepest a config may nest brackets before it is refused. Real configs nest a handful of
 * levels; parsers recurse once per level, so a hostile file nested thousands deep would overflow
 * the stack. Checking first, with a flat scan, keeps that from ever reaching a parser.
 */
export const MAX_NESTING = 256;

/**
 * The offset of the first bracket that opens level MAX_NESTING + 1, or -1. Strings and comments
 * are skipped: `//`, block comments and "double quotes" for JSON; `#` comments and both
 * quote kinds for YAML flow collections.
 */
export function excessiveNesting(text: string, syntax: 'json' | 'yaml', max = MAX_NESTING): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    // Skip what cannot matter without making a one-character string of it (10 MiB of text).
    const code = text.charCodeAt(i);
    if (
      code !== 34 &&
      code !== 39 &&
      code !== 47 &&
      code !== 35 &&
      code !== 91 &&
      code !== 93 &&
      code !== 123 &&
      code !== 125
    )
      continue;
    const c = text[i];
    if (c === '"' || (c === "'" && syntax === 'yaml')) {
      i = skipQuoted(text, i, c, syntax);
    } else if (syntax === 'json' && c === '/' && text[i + 1] === '/') {
      i = lineEnd(text, i);
    } else if (syntax === 'json' && c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (syntax === 'yaml' && c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      i = lineEnd(text, i);
    } else if (c === '[' || c === '{') {
      if (++depth > max) return i;
    } else if (c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
}

function skipQuoted(text: string, start: number, quote: string, syntax: 'json' | 'yaml'): number {
  const q = quote.charCodeAt(0);
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \\ */ && q === 34) i++;
    else if (c === q) {
      // YAML doubles a single quote to escape it.
      if (q === 39 && syntax === 'yaml' && text.charCodeAt(i + 1) === 39) i++;
      else return i;
    } else if (c === 10 && syntax === 'json') return i;
  }
  return text.length;
}

function lineEnd(text: string, i: number): number {
  const n = text.indexOf('\n', i);
  return n < 0 ? text.length : n;
}
