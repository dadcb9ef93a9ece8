import { mapStrings } from './mapStrings';

/**
 * Secrets never leave: env values, header values and credentials in URLs or command lines are
 * replaced by this marker before anything enters a snapshot, a log line or the CLI's output.
 */
export const REDACTED = '<redacted>';

/**
 * Names (query parameters, flags, env keys, header names, `key=value` keys) whose values are
 * credentials. Short words only count as a whole segment (`--pass`, `DB_PW`, `GITHUB_PAT`), so that
 * `--passes`, `--compat` or `monkey` stay readable.
 */
const SECRET_NAME =
  /(token|secret|passw(or)?d|pwd|api[-_]?key|apikey|access[-_]?key|account[-_]?key|auth|credentials?|bearer|session|signature|sig|private[-_]?key|client[-_]?secret|jwt|(^|[-_.])(pat|key|pass|passphrase|pw)|passphrase|authorization|cookie)$/i;

/** Well-known credential shapes that stand out wherever they appear. */
const SECRET_SHAPES: RegExp[] = [
  /\b(gh[pousr]_[A-Za-z0-9]{20,})\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bsk-[A-Za-z0-9_-]{16,}\b/g, // OpenAI / Anthropic style keys
  /\b[rs]k_(live|test)_[A-Za-z0-9]{10,}\b/g, // Stripe
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{30,}\b/g, // Google API keys
  /\bglpat-[A-Za-z0-9_-]{16,}\b/g, // GitLab
  /\bnpm_[A-Za-z0-9]{30,}\b/g, // npm
  /\bhf_[A-Za-z0-9]{30,}\b/g, // Hugging Face
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, // JWTs
  // An Authorization value written into an argument (`--header "Authorization: Bearer ..."`).
  /(?<=\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{6,}/gi,
];

/** Whether a name (env key, header, flag, query parameter) says its value is a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.trim().replace(/^-+/, ''));
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

/** A flag on its own (`--token`, `-e`): the next argument may be its value. */
const FLAG = /^--?[A-Za-z][\w.-]*$/;
const URL_START = /^[a-z][a-z0-9+.-]*:\/\//i;
/** Authorization schemes, kept in front of a redacted value: they tell which credential was there. */
const SCHEME = /^(Bearer|Basic|Token|Digest|Negotiate|ApiKey)$/i;

/**
 * Redacts a command line given as argv: the value after a secret-named flag (`--token X`,
 * `--pass X`), secret-named `NAME=value` assignments (`--api-key=X`, docker's `-e MY_PASS=X`),
 * header-shaped arguments (`Authorization: X`, `X-API-Key:X`), secret keys of `k=v;k=v` and
 * `k=v k=v` strings (connection strings, DSNs) and of JSON text, credentials in URLs, a shell's
 * command string word by word, any of the known secret values (e.g. values of a config's env), and
 * well-known token shapes. Arguments stay one for one, so a redacted argv still lines up with the
 * running one.
 */
export function redactArgs(args: readonly string[], knownSecrets: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const prev = i > 0 ? args[i - 1] : undefined;
    // `--no-auth --verbose`: a negated flag takes no value, and a flag-like word after a flag is its
    // own flag; a value that merely starts with dashes (`--token --Xy9...`) is still a value.
    if (
      prev !== undefined &&
      FLAG.test(prev) &&
      isSecretName(prev) &&
      !/^--?no-/i.test(prev) &&
      !/^--[a-z][a-z0-9-]*(=.*)?$/.test(arg)
    ) {
      out.push(REDACTED);
      continue;
    }
    // `X-API-Key: value` split into words (an unquoted header in a shell string), with or without a scheme.
    const header = prev !== undefined && SCHEME.test(prev) ? args[i - 2] : prev;
    if (
      header !== undefined &&
      /^[A-Za-z][\w-]*:$/.test(header) &&
      isSecretName(header.slice(0, -1)) &&
      !SCHEME.test(arg)
    ) {
      out.push(REDACTED);
      continue;
    }
    out.push(redactArg(arg, knownSecrets));
  }
  return out;
}

/** One argument on its own: `--flag=value`, then the value's own shapes. */
function redactArg(arg: string, knownSecrets: ReadonlySet<string>): string {
  // `--password:value`, the colon form some CLIs take.
  const colon = /^(--?[A-Za-z][\w.-]*):(.+)$/s.exec(arg);
  if (colon && !URL_START.test(colon[2]) && isSecretName(colon[1])) return `${colon[1]}:${REDACTED}`;
  const flag = /^(--?[A-Za-z][\w.-]*)=(.*)$/s.exec(arg);
  if (flag) {
    const [, name, value] = flag;
    if (isSecretName(name) && value.length > 0) return `${name}=${REDACTED}`;
    return `${name}=${redactValue(value, knownSecrets)}`;
  }
  return redactValue(arg, knownSecrets);
}

