import { hash } from 'node:crypto';
import { HostEnv, pathFor } from '../base/hostEnv';
import { ServerConfig, SourceRef, Transport } from '../base/model';
import { isSecretName, redactArgs, redactText, redactUrl } from '../base/redact';
import { ClientRules, RawField, RawServerEntry, FileDiagnostic, VariableFlavour } from './types';
import { resolveVariables } from './variables';
import { kindOf } from './kind';
import { entryFolder, envDigests, EnvValue, identityKey } from './identity';

export interface NormalizeContext {
  host: HostEnv;
  source: SourceRef;
  variables: VariableFlavour;
  urlTransport: 'http' | 'sse';
  /** The source's own words for a transport in `type` (SourceSpec.types). */
  types?: Readonly<Record<string, Transport>>;
  /** The client's own rules for an entry (SourceSpec.rules). */
  rules?: ClientRules;
}

export interface Normalized {
  server?: ServerConfig;
  diagnostics: FileDiagnostic[];
  /** Values that must never be shown (env and header values, substituted secrets). */
  secrets: string[];
  /** The resolved, unredacted launch (command + args + cwd), for matching processes. Never serialised. */
  launch?: { command: string; args: string[]; cwd?: string; env?: Record<string, string> };
}

const TYPE_ALIASES: Record<string, Transport> = {
  stdio: 'stdio',
  http: 'http',
  'streamable-http': 'http',
  streamablehttp: 'http',
  streamable_http: 'http',
  sse: 'sse',
};

/** One entry's reading so far: its problems, the secrets and unresolved variables found, and how its fields are read. */
interface EntryReader {
  raw: RawServerEntry;
  ctx: NormalizeContext;
  diagnostics: FileDiagnostic[];
  secrets: string[];
  unresolved: Set<string>;
  workspaceFolder: string | undefined;
  vars: { host: HostEnv; workspaceFolder: string | undefined };
  problem(field: RawField | undefined, message: string): void;
  /** A field that must be text, when present. */
  str(key: string): string | undefined;
  /** Text with its variables resolved, its secrets and unresolved variables noted. */
  resolve(text: string): ReturnType<typeof resolveVariables>;
}

function entryReader(raw: RawServerEntry, ctx: NormalizeContext): EntryReader {
  const diagnostics: FileDiagnostic[] = [];
  // Secrets the adapter substituted itself (an extension's sensitive settings) come first.
  const secrets: string[] = [...(raw.secrets ?? [])];
  const unresolved = new Set<string>(raw.unresolved ?? []);
  const at = (f: RawField | undefined) => (f?.position ? { ...f.position } : raw.position ? { ...raw.position } : {});
  const problem = (field: RawField | undefined, message: string) =>
    diagnostics.push({ severity: 'error', ...at(field), message: `server "${raw.name}": ${message}` });
  const workspaceFolder = raw.workspaceFolder ?? ctx.source.workspaceFolder;
  const vars = { host: ctx.host, workspaceFolder };
  return {
    raw,
    ctx,
    diagnostics,
    secrets,
    unresolved,
    workspaceFolder,
    vars,
    problem,
    str(key) {
      const field = raw.fields[key];
      if (field === undefined || field.value === undefined || field.value === null) return undefined;
      if (typeof field.value !== 'string') {
        problem(field, `"${key}" must be a string, found ${kindOf(field.value)}`);
        return undefined;
      }
      return field.value;
    },
    resolve(text) {
      const r = resolveVariables(text, ctx.variables, vars);
      r.unresolved.forEach((u) => unresolved.add(u));
      secrets.push(...r.secrets);
      return r;
    },
  };
}

/**
 * Validates one raw entry and turns it into a ServerConfig: every field of the wrong type is a
 * diagnostic at its position (and the entry is dropped only when it cannot be run at all), the
 * transport is inferred as VS Code does when `type` is missing, variables are resolved, and secret
 * values are dropped or redacted.
 */
