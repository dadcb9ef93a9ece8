import type * as Yaml from 'yaml';
import type { Node, Scalar, YAMLMap } from 'yaml';
import { yaml } from '../base/yamlLib';

const isMap = ((node: unknown) => yaml().isMap(node)) as typeof Yaml.isMap;
const isScalar = ((node: unknown) => yaml().isScalar(node)) as typeof Yaml.isScalar;
const isSeq = ((node: unknown) => yaml().isSeq(node)) as typeof Yaml.isSeq;
const parseDocument = ((source: string, options?: Yaml.ParseOptions & Yaml.DocumentOptions & Yaml.SchemaOptions) =>
  yaml().parseDocument(source, options)) as typeof Yaml.parseDocument;
const visit = ((node: Yaml.Document, visitor: Yaml.visitor) => yaml().visit(node, visitor)) as typeof Yaml.visit;
import { Position } from '../base/model';
import { jsonServerMapAdapter } from './jsonc';
import { excessiveNesting, MAX_NESTING } from './nesting';
import { LineMap } from './position';
import { refusedOverSize } from './sizeLimit';
import { AdaptResult, FileDiagnostic, RawServerEntry } from './types';

/** An alias expanding into more nodes than this is refused (the "billion laughs" file). */
const MAX_ALIAS_COUNT = 100;

/**
 * YAML files larger than this are refused unread. The YAML parser reads about ten times slower
 * than the JSON one, so the general 10 MiB limit would let one YAML file hold up a refresh for
 * seconds; Continue's files are a few kilobytes.
 */
export const MAX_YAML_BYTES = 1024 * 1024;

/**
 * Continue's YAML: `config.yaml` and the block files under `mcpServers/` both hold an
 * `mcpServers:` list of `{name, type, command, args, env, cwd, url, requestOptions}`. Hub
 * references (`- uses: owner/block`) have no local definition and are skipped.
 */
export function adaptContinueYaml(text: string): AdaptResult {
  const opened = openYaml(text);
  if (!('read' in opened)) return opened;
  const { result, read } = opened;
  const list = serverList(read);
  list?.items.forEach((item, index) => {
    const entry = serverItem(item, index, read);
    if (entry) result.entries.push(entry);
  });
  return result;
}

/**
 * YAML whose `mcpServers` is a mapping of name -> server, as JSON files have it (Kiro's Markdown
 * agents' front matter): each server's fields at their positions.
 */
export function adaptYamlServerMap(text: string): AdaptResult {
  const opened = openYaml(text);
  if (!('read' in opened)) return opened;
  const { result, read } = opened;
  const map = topLevel(read, 'mcpServers');
  if (map === undefined) return result;
  if (!isMap(map)) {
    result.diagnostics.push({
      severity: 'error',
      ...read.at(map),
      message: `"mcpServers" must be a mapping of server names to servers, found ${describeYaml(map)}`,
    });
    return result;
  }
  for (const pair of map.items) {
    const name = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof name !== 'string') continue;
    const position = read.at(pair.key as Node);
    if (!isMap(pair.value)) {
      result.diagnostics.push({
        severity: 'error',
        ...(position ?? {}),
        message: `server "${name}" must be a mapping, found ${describeYaml(pair.value as Node | null)}`,
      });
      continue;
    }
    result.entries.push({
      name,
      ...(position ? { position } : {}),
      keyPath: ['mcpServers', name],
      fields: serverFields(pair.value, name, read),
    });
  }
  return result;
}

/** A YAML file parsed for its servers, or why it is not read (too large, nested too deep). */
function openYaml(text: string): AdaptResult | { result: AdaptResult; read: YamlRead } {
  const refused = refusedOverSize(text, MAX_YAML_BYTES, 'YAML');
  if (refused) return refused;
  const result: AdaptResult = { entries: [], diagnostics: [] };
  const lines = new LineMap(text);
  const tooDeep = excessiveNesting(text, 'yaml');
  if (tooDeep >= 0) {
    result.diagnostics.push({
      severity: 'error',
      ...lines.position(tooDeep),
      message: `nested more than ${MAX_NESTING} levels deep; not read`,
    });
    return result;
  }
  const read: YamlRead = {
    doc: parseYaml(text, lines, result.diagnostics),
    at: (node) => (node?.range ? lines.position(node.range[0]) : undefined),
    diagnostics: result.diagnostics,
  };
  return { result, read };
}

/** A parsed YAML file, where its nodes are, and where its problems go. */
interface YamlRead {
  doc: ReturnType<typeof parseDocument>;
  at(node: Node | null | undefined): Position | undefined;
  diagnostics: FileDiagnostic[];
}

/** The YAML document, its errors, repeated keys and warnings noted at their positions. */
function parseYaml(text: string, lines: LineMap, diagnostics: FileDiagnostic[]): ReturnType<typeof parseDocument> {
  // prettyErrors off: the pretty form quotes the offending lines, which may hold a secret.
  // uniqueKeys off: the parser's own check compares each key with every earlier one of its map
  // (a mapping of 100,000 keys took minutes); repeatedKeys does the same check in one pass.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  for (const e of doc.errors)
    diagnostics.push({
      severity: 'error',
      ...lines.position(e.pos[0]),
      message: `invalid YAML: ${yamlReason(e.message)}`,
    });
  for (const offset of repeatedKeys(doc))
    diagnostics.push({
      severity: 'error',
      ...lines.position(offset),
      message: 'invalid YAML: Map keys must be unique',
    });
  for (const w of doc.warnings)
    diagnostics.push({
      severity: 'warning',
      ...lines.position(w.pos[0]),
      message: `YAML: ${yamlReason(w.message)}`,
    });
  return doc;
}