/** A value: an assignment, a header, a URL, pairs, JSON or a shell command string. */
function redactValue(value: string, knownSecrets: ReadonlySet<string>): string {
  const assignment = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.+)$/s.exec(value);
  if (assignment && !value.includes(';') && isSecretName(assignment[1])) return `${assignment[1]}=${REDACTED}`;
  const header = /^([A-Za-z][\w-]*)(\s*:\s*)(.*)$/s.exec(value);
  if (header && !URL_START.test(value) && isSecretName(header[1]) && header[3].length > 0) {
    const scheme = /^(\S+)\s+\S/.exec(header[3]);
    return `${header[1]}${header[2]}${scheme && SCHEME.test(scheme[1]) ? `${scheme[1]} ` : ''}${REDACTED}`;
  }
  let out = URL_START.test(value) ? redactUrl(value) : value;
  if (assignment && URL_START.test(assignment[2])) out = `${assignment[1]}=${redactUrl(assignment[2])}`;
  out = redactPairs(out);
  out = redactJsonMembers(out);
  if (/\s/.test(out)) out = redactWords(out, knownSecrets);
  return redactText(out, knownSecrets);
}

/**
 * `Server=x;User Id=u;Password=p;` (ADO.NET, ODBC, JDBC, Azure) and `host=x password=p` (libpq):
 * the values of secret keys. With semicolons a value runs to the next one (it may hold spaces).
 */
function redactPairs(text: string): string {
  if (!text.includes('=')) return text;
  const pair = text.includes(';')
    ? /(^|;)(\s*)([A-Za-z_][\w .-]*?)(\s*=\s*)("(?:[^"]|"")*"|'[^']*'|[^;]*)/g
    : /(^|[\s&])()([A-Za-z_][\w.-]*)(=)("[^"]*"|'[^']*'|[^\s&]*)/g;
  return text.replace(pair, (whole, sep: string, space: string, key: string, eq: string, value: string) =>
    value.length > 0 && value !== REDACTED && isSecretName(key) ? `${sep}${space}${key}${eq}${REDACTED}` : whole,
  );
}

/** `{"apiKey":"x"}` given as an argument (`--config '{...}'`): the string values of secret members. */
function redactJsonMembers(text: string): string {
  if (!text.includes('"')) return text;
  return text.replace(/("([^"\\]+)"\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (whole, head: string, key: string, value: string) =>
    value.length > 0 && isSecretName(key) ? `${head}"${REDACTED}"` : whole,
  );
}

/**
 * A command string (`sh -c 'srv --token x'`): its words are redacted as an argv, and each word that
 * changed is replaced where it stands, so the rest of the string keeps its quoting.
 */
function redactWords(text: string, knownSecrets: ReadonlySet<string>): string {
  return redactWordsOf(text, text.split(/\s+/).filter(Boolean), knownSecrets);
}

/** `text` with each of its `words` that redactArgs changes replaced where it stands. */
function redactWordsOf(text: string, words: readonly string[], knownSecrets: ReadonlySet<string>): string {
  const redacted = redactArgs(words, knownSecrets);
  let out = text;
  words.forEach((w, i) => {
    if (redacted[i] !== w) out = out.split(w).join(redacted[i]);
  });
  return out;
}

/**
 * A command line as one text (what the clipboard gets from a row, a line of a log): its words
 * (`words`, as a shell splits it, when the caller has them; else split at spaces) redacted as an argv
 * is (redactArgs), each where it stands so the quoting is kept, then known secret values and token shapes.
 */
export function redactCommandText(
  text: string,
  words: readonly string[] = text.split(/\s+/).filter(Boolean),
  knownSecrets: ReadonlySet<string> = new Set(),
): string {
  return redactText(redactWordsOf(text, words, knownSecrets), knownSecrets);
}

/** A URL's user info anywhere in text (in quotes, after `url=`, inside parentheses): `scheme://user:pass@`. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s@/?#"'<>]+@/gi;

/**
 * A line a process wrote (a server's stderr, the "last output" said when it went down): its words
 * redacted as `status` redacts a command line (redactArgs: `--token=x`, `--token x`, `KEY=value`,
 * `Authorization: x`, a URL's password), each where it stands, then a URL's user info wherever it
 * is, known secret values and token shapes.
 */
export function redactOutputLine(line: string, knownSecrets: ReadonlySet<string> = new Set()): string {
  const out = redactWordsOf(line, line.split(/\s+/).filter(Boolean), knownSecrets);
  return redactText(out.replace(URL_USERINFO, `$1${REDACTED}@`), knownSecrets);
}

/** Masks known secret values (by maskSecret's rule) and well-known token shapes in free text (a log line, a command line). */
export function redactText(text: string, knownSecrets: ReadonlySet<string> = new Set()): string {
  let out = text;
  for (const secret of knownSecrets) out = maskSecret(out, secret, REDACTED);
  return redactShapes(out);
}

