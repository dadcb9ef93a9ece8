import { HostEnv, pathFor } from '../base/hostEnv';
import { claudeCodeManagedDir, claudeConfigDir } from './locations';
import { isRecord } from '../base/isRecord';
import { JsonRecord, readJsonRecord } from './strictJson';
import { InstalledClaudePlugin, ReadText, SourceContext, SourceFile } from './types';

/**
 * The Claude Code plugins installed from a marketplace, and the files that declare their servers,
 * as Claude Code 2.1.328 keeps and reads them (`claude plugin marketplace add`, `claude plugin
 * install`, `claude plugin list --json`, test/clients/claudePlugins.test.ts):
 *
 * - `<plugins>/installed_plugins.json` (`<plugins>` is `~/.claude/plugins`, or CLAUDE_CODE_PLUGIN_CACHE_DIR):
 *   `{"version": 2, "plugins": {"name@marketplace": [{scope, installPath, version, projectPath?}]}}`,
 *   one record per scope it was installed in (`user`, or `project` and `local` for one folder);
 * - `<plugins>/known_marketplaces.json`: each marketplace's `source` and `installLocation`;
 * - `enabledPlugins` (`{"name@marketplace": true|false}`) of the settings that apply in a folder: the
 *   user's `~/.claude/settings.json`, the folder's `.claude/settings.json` and `.claude/settings.local.json`,
 *   then the managed settings, each over the one before.
 *
 * Claude Code runs a plugin from its copy under `<plugins>/cache/<marketplace>/<name>/<version>`
 * (its record's `installPath`), except one a local marketplace (a folder or a marketplace.json file)
 * lists by a relative path: that one is read from the marketplace's folder itself, where edits take
 * effect without an install. That folder is `${CLAUDE_PLUGIN_ROOT}`.
 */

/** Claude Code's plugins folder. */
function claudePluginsDir(host: HostEnv): string {
  return host.env.CLAUDE_CODE_PLUGIN_CACHE_DIR || pathFor(host).join(claudeConfigDir(host), 'plugins');
}

/** `${CLAUDE_PLUGIN_DATA}`: `<plugins>/data/<id>`, each character of the id but letters, digits, `-` and `_` as `-`. */
function claudePluginDataDir(host: HostEnv, id: string): string {
  return pathFor(host).join(claudePluginsDir(host), 'data', id.replace(/[^a-zA-Z0-9\-_]/g, '-'));
}

/** `enabledPlugins` of one settings file. */
async function enabledPluginsOf(readText: ReadText, file: string): Promise<JsonRecord | undefined> {
  const settings = await readJsonRecord(readText, file);
  return isRecord(settings?.enabledPlugins) ? settings.enabledPlugins : undefined;
}

const SCOPES = new Set(['user', 'project', 'local', 'managed']);

/** One install record of installed_plugins.json, as far as it is read here. */
interface InstallRecord {
  scope: InstalledClaudePlugin['scope'];
  installPath: string;
  version?: string;
  projectPath?: string;
}

function installRecords(value: unknown): InstallRecord[] {
  // Version 2 keeps a list per plugin; version 1 kept the one record.
  const list = Array.isArray(value) ? value : [value];
  const out: InstallRecord[] = [];
  for (const r of list) {
    if (!isRecord(r) || typeof r.installPath !== 'string') continue;
    const scope = typeof r.scope === 'string' && SCOPES.has(r.scope) ? (r.scope as InstallRecord['scope']) : 'user';
    out.push({
      scope,
      installPath: r.installPath,
      ...(typeof r.version === 'string' ? { version: r.version } : {}),
      ...(typeof r.projectPath === 'string' ? { projectPath: r.projectPath } : {}),
    });
  }
  return out;
}

/** `name@marketplace` split at its last `@`. */
function splitId(id: string): { name: string; marketplace: string } | undefined {
  const at = id.lastIndexOf('@');
  return at > 0 && at < id.length - 1 ? { name: id.slice(0, at), marketplace: id.slice(at + 1) } : undefined;
}

/**
 * The folder Claude Code reads a plugin from when its marketplace is local (source `directory` or
 * `file`) and lists it by a relative path: `./x` from the marketplace's folder, a bare `x` from its
 * `metadata.pluginRoot` (as `claude plugin list --json` gives it as `readFromFolder`).
 */
async function localFolder(
  host: HostEnv,
  readText: ReadText,
  marketplace: JsonRecord | undefined,
  name: string,
): Promise<string | undefined> {
  const source = isRecord(marketplace?.source) ? marketplace.source : undefined;
  const location = marketplace?.installLocation;
  if (!source || typeof location !== 'string') return undefined;
  if (source.source !== 'directory' && source.source !== 'file') return undefined;
  const p = pathFor(host);
  const manifestFile =
    source.source === 'file' && typeof source.path === 'string'
      ? source.path
      : p.join(location, '.claude-plugin', 'marketplace.json');
  const manifest = await readJsonRecord(readText, manifestFile);
  const plugins = Array.isArray(manifest?.plugins) ? manifest.plugins : [];
  // The last entry of a name, as a map built from the list keeps it.
  const entry = plugins.filter((e): e is JsonRecord => isRecord(e) && e.name === name).pop();
  if (!entry || typeof entry.source !== 'string') return undefined;
  const pluginRoot = isRecord(manifest?.metadata) ? manifest.metadata.pluginRoot : undefined;
  const base =
    entry.source.startsWith('./') || typeof pluginRoot !== 'string' ? location : p.join(location, pluginRoot);
  return p.join(base, entry.source);
}

