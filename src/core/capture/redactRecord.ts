import { isSecretName, redactArgs, redactText, redactUrl } from '../base/redact';
import { configTokens, ConfigToken } from '../configEdit/configTokens';
import { spell } from '../configEdit/redactConfigText';
import { REDACTED } from '../base/redact';
import { isRecordedError, MachineRecord, Recorded } from '../machine/record';
import type { CommandOutput, NetAnswer, NoFollowRead } from '../machine/types';
import { parseEnviron, secretEnvValues } from '../processes/environ';
import { Pseudonyms } from './pseudonyms';
import { dataKey, existenceQuestions } from '../sources/dataPaths';

/**
 * A machine record made safe to keep and to send: what one snapshot read, with every secret
 * replaced by a stand-in (pseudonyms.ts) that compares equal where the secret did.
 *
 * - Config files (the ones the scan read): each value is read as the file's parser reads it (JSON,
 *   TOML, YAML: configEdit/configTokens.ts) and written again where it stands: a list (an entry's
 *   args) as a command line is (below), so that a replay matches the processes as the capture did;
 *   a value under a secret-named key, or one the scan took for a secret (env and header values), by
 *   its stand-in; any other value as one argument. A file that does not parse is kept as plain text.
 * - Processes' environments (/proc/<pid>/environ): every value is replaced, but for the variables
 *   the engine reads as places (HOME, PATH, VIRTUAL_ENV, MCP Lifeguard's root...) that no entry sets.
 * - Command lines (/proc/<pid>/cmdline, `ps` and PowerShell tables): the configs' secrets by their
 *   stand-ins, then the rules for arguments (`--token X`, `KEY=value`, URLs, token shapes). On Linux
 *   also the secrets the process's own environment holds (secret-named or entry-set variables), by
 *   the stand-ins its environment gets: the snapshot masks them in that command line (any
 *   process's, a stranger's too), and so does a replay.
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
  /** The config files the scan read (their texts are redacted as configs). */
  configFiles: ReadonlySet<string>;
}