/**
 * Known secret values shorter than this are never masked outside their own place, on every face and
 * in a wrap's diff alike (maskSecret). The values are every env and header value an entry sets, and
 * the scan cannot tell a credential from a port: below 6 characters they are mostly `1`, `true`,
 * `info`, `8080`, `node`, `2026`, and masking them inside other text would blank those words in
 * command lines, logs, versions, timestamps and the paths a capture replays. A value's own place
 * (an env or header value, a secret-named key or flag, a URL's password) is masked whatever its length.
 */
export const MIN_MASKED_LENGTH = 6;
/** A path on any platform: absolute (`/`, `C:\`, `\\server`), under the home (`~/`) or relative (`./`, `../`). */
const PATH_LIKE = /^(~([\\/]|$)|\/|[A-Za-z]:[\\/]|\\\\[^\\]|\.{1,2}[\\/])/;

/**
 * Whether a value names a place on disk and no more: a path (PATH_LIKE, one line) that holds no
 * credential (no token shape, no secret-named flag or key inside it). An entry's env value such as
 * `ALLOWED_DIR=/home/me/code` or `MEMORY_FILE_PATH=...` is one; `/bin/sh -c 'x --token y'` is not.
 */
export function isPlainPath(value: string): boolean {
  return PATH_LIKE.test(value) && !/[\0\r\n]/.test(value) && redactValue(value, new Set()) === value;
}

/**
 * Whether a known secret value is masked wherever it appears inside any text: not a short value,
 * not a plain path (maskSecret masks a path only where it stands as a whole path).
 */
export function masksInside(secret: string): boolean {
  return secret.length >= MIN_MASKED_LENGTH && !isPlainPath(secret);
}

/**
 * The one rule for where a known secret value (an entry's env or header value) is masked in a
 * text, by `by`, for every face alike: status and the views, logs and a server's last output
 * (redactText), and captures, whose stand-ins go where this masks (capture/redactRecord.ts).
 * - A short value (a port, "1", "true") is not masked: it would blank every such word and protect
 *   nothing. Its own place (an env value, a header value) is masked by its caller.
 * - A plain path (isPlainPath: a folder or file an entry names, `ALLOWED_DIR=/home/me/code`) is
 *   masked where it stands as a whole path (an argument, `--db=...`, a word of a log line), never
 *   as the head of a longer path (`/home/me/code/server.js`, an install prefix's files) nor as part
 *   of another name (`/home/me/code2`, `/var/home/me/code`): those paths are no secret, and masking
 *   them would blank out every file under the folder, in a capture so far that its replay looks for
 *   the files under a stand-in and finds none.
 * - Any other value (a token, a key, a password) wherever it appears.
 */
export function maskSecret(text: string, secret: string, by: string): string {
  if (secret.length < MIN_MASKED_LENGTH || !text.includes(secret)) return text;
  if (!isPlainPath(secret)) return text.split(secret).join(by);
  // Not where the path goes on (`/file`, `2`, `.bak`) or began earlier (`/var` before it): another path.
  const literal = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?<![\\w.~-])${literal}(?![\\\\/\\w-]|\\.\\w)`, 'g'), () => by);
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
 * paths and ids stay intact; only the values masked wherever they appear are (masksInside): not a
 * plain path, which the snapshot's strings hold as the files and folders it reports (a workspace
 * folder, an install's location) and which the faces masked where it stood in a command line or an
 * output line already (maskSecret); not a short value. Every occurrence is replaced; where two
 * secrets overlap, the longer one starting first wins, so no tail of a longer secret is left showing.
 */
export function redactDeep<T>(value: T, knownSecrets: ReadonlySet<string>): T {
  return mapStrings(value, secretMatcher(knownSecrets)) as T;
}

/** Up to this many secrets, a string is first searched for each of them (see secretMatcher). */
const FEW_SECRETS = 16;

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
  const startHash = (t: string, i: number) =>
    (t.charCodeAt(i) * 961 + t.charCodeAt(i + 1) * 31 + t.charCodeAt(i + 2)) & 0xffff;
  for (const s of knownSecrets) {
    if (!masksInside(s)) continue;
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
  // A few secrets (the usual case): most strings hold none, and the engine's own substring search
  // says so faster than the scan by position below, which pays off only for many secrets.
  const all = [...byPrefix.values()].flatMap((b) => [...b.values]);
  const few = all.length <= FEW_SECRETS ? all : undefined;
  return (text) => {
    if (text.length < MIN_MASKED_LENGTH || (few && !few.some((s) => text.includes(s)))) return text;
    let out = '';
    let copied = 0;
    for (let i = 0; i + MIN_MASKED_LENGTH <= text.length;) {
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
