import type * as Yaml from 'yaml';
import type { Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { yaml } from '../../base/yamlLib';
import { argsSplice } from './argsSplice';
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
    if (yaml().isSeq(args)) this.edits.push(...this.argsEdits(found, args, next.args));
    else if (args) {
      const [s, e] = args.range!;
      this.edits.push({ offset: s, length: e - s, content: flowList(next.args) });
    } else if (found.map.flow) {
      this.edits.push({ offset: end, length: 0, content: `, args: ${flowList(next.args)}` });
    } else if (next.args.length > 0) {
      // No args yet: a block list under `command`, at its key's column, after the command's line (an
      // Unwrap knows it as the one Wrap added, and takes it away).
      const column = ' '.repeat(this.columnOf((found.commandPair.key as Node).range![0]));
      const items = next.args.map((a) => `${this.eol}${column}  - ${quoted(a)}`).join('');
      this.edits.push({ offset: this.lineEnd(end), length: 0, content: `${this.eol}${column}args:${items}` });
    }
    this.intended.push({ keyPath, command: next.command.value, args: next.args.map((a) => a.value) });
    return undefined;
  }

  /**
   * The edits of a written `args` list: values put in front of the written ones, or the front ones
   * taken away, edit only those items in the list's own style (argsSplice.ts), so an Unwrap gives
   * back the bytes its Wrap found; anything else rewrites the list.
   */
  private argsEdits(found: Located, args: YAMLSeq, next: readonly EntryValue[]): Edit[] {
    const items = args.items as Scalar[];
    const [s, e] = args.range!;
    const splice = argsSplice(found.entry.raw?.slice(1) ?? [], next);
    const block = items.length > 0 && !args.flow;
    const first = items[0]?.range![0];
    // A block item starts at its `- `; a flow item at its value.
    const startOf = (item: Scalar) => (block ? this.text.lastIndexOf('-', item.range![0] - 1) : item.range![0]);
    const whole = (content: string): Edit => {
      if (!block) return { offset: s, length: e - s, content };
      const at = startOf(items[0]);
      return { offset: at, length: items[items.length - 1].range![1] - at, content };
    };
    const column = block ? ' '.repeat(this.columnOf(startOf(items[0]))) : '';
    switch (splice.kind) {
      case 'rewrite':
        return [
          whole(block && next.length ? next.map((a) => `- ${quoted(a)}`).join(this.eol + column) : flowList(next)),
        ];
      case 'replace':
        return splice.values.map(({ index, value }) => ({
          offset: items[index].range![0],
          length: items[index].range![1] - items[index].range![0],
          content: quoted(value),
        }));
      case 'prepend':
        if (splice.values.length === 0) return [];
        if (items.length === 0) return [whole(flowList(splice.values))];
        return [
          {
            offset: startOf(items[0]),
            length: 0,
            content: splice.values
              .map((v) => (block ? `- ${quoted(v)}${this.eol}${column}` : `${quoted(v)}, `))
              .join(''),
          },
        ];
      case 'drop': {
        if (splice.count < items.length)
          return [{ offset: startOf(items[0]), length: startOf(items[splice.count]) - startOf(items[0]), content: '' }];
        // Every item goes. A block list just under `command` is the one a Wrap added to an entry
        // that had none: it goes with its key; any other becomes `[]`.
        const at = this.lineEnd(found.command.range![1]);
        if (block && first !== undefined && /^\r?\n *args:\r?\n *$/.test(this.text.slice(at, startOf(items[0]))))
          return [{ offset: at, length: items[items.length - 1].range![1] - at, content: '' }];
        return [whole('[]')];
      }
    }
  }

  /** The column of `offset` in its line. */
  private columnOf(offset: number): number {
    return offset - (this.text.lastIndexOf('\n', offset - 1) + 1);
  }

  /** Where the line holding `offset` ends (before its `\r` in a CRLF file). */
  private lineEnd(offset: number): number {
    const lineEnd = this.text.indexOf('\n', offset);
    return lineEnd < 0 ? this.text.length : this.text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
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
    const after = again.toJS() as unknown;
    for (const { keyPath, args } of this.intended) {
      // No args written reads as none: an Unwrap takes away the args its Wrap added.
      let node: unknown = after;
      for (const k of keyPath) node = (node as Record<string | number, unknown> | undefined)?.[k];
      if (node && typeof node === 'object' && args.length === 0) (node as { args?: unknown }).args ??= [];
    }
    return canonical(expected) === canonical(after);
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
    const own = (n: Scalar) => this.text.slice(n.range![0], n.range![1]);
    const raw = [own(command)];
    if (argsNode !== undefined && argsNode !== null) {
      if (!yaml().isSeq(argsNode)) return t('"args" is not a list of strings');
      for (const item of argsNode.items) {
        if (!yaml().isScalar(item) || typeof item.value !== 'string') return t('"args" is not a list of strings');
        if (!isPlainScalar(item.type) || !item.range) return layout;
        args.push(item.value);
        raw.push(own(item));
      }
      if (!argsNode.range) return layout;
    }
    return {
      entry: { command: command.value, args, raw },
      map,
      commandPair,
      command,
      ...(argsNode ? { args: argsNode } : {}),
    };
  }
}

/**
 * A value as written: its own text when moved and it reads the same wherever it goes (quoted, or
 * plain without a character a flow list or a key would read otherwise); else a YAML double-quoted
 * string (JSON's escapes are YAML's).
 */
function quoted(v: EntryValue): string {
  const movable = v.raw !== undefined && (/^["']/.test(v.raw) || !/[,[\]{}#&*!|>%@`]|: |^[-?:](\s|$)/.test(v.raw));
  return movable ? v.raw! : JSON.stringify(v.value);
}

function flowList(values: readonly EntryValue[]): string {
  return `[${values.map(quoted).join(', ')}]`;
}