export function redactRecord(record: MachineRecord, input: RedactInput): MachineRecord {
  const names = new Pseudonyms();
  // Longest first: a secret inside a longer one must not break the longer one's stand-in.
  const secrets = [...input.secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  const known = new Set(secrets);
  /**
   * The configs' secrets in a text, each by its stand-in: a short one only where it is the whole
   * text, a longer one wherever it appears (the rule the snapshot's own masking follows, base/redact.ts).
   */
  const standInsOf =
    (all: readonly string[]) =>
    (text: string): string => {
      let out = text;
      for (const s of all) {
        if (out === s) return names.of(s);
        if (s.length >= 6) out = out.split(s).join(names.of(s));
      }
      return out;
    };
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
  /** A process's command line: its own environment's secrets by their stand-ins too. */
  const processCommandLine = (pid: string, argv: readonly string[]) => {
    const own = ownSecrets(pid);
    if (own.length === 0) return commandLine(argv);
    const all = [...secrets, ...own].sort((a, b) => b.length - a.length);
    return redactArgs(argv.map(standInsOf(all)), new Set([...known, ...own]));
  };
  const plainText = (text: string) => redactIniSecrets(redactText(standIns(text), known));

  const environ = (text: string): string =>
    text
      .split('\0')
      .map((entry) => {
        const eq = entry.indexOf('=');
        if (eq <= 0) return entry;
        const key = entry.slice(0, eq);
        const value = entry.slice(eq + 1);
        const keep = PLACES.has(key) && !input.declaredKeys.has(key);
        return keep ? `${key}=${standIns(value)}` : `${key}=${value ? names.of(value) : ''}`;
      })
      .join('\0');

  const config = (path: string, value: string): string => {
    const tokens = configTokens(value, path);
    if (!tokens) return plainText(value);
    const lists = new Map<number, ConfigToken[]>();
    for (const t of tokens)
      if (t.role === 'item' && t.list !== undefined) lists.set(t.list, [...(lists.get(t.list) ?? []), t]);
    const written = new Map<ConfigToken, string>();
    for (const items of lists.values()) {
      const argv = commandLine(items.map((t) => t.value));
      items.forEach((t, k) => written.set(t, argv[k]));
    }
    for (const t of tokens) {
      // Keys are names (servers, variables), never secrets of their own: kept, so a replay names them alike.
      if ((t.role === 'item' && t.list !== undefined) || t.role === 'key') continue;
      if (t.key !== undefined && isSecretName(t.key) && t.value.length > 0) written.set(t, names.of(t.value));
      else written.set(t, commandLine([t.value])[0]);
    }
    let out = '';
    let copied = 0;
    for (const t of [...tokens].sort((a, b) => a.start - b.start)) {
      const next = written.get(t);
      if (next === undefined || next === t.value || t.start < copied) continue;
      const raw = value.slice(t.start, t.end);
      // A value spelled over lines keeps its lines (diagnostics name lines): masked whole, as Wrap's diffs do.
      out += value.slice(copied, t.start) + spell(t, raw, raw.includes('\n') ? REDACTED : next);
      copied = t.end;
    }
    return out + value.slice(copied);
  };

  const text = (path: string, value: string): string => {
    if (input.configFiles.has(path)) return config(path, value);
    if (/^\/proc\/\d+\/environ$/.test(path)) return environ(value);
    const cmdline = /^\/proc\/(\d+)\/cmdline$/.exec(path);
    if (cmdline) {
      const argv = value.split('\0');
      const last = argv[argv.length - 1] === '' ? argv.pop() : undefined;
      return [...processCommandLine(cmdline[1], argv), ...(last === undefined ? [] : [last])].join('\0');
    }
    return plainText(value);
  };
  const textAnswer = (path: string, a: Recorded<string>): Recorded<string> =>
    typeof a === 'string' ? text(path, a) : a;

  const readText: MachineRecord['fs']['readText'] = {};
  for (const [path, a] of Object.entries(record.fs.readText)) readText[path] = textAnswer(path, a);

  // Config files are read as bytes (a capped read): redacted as text, kept under the same question.
  const readBytes: MachineRecord['fs']['readBytes'] = {};
  for (const [path, reads] of Object.entries(record.fs.readBytes)) {
    readBytes[path] = {};
    for (const [at, a] of Object.entries(reads)) {
      readBytes[path][at] =
        typeof a === 'string' && (input.configFiles.has(path) || /^\/proc\/\d+\/fd\//.test(path))
          ? Buffer.from(text(path, Buffer.from(a, 'base64').toString('utf8')), 'utf8').toString('base64')
          : a;
    }
  }

  const readNoFollow: MachineRecord['fs']['readNoFollow'] = {};
  for (const [path, a] of Object.entries(record.fs.readNoFollow)) {
    readNoFollow[path] =
      a && !isRecordedError(a) && a.kind === 'file' ? ({ ...a, text: plainText(a.text) } as NoFollowRead) : a;
  }

  const output = (o: CommandOutput): CommandOutput => ({
    ...o,
    stdout: o.stdout
      .split('\n')
      .map((line) => commandLine(line.split(' ')).join(' '))
      .join('\n'),
    stderr: plainText(o.stderr),
  });

  // A URL asked over the network (a registry's), its redirect's target, and what it answered: a
  // URL's credentials masked, the body as any other text read.
  const url = (u: string) => redactUrl(redactText(standIns(u), known));
  const netAnswer = (a: NetAnswer): NetAnswer =>
    a.kind === 'answer'
      ? {
          ...a,
          headers: Object.fromEntries(Object.entries(a.headers).map(([k, v]) => [k, k === 'location' ? url(v) : v])),
          body: plainText(a.body),
        }
      : a.kind === 'failed'
        ? { ...a, message: redactText(a.message, known) }
        : a;

  // The questions that name a secret (is its data path, or its folder, there) are left out; what they
  // decided is kept by the secret's stand-in: the key of the path, never the path.
  const there = (p: string) => {
    const a = record.fs.stat[p];
    return a !== undefined && a !== null && !isRecordedError(a);
  };
  const askedOfSecrets = new Set<string>();
  const dataKeys: Record<string, string> = { ...record.dataKeys };
  for (const s of secrets) {
    const asked = existenceQuestions(s, record.host.platform);
    for (const p of asked) askedOfSecrets.add(p);
    if (asked.some(there)) dataKeys[names.of(s)] = dataKey(asked[0]);
  }
  const stat: MachineRecord['fs']['stat'] = {};
  for (const [path, a] of Object.entries(record.fs.stat)) if (!askedOfSecrets.has(path)) stat[path] = a;

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.host.env)) {
    const credential = isSecretName(k) || input.declaredKeys.has(k) || redactText(v, known) !== v;
    env[k] = credential ? names.of(v) : v;
  }

  return {
    ...record,
    host: { ...record.host, env },
    fs: { ...record.fs, readText, readBytes, readNoFollow, stat },
    commands: record.commands.map((c) => ({
      command: c.command,
      args: commandLine(c.args),
      ...(c.env ? { env: c.env } : {}),
      output: output(c.output),
    })),
    serverInfo: record.serverInfo.map((s) => ({ ...s, url: redactText(standIns(s.url), known) })),
    ...(record.net ? { net: record.net.map((n) => ({ url: url(n.url), answer: netAnswer(n.answer) })) } : {}),
    ...(Object.keys(dataKeys).length > 0 ? { dataKeys } : {}),
  };
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
