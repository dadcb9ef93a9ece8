import { FormattingOptions, Node, visit } from 'jsonc-parser';
import { lazyTree } from '../../sources/jsonTree';
import { excessiveNesting } from '../../sources/nesting';
import type { ConfigEncoding } from '../configText';
import type { Translate } from '../translate';
import { argsSplice } from './argsSplice';
import { checkedRewrite, rewriteRefusal } from './types';
import type { EntryDocument, EntryFormat, EntryRewrite, EntryValue, NewEntry, RawEntry, TextEdit } from './types';

/**
 * JSON with comments (every JSON client's file). The text is parsed once (jsonc-parser's scanner,
 * one level at a time: src/core/sources/jsonTree.ts) and each entry's `command` and `args` values
 * are replaced where they stand; every other character stays. A key written twice is read as the
 * client (JSON.parse) and the scan read it: the last one, at every level of the entry's path and
 * for `command` and `args` themselves. A value moved (the old command into the guard's arguments,
 * and back) keeps its own text; a new value is written as a JSON string, in a file that is not UTF-8
 * with every character past ASCII escaped, so no byte outside the edited values changes.
 */
export const jsoncEntry: EntryFormat = {
  open(text, encoding, t) {
    if (excessiveNesting(text, 'json') >= 0) return t('the file has syntax errors (see Problems); fix them first');
    let errors = 0;
    visit(text, { onError: () => errors++ }, { allowTrailingComma: true, disallowComments: false });
    const root = errors === 0 ? lazyTree(text) : undefined;
    // Editing around a syntax error could land anywhere: the user fixes the file first.
    if (!root) return t('the file has syntax errors (see Problems); fix them first');
    return new JsoncDocument(text, encoding, root, t);
  },
};

