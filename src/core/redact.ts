/**
 * Secrets never leave: env values, header values and credentials in URLs or command lines are
 * replaced by this marker before anything enters a snapshot, a log line or the CLI's output.
 */
export const REDACTED = '<redacted>';

/** Query parameters and flags whose values are credentials. */
const SECRET_NAME = /(token|secret|passw(or)?d|pwd|api[-_]?key|apikey|access[-_]?key|auth|credential|bearer|session|signature|sig|private[-_]?key|client[-_]?secret|pat|(^|[-_.])key|authorization|cookie)$/i;

/** Well-known credential shapes that stand out wherever they appear. */
const SECRET_SHAPES: RegExp[] = [
  /\b(gh[pousr]_[A-Za-z0-9]{20,})\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bsk-[A-Za-z0-9_-]{16,}\b/g, // OpenAI / Anthropic style keys
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, // JWTs
  // An Authorization value written into an argument (`--header "Authorization: Bearer ..."`).
  /(?<=\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{6,}/gi,
];

/** Whether a name (env key, header, flag, query parameter) says its value is a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/^-+/, ''));
}

/**
 * Removes credentials from a URL: user info, and the values of query parameters that name a
 * credential. Text that is not a URL is returned with only well-known token shapes masked.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactShapes(url);
  }
  let out = url;
  if (parsed.username || parsed.password) {
    // Rewrite the authority by hand: URL.toString() would also normalise the rest of the text.
    out = out.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, `$1${REDACTED}@`);
  }
  out = out.replace(/([?&#;])([^=&#;]+)=([^&#;]*)/g, (whole, sep: string, key: string, value: string) =>
    isSecretName(decodeSafe(key)) && value.length > 0 ? `${sep}${key}=${REDACTED}` : whole,
  );
  return redactShapes(out);
}

/**
 * Redacts a command line given as argv: the value after a secret-named flag (`--token X`,
 * `--api-key=X`), secret-named `NAME=value` assignments, credentials in URL arguments, any of the
 * known secret values (e.g. values of a config's env), and well-known token shapes.
 */
export function redactArgs(args: readonly string[], knownSecrets: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const prev = i > 0 ? args[i - 1] : undefined;
    if (prev !== undefined && /^--?[A-Za-z][\w-]*$/.test(prev) && isSecretName(prev)) {
      out.push(REDACTED);
      continue;
    }
    const eq = /^(--?[A-Za-z][\w-]*|[A-Za-z_][A-Za-z0-9_]*)=(.+)$/s.exec(arg);
    if (eq && isSecretName(eq[1])) {
      out.push(`${eq[1]}=${REDACTED}`);
      continue;
    }
    if (eq && /^[a-z][a-z0-9+.-]*:\/\//i.test(eq[2])) {
      // `--url=https://user:pass@host/...`: the value is a URL like any other argument.
      out.push(`${eq[1]}=${redactText(redactUrl(eq[2]), knownSecrets)}`);
      continue;
    }
    out.push(redactText(/^[a-z][a-z0-9+.-]*:\/\//i.test(arg) ? redactUrl(arg) : arg, knownSecrets));
  }
  return out;
}

/** Masks known secret values and well-known token shapes inside free text (a log line, a command line). */
export function redactText(text: string, knownSecrets: ReadonlySet<string> = new Set()): string {
  let out = text;
  for (const secret of knownSecrets) {
    // Short values (a port, "1", "true") would mask half the text and protect nothing.
    if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  return redactShapes(out);
}

function redactShapes(text: string): string {
  let out = text;
  for (const re of SECRET_SHAPES) out = out.replace(re, REDACTED);
  return out;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Masks known secret values in every string of plain data, such as a snapshot: the last line of
 * defence, so that a message built from a resolved launch (which holds substituted secrets) cannot
 * carry one out. Token shapes are not applied here (they were where values entered), so that file
 * paths and ids stay intact; values that are paths are left alone too: an env value naming a data
 * folder is no credential, and masking it would blank out file names.
 */
export function redactDeep<T>(value: T, knownSecrets: ReadonlySet<string>): T {
  const secrets = [...knownSecrets].filter((s) => s.length >= 6 && !/^(~|\/|[A-Za-z]:[\\/]|\.{1,2}[\\/])/.test(s));
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return secrets.reduce((text, secret) => (text.includes(secret) ? text.split(secret).join(REDACTED) : text), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