/**
 * The value of a key of the top-level mapping; undefined when there is none or it is null (an error
 * when the document is not a mapping).
 */
function topLevel({ doc, at, diagnostics }: YamlRead, key: string): Node | undefined {
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) return undefined;
  if (!isMap(root)) {
    diagnostics.push({
      severity: 'error',
      ...at(root),
      message: `expected a mapping at the top level, found ${describeYaml(root)}`,
    });
    return undefined;
  }
  const value = pairValue(root, key);
  if (value === undefined || value === null || (isScalar(value) && value.value === null)) return undefined;
  return value;
}

/** The `mcpServers` list of a top-level mapping; undefined when there is none (an error when it is not a list). */
function serverList(read: YamlRead): Yaml.YAMLSeq | undefined {
  const { at, diagnostics } = read;
  const list = topLevel(read, 'mcpServers');
  if (list === undefined) return undefined;
  if (!isSeq(list)) {
    diagnostics.push({
      severity: 'error',
      ...at(list),
      message: `"mcpServers" must be a list of servers, found ${describeYaml(list)}`,
    });
    return undefined;
  }
  return list;
}

/** One item of `mcpServers` as a raw entry; undefined for a hub reference, a websocket server, or an item without a name. */
function serverItem(item: unknown, index: number, read: YamlRead): RawServerEntry | undefined {
  const { at, diagnostics } = read;
  const where = `mcpServers[${index}]`;
  if (!isMap(item)) {
    diagnostics.push({
      severity: 'error',
      ...at(item as Node),
      message: `${where} must be a mapping with a name, found ${describeYaml(item as Node)}`,
    });
    return undefined;
  }
  if (pairValue(item, 'uses') !== undefined) return undefined;
  const nameNode = pairValue(item, 'name');
  const name = isScalar(nameNode) ? nameNode.value : undefined;
  if (typeof name !== 'string' || name === '') {
    diagnostics.push({
      severity: 'error',
      ...(at(nameNode) ?? at(item)),
      message: `${where} needs a "name" (a string)`,
    });
    return undefined;
  }
  const fields = serverFields(item, name, read);
  if (fields.type?.value === 'websocket') {
    diagnostics.push({
      severity: 'info',
      ...(fields.type.position ?? {}),
      message: `server "${name}": websocket servers are not tracked`,
    });
    return undefined;
  }
  const position = at(item);
  return { name, ...(position ? { position } : {}), keyPath: ['mcpServers', index], fields };
}

/** A server's fields but its name, each at its position; Continue's `requestOptions.headers` read as its headers. */
function serverFields(item: YAMLMap, name: string, { doc, at, diagnostics }: YamlRead): RawServerEntry['fields'] {
  const fields: RawServerEntry['fields'] = {};
  for (const pair of item.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== 'string' || key === 'name') continue;
    const valueNode = pair.value as Node | null;
    const position = at(valueNode) ?? at(pair.key as Node);
    const value = toPlain(valueNode, doc, diagnostics, position, `server "${name}": "${key}"`);
    fields[key] = { value, ...(position ? { position } : {}) };
  }
  // Continue sends HTTP headers from `requestOptions.headers`: read them as the server's headers.
  const options = fields.requestOptions?.value;
  if (
    options &&
    typeof options === 'object' &&
    !Array.isArray(options) &&
    'headers' in options &&
    fields.headers === undefined
  ) {
    fields.headers = {
      value: (options as Record<string, unknown>).headers,
      ...(fields.requestOptions.position ? { position: fields.requestOptions.position } : {}),
    };
  }
  return fields;
}

/** A block file under `mcpServers/`: YAML like config.yaml, or JSON in Claude's `{ "mcpServers": { ... } }` shape. */
export function adaptContinueBlock(text: string, file: string): AdaptResult {
  return /\.json$/i.test(file) ? continueJson(text) : adaptContinueYaml(text);
}

const continueJson = jsonServerMapAdapter(['mcpServers']);

/** Offsets of the scalar keys that repeat an earlier key of the same mapping: one pass, a set per mapping. */
function repeatedKeys(doc: ReturnType<typeof parseDocument>): number[] {
  const out: number[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value) && pair.key.range) out.push(pair.key.range[0]);
        seen.add(pair.key.value);
      }
    },
  });
  return out;
}

function pairValue(map: YAMLMap, key: string): Node | null | undefined {
  const pair = map.items.find((p) => isScalar(p.key) && (p.key as Scalar).value === key);
  return pair ? (pair.value as Node | null) : undefined;
}

function toPlain(
  node: Node | null,
  doc: ReturnType<typeof parseDocument>,
  diagnostics: FileDiagnostic[],
  position: Position | undefined,
  what: string,
): unknown {
  if (node === null) return null;
  try {
    const value: unknown = node.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT });
    if (isCyclic(value, new Set())) throw new Error('an alias refers to itself');
    return value;
  } catch (err) {
    diagnostics.push({
      severity: 'error',
      ...(position ?? {}),
      message: `${what} could not be read: ${yamlReason((err as Error).message)}`,
    });
    return undefined;
  }
}

/** A YAML anchor used inside itself makes a cyclic value: no config means that, and it would hang whoever walks it. */
function isCyclic(value: unknown, ancestors: Set<unknown>): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  const cyclic = Object.values(value).some((v) => isCyclic(v, ancestors));
  ancestors.delete(value);
  return cyclic;
}

function describeYaml(node: Node | null | undefined): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    return v === null
      ? 'null'
      : typeof v === 'string'
        ? 'a string'
        : typeof v === 'number'
          ? 'a number'
          : typeof v === 'boolean'
            ? 'a boolean'
            : 'a value';
  }
  return 'a value';
}

/** The first line of a yaml message, without its " at line L, column C" tail (the diagnostic carries the position). */
function yamlReason(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