/** Indentation as the file already uses it, so inserted lines look like their neighbours. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = /^[ \t]+\S/m.exec(text)?.[0];
  if (indented?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  const spaces = indented ? indented.length - indented.trimStart().length : 2;
  return { insertSpaces: true, tabSize: Math.min(spaces, 8) || 2, eol };
}

type Edit = TextEdit;

class JsoncDocument implements EntryDocument {
  private readonly edits: Edit[] = [];
  private readonly intended: Array<{ node: Node; edits: Edit[]; command: string; args: string[] }> = [];
  private readonly edited = new Set<number>();
  private readonly indexes = new WeakMap<Node, Map<string, Node>>();
  private formatting: FormattingOptions | undefined;

  constructor(
    private readonly text: string,
    private readonly encoding: ConfigEncoding,
    private readonly root: Node,
    private readonly t: Translate,
  ) {}

  read(keyPath: readonly (string | number)[]): RawEntry | string {
    const found = this.entryAt(keyPath);
    return typeof found === 'string' ? found : found.entry;
  }

  set(keyPath: readonly (string | number)[], entry: NewEntry): string | undefined {
    const { t } = this;
    const found = this.entryAt(keyPath);
    if (typeof found === 'string') return found;
    if (this.edited.has(found.node.offset)) return rewriteRefusal.twice(t);
    this.edited.add(found.node.offset);
    const format = (this.formatting ??= detectFormatting(this.text));
    const unit = format.insertSpaces ? ' '.repeat(format.tabSize ?? 2) : '\t';
    // The entry's members sit one level below its own key: `args`' elements one more.
    const level = keyPath.length + 1;
    const array = this.arrayText(entry.args, level, unit, format.eol ?? '\n');
    const { command, args } = found;
    const edits: Edit[] = [{ offset: command.offset, length: command.length, content: this.valueText(entry.command) }];
    if (args) edits.push(...this.argsEdits(args, command, entry.args, array));
    else
      edits.push({
        offset: command.offset + command.length,
        length: 0,
        content: `,${format.eol ?? '\n'}${unit.repeat(level)}"args": ${array}`,
      });
    this.edits.push(...edits);
    this.intended.push({ node: found.node, edits, command: entry.command.value, args: entry.args.map((a) => a.value) });
    return undefined;
  }

  result(): EntryRewrite {
    return checkedRewrite(this.text, this.edits, this.t, () => this.holdsIntended());
  }

  /**
   * Each entry is read again as the client will read it and must hold what was meant. Every edit
   * lies inside its entry's object, and the text around the objects is as it was (and parsed
   * without an error): each rewritten object read on its own stands for the whole file.
   */
  private holdsIntended(): boolean {
    for (const want of this.intended) {
      const { node } = want;
      let object = this.text.slice(node.offset, node.offset + node.length);
      for (const e of [...want.edits].sort((a, b) => b.offset - a.offset))
        object = object.slice(0, e.offset - node.offset) + e.content + object.slice(e.offset - node.offset + e.length);
      const again = jsoncEntry.open(object, this.encoding, this.t);
      const got = typeof again === 'string' ? again : again.read([]);
      if (
        typeof got === 'string' ||
        got.command !== want.command ||
        got.args.length !== want.args.length ||
        got.args.some((a, i) => a !== want.args[i])
      )
        return false;
    }
    return true;
  }

  /**
   * The edits of a written `args` array: values put in front of the written ones, or the front ones
   * taken away, edit only those values in the array's own layout (argsSplice.ts), so an Unwrap gives
   * back the bytes its Wrap found; anything else rewrites the array (`array`).
   */
  private argsEdits(args: Node, command: Node, next: readonly EntryValue[], array: string): Edit[] {
    const own = (n: Node) => this.text.slice(n.offset, n.offset + n.length);
    const elements = args.children ?? [];
    const splice = argsSplice(elements.map(own), next);
    const whole: Edit = { offset: args.offset, length: args.length, content: array };
    // What stands between `[` and the first value: on its own line, each value put in front gets one too.
    const lead = elements.length ? this.text.slice(args.offset + 1, elements[0].offset) : '';
    const eol = lead.lastIndexOf('\n');
    const multiLine = eol >= 0;
    switch (splice.kind) {
      case 'rewrite':
        return [whole];
      case 'replace':
        return splice.values.map(({ index, value }) => ({
          offset: elements[index].offset,
          length: elements[index].length,
          content: this.valueText(value),
        }));
      case 'prepend': {
        if (splice.values.length === 0) return [];
        if (elements.length === 0)
          return [{ ...whole, content: `[${splice.values.map((v) => this.valueText(v)).join(', ')}]` }];
        const separator = multiLine ? `,${lead.slice(lead[eol - 1] === '\r' ? eol - 1 : eol)}` : ', ';
        const content = splice.values.map((v) => this.valueText(v) + separator).join('');
        return [{ offset: elements[0].offset, length: 0, content }];
      }
      case 'drop': {
        if (splice.count < elements.length)
          return [
            { offset: elements[0].offset, length: elements[splice.count].offset - elements[0].offset, content: '' },
          ];
        // Every value goes. An `args` written one value a line right after `command` is the one a
        // Wrap added to an entry that had none: it goes as a whole; any other becomes `[]`.
        const end = command.offset + command.length;
        if (multiLine && /^,\r?\n[ \t]*"args": $/.test(this.text.slice(end, args.offset)))
          return [{ offset: end, length: args.offset + args.length - end, content: '' }];
        return [{ ...whole, content: '[]' }];
      }
    }
  }

  /** A value as it is written: its own text when moved, else a JSON string (ASCII only in a file that is not UTF-8). */
  private valueText(v: EntryValue): string {
    if (v.raw !== undefined) return v.raw;
    const json = JSON.stringify(v.value);
    return this.encoding === 'utf8'
      ? json
      : json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }

  /** An array of values, one per line, indented by nesting level as jsonc-parser's formatter does. */
  private arrayText(values: readonly EntryValue[], level: number, unit: string, eol: string): string {
    if (values.length === 0) return '[]';
    const inner = unit.repeat(level + 1);
    return `[${eol}${values.map((v) => inner + this.valueText(v)).join(`,${eol}`)}${eol}${unit.repeat(level)}]`;
  }

  /**
   * The value of the last property of `object` named `name` (the one JSON.parse keeps). Each object
   * is indexed once, so a map of thousands of servers costs one pass, not one per entry.
   */
  private lastProperty(object: Node, name: string): Node | undefined {
    let index = this.indexes.get(object);
    if (!index) {
      index = new Map();
      for (const prop of object.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (k && v && typeof k.value === 'string') index.set(k.value, v);
      }
      this.indexes.set(object, index);
    }
    const found = index.get(name);
    // In a file that is not UTF-8 a key reads as its bytes.
    return found ?? (this.encoding === 'bytes' ? index.get(Buffer.from(name, 'utf8').toString('latin1')) : undefined);
  }

  private entryAt(
    keyPath: readonly (string | number)[],
  ): { entry: RawEntry; node: Node; command: Node; args?: Node } | string {
    const t = this.t;
    let node: Node | undefined = this.root;
    for (const k of keyPath) {
      if (!node) break;
      if (node.type === 'object') node = this.lastProperty(node, String(k));
      else if (node.type === 'array' && typeof k === 'number') node = node.children?.[k];
      else node = undefined;
    }
    if (!node || node.type !== 'object') return t('no server entry at {0}', keyPath.map(String).join('.'));
    const command = this.lastProperty(node, 'command');
    if (!command || command.type !== 'string' || typeof command.value !== 'string' || command.value.length === 0)
      return t('the entry has no command');
    const args = this.lastProperty(node, 'args');
    const elements = args ? (args.type === 'array' ? (args.children ?? []) : undefined) : [];
    if (!elements || !elements.every((a) => a.type === 'string' && typeof a.value === 'string'))
      return t('"args" is not a list of strings');
    const own = (n: Node) => this.text.slice(n.offset, n.offset + n.length);
    return {
      entry: {
        command: command.value as string,
        args: elements.map((a) => a.value as string),
        raw: [own(command), ...elements.map(own)],
      },
      node,
      command,
      ...(args ? { args } : {}),
    };
  }
}