/** Whether the settings that apply to an install turn its plugin on: the last one to name it decides. */
function isEnabled(id: string, layers: Array<JsonRecord | undefined>): boolean {
  let enabled = false;
  for (const layer of layers) if (layer && id in layer) enabled = layer[id] === true;
  return enabled;
}

/** `enabledPlugins` of each settings file that applies in a folder, in Claude Code's order (the last one to name a plugin decides). */
async function folderLayers(
  host: HostEnv,
  readText: ReadText,
  folder: string,
  user: JsonRecord | undefined,
  managed: JsonRecord | undefined,
): Promise<Array<JsonRecord | undefined>> {
  const p = pathFor(host);
  return [
    user,
    await enabledPluginsOf(readText, p.join(folder, '.claude', 'settings.json')),
    await enabledPluginsOf(readText, p.join(folder, '.claude', 'settings.local.json')),
    managed,
  ];
}

/**
 * Every installed marketplace plugin, with where it runs from and whether it is on. A project or
 * local install is on as its folder's settings say; a user install as the user's say, or as those of
 * any of `workspaceFolders` say (a project's settings turn a plugin on or off for that project).
 */
async function installedClaudePlugins(
  host: HostEnv,
  readText: ReadText,
  workspaceFolders: readonly string[] = [],
): Promise<InstalledClaudePlugin[]> {
  const p = pathFor(host);
  const pluginsDir = claudePluginsDir(host);
  const installed = await readJsonRecord(readText, p.join(pluginsDir, 'installed_plugins.json'));
  if (!isRecord(installed?.plugins)) return [];
  const known = (await readJsonRecord(readText, p.join(pluginsDir, 'known_marketplaces.json'))) ?? {};
  const user = await enabledPluginsOf(readText, p.join(claudeConfigDir(host), 'settings.json'));
  const managed = await enabledPluginsOf(readText, p.join(claudeCodeManagedDir(host), 'managed-settings.json'));
  const inWorkspaces = await Promise.all(
    workspaceFolders.map((folder) => folderLayers(host, readText, folder, user, managed)),
  );
  const out: InstalledClaudePlugin[] = [];
  for (const [id, records] of Object.entries(installed.plugins)) {
    const parts = splitId(id);
    if (!parts) continue;
    const marketplace = isRecord(known[parts.marketplace]) ? (known[parts.marketplace] as JsonRecord) : undefined;
    const folder = await localFolder(host, readText, marketplace, parts.name);
    for (const record of installRecords(records)) {
      const project = record.scope === 'project' || record.scope === 'local' ? record.projectPath : undefined;
      const enabled =
        project !== undefined
          ? isEnabled(id, await folderLayers(host, readText, project, user, managed))
          : [[user, managed], ...inWorkspaces].some((layers) => isEnabled(id, layers));
      out.push({
        kind: 'claude-plugin',
        id,
        ...parts,
        ...(record.version !== undefined ? { version: record.version } : {}),
        root: folder ?? record.installPath,
        dataDir: claudePluginDataDir(host, id),
        enabled,
        scope: record.scope,
        ...(project !== undefined ? { projectPath: project } : {}),
      });
    }
  }
  return out;
}

/**
 * The files that declare an installed plugin's servers, in Claude Code's order: the `.mcp.json` at
 * its root, then its manifest's `mcpServers`: inline (the manifest itself), a path to a JSON file,
 * or a list of both.
 */
async function claudePluginServerFiles(
  host: HostEnv,
  readText: ReadText,
  plugin: InstalledClaudePlugin,
): Promise<SourceFile[]> {
  const p = pathFor(host);
  const manifestFile = p.join(plugin.root, '.claude-plugin', 'plugin.json');
  const files = [p.join(plugin.root, '.mcp.json')];
  const declared = (await readJsonRecord(readText, manifestFile))?.mcpServers;
  for (const item of Array.isArray(declared) ? declared : declared === undefined ? [] : [declared]) {
    if (typeof item === 'string') files.push(p.join(plugin.root, item));
    else if (isRecord(item)) files.push(manifestFile);
  }
  return [...new Set(files)].map((file) => ({ file, addOn: plugin }));
}

/** The plugin source row's files: every installed plugin's server files. */
export async function claudePluginFiles(ctx: SourceContext, readText: ReadText): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for (const plugin of await installedClaudePlugins(ctx.host, readText, ctx.workspaceFolders))
    out.push(...(await claudePluginServerFiles(ctx.host, readText, plugin)));
  return out;
}
