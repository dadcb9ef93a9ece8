import {
  createScanner,
  getNodeValue,
  Node,
  ParseError,
  parseTree,
  printParseErrorCode,
  SyntaxKind,
  visit,
} from 'jsonc-parser';
import { MAX_DIAGNOSTICS_PER_FILE, MAX_SERVERS_PER_FILE } from './caps';
import { forEachProperty, lazyTree } from './jsonTree';
import { excessiveNesting, MAX_NESTING } from './nesting';
import { kindOf } from './kind';
import { LineMap } from './position';
import { AdaptResult, FileDiagnostic, RawServerEntry } from './types';

/** A JSONC document with its line map: parsed once, then read by several server maps. */
export interface JsoncDocument {
  root: Node | undefined;
  lines: LineMap;
  diagnostics: FileDiagnostic[];
  /** Syntax errors past MAX_DIAGNOSTICS_PER_FILE: counted, not written out. */
  omitted?: number;
}

/**
 * A file with syntax errors larger than this is not read for servers, only its errors reported.
 * Reading around errors needs parseTree's full tree (a node per token): over 5 s for 10 MiB of
 * tiny servers, where an error-free file of that size takes a second.
 */
export const MAX_RECOVERED_BYTES = 5 * 1024 * 1024;

/**
 * Parses JSON with comments and trailing commas (what VS Code, Cursor and Zed accept), the way
 * VS Code does: with jsonc-parser, keeping going after errors so that one bad entry does not hide
 * the rest. Every syntax error becomes a diagnostic at its line and column.
 */
export function parseJsoncDocument(text: string): JsoncDocument {
  const lines = new LineMap(text);
  const tooDeep = excessiveNesting(text, 'json');
  if (tooDeep >= 0) {
    return {
      root: undefined,
      lines,
      diagnostics: [
        {
          severity: 'error',
          ...lines.position(tooDeep),
          message: `nested more than ${MAX_NESTING} levels deep; not read`,
        },
      ],
    };
  }
  const errors: ParseError[] = [];
  const options = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true };
  let root: Node | undefined;
  let tooBigToRecover = false;
  try {
    // A first pass that only collects errors; an error-free text (nearly every file) is then read
    // lazily, a level at a time; a broken one gets parseTree's full tree and its error recovery.
    visit(text, { onError: (error, offset, length) => errors.push({ error, offset, length }) }, options);
    tooBigToRecover = errors.length > 0 && Buffer.byteLength(text, 'utf8') > MAX_RECOVERED_BYTES;
    root = errors.length === 0 ? lazyTree(text) : tooBigToRecover ? undefined : parseTree(text, [], options);
  } catch (err) {
    // Not expected below the nesting limit; if the parser fails anyway, the file is reported, not the scan.
    return {
      root: undefined,
      lines,
      diagnostics: [{ severity: 'error', message: `could not be parsed: ${(err as Error).message}` }],
    };
  }
  const diagnostics: FileDiagnostic[] = [];
  let omitted = 0;
  if (tooBigToRecover) {
    diagnostics.push({
      severity: 'error',
      message: `has syntax errors and is over ${(MAX_RECOVERED_BYTES / (1024 * 1024)).toFixed(1)} MiB: no servers read from it (a smaller file is read around its errors)`,
    });
  }
  for (const place of errorPlaces(text, errors)) {
    if (diagnostics.length < MAX_DIAGNOSTICS_PER_FILE)
      diagnostics.push({
        severity: 'error',
        ...lines.position(place.offset),
        message: `invalid JSON: ${place.messages.join('; ')}`,
      });
    else omitted++;
  }
  if (root !== undefined && root.type !== 'object') {
    diagnostics.push({
      severity: 'error',
      ...lines.position(root.offset),
      message: `expected an object at the top level, found ${describeNode(root)}`,
    });
  }
  return { root: root?.type === 'object' ? root : undefined, lines, diagnostics, ...countsOf({ omitted }) };
}

/**
 * The parser's errors as places: one typo is one problem. A `,,` is reported twice where it stands
 * ("property name expected", "value expected"), and `{,,` once per comma; errors at one place, and
 * errors at commas apart by nothing but white space, are one problem with their messages joined. An
 * unclosed object nested in another reports the same error once per level: said once.
 */
