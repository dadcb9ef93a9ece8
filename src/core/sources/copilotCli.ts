import { Severity } from '../base/model';
import { fileResult, parseJsoncDocument, propertyValue, readServerMap } from './jsonc';
import { AdaptResult } from './types';

/**
 * A Copilot CLI MCP file (`~/.copilot/mcp-config.json`, a workspace's `.github/mcp.json`) as
 * Copilot CLI 1.0.102 reads it: servers under `mcpServers`, which it requires. A file without one
 * (VS Code's `servers` shape, or another tool's file of that name) it does not read: the user file
 * stops it ("Error: mcpServers: Required"), a workspace file is skipped with a warning ("malformed:
 * mcpServers: Required"). Either is a problem here, in those words.
 */
function copilotMcpFile(severity: Severity, refusal: string) {
  const adapter = (text: string): AdaptResult => {
    const doc = parseJsoncDocument(text);
    const map = readServerMap(doc, ['mcpServers']);
    const result = fileResult(doc, map, map.entries);
    if (doc.root?.type === 'object' && !propertyValue(doc.root, 'mcpServers'))
      result.diagnostics.push({ severity, line: 1, column: 1, message: `Copilot CLI ${refusal}` });
    return result;
  };
  return Object.assign(adapter, { serversAt: ['mcpServers'] as const });
}

export const adaptCopilotUserConfig = copilotMcpFile(
  'error',
  'refuses this file: it has no "mcpServers" ("mcpServers: Required"), so none of its servers start',
);

export const adaptCopilotWorkspaceConfig = copilotMcpFile(
  'warning',
  'skips this file: it has no "mcpServers" ("malformed: mcpServers: Required")',
);
