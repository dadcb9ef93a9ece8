import { pathFor } from '../base/hostEnv';
import { jsonServerMapAdapter } from './jsonc';
import { xdgAppConfigDir } from './locations';
import { ListDir, SourceContext, SourceFile } from './types';
import { listOrEmpty, agentFiles } from './fileFinders';
import type { Reading } from './rowShapes';

/** Amp's settings in a folder: `settings.json`, else `settings.jsonc` (Amp 0.0.1790142911 reads one of them). */
async function ampSettingsIn(ctx: SourceContext, listDir: ListDir, dir: string): Promise<string> {
  const names = await listOrEmpty(listDir, dir);
  const jsonc = !names.includes('settings.json') && names.includes('settings.jsonc');
  return pathFor(ctx.host).join(dir, jsonc ? 'settings.jsonc' : 'settings.json');
}

/**
 * Amp's files: its user settings (`$AMP_SETTINGS_FILE`, else in `$XDG_CONFIG_HOME/amp` on every OS)
 * and a workspace's `.amp` settings, its servers under one flat key, `"amp.mcpServers"`.
 */
export const AMP_FILES = {
  user: async (ctx: SourceContext, listDir: ListDir): Promise<SourceFile[]> => [
    { file: ctx.host.env.AMP_SETTINGS_FILE || (await ampSettingsIn(ctx, listDir, xdgAppConfigDir(ctx.host, 'amp'))) },
  ],
  workspace: async (ctx: SourceContext, listDir: ListDir): Promise<SourceFile[]> =>
    Promise.all(
      ctx.workspaceFolders.map(async (folder) => ({
        file: await ampSettingsIn(ctx, listDir, pathFor(ctx.host).join(folder, '.amp')),
        workspaceFolder: folder,
      })),
    ),
};
export const AMP_READING: Reading = { adapter: jsonServerMapAdapter(['amp.mcpServers']), variables: 'none' };

/**
 * Kiro's agents (`~/.kiro/agents`, a project's `.kiro/agents`): JSON, or Markdown with YAML front
 * matter, in nested folders too.
 */
export const KIRO_AGENTS = agentFiles(
  (ctx) => pathFor(ctx.host).join(ctx.host.home, '.kiro', 'agents'),
  ['.kiro', 'agents'],
  /\.(json|md)$/i,
  3,
);
/** The Amazon Q Developer CLI's agents (its `paths.rs`: `~/.aws/amazonq/cli-agents`, `.amazonq/cli-agents`). */
export const Q_CLI_AGENTS = agentFiles(
  (ctx) => pathFor(ctx.host).join(ctx.host.home, '.aws', 'amazonq', 'cli-agents'),
  ['.amazonq', 'cli-agents'],
  /\.json$/i,
);

/**
 * Antigravity's user file: `~/.gemini/config/mcp_config.json` (Antigravity 2 and its `agy` CLI), and
 * the one before it, `~/.gemini/antigravity/mcp_config.json`, which Antigravity 2 no longer reads
 * once it has migrated it (it leaves `~/.gemini/config/.migrated` behind).
 */
export async function antigravityUserFiles(ctx: SourceContext, listDir: ListDir): Promise<SourceFile[]> {
  const p = pathFor(ctx.host);
  const config = p.join(ctx.host.home, '.gemini', 'config');
  const migrated = (await listOrEmpty(listDir, config)).includes('.migrated');
  return [
    { file: p.join(config, 'mcp_config.json') },
    ...(migrated ? [] : [{ file: p.join(ctx.host.home, '.gemini', 'antigravity', 'mcp_config.json') }]),
  ];
}
