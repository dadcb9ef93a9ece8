import { Node } from 'jsonc-parser';
import { AdaptResult } from './types';
import { fileResult, misshapen, parseJsoncDocument, propertyValue, readServerMap, readServersOf } from './jsonc';

/**
 * `~/.claude.json`: user-scope servers in the top-level `mcpServers`, and local-scope servers of
 * each project under `projects["<absolute path>"].mcpServers`.
 */
export function adaptClaudeJson(text: string): AdaptResult {
  const doc = parseJsoncDocument(text);
  const user = readServerMap(doc, ['mcpServers'], { scope: 'user' });
  const out = fileResult(doc, user, [...user.entries]);
  const projects = doc.root ? propertyValue(doc.root, 'projects') : undefined;
  if (!projects) return out;
  if (projects.type !== 'object') {
    out.diagnostics.push(misshapen(doc.lines, projects, '"projects" must be an object keyed by project path'));
    return out;
  }
  // One pass over the projects (the file holds one per folder Claude Code was ever opened in); a
  // path written twice keeps its last definition, as Claude Code's JSON.parse does.
  const byPath = new Map<string, Node | undefined>();
  for (const prop of projects.children ?? []) {
    const [k, v] = prop.children ?? [];
    if (typeof k?.value === 'string') byPath.set(k.value, v);
  }
  for (const [key, project] of byPath) {
    const map = project?.type === 'object' ? propertyValue(project, 'mcpServers') : undefined;
    if (!map) continue;
    // Each map is capped on its own: the file's first MAX_SERVERS_PER_FILE servers are all within them.
    const local = readServersOf(doc, map, ['projects', key, 'mcpServers'], { scope: 'local', workspaceFolder: key });
    out.entries.push(...local.entries.map((e) => e.entry));
    out.diagnostics.push(...local.diagnostics);
    if (local.omitted) out.omitted = (out.omitted ?? 0) + local.omitted;
    if (local.total !== undefined || out.total !== undefined)
      out.total = (out.total ?? out.entries.length - local.entries.length) + (local.total ?? local.entries.length);
  }
  return out;
}
