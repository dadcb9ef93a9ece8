import {
  isSecretName,
  maskSecret,
  MIN_MASKED_LENGTH,
  REDACTED,
  redactArgs,
  redactText,
  redactUrl,
} from '../base/redact';
import { ConfigToken, configTokens, LETTER_ESCAPES } from './configTokens';

/**
 * A client's config file as it may be shown (a diff of an edit). A secret is found by its value as
 * the file's parser reads it, whatever the spelling (`"\u0073ecret"`, `"https:\/\/u:pw@h"`, TOML's
 * literal and multi-line strings, YAML's block scalars), and the whole spelling is replaced where it
 * stands, its line breaks kept so that line numbers still hold. A value is masked when it holds a
 * secret the scan collected (env and header values, whatever their length: a short value is no
 * less a credential there), when it stands under a secret-named key (`"apiKey"`, `bearer_token`), or
 * when the rules for arguments would mask it: the value after a secret-named flag within its list
 * (`["--token", "X"]` over any number of lines), `--api-key=X`, header-shaped values, credentials
 * in URLs, well-known token shapes (then only the credential is masked and the rest stays readable).
 * `redactConfigLine` then goes over each shown line as a second net (comments, a file that does not
 * parse). `shown`: the part of the text that may be shown (character offsets); the rest is left as it is.
 */
export function redactConfigText(
  text: string,
  file: string,
  secrets: ReadonlySet<string>,
  shown: { from: number; to: number } = { from: 0, to: text.length },
): string {
  const all = configTokens(text, file);
  if (!all) return text;
  // Only what may be shown is judged (a diff shows a few lines of what may be a large file, ~/.claude.json),
  // and every item of a list that reaches into it: an item is judged by the items before it.
  const inView = (t: ConfigToken) => t.end > shown.from && t.start < shown.to;
  const lists = new Map<number, ConfigToken[]>();
  for (const t of all) {
    if (t.role !== 'item' || t.list === undefined) continue;
    const items = lists.get(t.list);
    if (items) items.push(t);
    else lists.set(t.list, [t]);
  }
  for (const [list, items] of lists) if (!items.some(inView)) lists.delete(list);
  const tokens = all.filter((t) => inView(t) || (t.list !== undefined && lists.has(t.list)));
  const masked = new Map<ConfigToken, string>();
  // A list's items are read as an argv: `--token` masks the item after it.
  const byList = new Map<ConfigToken, string>();
  for (const items of lists.values()) {
    const redacted = redactArgs(
      items.map((t) => t.value),
      secrets,
    );
    items.forEach((t, k) => byList.set(t, redacted[k]));
  }
  const longestFirst = [...secrets].sort((x, y) => y.length - x.length);
  for (const t of tokens) {
    let value: string;
    if (t.role !== 'key' && t.key !== undefined && isSecretName(t.key) && t.value.length > 0) value = REDACTED;
    else if (t.role === 'key') value = maskSecrets(t.value, longestFirst, KEY_MIN_LENGTH);
    else if (t.role === 'item') value = maskSecrets(byList.get(t) ?? t.value, longestFirst, 1, t.value);
    else value = redactArgs([maskSecrets(t.value, longestFirst, 1)], secrets)[0];
    if (value !== t.value) masked.set(t, value);
  }
  let out = '';
  let copied = 0;
  for (const t of [...masked.keys()].sort((a, b) => a.start - b.start)) {
    if (t.start < copied) continue;
    out += text.slice(copied, t.start) + spell(t, text.slice(t.start, t.end), masked.get(t) as string);
    copied = t.end;
  }
  return out + text.slice(copied);
}

/** A key is masked only when it is or holds a secret masked inside text: env keys named like a short value stay readable. */
const KEY_MIN_LENGTH = MIN_MASKED_LENGTH;

/**
 * A value with the secrets the scan collected masked: whole when it is one (`decoded`, the value as
 * the file spells it, when `value` is already partly masked), else each one inside it, longest
 * first, by the rule every face masks by (maskSecret: not a short value, a path only where it
 * stands whole).
 */