export function normalizeEntry(written: RawServerEntry, ctx: NormalizeContext): Normalized {
  const raw = asClientReadsIt(written, ctx.rules);
  const r = entryReader(raw, ctx);
  const f = raw.fields;
  // Secret-bearing maps first: their values are collected for redaction, only keys are kept.
  const envKeys = mapKeys('env', f.env, r.problem, r.secrets);
  const headerKeys = [
    ...mapKeys('headers', f.headers, r.problem, r.secrets),
    ...mapKeys('http_headers', f.http_headers, r.problem, r.secrets),
  ];
  // Credentials written inline (Codex's old `bearer_token`, an `apiKey`...) are never shown, and
  // their values are masked wherever else they appear (args, URLs, process command lines).
  for (const [key, field] of Object.entries(f)) {
    if (isSecretName(key) && typeof field.value === 'string' && field.value.length > 0) r.secrets.push(field.value);
  }
  const dropped = { diagnostics: r.diagnostics, secrets: r.secrets };
  const rejection = ctx.rules?.rejects(raw);
  if (rejection) {
    // The client skips the entry: its own reason is the problem, not what the shared reading says of it.
    r.diagnostics.splice(0);
    r.problem(rejection.field !== undefined ? f[rejection.field] : undefined, rejection.reason);
    return dropped;
  }
  const unread = ctx.rules?.unread?.(raw);
  if (unread) {
    r.diagnostics.splice(0);
    const at = raw.position ? { line: raw.position.line, column: raw.position.column } : {};
    r.diagnostics.push({ severity: 'info', ...at, message: `server "${raw.name}": ${unread}` });
    return dropped;
  }
  const typeText = r.str('type');
  const declared = typeText !== undefined ? declaredTransport(typeText, r) : undefined;
  if (declared === null) return dropped;
  const command = r.str('command');
  const urlField = ['url', 'serverUrl', 'httpUrl'].find((k) => f[k] !== undefined);
  const url = urlField ? r.str(urlField) : undefined;
  const transport: Transport | undefined =
    declared ??
    (command !== undefined
      ? 'stdio'
      : url !== undefined
        ? urlField === 'httpUrl' || urlField === 'serverUrl'
          ? 'http'
          : ctx.urlTransport
        : undefined);
  const disabled = readDisabled(f, r.problem);
  if (transport === undefined) {
    r.problem(undefined, 'has neither "command" nor "url": nothing to run or connect to');
    return dropped;
  }
  const base = baseConfig(r, { transport, envKeys, headerKeys, disabled });
  if (transport === 'stdio') {
    if (command === undefined) {
      r.problem(f.type, `type "${typeText}" needs a "command"`);
      return dropped;
    }
    if (command.trim() === '') {
      r.problem(f.command, '"command" is empty');
      return dropped;
    }
    const { server, launch } = stdioServer(r, base, command);
    return { server, diagnostics: r.diagnostics, secrets: r.secrets, launch };
  }
  if (url === undefined) {
    r.problem(f.type, `type "${typeText}" needs a "url"`);
    return dropped;
  }
  const u = r.resolve(url);
  const server: ServerConfig = Object.assign({}, base, {
    args: [],
    url: redactText(redactUrl(u.display), new Set(r.secrets)),
    unresolved: [...r.unresolved],
    launchKey: launchKey([transport, u.value]),
    identityKey: launchKey([transport, u.value]),
  });
  return { server, diagnostics: r.diagnostics, secrets: r.secrets };
}

/** The entry without the fields its client never reads. */
function asClientReadsIt(raw: RawServerEntry, rules: ClientRules | undefined): RawServerEntry {
  if (!rules?.ignores?.some((k) => Object.hasOwn(raw.fields, k))) return raw;
  const fields = { ...raw.fields };
  for (const k of rules.ignores) delete fields[k];
  return Object.assign({}, raw, { fields });
}

