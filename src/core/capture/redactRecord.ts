import { isSecretName, maskSecret, redactArgs, redactText, redactUrl } from '../base/redact';
import { configTokens, ConfigToken } from '../configEdit/configTokens';
import { spell } from '../configEdit/redactConfigText';
import { REDACTED } from '../base/redact';
import { CommandRecord, FsRecord, isRecordedError, MachineRecord, NetRecord } from '../machine/record';
import type { CommandOutput, NetAnswer, NoFollowRead } from '../machine/types';
import { parseEnviron, secretEnvValues } from '../processes/environ';
import { Pseudonyms } from './pseudonyms';
import { isPsEnvironRun, JoinedEnvironRedaction, recordedPsTable, redactPsEnvironOutput } from './redactJoinedEnviron';
import { dataKey, existenceQuestions } from '../sources/dataPaths';
import { lifeguardPaths, ROOT_ENV_VAR } from '../base/paths';

/**
 * A machine record made safe to keep and to send: what one snapshot read, with every secret
 * replaced by a stand-in (pseudonyms.ts) that compares equal where the secret did.
 *
 * - Config files (the ones the scan read): each value is read as the file's parser reads it (JSON,
 *   TOML, YAML: configEdit/configTokens.ts) and written again where it stands: a list (an entry's
 *   args) as a command line is (below), so that a replay matches the processes as the capture did;
 *   a value under a secret-named key, or an entry's env or header value, by its stand-in (a number
 *   or boolean of JSON or TOML so given becomes a string, so that the file still parses); any other
 *   value as one argument. A file that does not parse is kept as plain text.
 * - Processes' environments (/proc/<pid>/environ): every value is replaced, but for the variables
 *   the engine reads as places (HOME, PATH, VIRTUAL_ENV, MCP Lifeguard's root...) that no entry sets.
 * - Command lines (/proc/<pid>/cmdline, `ps` and PowerShell tables): the configs' secrets by their
 *   stand-ins where the snapshot masks them (base/redact.ts, maskSecret: a path only where it stands
 *   whole, so the files under a folder an entry names keep their paths; a short value not at all),
 *   then the rules for arguments (`--token X`, `KEY=value`, URLs, token shapes). On Linux
 *   also the secrets the process's own environment holds (secret-named or entry-set variables), by
 *   the stand-ins its environment gets: the snapshot masks them in that command line (any
 *   process's, a stranger's too), and so does a replay.
 * - Processes' environments as macOS's `ps -E` joins them after the command line
 *   (redactJoinedEnviron.ts): only the variables entries set, each value by its stand-in.
 * - This process's own environment: a value whose name or shape says credential is replaced.
 * - Whether a path exists, asked of a config's secret (an env value naming a data path, or its
 *   folder: sources/dataPaths.ts): the question is left out, since its path is the value. What it
 *   decided is kept as the path's key under the value's stand-in (`dataKeys`), so a replay finds
 *   the same data where the capture did.
 * - Every other text read (package metadata, lock records, .npmrc, a registry's answer): token
 *   shapes and secret-named `key = value` lines. A URL asked over the network (and a redirect's
 *   target) has its credentials masked; the headers of a request are never recorded. Binary reads (a Go header) and content digests are kept as they are.
 */

/** Variables a process's environment is read for as places, kept as they are unless an entry sets them. */
const PLACES = new Set([
  'HOME',
  'USERPROFILE',
  'PATH',
  'Path',
  'PWD',
  'VIRTUAL_ENV',
  'MCP_LIFEGUARD_HOME',
  'XDG_STATE_HOME',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'LOCALAPPDATA',
  'APPDATA',
]);

export interface RedactInput {
  /** Every secret value the scan saw in the configs (env and header values, tokens). */
  secrets: ReadonlySet<string>;
  /** The env keys entries set: their values are never kept, whatever their names. */
  declaredKeys: ReadonlySet<string>;
  /** The header names entries set: in a config, their values are never kept either. */
  headerKeys?: ReadonlySet<string>;
  /** The config files the scan read (their texts are redacted as configs). */
  configFiles: ReadonlySet<string>;
}

