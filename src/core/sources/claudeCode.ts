import { AdaptResult } from './types';
import { findNodeAtLocation } from 'jsonc-parser';
import { describeNode, parseJsoncDocument, readServerMap } from './jsonc';

/**
 * `~/.claude.json`: user-scope servers in the top-level `mcpServers`, and local-scope servers of
 * each project under `projects["<absolute path>"].mcpServers`.
 */
export function adaptClaudeJson(text: string): AdaptResult {
  const doc = parseJsoncDocument(text);
  const user = readServerMap(doc, ['mcpServers'], { scope: 'user' });
  const out: AdaptResult = { entries: [...user.entries], diagnostics: [...doc.diagnostics, ...user.diagnostics] };
  const projects = doc.root ? findNodeAtLocation(doc.root, ['projects']) : undefined;
  if (!projects) return out;
  if (projects.type !== 'object') {
    out.diagnostics.push({ severity: 'error', ...doc.lines.position(projects.offset), message: `"projects" must be an object keyed by project path, found ${describeNode(projects)}` });
    return out;
  }
  for (const prop of projects.children ?? []) {
    const key = prop.children?.[0]?.value;
    if (typeof key !== 'string') continue;
    const local = readServerMap(doc, ['projects', key, 'mcpServers'], { scope: 'local', workspaceFolder: key });
    out.entries.push(...local.entries);
    out.diagnostics.push(...local.diagnostics);
  }
  return out;
}
