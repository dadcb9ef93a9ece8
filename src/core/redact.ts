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
 * folder is no credential, and masking it would blank out file names. Values shorter than
 * MIN_MASKED_LENGTH are not masked either (a port, "true"). Every occurrence is replaced; where two
 * secrets overlap, the longer one starting first wins, so no tail of a longer secret is left showing.
 */
export function redactDeep<T>(value: T, knownSecrets: ReadonlySet<string>): T {
  const mask = secretMatcher(knownSecrets);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return mask(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      // A plain loop: a snapshot of many servers is mostly small objects, and entry arrays per object were most of the cost.
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) {
        const x = walk((v as Record<string, unknown>)[k]);
        // defineProperty, not assignment: a key named "__proto__" stays an own property, as Object.fromEntries kept it.
        if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
        else out[k] = x;
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

const MIN_MASKED_LENGTH = 6;
const PATH_LIKE = /^(~|\/|[A-Za-z]:[\\/]|\.{1,2}[\\/])/;

/**
 * One matcher for many secrets, built once. Secrets are indexed by their first MIN_MASKED_LENGTH
 * characters, then by length: masking a string costs one lookup per position, and at a position
 * that starts like a secret one set lookup per distinct length of the secrets starting that way
 * (one or two in practice), whatever the number of secrets. Comparing every string with every
 * secret made 20,000 configured env values take minutes; a plain prefix index is no better when
 * the secrets share their start (`sk-ant-`, `ghp_`).
 */
function secretMatcher(knownSecrets: ReadonlySet<string>): (text: string) => string {
  const byPrefix = new Map<string, { lengths: number[]; values: Set<string> }>();
  // A first, cheap test per position: could a secret start with these three characters (hashed)?
  const starts = new Uint8Array(1 << 16);
  const startHash = (t: string, i: number) => (t.charCodeAt(i) * 961 + t.charCodeAt(i + 1) * 31 + t.charCodeAt(i + 2)) & 0xffff;
  for (const s of knownSecrets) {
    if (s.length < MIN_MASKED_LENGTH || PATH_LIKE.test(s)) continue;
    starts[startHash(s, 0)] = 1;
    const key = s.slice(0, MIN_MASKED_LENGTH);
    let bucket = byPrefix.get(key);
    if (!bucket) byPrefix.set(key, (bucket = { lengths: [], values: new Set() }));
    if (!bucket.values.has(s)) {
      bucket.values.add(s);
      if (!bucket.lengths.includes(s.length)) bucket.lengths.push(s.length);
    }
  }
  // Longest first, so the first length that matches at a position is the longest secret there.
  for (const bucket of byPrefix.values()) bucket.lengths.sort((a, b) => b - a);
  if (byPrefix.size === 0) return (text) => text;
  const longestAt = (text: string, i: number): number => {
    if (starts[startHash(text, i)] === 0) return 0;
    const bucket = byPrefix.get(text.slice(i, i + MIN_MASKED_LENGTH));
    if (!bucket) return 0;
    for (const length of bucket.lengths) {
      if (i + length <= text.length && bucket.values.has(text.slice(i, i + length))) return length;
    }
    return 0;
  };
  return (text) => {
    let out = '';
    let copied = 0;
    for (let i = 0; i + MIN_MASKED_LENGTH <= text.length; ) {
      const length = longestAt(text, i);
      if (length === 0) {
        i++;
        continue;
      }
      out += text.slice(copied, i) + REDACTED;
      i += length;
      copied = i;
    }
    return copied === 0 ? text : out + text.slice(copied);
  };
}