export function redactRecord(record: MachineRecord, input: RedactInput): MachineRecord {
  const r = redactionOf(record, input);
  // Part by part, in this order; one set of stand-ins serves them all, so a value compares equal
  // to itself across parts (a config's env value and the process environment that carries it).
  const readText = redactTextReads(r, record.fs.readText);
  const readBytes = redactByteReads(r, record.fs.readBytes);
  const readNoFollow = redactNoFollowReads(r, record.fs.readNoFollow);
  const { stat, dataKeys } = redactSecretQuestions(r, record);
  const env = keepOwnRoot(record, redactHostEnv(r, record.host.env));
  return {
    ...record,
    host: { ...record.host, env },
    fs: { ...record.fs, readText, readBytes, readNoFollow, stat },
    commands: redactCommands(r, record.commands),
    serverInfo: record.serverInfo.map((s) => ({ ...s, url: redactText(r.standIns(s.url), r.known) })),
    ...(record.net ? { net: redactNet(r, record.net) } : {}),
    ...(Object.keys(dataKeys).length > 0 ? { dataKeys } : {}),
  };
}

/** One capture's stand-ins and the rules each part of its record is redacted by. */
interface Redaction {
  input: RedactInput;
  names: Pseudonyms;
  /** The configs' secrets, longest first: a secret inside a longer one must not break the longer one's stand-in. */
  secrets: string[];
  known: ReadonlySet<string>;
  /** The configs' secrets in a text, each by its stand-in. */
  standIns: (text: string) => string;
  /** A command line: the configs' secrets by their stand-ins, then the rules for arguments. */
  commandLine: (argv: readonly string[]) => string[];
  /** A process's command line: its own environment's secrets by their stand-ins too. */
  processCommandLine: (pid: string, argv: readonly string[]) => string[];
  /** Any other text: the configs' secrets, token shapes and secret-named `key = value` lines. */
  plainText: (text: string) => string;
}

