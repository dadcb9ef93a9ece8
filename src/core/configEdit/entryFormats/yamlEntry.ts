import { isMap, isSeq, parseDocument } from 'yaml';
import { EntryFormat } from './types';
import { english } from '../translate';

/**
 * Continue's YAML: edited through the `yaml` library's document model, which keeps comments and
 * the style of the nodes it does not touch (a flow-style args list stays flow style).
 */
export const yamlEntry: EntryFormat = {
  read(text, keyPath, t = english) {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) return t('the file has syntax errors (see Problems); fix them first');
    const node = doc.getIn(keyPath, true);
    if (!isMap(node)) return t('no server entry at {0}', keyPath.map(String).join('.'));
    const value = node.toJSON() as { command?: unknown; args?: unknown };
    if (typeof value.command !== 'string' || value.command.length === 0) return t('the entry has no command');
    const args = value.args ?? [];
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return t('"args" is not a list of strings');
    return { command: value.command, args };
  },
  write(text, keyPath, entry) {
    const doc = parseDocument(text);
    const old = doc.getIn([...keyPath, 'args'], true);
    doc.setIn([...keyPath, 'command'], entry.command);
    const args = doc.createNode(entry.args);
    if (isSeq(old) && old.flow) args.flow = true;
    doc.setIn([...keyPath, 'args'], args);
    return doc.toString({ lineWidth: 0 });
  },
};
