import { Node, ParseError, findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import { excessiveNesting, MAX_NESTING } from './nesting';
import { kindOf } from './kind';
import { LineMap } from './position';
import { AdaptResult, FileDiagnostic, RawServerEntry } from './types';

/** A JSONC document with its line map: parsed once, then read by several server maps. */
export interface JsoncDocument {
  root: Node | undefined;
  lines: LineMap;
  diagnostics: FileDiagnostic[];
}

/**
 * Parses JSON with comments and trailing commas (what VS Code, Cursor and Zed accept), the way
 * VS Code does: with jsonc-parser, keeping going after errors so that one bad entry does not hide
 * the rest. Every syntax error becomes a diagnostic at its line and column.
 */
export function parseJsoncDocument(text: string): JsoncDocument {
  const lines = new LineMap(text);
  const tooDeep = excessiveNesting(text, 'json');
  if (tooDeep >= 0) {
    return { root: undefined, lines, diagnostics: [{ severity: 'error', ...lines.position(tooDeep), message: `nested more than ${MAX_NESTING} levels deep; not read` }] };
  }
  const errors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  } catch (err) {
    // Not expected below the nesting limit; if the parser fails anyway, the file is reported, not the scan.
    return { root: undefined, lines, diagnostics: [{ severity: 'error', message: `could not be parsed: ${(err as Error).message}` }] };
  }
  const diagnostics: FileDiagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // An unclosed object nested in another reports the same error once per level: keep one.
    const key = `${e.offset}:${e.error}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push({ severity: 'error', ...lines.position(e.offset), message: `invalid JSON: ${describeParseError(printParseErrorCode(e.error))}` });
  }
  if (root !== undefined && root.type !== 'object') {
    diagnostics.push({ severity: 'error', ...lines.position(root.offset), message: `expected an object at the top level, found ${describeNode(root)}` });
  }
  return { root: root?.type === 'object' ? root : undefined, lines, diagnostics };
}

function describeParseError(code: string): string {
  // "CloseBraceExpected" -> "close brace expected"
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** "an array", "a string"...: how a parsed node reads in a message. */
export function describeNode(node: Node): string {
  return kindOf(node.type === 'array' ? [] : node.type === 'object' ? {} : node.value);
}

/**
 * Reads the object at `keyPath` as a map of server name -> server object (`servers` in VS Code's
 * mcp.json, `mcpServers` in Claude-style files, `context_servers` in Zed's settings).
 * A missing map is no servers; a map or entry of the wrong type is a diagnostic at its position.
 */
export function readServerMap(doc: JsoncDocument, keyPath: string[], extra: Partial<RawServerEntry> = {}): AdaptResult {
  const result: AdaptResult = { entries: [], diagnostics: [] };
  if (!doc.root) return result;
  const map = findNodeAtLocation(doc.root, keyPath);
  if (!map) return result;
  const where = keyPath.join('.');
  if (map.type !== 'object') {
    result.diagnostics.push({ severity: 'error', ...doc.lines.position(map.offset), message: `"${where}" must be an object mapping server names to servers, found ${describeNode(map)}` });
    return result;
  }
  const seen = new Set<string>();
  for (const prop of map.children ?? []) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (!keyNode || typeof keyNode.value !== 'string') continue;
    const name = keyNode.value;
    const position = doc.lines.position(keyNode.offset);
    if (seen.has(name)) {
      result.diagnostics.push({ severity: 'warning', ...position, message: `server "${name}" is defined twice in "${where}"; the last definition is used` });
      result.entries = result.entries.filter((e) => e.name !== name);
    }
    seen.add(name);
    if (!valueNode || valueNode.type !== 'object') {
      result.diagnostics.push({ severity: 'error', ...position, message: `server "${name}" must be an object, found ${valueNode ? describeNode(valueNode) : 'nothing'}` });
      continue;
    }
    result.entries.push({ name, position, keyPath: [...keyPath, name], fields: readFields(doc, valueNode), ...extra });
  }
  return result;
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
export function jsonServerMapAdapter(keyPath: string[]): (text: string) => AdaptResult {
  return (text) => {
    const doc = parseJsoncDocument(text);
    const map = readServerMap(doc, keyPath);
    return { entries: map.entries, diagnostics: [...doc.diagnostics, ...map.diagnostics] };
  };
}
