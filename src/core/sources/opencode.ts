import { countsOf, parseJsoncDocument, readServerMapNodes } from './jsonc';
import { kindOf } from './kind';
import { AdaptResult, FileDiagnostic, RawServerEntry } from './types';

/**
 * opencode's config (`opencode.json`, `opencode.jsonc`; Kilo's `kilo.jsonc` is the same format):
 * servers under `mcp.<name>`, as `opencode mcp add` 1.18.33 and `kilo mcp add` 7.7.7 write them:
 * `{ "type": "local", "command": ["node", "server.js"], "environment": { "K": "V" } }` (the program
 * and its arguments in one array) or `{ "type": "remote", "url": "...", "headers": {} }`; either may
 * say `"enabled": false`. An entry of only `{ "enabled": ... }` switches a server defined in another
 * of its files on or off: it is no server of its own and is skipped.
 */
export function adaptOpencodeConfig(text: string): AdaptResult {
  const doc = parseJsoncDocument(text);
  const map = readServerMapNodes(doc, ['mcp']);
  const entries: RawServerEntry[] = [];
  const diagnostics: FileDiagnostic[] = [];
  for (const { entry } of map.entries) {
    const f = entry.fields;
    if (Object.keys(f).every((k) => k === 'enabled')) continue;
    const fields: RawServerEntry['fields'] = { ...f };
    // opencode reads `environment`; an `env` beside it is not its word and is not passed.
    delete fields.env;
    delete fields.environment;
    if (f.environment) fields.env = f.environment;
    const command = f.command;
    if (command !== undefined) {
      const words = command.value;
      const wrong = !Array.isArray(words)
        ? `must be an array of the program and its arguments, found ${kindOf(words)}`
        : words.length === 0
          ? 'is empty: it names no program'
          : typeof words[0] !== 'string'
            ? `must start with the program, found ${kindOf(words[0])}`
            : undefined;
      if (wrong !== undefined) {
        diagnostics.push({
          severity: 'error',
          ...(command.position ?? entry.position ?? {}),
          message: `server "${entry.name}": "command" ${wrong}`,
        });
        continue;
      }
      const [program, ...args] = words as unknown[];
      fields.command = { value: program, position: command.position };
      fields.args = { value: args, position: command.position };
    }
    entries.push({ ...entry, fields });
  }
  return {
    entries,
    diagnostics: [...doc.diagnostics, ...map.diagnostics, ...diagnostics],
    ...countsOf({ omitted: (doc.omitted ?? 0) + (map.omitted ?? 0), total: map.total }),
  };
}
