import { applyEdits, findNodeAtLocation, modify, Node, parseTree } from 'jsonc-parser';
import { REDACTED } from '../base/redact';
import { printableAscii } from '../base/terminalSafe';
import { jsonServerMapAdapter } from '../sources/jsonc';
import type { ConfigEncoding } from './configText';
import { detectFormatting, jsoncEntry } from './entryFormats/jsoncEntry';
import { english, Translate } from './translate';
import type { EditResult } from './wrapEdit';
import { isWrappedCommand, wrappedResource } from './guardCommand';
import { resourceKeyFor, resourceOption } from './resourceKey';
import { dataPathsOf } from '../sources/dataPaths';
import { launchKey } from '../sources/normalize';

/**
 * Add to Config: a new stdio entry (`command` and `args`, nothing else) written into the servers'
 * map of a JSON client config, at the end of the map, indented as the file already is. Every other
 * byte stays. The result is read again by the scan's own adapter and must hold exactly the entry
 * meant, beside every entry that was there. No `env`: a process's environment is not config (and
 * would carry secrets), so it is never written here.
 */

export interface NewServerEntry {
  name: string;
  command: string;
  args: readonly string[];
}

/**
 * An entry that launches the guard (a process started as `mcp-lifeguard run ... -- <server>`) with
 * the resource its lock is keyed by: as it was, when it names one; else `--resource=KEY` added
 * before its `--`, KEY the data its server's own command line names (no env is copied, so none is
 * read), else the server's identity (resourceKey.ts), never the folder a client starts it in. An
 * entry that does not launch the guard is returned as it is.
 */
export function withGuardResource(
  entry: NewServerEntry,
  platform: NodeJS.Platform,
  exists: (p: string) => boolean,
): NewServerEntry {
  if (!isWrappedCommand(entry.command, entry.args) || wrappedResource(entry) !== undefined) return entry;
  const dash = entry.args.indexOf('--');
  if (dash < 0 || dash === entry.args.length - 1) return entry;
  const [command, ...args] = entry.args.slice(dash + 1);
  const dataPaths = dataPathsOf({ command, args }, platform, exists);
  const key = resourceKeyFor({ dataPaths, launchKey: launchKey(['stdio', command, ...args, '\0cwd', '']) });
  return {
    ...entry,
    args: [...entry.args.slice(0, dash), resourceOption(key), ...entry.args.slice(dash)],
  };
}

export function computeAddEntry(
  text: string,
  serversAt: readonly string[],
  entry: NewServerEntry,
  options: { encoding?: ConfigEncoding; t?: Translate } = {},
): EditResult {
  const t = options.t ?? english;
  const encoding = options.encoding ?? 'utf8';
  const values = [entry.command, ...entry.args];
  if (entry.name.trim() === '') return { kind: 'error', reason: t('the server needs a name') };
  // A masked value would be written as the marker, and the server would start without its secret.
  if (values.some((v) => v.includes(REDACTED)))
    return {
      kind: 'error',
      reason: t('its command line holds a secret, shown as {0}; add the entry by hand with the real value', REDACTED),
    };
  // A file that is not UTF-8 keeps its bytes: only ASCII is written into it.
  if (encoding !== 'utf8' && values.some((v) => !printableAscii(v)))
    return { kind: 'error', reason: t('the file is not UTF-8 and the command holds other characters') };
  const opened = jsoncEntry.open(text.trim() === '' ? '{}' : text, encoding, t);
  if (typeof opened === 'string') return { kind: 'error', reason: opened };
  const base = text.trim() === '' ? '{}\n' : text;
  const root = parseTree(base);
  if (root?.type !== 'object') return { kind: 'error', reason: t('the file does not hold a JSON object') };
  const map = findNodeAtLocation(root, [...serversAt]);
  if (map && map.type !== 'object')
    return { kind: 'error', reason: t('"{0}" is not a map of servers', serversAt.join('.')) };
  if (map && findNodeAtLocation(map, [entry.name]))
    return { kind: 'error', reason: t('the file already has a server named {0}', entry.name) };
  let out: string;
  try {
    out = map ? insertInto(base, map, entry) : createMap(base, serversAt, entry);
  } catch (err) {
    return { kind: 'error', reason: err instanceof Error ? err.message : String(err) };
  }
  // Read again as the scan reads it: the new entry as meant, and every entry that was there.
  const wrong = t('the rewritten file would not hold the intended entry; edit it by hand');
  const adapter = jsonServerMapAdapter([...serversAt]);
  const before = adapter(base).entries;
  const after = adapter(out).entries;
  const added = after.find((e) => e.name === entry.name);
  const command = added?.fields.command?.value;
  const args = added?.fields.args?.value;
  if (
    typeof jsoncEntry.open(out, encoding, t) === 'string' ||
    after.length !== before.length + 1 ||
    command !== entry.command ||
    !Array.isArray(args) ||
    args.length !== entry.args.length ||
    args.some((a, i) => a !== entry.args[i]) ||
    Object.keys(added?.fields ?? {}).length !== 2
  )
    return { kind: 'error', reason: wrong };
  return { kind: 'ok', text: out };
}

/** The entry's value as JSON, its lines indented from `indent` with the file's unit. */
function entryText(entry: NewServerEntry, unit: string, indent: string, eol: string): string {
  return JSON.stringify({ command: entry.command, args: entry.args }, null, unit)
    .split('\n')
    .join(eol + indent);
}

/**
 * Into an existing map, after its last member (or its trailing comma), on a line of its own indented
 * as that member is: the text before and after is not touched, so compact neighbours stay compact.
 */
function insertInto(text: string, map: Node, entry: NewServerEntry): string {
  const format = detectFormatting(text);
  const eol = format.eol ?? '\n';
  const unit = format.insertSpaces ? ' '.repeat(format.tabSize ?? 2) : '\t';
  const last = map.children?.at(-1);
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  const indentAt = (offset: number) => /^[ \t]*/.exec(text.slice(lineStart(offset)))![0];
  if (!last) {
    // `{}`: the member goes between the braces, the closing brace on its own line.
    const outer = indentAt(map.offset);
    const inner = outer + unit;
    const at = map.offset + 1;
    const close = map.offset + map.length - 1;
    const member = `${eol}${inner}${JSON.stringify(entry.name)}: ${entryText(entry, unit, inner, eol)}${eol}${outer}`;
    return text.slice(0, at) + member + text.slice(close);
  }
  const own = text.slice(lineStart(last.offset), last.offset).trim() === '';
  const indent = own ? indentAt(last.offset) : indentAt(map.offset) + unit;
  let at = last.offset + last.length;
  const comma = /^\s*,/.exec(text.slice(at));
  if (comma) at += comma[0].length;
  const member = `${comma ? '' : ','}${eol}${indent}${JSON.stringify(entry.name)}: ${entryText(entry, unit, indent, eol)}`;
  return text.slice(0, at) + member + text.slice(at);
}

/** A map the file does not have yet (a VS Code mcp.json with only `inputs`): created by jsonc-parser at the end of its parent. */
function createMap(text: string, serversAt: readonly string[], entry: NewServerEntry): string {
  const edits = modify(
    text,
    [...serversAt, entry.name],
    { command: entry.command, args: [...entry.args] },
    { formattingOptions: detectFormatting(text) },
  );
  return applyEdits(text, edits);
}
