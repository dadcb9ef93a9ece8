import type * as Yaml from 'yaml';
import type { Node, Pair, Scalar, YAMLMap } from 'yaml';
import { yaml } from '../../base/yamlLib';
import { canonical } from './canonical';
import type { Translate } from '../translate';
import { checkedRewrite, rewriteRefusal } from './types';
import type { EntryDocument, EntryFormat, EntryRewrite, EntryValue, NewEntry, RawEntry, TextEdit } from './types';

/**
 * Continue's YAML. The document is parsed once (the `yaml` library's node positions) and only the
 * text of the entry's `command` value and `args` list is replaced: a flow list stays a flow list, a
 * block list stays a block list at its own indentation; comments and every other character stay.
 * Values are written as double-quoted YAML strings. The result is parsed again and must read exactly
 * as before but for the rewritten values. A key written twice (which YAML forbids, and the scan
 * reports) and a file that is not UTF-8 are refused.
 */
export const yamlEntry: EntryFormat = {
  open(text, encoding, t) {
    if (encoding !== 'utf8') return t('the file is not valid UTF-8; fix its encoding first');
    // uniqueKeys off: the parser's own check compares each key with every earlier one (quadratic);
    // repeated keys are found in one pass below.
    const doc = yaml().parseDocument(text, { prettyErrors: false, uniqueKeys: false });
    if (doc.errors.length > 0 || hasRepeatedKeys(doc))
      return t('the file has syntax errors (see Problems); fix them first');
    return new YamlDocument(text, doc, t);
  },
};

type Doc = ReturnType<typeof Yaml.parseDocument>;

function hasRepeatedKeys(doc: Doc): boolean {
  let repeated = false;
  yaml().visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!yaml().isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) repeated = true;
        seen.add(pair.key.value);
      }
      return repeated ? yaml().visit.BREAK : undefined;
    },
  });
  return repeated;
}

/** A scalar written plain or in quotes (not a block scalar): its text is one token to replace. */
function isPlainScalar(type: string | undefined): boolean {
  const { Scalar } = yaml();
  return type === Scalar.PLAIN || type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE;
}

interface Located {
  entry: RawEntry;
  map: YAMLMap;
  commandPair: Pair;
  command: Scalar;
  args?: Node;
}

type Edit = TextEdit;

class YamlDocument implements EntryDocument {
  private readonly edits: Edit[] = [];
  private readonly intended: Array<{ keyPath: readonly (string | number)[]; command: string; args: string[] }> = [];
  private readonly edited = new Set<YAMLMap>();
  private readonly eol: string;

  constructor(
    private readonly text: string,
    private readonly doc: Doc,
    private readonly t: Translate,
  ) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  read(keyPath: readonly (string | number)[]): RawEntry | string {
    const found = this.locate(keyPath);
    return typeof found === 'string' ? found : found.entry;
  }

  set(keyPath: readonly (string | number)[], next: NewEntry): string | undefined {
    const { t } = this;
    const found = this.locate(keyPath);
    if (typeof found === 'string') return found;
    if (this.edited.has(found.map)) return rewriteRefusal.twice(t);
    this.edited.add(found.map);
    const [start, end] = found.command.range!;
    this.edits.push({ offset: start, length: end - start, content: quoted(next.command) });
    const args = found.args;
    if (yaml().isSeq(args) && args.items.length > 0 && !args.flow) {
      // A block list: one `- "value"` per line at the column of its first item.
      const first = args.range![0];
      const last = (args.items[args.items.length - 1] as Node).range![1];
      const column = first - (this.text.lastIndexOf('\n', first - 1) + 1);
      const items = next.args.length
        ? next.args.map((a) => `- ${quoted(a)}`).join(this.eol + ' '.repeat(column))
        : '[]';
      this.edits.push({ offset: first, length: last - first, content: items });
    } else if (args) {
      const [s, e] = args.range!;
      this.edits.push({ offset: s, length: e - s, content: flowList(next.args) });
    } else if (found.map.flow) {
      this.edits.push({ offset: end, length: 0, content: `, args: ${flowList(next.args)}` });
    } else {
      // No args yet: a line of its own under `command`, at its key's column, after the command's line.
      const keyStart = (found.commandPair.key as Node).range![0];
      const column = keyStart - (this.text.lastIndexOf('\n', keyStart - 1) + 1);
      const lineEnd = this.text.indexOf('\n', end);
      const at = lineEnd < 0 ? this.text.length : this.text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
      this.edits.push({
        offset: at,
        length: 0,
        content: `${this.eol}${' '.repeat(column)}args: ${flowList(next.args)}`,
      });
    }
    this.intended.push({ keyPath, command: next.command.value, args: next.args.map((a) => a.value) });
    return undefined;
  }

  result(): EntryRewrite {
    return checkedRewrite(this.text, this.edits, this.t, (out) => this.holdsIntended(out));
  }

  /** Everything but the rewritten values must read as before; each entry as intended. */
  private holdsIntended(out: string): boolean {
    const again = yaml().parseDocument(out, { prettyErrors: false, uniqueKeys: false });
    if (again.errors.length > 0) return false;
    const expected = this.doc.toJS() as unknown;
    for (const { keyPath, command, args } of this.intended) {
      let node: unknown = expected;
      for (const k of keyPath) node = (node as Record<string | number, unknown>)[k];
      Object.assign(node as object, { command, args });
    }
    return canonical(expected) === canonical(again.toJS());
  }

  private locate(keyPath: readonly (string | number)[]): Located | string {
    const t = this.t;
    const map = this.doc.getIn(keyPath as (string | number)[], true);
    if (!yaml().isMap(map)) return t('no server entry at {0}', keyPath.map(String).join('.'));
    const pair = (name: string) => map.items.find((p) => yaml().isScalar(p.key) && p.key.value === name);
    const commandPair = pair('command');
    const command = commandPair?.value;
    if (!commandPair || !yaml().isScalar(command) || typeof command.value !== 'string' || command.value.length === 0)
      return t('the entry has no command');
    const layout = t('the entry is not written with plain values for `command` and `args`; wrap it by hand');
    if (!isPlainScalar(command.type) || !command.range) return layout;
    const argsNode = pair('args')?.value as Node | null | undefined;
    const args: string[] = [];
    if (argsNode !== undefined && argsNode !== null) {
      if (!yaml().isSeq(argsNode)) return t('"args" is not a list of strings');
      for (const item of argsNode.items) {
        if (!yaml().isScalar(item) || typeof item.value !== 'string') return t('"args" is not a list of strings');
        if (!isPlainScalar(item.type) || !item.range) return layout;
        args.push(item.value);
      }
      if (!argsNode.range) return layout;
    }
    return {
      entry: { command: command.value, args },
      map,
      commandPair,
      command,
      ...(argsNode ? { args: argsNode } : {}),
    };
  }
}

/** A YAML double-quoted string: JSON's escapes are YAML's. */
function quoted(v: EntryValue): string {
  return JSON.stringify(v.value);
}

function flowList(values: readonly EntryValue[]): string {
  return `[${values.map(quoted).join(', ')}]`;
}
