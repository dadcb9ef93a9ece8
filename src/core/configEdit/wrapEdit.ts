import { ConfigEncoding } from './configText';
import { jsoncEntry } from './entryFormats/jsoncEntry';
import { tomlEntry } from './entryFormats/tomlEntry';
import { EntryFormat, EntryValue, NewEntry, RawEntry } from './entryFormats/types';
import { yamlEntry } from './entryFormats/yamlEntry';
import { isWrappedCommand } from './guardCommand';
import { resourceOption } from './resourceKey';
import { english, Translate } from './translate';

export { detectFormatting } from './entryFormats/jsoncEntry';

/**
 * The text edit of Wrap with Guard and Unwrap, computed on the file's own text (not the snapshot's
 * resolved values, so `${workspaceFolder}` and friends stay as written). Only the values of
 * `command` and `args` of the entries edited change: comments, order and formatting elsewhere
 * survive, byte for byte. A file is parsed once however many of its entries one plan rewrites
 * (`editEntries`); `computeWrap` and `computeUnwrap` are the one-entry case.
 */

export type EditResult = { kind: 'ok'; text: string } | { kind: 'error'; reason: string };

/** The guard as configs call it: its stable launcher path. */
export interface GuardLauncher {
  command: string;
  /**
   * The folder of MCP Lifeguard's own files (locks, state, logs) the guard must keep, written as
   * `--home DIR`, when the one that reads them (the extension, the CLI) is not the default: a client
   * starts the guard without the reader's MCP_LIFEGUARD_HOME (configEdit/guardCommand.ts `guardHomeFor`).
   */
  home?: string;
}

/** The entry format of a config file, by its name: Codex's TOML, Continue's YAML, else JSON/JSONC. */
export function entryFormatFor(file: string): EntryFormat {
  if (/\.toml$/i.test(file)) return tomlEntry;
  if (/\.ya?ml$/i.test(file)) return yamlEntry;
  return jsoncEntry;
}

/** What becomes of one entry: its new command and args, or why it stays as it is. */
export type EntryChange = (entry: RawEntry, t: Translate) => NewEntry | string;

/** The entry's own values (command first), each with its text in the file when the format gives it. */
function ownValues(entry: RawEntry): EntryValue[] {
  return [entry.command, ...entry.args].map((value, i) =>
    entry.raw?.[i] !== undefined ? { value, raw: entry.raw[i] } : { value },
  );
}

/** The guard options a wrap writes besides `--name`: `--on-conflict share`, `--idle-stop SECONDS`, `--resource=KEY`. */
export interface WrapOptions {
  share?: boolean;
  /** What the guard's lock is keyed by (configEdit/resourceKey.ts `resourceKeyFor`): written as `--resource=KEY`. */
  resource?: string;
  /** Seconds without a client message after which the guard stops the server (`run --idle-stop`). */
  idleStopSeconds?: number;
}

/**
 * `command`/`args` become `<guard> run [--home DIR] --name <name> --resource=<key> -- <command> <args...>`; with
 * `share`, `<guard> run --on-conflict share --name <name> --resource=<key> -- ...`: every client's
 * entry wrapped so, under one name and one resource, uses one server (docs/share.md),
 * whatever folder each client starts it in.
 */
export function wrapChange(serverName: string, guard: GuardLauncher, options: WrapOptions = {}): EntryChange {
  return (entry, t) => {
    if (isWrappedCommand(entry.command, entry.args)) return t('the server already runs through the guard');
    const [command, ...opts] = guardPrefix(serverName, guard, options);
    return { command: { value: command }, args: [...opts.map((value) => ({ value })), ...ownValues(entry)] };
  };
}

/**
 * What a wrap writes before the entry's own command, the guard's program first and `--` last: the
 * confirmation shows these very words, so it names the `--home` the entry will carry.
 */
export function guardPrefix(serverName: string, guard: GuardLauncher, options: WrapOptions = {}): string[] {
  return [
    guard.command,
    'run',
    ...(guard.home !== undefined ? ['--home', guard.home] : []),
    ...(options.share ? ['--on-conflict', 'share'] : []),
    ...(options.idleStopSeconds ? ['--idle-stop', String(options.idleStopSeconds)] : []),
    '--name',
    serverName,
    ...(options.resource !== undefined ? [resourceOption(options.resource)] : []),
    '--',
  ];
}

/** Unwrap: the command and args the guard was wrapped around come back, as written. */
export const unwrapChange: EntryChange = (entry, t) => {
  if (!isWrappedCommand(entry.command, entry.args)) return t('the server does not run through the guard');
  const split = entry.args.indexOf('--');
  if (split < 0 || split === entry.args.length - 1) return t('the guard\'s arguments have no command after "--"');
  const [command, ...args] = ownValues(entry).slice(split + 2);
  return { command, args };
};

export interface EntryEdit {
  keyPath: readonly (string | number)[];
  change: EntryChange;
}

/** One file's edit: its new text (absent when no entry could be rewritten) and, per entry, why it was not. */
export type FileEditResult =
  { kind: 'ok'; text: string | undefined; reasons: Array<string | undefined> } | { kind: 'error'; reason: string };

/**
 * Rewrites several entries of one file in one pass: the file is parsed once, each entry read and
 * changed (or left, with why), and the result checked once. `encoding` is how the text was read
 * (configText.ts). A failure of the whole file (syntax errors, a result that does not read as
 * intended) is `error`; otherwise `reasons[i]` is undefined for each entry rewritten.
 */
export function editEntries(
  text: string,
  format: EntryFormat,
  edits: readonly EntryEdit[],
  options: { encoding?: ConfigEncoding; t?: Translate } = {},
): FileEditResult {
  const t = options.t ?? english;
  const doc = format.open(text, options.encoding ?? 'utf8', t);
  if (typeof doc === 'string') return { kind: 'error', reason: doc };
  const reasons = edits.map((e): string | undefined => {
    const entry = doc.read(e.keyPath);
    if (typeof entry === 'string') return entry;
    const next = e.change(entry, t);
    if (typeof next === 'string') return next;
    return doc.set(e.keyPath, next);
  });
  if (reasons.every((r) => r !== undefined)) return { kind: 'ok', text: undefined, reasons };
  const result = doc.result();
  if (result.kind === 'error') return result;
  return { kind: 'ok', text: result.text, reasons };
}

function single(text: string, format: EntryFormat, edit: EntryEdit, t: Translate): EditResult {
  const r = editEntries(text, format, [edit], { t });
  if (r.kind === 'error') return r;
  return r.reasons[0] !== undefined ? { kind: 'error', reason: r.reasons[0] } : { kind: 'ok', text: r.text! };
}

/** Wraps one entry (see wrapChange). */
export function computeWrap(
  text: string,
  keyPath: (string | number)[],
  serverName: string,
  guard: GuardLauncher,
  format: EntryFormat = jsoncEntry,
  options: WrapOptions & { t?: Translate } = {},
): EditResult {
  return single(text, format, { keyPath, change: wrapChange(serverName, guard, options) }, options.t ?? english);
}

/** Restores the command and args the guard was wrapped around. */
export function computeUnwrap(
  text: string,
  keyPath: (string | number)[],
  format: EntryFormat = jsoncEntry,
  t: Translate = english,
): EditResult {
  return single(text, format, { keyPath, change: unwrapChange }, t);
}
