import { fileResult, parseJsoncDocument, propertyValue, readFields, readServerMapNodes } from './jsonc';
import { AdaptResult, RawServerEntry } from './types';

/**
 * Cline's `cline_mcp_settings.json` as the Cline CLI reads it (`cline` 3.0.65, @cline/core): servers
 * under `mcpServers.<name>`, each either in the shape `cline mcp add` writes, the launch nested in
 * `transport` (`{ "transport": { "type": "stdio", "command", "args", "cwd", "env" } }`, or `"type":
 * "sse"` / `"streamableHttp"` with `url` and `headers`) beside `disabled` and `timeout`, or in the
 * flat shape of Cline's extension (`command`, `args`, `env`, `url`, with `type` or the older
 * `transportType`, where `"http"` is `streamableHttp`). A nested entry's key path is its launch's
 * (`mcpServers.<name>.transport`): that object holds the `command` and `args` a wrap rewrites.
 */
export function adaptClineMcpSettings(text: string): AdaptResult {
  const doc = parseJsoncDocument(text);
  const map = readServerMapNodes(doc, ['mcpServers']);
  const entries: RawServerEntry[] = [];
  for (const { entry, node } of map.entries) {
    const transport = propertyValue(node, 'transport');
    if (transport?.type === 'object') {
      // Beside `transport` only `disabled` (and `timeout`, OAuth state) counts: the launch is all in it.
      const { disabled } = entry.fields;
      const fields: RawServerEntry['fields'] = { ...readFields(doc, transport), ...(disabled ? { disabled } : {}) };
      entries.push({ ...entry, keyPath: [...entry.keyPath, 'transport'], fields });
      continue;
    }
    const f = entry.fields;
    if (f.type === undefined && f.transportType !== undefined) {
      entries.push({ ...entry, fields: { ...f, type: f.transportType } });
      continue;
    }
    entries.push(entry);
  }
  return fileResult(doc, map, entries);
}