export function errorPlaces(text: string, errors: readonly ParseError[]): { offset: number; messages: string[] }[] {
  const places: { offset: number; end: number; comma: boolean; messages: string[] }[] = [];
  for (const e of [...errors].sort((a, b) => a.offset - b.offset)) {
    const message = describeParseError(printParseErrorCode(e.error));
    const last = places[places.length - 1];
    const commas = last?.comma && text[e.offset] === ',' && /^\s*$/.test(text.slice(last.end, e.offset));
    if (last && (e.offset <= last.end || commas)) {
      if (!last.messages.includes(message)) last.messages.push(message);
      last.end = Math.max(last.end, e.offset + e.length);
      continue;
    }
    places.push({ offset: e.offset, end: e.offset + e.length, comma: text[e.offset] === ',', messages: [message] });
  }
  return places.map(({ offset, messages }) => ({ offset, messages }));
}

function describeParseError(code: string): string {
  // "CloseBraceExpected" -> "close brace expected"
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** "an array", "a string"...: how a parsed node reads in a message. */
export function describeNode(node: Node): string {
  return kindOf(node.type === 'array' ? [] : node.type === 'object' ? {} : node.value);
}

/** An error at a node of the wrong type: `what` it must be, then what it is, then `after` (what follows from it). */
export function misshapen(lines: LineMap, node: Node, what: string, after = ''): FileDiagnostic {
  return { severity: 'error', ...lines.position(node.offset), message: `${what}, found ${describeNode(node)}${after}` };
}

/**
 * Reads the object at `keyPath` as a map of server name -> server object (`servers` in VS Code's
 * mcp.json, `mcpServers` in Claude-style files, `context_servers` in Zed's settings).
 * A missing map is no servers; a map, an object on the way to it (`"mcp": 5` in settings.json) or
 * an entry of the wrong type is a diagnostic at its position.
 */
export function readServerMap(doc: JsoncDocument, keyPath: string[], extra: Partial<RawServerEntry> = {}): AdaptResult {
  const map = readServerMapNodes(doc, keyPath, extra);
  return { entries: map.entries.map((e) => e.entry), diagnostics: map.diagnostics, ...countsOf(map) };
}

/** A server entry with the object node it was read from (for adapters that look further into it). */
export interface EntryWithNode {
  entry: RawServerEntry;
  node: Node;
}

/** readServerMap, keeping each entry's node. `cap`: see readServersOf. */
export function readServerMapNodes(
  doc: JsoncDocument,
  keyPath: string[],
  extra: Partial<RawServerEntry> = {},
  cap = MAX_SERVERS_PER_FILE,
): ServerMap {
  const diagnostics: FileDiagnostic[] = [];
  if (!doc.root) return { entries: [], diagnostics };
  let node: Node = doc.root;
  for (const [i, key] of keyPath.entries()) {
    if (node.type !== 'object') {
      const where = keyPath.slice(0, i).join('.');
      diagnostics.push(misshapen(doc.lines, node, `"${where}" must be an object`, '; no servers read from it'));
      return { entries: [], diagnostics };
    }
    const next = propertyValue(node, key);
    if (!next) return { entries: [], diagnostics };
    node = next;
  }
  const map = readServersOf(doc, node, keyPath, extra, cap);
  return { entries: map.entries, diagnostics: [...diagnostics, ...map.diagnostics], ...countsOf(map) };
}

/** The servers of one map and its problems, with their counts when cut short (see AdaptResult). */
export interface ServerMap {
  entries: EntryWithNode[];
  diagnostics: FileDiagnostic[];
  omitted?: number;
  total?: number;
}

/** The value of an object node's property named `key`; of its last one when written twice, as JSON.parse reads it. */
export function propertyValue(objectNode: Node, key: string): Node | undefined {
  let found: Node | undefined;
  for (const prop of objectNode.children ?? []) {
    const [k, v] = prop.children ?? [];
    if (k?.value === key && v) found = v;
  }
  return found;
}

/**
 * The servers of one map node. A name defined twice keeps its last definition, as JSON.parse does,
 * with a warning at the repeat; each repeat costs O(1) (a map keyed by name, only ever set), so a
 * file of thousands of repeated names reads in linear time.
 * The scan lists the first `cap` servers of a file and MAX_DIAGNOSTICS_PER_FILE problems: past
 * those, servers are counted by name only (their fields unread) and problems only counted.
 */
export function readServersOf(
  doc: JsoncDocument,
  map: Node,
  keyPath: (string | number)[],
  extra: Partial<RawServerEntry> = {},
  cap = MAX_SERVERS_PER_FILE,
): ServerMap {
  const diagnostics: FileDiagnostic[] = [];
  let omitted = 0;
  const where = keyPath.join('.');
  if (map.type !== 'object') {
    diagnostics.push(misshapen(doc.lines, map, `"${where}" must be an object mapping server names to servers`));
    return { entries: [], diagnostics };
  }
  // The surviving definitions, in the order JSON.parse keeps them: a name stands where its last
  // definition is. Each definition is kept, with the index of each name's last one; a Map entry is
  // only ever set, never deleted and set again (V8 compacts a Map's table when deleted entries fill
  // it: one delete+set per repeat of a name made 250,000 repeats quadratic).
  const definitions: Array<{ name: string; keyOffset: number; value: Node | null }> = [];
  const lastDefinition = new Map<string, number>();
  forEachProperty(map, (name, keyOffset, valueNode) => {
    if (lastDefinition.has(name)) {
      if (diagnostics.length < MAX_DIAGNOSTICS_PER_FILE)
        diagnostics.push({
          severity: 'warning',
          ...doc.lines.position(keyOffset),
          message: `server "${name}" is defined twice in "${where}"; the last definition is used`,
        });
      else omitted++;
    }
    lastDefinition.set(name, definitions.length);
    // A name whose last definition is not an object is kept as `null`, skipped below.
    if (!valueNode || valueNode.type !== 'object') {
      if (diagnostics.length < MAX_DIAGNOSTICS_PER_FILE)
        diagnostics.push({
          severity: 'error',
          ...doc.lines.position(keyOffset),
          message: `server "${name}" must be an object, found ${valueNode ? describeNode(valueNode) : 'nothing'}`,
        });
      else omitted++;
      definitions.push({ name, keyOffset, value: null });
      return;
    }
    definitions.push({ name, keyOffset, value: valueNode });
  });
  // Past the cap the scan names only the first server left out (at its position): the rest are counted.
  const entries: EntryWithNode[] = [];
  let total = 0;
  for (const [i, { name, keyOffset, value }] of definitions.entries()) {
    if (value === null || lastDefinition.get(name) !== i) continue;
    if (total++ > cap) continue;
    const fields = entries.length < cap ? readFields(doc, value) : {};
    entries.push({
      entry: { name, position: doc.lines.position(keyOffset), keyPath: [...keyPath, name], fields, ...extra },
      node: value,
    });
  }
  return { entries, diagnostics, ...countsOf({ omitted, total: total > entries.length ? total : undefined }) };
}

/** The members of an object node as raw fields, each with the position of its value. */
export function readFields(doc: JsoncDocument, objectNode: Node): RawServerEntry['fields'] {
  const fields: RawServerEntry['fields'] = {};
  for (const prop of objectNode.children ?? []) {
    const [k, v] = prop.children ?? [];
    if (!k || typeof k.value !== 'string' || !v) continue;
    fields[k.value] = { value: getNodeValue(v), position: doc.lines.position(v.offset) };
  }
  return fields;
}

/** An adapter for files whose servers sit in one map at `keyPath`. */
export function jsonServerMapAdapter(
  keyPath: string[],
): ((text: string) => AdaptResult) & { readonly serversAt: readonly string[] } {
  const adapter = (text: string): AdaptResult => {
    const doc = parseJsoncDocument(text);
    const map = readServerMap(doc, keyPath);
    return fileResult(doc, map, map.entries);
  };
  // Where the servers' map sits: a new entry (Add to Config) goes there.
  return Object.assign(adapter, { serversAt: keyPath });
}

/**
 * An adapter's result for one file: its entries, its problems (by default the document's, then its
 * server map's), and the counts of what the document and the map left out.
 */
export function fileResult(
  doc: JsoncDocument,
  map: { diagnostics: FileDiagnostic[]; omitted?: number; total?: number },
  entries: RawServerEntry[],
  diagnostics: FileDiagnostic[] = [...doc.diagnostics, ...map.diagnostics],
): AdaptResult {
  return { entries, diagnostics, ...countsOf({ omitted: (doc.omitted ?? 0) + (map.omitted ?? 0), total: map.total }) };
}

/** The counts of a result whose lists were cut short (AdaptResult.omitted, .total); nothing when neither was. */
export function countsOf(r: { omitted?: number; total?: number }): { omitted?: number; total?: number } {
  return { ...(r.omitted ? { omitted: r.omitted } : {}), ...(r.total !== undefined ? { total: r.total } : {}) };
}

/** Whether JSON text holds what only JSONC allows: a comment or a trailing comma. */
export function holdsJsoncOnly(text: string): boolean {
  const scanner = createScanner(text, false);
  let last: SyntaxKind | undefined;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.LineCommentTrivia || kind === SyntaxKind.BlockCommentTrivia) return true;
    if (kind === SyntaxKind.Trivia || kind === SyntaxKind.LineBreakTrivia) continue;
    if (
      last === SyntaxKind.CommaToken &&
      (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken)
    )
      return true;
    last = kind;
  }
  return false;
}