function maskSecrets(
  value: string,
  secrets: ReadonlySet<string> | readonly string[],
  minLength: number,
  decoded = value,
): string {
  let out = value;
  const longestFirst = Array.isArray(secrets) ? secrets : [...secrets].sort((x, y) => y.length - x.length);
  for (const s of longestFirst) {
    if (s.length < minLength || s.length === 0) continue;
    if (decoded === s || out === s) return REDACTED;
    out = maskSecret(out, s, REDACTED);
  }
  return out;
}

/** Whether a value is, or holds, a secret the scan collected. */
function holdsSecret(value: string, secrets: ReadonlySet<string>, minLength: number): boolean {
  return maskSecrets(value, secrets, minLength) !== value;
}

/**
 * The spelling of a masked value: a value masked whole, or any value spelled over lines, becomes the
 * marker inside its own delimiters with each line break kept (a block scalar keeps its header, and
 * each line of it its indentation); a value masked in part (a URL's credentials) is written again
 * in its style.
 */
export function spell(t: ConfigToken, raw: string, value: string): string {
  const lines = raw.split('\n');
  if (value === REDACTED || lines.length > 1) {
    if (lines.length === 1) return `${t.open}${REDACTED}${t.close}`;
    const indent = (l: string) => /^[ \t]*/.exec(l)?.[0] ?? '';
    if (t.open.startsWith('|') || t.open.startsWith('>'))
      return lines
        .map((l, k) => (k === 0 ? l : l.trim() ? `${indent(l)}${REDACTED}` : l.replace(/[^\s]/g, '')))
        .join('\n');
    const last = lines.length - 1;
    return lines
      .map((l, k) => (k === 0 ? `${t.open}${REDACTED}` : k === last ? `${indent(l)}${t.close}` : indent(l)))
      .join('\n');
  }
  const quoted = JSON.stringify(value);
  if (t.style === 'double') return quoted;
  if (t.style === 'single') return /['\r\n]/.test(value) ? quoted : `'${value}'`;
  return /^[^\s"'#[\]{},&*!|>%@`][^\r\n#]*$/.test(value) ? value : quoted;
}

/**
 * One line of a config file as it may be shown, after `redactConfigText`: a second net for what no
 * parse reached (comments, a file that does not parse as its format). The values of its entries' env
 * and headers (`secrets`), the values of secret-named keys (`"apiKey": "..."`, `API_KEY = "..."`),
 * credentials in URLs, the argument a secret-named flag takes (`entryArgs`: each entry's args as
 * written, so `--token X` is known even when split over two lines), double-quoted strings whose
 * escapes decode to any of these, and well-known token shapes are replaced by `<redacted>`.
 */
export function redactConfigLine(
  line: string,
  secrets: ReadonlySet<string>,
  entryArgs: readonly (readonly string[])[] = [],
): string {
  return configLineRedactor(secrets, entryArgs)(line);
}

/**
 * redactConfigLine for the many lines of one diff: what to look for (each entry's arguments that
 * redact, the secrets longest first) is worked out once, and each distinct line is judged once (a
 * diff of thousands of entries repeats `"run",` and `"--",`), so a plan of 11,000 entries costs one
 * pass over its lines, not one pass over every entry per line.
 */
export function configLineRedactor(
  secrets: ReadonlySet<string>,
  entryArgs: readonly (readonly string[])[] = [],
): (line: string) => string {
  // Arguments a secret-named flag takes, and `--token=X` forms: replaced as written.
  const argPairs = new Map<string, string>();
  for (const args of entryArgs) {
    const redacted = redactArgs(args, secrets);
    args.forEach((arg, i) => {
      if (redacted[i] !== arg && arg.length > 0 && !argPairs.has(arg)) argPairs.set(arg, redacted[i]);
    });
  }
  const ordered = [...secrets]
    .filter((secret) => secret.length > 0)
    .sort((x, y) => y.length - x.length)
    .map((secret) => ({
      secret,
      quoted: JSON.stringify(secret).slice(1, -1),
      bare: new RegExp(`^(\\s*(?:-\\s+)?[\\w.-]+\\s*[:=]\\s*)${escapeRe(secret)}(\\s*(?:#.*)?)$`),
    }));
  const done = new Map<string, string>();
  const redactLine = (line: string): string => {
    let out = line;
    for (const [arg, by] of argPairs)
      if (out.includes(arg) || out.includes(JSON.stringify(arg).slice(1, -1))) out = replaceValue(out, arg, by);
    // A quoted string spelled with escapes: judged by what it decodes to.
    out = out.replace(/"((?:[^"\\]|\\.)*)"/g, (whole, body: string) => {
      if (!body.includes('\\')) return whole;
      const value = decodeEscapes(body);
      if (holdsSecret(value, secrets, 1)) return `"${REDACTED}"`;
      const redacted = redactArgs([value], secrets)[0];
      return redacted === value ? whole : JSON.stringify(redacted);
    });
    // Env and header values: as a quoted string (JSON, TOML, YAML) or as a bare YAML value.
    for (const { secret, quoted, bare } of ordered) {
      if (!out.includes(secret) && !out.includes(quoted)) continue;
      out = replaceValue(out, secret, REDACTED);
      out = out.replace(bare, `$1${REDACTED}$2`);
    }
    // `"apiKey": "x"`, `api_key = "x"`, `token: x`: a secret-named key's value, whatever it is.
    out = out.replace(
      /^(\s*(?:-\s+)?["']?)([\w.-]+)(["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,#{[][^,#]*?)(\s*,?\s*(?:#.*)?)$/,
      (whole, pre: string, key: string, sep: string, value: string, post: string) =>
        isSecretName(key) &&
        value.replace(/^["']|["']$/g, '').length > 0 &&
        !value.includes(REDACTED) &&
        !BLOCK_HEADER.test(value)
          ? `${pre}${key}${sep}${/^["']/.test(value) ? `${value[0]}${REDACTED}${value[0]}` : REDACTED}${post}`
          : whole,
    );
    out = out.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"',\]]+/gi, (url) => redactUrl(url));
    return redactText(out, secrets);
  };
  return (line) => {
    const known = done.get(line);
    if (known !== undefined) return known;
    const out = redactLine(line);
    if (done.size < 100_000) done.set(line, out);
    return out;
  };
}

/** A YAML block scalar's header (`|`, `>-`, `|2+`): its lines follow, the header holds nothing. */
const BLOCK_HEADER = /^[|>][-+0-9]*$/;

/** The escapes of JSON, TOML and YAML double-quoted strings, decoded (an unknown one is kept as written). */
function decodeEscapes(body: string): string {
  return body.replace(
    /\\(u[0-9A-Fa-f]{4}(?:\\u[0-9A-Fa-f]{4})?|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)/gs,
    (whole, e: string) => {
      if (/^[uUx]/.test(e) && e.length > 1) {
        const units = e.split('\\').map((u) => parseInt(u.slice(1), 16));
        if (units.some((u) => u > 0x10ffff)) return whole;
        return units.length === 2 ? String.fromCharCode(...units) : String.fromCodePoint(units[0]);
      }
      return SIMPLE_ESCAPES[e] ?? e;
    },
  );
}

const SIMPLE_ESCAPES: Record<string, string> = {
  ...LETTER_ESCAPES,
  '0': '\0',
  a: '\x07',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

/** Replaces a value where it stands: in its JSON/TOML-escaped quoted form, else as written. */
function replaceValue(line: string, value: string, by: string): string {
  const quoted = JSON.stringify(value).slice(1, -1);
  const byQuoted = by === REDACTED ? REDACTED : JSON.stringify(by).slice(1, -1);
  let out = line.split(`"${quoted}"`).join(`"${byQuoted}"`);
  out = out.split(`'${value}'`).join(`'${by}'`);
  // Bare occurrences by the rule every face masks by (maskSecret): a short value would mask unrelated
  // text ("1", "on"); the quoted forms above and the bare YAML value handled by the caller cover those.
  return maskSecret(out, value, by);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
