import { isSecretName, REDACTED, redactArgs, redactText, redactUrl } from '../base/redact';

/**
 * Lines of a client's config file as they may be shown (a diff of an edit): the values of its
 * entries' env and headers (`secrets`: every value the scan collected, whatever its length, for a
 * short value is no less a credential there), the values of secret-named keys (`"apiKey": "..."`,
 * `API_KEY = "..."`), credentials in URLs, the argument a secret-named flag takes (`entryArgs`: each
 * entry's args as written, so `--token X` is known even when split over two lines), and well-known
 * token shapes are replaced by `<redacted>`.
 */
export function redactConfigLine(
  line: string,
  secrets: ReadonlySet<string>,
  entryArgs: readonly (readonly string[])[] = [],
): string {
  let out = line;
  // Arguments a secret-named flag takes, and `--token=X` forms: replaced as written.
  for (const args of entryArgs) {
    const redacted = redactArgs(args, secrets);
    args.forEach((arg, i) => {
      if (redacted[i] !== arg && arg.length > 0) out = replaceValue(out, arg, redacted[i]);
    });
  }
  // Env and header values: as a quoted string (JSON, TOML, YAML) or as a bare YAML value.
  for (const secret of [...secrets].sort((x, y) => y.length - x.length)) {
    if (secret.length === 0) continue;
    out = replaceValue(out, secret, REDACTED);
    const bare = new RegExp(`^(\\s*(?:-\\s+)?[\\w.-]+\\s*[:=]\\s*)${escapeRe(secret)}(\\s*(?:#.*)?)$`);
    out = out.replace(bare, `$1${REDACTED}$2`);
  }
  // `"apiKey": "x"`, `api_key = "x"`, `token: x`: a secret-named key's value, whatever it is.
  out = out.replace(
    /^(\s*(?:-\s+)?["']?)([\w.-]+)(["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,#{[][^,#]*?)(\s*,?\s*(?:#.*)?)$/,
    (whole, pre: string, key: string, sep: string, value: string, post: string) =>
      isSecretName(key) && value.replace(/^["']|["']$/g, '').length > 0 && !value.includes(REDACTED)
        ? `${pre}${key}${sep}${/^["']/.test(value) ? `${value[0]}${REDACTED}${value[0]}` : REDACTED}${post}`
        : whole,
  );
  out = out.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"',\]]+/gi, (url) => redactUrl(url));
  return redactText(out, secrets);
}

/** Replaces a value where it stands: in its JSON/TOML-escaped quoted form, else as written. */
function replaceValue(line: string, value: string, by: string): string {
  const quoted = JSON.stringify(value).slice(1, -1);
  const byQuoted = by === REDACTED ? REDACTED : JSON.stringify(by).slice(1, -1);
  let out = line.split(`"${quoted}"`).join(`"${byQuoted}"`);
  out = out.split(`'${value}'`).join(`'${by}'`);
  // Bare occurrences of a short value would mask unrelated text ("1", "on"); the quoted forms above
  // and the bare YAML value handled by the caller cover those.
  if (value.length >= 4) out = out.split(value).join(by);
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
