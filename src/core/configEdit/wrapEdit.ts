import {
  applyEdits,
  findNodeAtLocation,
  FormattingOptions,
  getNodeValue,
  modify,
  ParseError,
  parseTree,
} from 'jsonc-parser';
import { tomlEntry } from './entryFormats/tomlEntry';
import { EntryFormat, RawEntry } from './entryFormats/types';
import { yamlEntry } from './entryFormats/yamlEntry';
import { isWrappedCommand } from './guardCommand';
import { english, Translate } from './translate';

/**
 * The text edit of Wrap with Guard and Unwrap, computed on the file's own text (not the snapshot's
 * resolved values, so `${workspaceFolder}` and friends stay as written). jsonc-parser's `modify`
 * touches only the `command` and `args` values: comments, order and formatting elsewhere survive.
 */

export type EditResult = { kind: 'ok'; text: string } | { kind: 'error'; reason: string };

/** The guard as configs call it: its stable launcher path. */
export interface GuardLauncher {
  command: string;
}

function readJsonc(text: string, keyPath: (string | number)[], t: Translate = english): RawEntry | string {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  // Editing around a syntax error could land anywhere: the user fixes the file first.
  if (!root || errors.length > 0) return t('the file has syntax errors (see Problems); fix them first');
  const node = findNodeAtLocation(root, keyPath);
  if (!node || node.type !== 'object') return t('no server entry at {0}', keyPath.map(String).join('.'));
  const value = getNodeValue(node) as { command?: unknown; args?: unknown };
  if (typeof value.command !== 'string' || value.command.length === 0) return t('the entry has no command');
  const args = value.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return t('"args" is not a list of strings');
  return { command: value.command, args };
}

/** Indentation as the file already uses it, so inserted lines look like their neighbours. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = text.split(/\r?\n/).find((l) => /^[ \t]+\S/.test(l));
  if (indented?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  const spaces = indented ? indented.length - indented.trimStart().length : 2;
  return { insertSpaces: true, tabSize: Math.min(spaces, 8) || 2, eol };
}

function writeJsonc(text: string, keyPath: (string | number)[], entry: RawEntry): string {
  const formattingOptions = detectFormatting(text);
  let out = applyEdits(text, modify(text, [...keyPath, 'command'], entry.command, { formattingOptions }));
  out = applyEdits(out, modify(out, [...keyPath, 'args'], entry.args, { formattingOptions }));
  return out;
}

const jsoncEntry: EntryFormat = { read: readJsonc, write: writeJsonc };

/** The entry format of a config file, by its name: Codex's TOML, Continue's YAML, else JSON/JSONC. */
export function entryFormatFor(file: string): EntryFormat {
  if (/\.toml$/i.test(file)) return tomlEntry;
  if (/\.ya?ml$/i.test(file)) return yamlEntry;
  return jsoncEntry;
}

function edit(format: EntryFormat, text: string, keyPath: (string | number)[], entry: RawEntry): EditResult {
  try {
    return { kind: 'ok', text: format.write(text, keyPath, entry) };
  } catch (err) {
    return { kind: 'error', reason: (err as Error).message };
  }
}

/**
 * `command`/`args` become `<guard> run --name <name> -- <command> <args...>`; with `share`,
 * `<guard> run --on-conflict share --name <name> -- ...`: every client's entry wrapped so, under
 * one name, uses one server (README, "Share one server").
 */
export function computeWrap(
  text: string,
  keyPath: (string | number)[],
  serverName: string,
  guard: GuardLauncher,
  format: EntryFormat = jsoncEntry,
  options: { share?: boolean; t?: Translate } = {},
): EditResult {
  const t = options.t ?? english;
  const entry = format.read(text, keyPath, t);
  if (typeof entry === 'string') return { kind: 'error', reason: entry };
  if (isWrappedCommand(entry.command, entry.args))
    return { kind: 'error', reason: t('the server already runs through the guard') };
  return edit(format, text, keyPath, {
    command: guard.command,
    args: [
      'run',
      ...(options.share ? ['--on-conflict', 'share'] : []),
      '--name',
      serverName,
      '--',
      entry.command,
      ...entry.args,
    ],
  });
}

/** Restores the command and args the guard was wrapped around. */
export function computeUnwrap(
  text: string,
  keyPath: (string | number)[],
  format: EntryFormat = jsoncEntry,
  t: Translate = english,
): EditResult {
  const entry = format.read(text, keyPath, t);
  if (typeof entry === 'string') return { kind: 'error', reason: entry };
  if (!isWrappedCommand(entry.command, entry.args))
    return { kind: 'error', reason: t('the server does not run through the guard') };
  const split = entry.args.indexOf('--');
  if (split < 0 || split === entry.args.length - 1)
    return { kind: 'error', reason: t('the guard\'s arguments have no command after "--"') };
  const [command, ...args] = entry.args.slice(split + 1);
  return edit(format, text, keyPath, { command, args });
}
