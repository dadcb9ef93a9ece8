import { fileResult, parseJsoncDocument, propertyValue, readFields, readServerMapNodes } from './jsonc';
import { AdaptResult, RawServerEntry } from './types';

/** The fields of a context server an extension provides (Zed's `ContextServerSettingsContent::Extension`). */
const EXTENSION_FIELDS: ReadonlySet<string> = new Set(['source', 'enabled', 'remote', 'settings']);

/**
 * Zed's `settings.json` (lenient JSON): servers under `context_servers.<name>`, written as
 * `{ "source": "custom", "command": "...", "args": [], "env": {} }`, in the older
 * `{ "command": { "path", "args", "env" } }` shape, or as a remote `{ "url", "headers" }`.
 * Servers provided by a Zed extension are started from the extension's own code, with no command in
 * the file: they are skipped. Such an entry is `"source": "extension"`, or has no launch of its own and
 * only the fields of Zed's extension servers: what Zed writes for one (`{ "enabled": true, "remote":
 * false, "settings": {} }`), and `{}`, which Zed reads as one with no settings (its `ServerConfig` of
 * `command` and `settings`, both optional).
 */
export function adaptZedSettings(text: string): AdaptResult {
  const doc = parseJsoncDocument(text);
  // No cap while reading: extension servers are skipped after, so which ones are listed is known only then.
  const map = readServerMapNodes(doc, ['context_servers'], {}, Infinity);
  const entries: RawServerEntry[] = [];
  for (const { entry, node: entryNode } of map.entries) {
    const f = entry.fields;
    const fromExtension =
      f.source?.value === 'extension' ||
      (f.command === undefined &&
        f.url === undefined &&
        f.source?.value !== 'custom' &&
        (f.settings !== undefined || Object.keys(f).every((k) => EXTENSION_FIELDS.has(k))));
    if (fromExtension) continue;
    const command = f.command?.value;
    if (command !== null && typeof command === 'object' && !Array.isArray(command)) {
      // The older shape nests the launch in `command`; lift it to the flat fields every client uses.
      const node = propertyValue(entryNode, 'command');
      const inner = node ? readFields(doc, node) : {};
      const fields: RawServerEntry['fields'] = { ...f };
      delete fields.command;
      if (inner.path) fields.command = inner.path;
      for (const k of ['args', 'env'] as const) if (inner[k] && fields[k] === undefined) fields[k] = inner[k];
      entries.push({ ...entry, fields });
      continue;
    }
    entries.push(entry);
  }
  return fileResult(doc, map, entries);
}