/** The transport a `type` names, in the source's own words or the common ones; null (with why) when it names none. */
function declaredTransport(typeText: string, r: EntryReader): Transport | null {
  const word = typeText.toLowerCase();
  const declared = ownValue(r.ctx.types, word) ?? ownValue(TYPE_ALIASES, word);
  if (declared) return declared;
  const expected = [...Object.keys(r.ctx.types ?? {}), 'stdio', 'http', 'sse'].map((t) => `"${t}"`);
  r.problem(
    r.raw.fields.type,
    `unknown type "${typeText}" (expected ${expected.slice(0, -1).join(', ')} or ${expected.at(-1)})`,
  );
  return null;
}

/** Whether the entry is off: `disabled: true` or `enabled: false`. */
function readDisabled(f: RawServerEntry['fields'], problem: EntryReader['problem']): boolean {
  let disabled = false;
  if (f.disabled !== undefined) {
    if (typeof f.disabled.value === 'boolean') disabled = f.disabled.value;
    else problem(f.disabled, `"disabled" must be true or false, found ${kindOf(f.disabled.value)}`);
  }
  if (f.enabled !== undefined) {
    if (typeof f.enabled.value === 'boolean') disabled = disabled || !f.enabled.value;
    else problem(f.enabled, `"enabled" must be true or false, found ${kindOf(f.enabled.value)}`);
  }
  return disabled;
}

/** What every entry's config holds, whatever its transport: where it is and how it is named. */
function baseConfig(
  r: EntryReader,
  read: { transport: Transport; envKeys: string[]; headerKeys: string[]; disabled: boolean },
) {
  const { raw, ctx, workspaceFolder } = r;
  const own = Object.assign(
    {},
    raw.scope ? { scope: raw.scope } : {},
    raw.extension ? { extension: raw.extension } : {},
    raw.addOn ? { addOn: raw.addOn } : {},
  );
  return {
    // One add-on installed for two folders is one file read twice: each install's entry is its own.
    id: `${ctx.source.client}:${ctx.source.scope}:${ctx.source.file}#${raw.keyPath.join('/')}${
      raw.addOn && raw.workspaceFolder ? `@${raw.workspaceFolder}` : ''
    }`,
    name: raw.name,
    source:
      workspaceFolder && !ctx.source.workspaceFolder
        ? Object.assign({}, ctx.source, { workspaceFolder }, own)
        : Object.assign({}, ctx.source, own),
    ...(raw.position ? { position: raw.position } : {}),
    keyPath: raw.keyPath,
    ...read,
  };
}

/** A stdio entry's config, its command line as shown (secrets masked), and its resolved launch for matching. */
function stdioServer(
  r: EntryReader,
  base: ReturnType<typeof baseConfig>,
  command: string,
): { server: ServerConfig; launch: NonNullable<Normalized['launch']> } {
  const { raw, ctx, workspaceFolder } = r;
  const args = readArgs(raw.fields.args, r.problem);
  const cwdText = r.str('cwd');
  const cmd = r.resolve(command);
  const resolvedArgs = args.map((a) => r.resolve(a));
  const cwd = cwdText !== undefined ? r.resolve(cwdText) : undefined;
  const p = pathFor(ctx.host);
  const cwdValue = cwd
    ? p.isAbsolute(cwd.value) || !workspaceFolder
      ? cwd.value
      : p.resolve(workspaceFolder, cwd.value)
    : undefined;
  const envOfEntry = envEntries(
    raw.fields.env,
    (text) => resolveVariables(text, ctx.variables, r.vars),
    new Set(raw.opaqueEnv ?? []),
  );
  const env = resolvedEnv(envOfEntry);
  const digests = envOfEntry ? envDigests(envOfEntry) : undefined;
  const launch = {
    command: cmd.value,
    args: resolvedArgs.map((a) => a.value),
    ...(cwdValue !== undefined ? { cwd: cwdValue } : {}),
    ...(env ? { env } : {}),
  };
  const stdioKey = launchKey(['stdio', launch.command, ...launch.args, '\0cwd', launch.cwd ?? '']);
  // An adapter that substituted secrets itself says how its launch reads with them masked.
  const shown = raw.display && raw.display.args.length === resolvedArgs.length ? raw.display : undefined;
  const server: ServerConfig = Object.assign(
    {},
    base,
    {
      command: shown?.command ?? cmd.display,
      args: redactArgs(shown?.args ?? resolvedArgs.map((a) => a.display), new Set(r.secrets)),
    },
    cwd ? { cwd: cwd.display === cwd.value ? cwdValue : cwd.display } : {},
    {
      headerKeys: [],
      unresolved: [...r.unresolved],
      launchKey: stdioKey,
      identityKey: identityKey(
        stdioKey,
        digests,
        entryFolder(p, [launch.command, ...launch.args], launch.cwd, base.source, base.id),
      ),
    },
    digests ? { envDigests: digests } : {},
  );
  return { server, launch };
}

