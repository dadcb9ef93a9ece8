import { ClientRules, RawServerEntry, Rejection } from './types';

/** The `type`s Kilo reads as a remote server; any other entry is a command to run. */
const REMOTE_TYPES = new Set(['streamable-http', 'sse']);

/**
 * A Kilo Code `mcp.json` (`.kilocode/mcp.json`, `.kilo/mcp.json`) as Kilo's CLI 7.7.7 reads it
 * (its `kilocode.mcp-migrator`): an entry whose `type` is "streamable-http" or "sse" is remote, at
 * its `url`; any other runs its `command`, and one with no `command` is skipped with a warning. So
 * a `url` without such a `type` (the shape VS Code and Cursor read as HTTP) is never connected.
 */
export const KILO_MCP_JSON_RULES: ClientRules = { rejects: kiloRejects };

function kiloRejects(entry: RawServerEntry): Rejection | undefined {
  const type = entry.fields.type?.value;
  if (typeof type === 'string' && REMOTE_TYPES.has(type)) return undefined;
  if (entry.fields.command !== undefined) return undefined;
  return {
    reason: 'Kilo skips it: no "command", and a "url" is read only with "type" "streamable-http" or "sse"',
    ...(entry.fields.url !== undefined ? { field: 'url' } : {}),
  };
}
