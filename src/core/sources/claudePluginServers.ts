import { Node } from 'jsonc-parser';
import { pathFor } from '../base/hostEnv';
import { CLAUDE_CODE_RULES } from './claudeCodeRules';
import { fileResult, parseJsoncDocument, propertyValue, readServersOf } from './jsonc';
import { asAddOnEntry } from './addOnEntry';
import { AdaptInput, AdaptResult, ClientRules, FileDiagnostic, InstalledClaudePlugin, RawServerEntry } from './types';

/**
 * The servers one file of an installed Claude Code plugin declares (its `.mcp.json`, its manifest's
 * inline `mcpServers`, or a file the manifest names), read as Claude Code 2.1.328 reads them: a file
 * other than the manifest holds its servers under `mcpServers` or as its top-level map; the manifest's
 * `mcpServers` is a map, or a list whose objects are maps. Each server is Claude Code's
 * `plugin:<plugin>:<server>` (the name `claude mcp list` prints), `${CLAUDE_PLUGIN_ROOT}` and
 * `${CLAUDE_PLUGIN_DATA}` in any of its values are the plugin's folder and data folder (a project or
 * local install's `${CLAUDE_PROJECT_DIR}` its folder), and the other `${VAR}` are the shell flavour's,
 * as for every Claude Code entry. A plugin the settings leave off has its servers listed as disabled.
 */
export function adaptClaudePluginServers(text: string, file: string, input: AdaptInput): AdaptResult {
  const plugin = input.addOn;
  // The row hands every file its plugin; a file without one has no servers of a plugin.
  if (plugin?.kind !== 'claude-plugin') return { entries: [], diagnostics: [] };
  const doc = parseJsoncDocument(text);
  if (!doc.root) return fileResult(doc, { diagnostics: [] }, []);
  const manifest = file === pathFor(input.host).join(plugin.root, '.claude-plugin', 'plugin.json');
  const diagnostics: FileDiagnostic[] = [];
  const entries: RawServerEntry[] = [];
  let omitted = 0;
  for (const { node, keyPath } of serverMaps(doc.root, manifest)) {
    const map = readServersOf(doc, node, keyPath, pluginPlace(plugin));
    diagnostics.push(...map.diagnostics);
    omitted += map.omitted ?? 0;
    for (const { entry } of map.entries) entries.push(asPluginEntry(entry, plugin));
  }
  return fileResult(doc, { diagnostics, omitted }, entries);
}

/** Where a file's servers are: the manifest's `mcpServers` (a map, or a list of maps); another file's `mcpServers`, else its top level. */
function serverMaps(root: Node, manifest: boolean): Array<{ node: Node; keyPath: (string | number)[] }> {
  const declared = propertyValue(root, 'mcpServers');
  if (manifest) {
    if (declared?.type === 'object') return [{ node: declared, keyPath: ['mcpServers'] }];
    // A list's strings name other files (read by the row as files of their own); its objects are maps.
    if (declared?.type === 'array')
      return (declared.children ?? []).flatMap((node, i) =>
        node.type === 'object' ? [{ node, keyPath: ['mcpServers', i] }] : [],
      );
    return [];
  }
  return declared ? [{ node: declared, keyPath: ['mcpServers'] }] : [{ node: root, keyPath: [] }];
}

/**
 * Claude Code's own schema for an entry holds in a plugin's files too (2.1.328: an entry with a `url`
 * and no `type`, or an `args` item that is no string, is skipped; `cwd` and an entry's own `disabled`
 * are not read). The entry's `disabled` is its plugin's state, written by the adapter, so it is read.
 */
export const CLAUDE_PLUGIN_RULES: ClientRules = {
  ...CLAUDE_CODE_RULES,
  ignores: (CLAUDE_CODE_RULES.ignores ?? []).filter((field) => field !== 'disabled'),
};

/** What every entry of a plugin carries: the plugin, and the scope and folder of its install. */
function pluginPlace(plugin: InstalledClaudePlugin): Partial<RawServerEntry> {
  const { kind, id, name, marketplace, version, root } = plugin;
  return {
    addOn: { kind, id, name, marketplace, ...(version !== undefined ? { version } : {}), root },
    scope: plugin.scope,
    ...(plugin.projectPath !== undefined ? { workspaceFolder: plugin.projectPath } : {}),
  };
}

/** An entry as Claude Code names and launches it, off when its plugin is. */
function asPluginEntry(entry: RawServerEntry, plugin: InstalledClaudePlugin): RawServerEntry {
  const variables: Array<[string, string]> = [
    ['${CLAUDE_PLUGIN_ROOT}', plugin.root],
    ['${CLAUDE_PLUGIN_DATA}', plugin.dataDir],
    ...(plugin.projectPath !== undefined ? [['${CLAUDE_PROJECT_DIR}', plugin.projectPath] as [string, string]] : []),
  ];
  const hydrate = (s: string) => variables.reduce((out, [name, value]) => out.split(name).join(value), s);
  // Claude Code reads no `disabled` in an entry: the plugin's state is the entry's.
  return { ...asAddOnEntry(entry, hydrate, { value: !plugin.enabled }), name: `plugin:${plugin.name}:${entry.name}` };
}