/** A map's own value for a word read from a file (never one of Object.prototype's: `"type": "constructor"`). */
function ownValue<T>(map: Readonly<Record<string, T>> | undefined, word: string): T | undefined {
  return map && Object.hasOwn(map, word) ? map[word] : undefined;
}

function readArgs(field: RawField | undefined, problem: (f: RawField | undefined, m: string) => void): string[] {
  if (field === undefined || field.value === undefined || field.value === null) return [];
  if (!Array.isArray(field.value)) {
    problem(field, `"args" must be an array of strings, found ${kindOf(field.value)}`);
    return [];
  }
  const out: string[] = [];
  field.value.forEach((a, i) => {
    if (typeof a === 'string') out.push(a);
    // Numbers and booleans are passed as text by every client that accepts them.
    else if (typeof a === 'number' || typeof a === 'boolean') out.push(String(a));
    else problem(field, `"args[${i}]" must be a string, found ${kindOf(a)}`);
  });
  return out;
}

/** Keys of an env/headers map; values are collected as secrets and dropped. */
function mapKeys(
  key: string,
  field: RawField | undefined,
  problem: (f: RawField | undefined, m: string) => void,
  secrets: string[],
): string[] {
  if (field === undefined || field.value === undefined || field.value === null) return [];
  const v = field.value;
  if (typeof v !== 'object' || Array.isArray(v)) {
    problem(field, `"${key}" must be an object of names to values, found ${kindOf(v)}`);
    return [];
  }
  for (const value of Object.values(v as Record<string, unknown>)) {
    if (typeof value === 'string' && value.length > 0) secrets.push(value);
    else if (typeof value === 'number') secrets.push(String(value));
  }
  return Object.keys(v as object);
}

/**
 * The env the entry gives its process, each value resolved where its variables can be, else as
 * written (for matching and identity only; never serialised).
 */
function envEntries(
  field: RawField | undefined,
  resolve: (text: string) => { value: string; unresolved: string[]; fromAmbientEnv?: boolean },
  opaque: ReadonlySet<string>,
): Record<string, EnvValue> | undefined {
  const v = field?.value;
  if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, EnvValue> = {};
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    // A value only the client can know (it decrypts it at launch): it cannot contradict anything.
    if (opaque.has(key)) {
      out[key] = { unresolved: String(value) };
      continue;
    }
    const r = resolve(String(value));
    out[key] =
      r.unresolved.length > 0
        ? { unresolved: String(value) }
        : r.fromAmbientEnv
          ? { resolved: r.value, ambient: true }
          : { resolved: r.value };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The env values the entry gives its process, resolved, for telling apart entries that run the same
 * command with different data (matching only; never serialised). A value whose variables cannot be
 * resolved here, or were resolved from this process's environment (the client's may differ), is
 * left out: it cannot contradict anything.
 */
function resolvedEnv(env: Record<string, EnvValue> | undefined): Record<string, string> | undefined {
  if (!env) return undefined;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(env)) if ('resolved' in v && !v.ambient) out[key] = v.resolved;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A short stable key for "the same launch": a hash, so resolved secrets in args never show through it. */
export function launchKey(parts: string[]): string {
  return `${parts[0]}:${hash('sha256', parts.join('\0'), 'hex').slice(0, 16)}`;
}