function redactionOf(record: MachineRecord, input: RedactInput): Redaction {
  const names = new Pseudonyms();
  const secrets = [...input.secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  const known = new Set(secrets);
  /**
   * The secrets `all` in a text, each by its stand-in where status masks it (maskSecret, the rule
   * of every face): not a short one ("1", "true" as an argument stays), a plain path only where it
   * stands whole (the files under a folder keep their paths, so a replay finds them). A value's own
   * place (an env value) gets its stand-in whatever it holds, from its caller.
   */
  const standInsOf =
    (all: readonly string[]) =>
    (text: string): string =>
      all.reduce((out, s) => maskSecret(out, s, names.of(s)), text);
  const standIns = standInsOf(secrets);
  const commandLine = (argv: readonly string[]) => redactArgs(argv.map(standIns), known);
  /** The secrets a process's own environment holds, as the snapshot reads them to mask its command line. */
  const declared = [...input.declaredKeys];
  const ownSecrets = (pid: string): string[] => {
    const env = record.fs.readText[`/proc/${pid}/environ`];
    return typeof env === 'string'
      ? [...secretEnvValues(parseEnviron(env), declared)].filter((v) => !known.has(v))
      : [];
  };
  const processCommandLine = (pid: string, argv: readonly string[]) => {
    const own = ownSecrets(pid);
    if (own.length === 0) return commandLine(argv);
    const all = [...secrets, ...own].sort((a, b) => b.length - a.length);
    return redactArgs(argv.map(standInsOf(all)), new Set([...known, ...own]));
  };
  const plainText = (text: string) => redactIniSecrets(redactText(standIns(text), known));
  return { input, names, secrets, known, standIns, commandLine, processCommandLine, plainText };
}

/** A text read at `path`: as a config, a process's environment or command line, or any other text. */
function redactFileText(r: Redaction, path: string, value: string): string {
  if (r.input.configFiles.has(path)) return redactConfig(r, path, value);
  if (/^\/proc\/\d+\/environ$/.test(path)) return redactEnviron(r, value);
  const cmdline = /^\/proc\/(\d+)\/cmdline$/.exec(path);
  if (cmdline) {
    const argv = value.split('\0');
    const last = argv[argv.length - 1] === '' ? argv.pop() : undefined;
    return [...r.processCommandLine(cmdline[1], argv), ...(last === undefined ? [] : [last])].join('\0');
  }
  return r.plainText(value);
}

/** A process's environment: every value by its stand-in, but for the places no entry sets. */
function redactEnviron(r: Redaction, text: string): string {
  return text
    .split('\0')
    .map((entry) => {
      const eq = entry.indexOf('=');
      if (eq <= 0) return entry;
      const key = entry.slice(0, eq);
      const value = entry.slice(eq + 1);
      const keep = PLACES.has(key) && !r.input.declaredKeys.has(key);
      return keep ? `${key}=${r.standIns(value)}` : `${key}=${value ? r.names.of(value) : ''}`;
    })
    .join('\0');
}

/** A config file's text, each value rewritten where it stands; one that does not parse as plain text. */
function redactConfig(r: Redaction, path: string, value: string): string {
  const tokens = configTokens(value, path);
  if (!tokens) return r.plainText(value);
  const lists = new Map<number, ConfigToken[]>();
  for (const t of tokens)
    if (t.role === 'item' && t.list !== undefined) lists.set(t.list, [...(lists.get(t.list) ?? []), t]);
  const written = new Map<ConfigToken, string>();
  for (const items of lists.values()) {
    const argv = r.commandLine(items.map((t) => t.value));
    items.forEach((t, k) => written.set(t, argv[k]));
  }
  for (const t of tokens) {
    // Keys are names (servers, variables), never secrets of their own: kept, so a replay names them alike.
    if ((t.role === 'item' && t.list !== undefined) || t.role === 'key') continue;
    if (t.key !== undefined && isSecretName(t.key) && t.value.length > 0) written.set(t, r.names.of(t.value));
    // An entry's env or header value, however short, by its stand-in: its process's environment gets the same one.
    else if (envOrHeaderValue(r, t)) written.set(t, r.names.of(t.value));
    // Any other value as an argument is: `"disabled": true` stays itself when some env value reads "true".
    else written.set(t, r.commandLine([t.value])[0]);
  }
  let out = '';
  let copied = 0;
  for (const t of [...tokens].sort((a, b) => a.start - b.start)) {
    const next = written.get(t);
    if (next === undefined || next === t.value || t.start < copied) continue;
    const raw = value.slice(t.start, t.end);
    // A value spelled over lines keeps its lines (diagnostics name lines): masked whole, as Wrap's diffs do.
    // A number or boolean of JSON or TOML given a stand-in becomes a string, so that the file still parses.
    const bare = t.style === 'bare' && !/\.ya?ml$/i.test(path);
    out +=
      value.slice(copied, t.start) +
      (bare && next !== t.value ? JSON.stringify(next) : spell(t, raw, raw.includes('\n') ? REDACTED : next));
    copied = t.end;
  }
  return out + value.slice(copied);
}

/** Whether a config's token is the value of an env variable or header an entry sets, one the scan took for a secret. */
function envOrHeaderValue(r: Redaction, t: ConfigToken): boolean {
  if (t.role !== 'value' || t.key === undefined || !r.known.has(t.value)) return false;
  return r.input.declaredKeys.has(t.key) || (r.input.headerKeys?.has(t.key) ?? false);
}

/** The texts read, each by what its path holds. */
function redactTextReads(r: Redaction, reads: FsRecord['readText']): FsRecord['readText'] {
  const out: FsRecord['readText'] = {};
  for (const [path, a] of Object.entries(reads)) out[path] = typeof a === 'string' ? redactFileText(r, path, a) : a;
  return out;
}

/** Config files are read as bytes (a capped read): redacted as text, kept under the same question. */
function redactByteReads(r: Redaction, reads: FsRecord['readBytes']): FsRecord['readBytes'] {
  const out: FsRecord['readBytes'] = {};
  for (const [path, byRange] of Object.entries(reads)) {
    out[path] = {};
    for (const [at, a] of Object.entries(byRange)) {
      out[path][at] =
        typeof a === 'string' && (r.input.configFiles.has(path) || /^\/proc\/\d+\/fd\//.test(path))
          ? Buffer.from(redactFileText(r, path, Buffer.from(a, 'base64').toString('utf8')), 'utf8').toString('base64')
          : a;
    }
  }
  return out;
}

/** Our own files read without following a link: a file's text as any other text. */
function redactNoFollowReads(r: Redaction, reads: FsRecord['readNoFollow']): FsRecord['readNoFollow'] {
  const out: FsRecord['readNoFollow'] = {};
  for (const [path, a] of Object.entries(reads)) {
    out[path] =
      a && !isRecordedError(a) && a.kind === 'file' ? ({ ...a, text: r.plainText(a.text) } as NoFollowRead) : a;
  }
  return out;
}

/**
 * The questions that name a secret (is its data path, or its folder, there) are left out; what they
 * decided is kept by the secret's stand-in: the key of the path, never the path.
 */
function redactSecretQuestions(
  r: Redaction,
  record: MachineRecord,
): { stat: FsRecord['stat']; dataKeys: Record<string, string> } {
  const there = (p: string) => {
    const a = record.fs.stat[p];
    return a !== undefined && a !== null && !isRecordedError(a);
  };
  const askedOfSecrets = new Set<string>();
  // Our own folders are answered as read: a replay asks them whatever an entry's values say.
  const own = new Set(ownFolders(record));
  const dataKeys: Record<string, string> = { ...record.dataKeys };
  for (const s of r.secrets) {
    const asked = existenceQuestions(s, record.host.platform);
    // A value naming our own root (an entry's MCP_LIFEGUARD_HOME) names a path the record holds anyway.
    if (!own.has(asked[0])) for (const p of asked) askedOfSecrets.add(p);
    if (asked.some(there)) dataKeys[r.names.of(s)] = dataKey(asked[0]);
  }
  const stat: FsRecord['stat'] = {};
  for (const [path, a] of Object.entries(record.fs.stat))
    if (!askedOfSecrets.has(path) || own.has(path)) stat[path] = a;
  return { stat, dataKeys };
}

/** MCP Lifeguard's own folders on the captured machine (its root and the folders under it). */
function ownFolders(record: MachineRecord): string[] {
  const { root, locks, state, cache, bin, logs } = lifeguardPaths(record.host);
  return [root, locks, state, cache, bin, logs];
}

/**
 * The captured machine's environment, redacted, still naming MCP Lifeguard's own root: where an
 * entry sets the variable that places it (MCP_LIFEGUARD_HOME, HOME...), the value has a stand-in,
 * and a replay would look for our own locks and state under that stand-in and find nothing. The
 * root is kept as MCP_LIFEGUARD_HOME: every path read under it is in the record as it is already.
 */
function keepOwnRoot(record: MachineRecord, env: Record<string, string>): Record<string, string> {
  const root = lifeguardPaths(record.host).root;
  return lifeguardPaths({ ...record.host, env }).root === root ? env : { ...env, [ROOT_ENV_VAR]: root };
}

/** This process's own environment: a value whose name or shape says credential, by its stand-in. */
function redactHostEnv(r: Redaction, env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const credential = isSecretName(k) || r.input.declaredKeys.has(k) || redactText(v, r.known) !== v;
    out[k] = credential ? r.names.of(v) : v;
  }
  return out;
}

/** The commands run: their arguments as command lines, what they printed line by line. */
function redactCommands(r: Redaction, commands: readonly CommandRecord[]): CommandRecord[] {
  const table = recordedPsTable(commands);
  const joined: JoinedEnvironRedaction = {
    declaredKeys: r.input.declaredKeys,
    secrets: r.secrets,
    standIn: (v) => (v ? r.names.of(v) : ''),
    commandLine: r.commandLine,
  };
  const output = (c: CommandRecord): CommandOutput => ({
    ...c.output,
    stdout: isPsEnvironRun(c)
      ? redactPsEnvironOutput(c.output.stdout, table, joined)
      : c.output.stdout
          .split('\n')
          .map((line) => r.commandLine(line.split(' ')).join(' '))
          .join('\n'),
    stderr: r.plainText(c.output.stderr),
  });
  return commands.map((c) => ({
    command: c.command,
    args: r.commandLine(c.args),
    ...(c.env ? { env: c.env } : {}),
    output: output(c),
  }));
}

/**
 * A URL asked over the network (a registry's), its redirect's target, and what it answered: a
 * URL's credentials masked, the body as any other text read.
 */
function redactNet(r: Redaction, asked: readonly NetRecord[]): NetRecord[] {
  const url = (u: string) => redactUrl(redactText(r.standIns(u), r.known));
  const answer = (a: NetAnswer): NetAnswer =>
    a.kind === 'answer'
      ? {
          ...a,
          headers: Object.fromEntries(Object.entries(a.headers).map(([k, v]) => [k, k === 'location' ? url(v) : v])),
          body: r.plainText(a.body),
        }
      : a.kind === 'failed'
        ? { ...a, message: redactText(a.message, r.known) }
        : a;
  return asked.map((n) => ({ url: url(n.url), answer: answer(n.answer) }));
}

/** `key = value` and `key: value` lines whose key names a credential (.npmrc's `//host/:_authToken=...`, pip.conf). */
function redactIniSecrets(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      // `=` first: an .npmrc key holds colons of its own (`//registry.npmjs.org/:_authToken`).
      const m =
        /^(\s*)([^\s=#;"{[][^=\n]*?)(\s*=\s*)(\S.*)$/.exec(line) ??
        /^(\s*)([^\s:#;"{[][^:\n]*?)(\s*:\s+)(\S.*)$/.exec(line);
      if (!m) return line;
      const name = m[2].split(/[/:.]/).filter(Boolean).pop() ?? m[2];
      return isSecretName(name.replace(/^_+/, '')) ? `${m[1]}${m[2]}${m[3]}${REDACTED}` : line;
    })
    .join('\n');
}
