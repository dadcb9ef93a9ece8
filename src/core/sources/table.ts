import { pathFor } from '../base/hostEnv';
import { adaptClaudeJson } from './claudeCode';
import { CLAUDE_CODE_RULES } from './claudeCodeRules';
import { adaptClaudePluginServers, CLAUDE_PLUGIN_RULES } from './claudePluginServers';
import { claudePluginFiles } from './claudePlugins';
import { cliExtensionAdapter } from './cliExtensionServers';
import { cliExtensionFiles, GEMINI_CLI_EXTENSIONS, QWEN_CODE_EXTENSIONS } from './cliExtensions';
import { adaptClineMcpSettings } from './clineCli';
import { adaptCodeWorkspace } from './codeWorkspace';
import { CLIENT_NAMES } from './clientNames';
import { adaptCodexToml } from './codex';
import { adaptContinueBlock, adaptContinueYaml } from './continueYaml';
import { adaptCopilotUserConfig, adaptCopilotWorkspaceConfig } from './copilotCli';
import { jsonServerMapAdapter } from './jsonc';
import { KILO_MCP_JSON_RULES } from './kiloRules';
import { AMAZON_Q_CLI_RULES } from './amazonQRules';
import { ANTIGRAVITY_RULES } from './antigravityRules';
import { adaptAgentFile } from './markdownAgent';
import { adaptExtensionManifest, EXTENSION_SETTINGS_FOLDER, EXTENSIONS_FOLDER } from './mcpb';
import { adaptVibeToml } from './mistralVibe';
import { adaptOpencodeConfig } from './opencode';
import {
  ampManagedSettingsFile,
  appDataDir,
  claudeCodeManagedDir,
  claudeDesktopDirs,
  clineMcpSettingsFile,
  codexHome,
  continueDir,
  factoryDir,
  localAppDataDir,
  qwenHome,
  vibeHome,
  VSCODE_PRODUCTS,
  VscodeProduct,
  vscodeServerUserDir,
  vscodeUserDir,
  xdgAppConfigDir,
  zedConfigDir,
} from './locations';
import { adaptZedSettings } from './zed';
import { ListDir, SourceContext, SourceFile, SourceSpec } from './types';

/**
 * Every config source MCP Lifeguard reads: one row per client, scope and format. Adding a client
 * is adding a row. Paths come only from the injected host (home, platform, env), so a fixture home
 * exercises the Windows and macOS layouts on Linux too.
 */

const mcpServers = jsonServerMapAdapter(['mcpServers']);

/** The same relative file in each workspace folder. */
function inEachFolder(...rel: string[]) {
  return async (ctx: SourceContext): Promise<SourceFile[]> =>
    ctx.workspaceFolders.map((folder) => ({ file: pathFor(ctx.host).join(folder, ...rel), workspaceFolder: folder }));
}

function one(build: (ctx: SourceContext) => string | undefined) {
  return async (ctx: SourceContext): Promise<SourceFile[]> => {
    const file = build(ctx);
    return file ? [{ file }] : [];
  };
}

/** Several files of one place (a folder's config files of every name the client reads), in the client's order. */
function several(build: (ctx: SourceContext) => Array<string | undefined>) {
  return async (ctx: SourceContext): Promise<SourceFile[]> =>
    build(ctx)
      .filter((file): file is string => !!file)
      .map((file) => ({ file }));
}

/** Each of several relative files in each workspace folder. */
function inEachFolderAll(...rels: string[][]) {
  return async (ctx: SourceContext): Promise<SourceFile[]> =>
    ctx.workspaceFolders.flatMap((folder) =>
      rels.map((rel) => ({ file: pathFor(ctx.host).join(folder, ...rel), workspaceFolder: folder })),
    );
}

/** opencode's config file names, as it reads them in its global folder (config.json first) and in a project. */
const OPENCODE_FILES = ['opencode.json', 'opencode.jsonc'];
/** Kilo's config file names (Kilo 7.7.7 `GLOBAL_CONFIG_FILES`, `ALL_CONFIG_FILES`). */
const KILO_FILES = ['kilo.json', 'kilo.jsonc', 'opencode.json', 'opencode.jsonc'];

async function listOrEmpty(listDir: ListDir, dir: string): Promise<string[]> {
  try {
    return await listDir(dir);
  } catch {
    // A missing folder (no profiles, no .code-workspace) means no such files: nothing to report.
    return [];
  }
}

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
const AMP_FILES = {
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
const AMP_READING: Reading = { adapter: jsonServerMapAdapter(['amp.mcpServers']), variables: 'none' };

/** Continue's block files: every .yaml, .yml and .json in an `mcpServers` folder. */
function blockFiles(dirs: (ctx: SourceContext) => string[], inWorkspace = false) {
  return async (ctx: SourceContext, listDir: ListDir): Promise<SourceFile[]> => {
    const p = pathFor(ctx.host);
    const out: SourceFile[] = [];
    for (const [i, dir] of dirs(ctx).entries()) {
      for (const name of (await listOrEmpty(listDir, dir)).sort()) {
        if (/\.(ya?ml|json)$/i.test(name))
          out.push({ file: p.join(dir, name), ...(inWorkspace ? { workspaceFolder: ctx.workspaceFolders[i] } : {}) });
      }
    }
    return out;
  };
}

/**
 * A client's agent files, each with its own `mcpServers`: those whose names `names` matches in the
 * user's folder and in the same relative folder of each workspace folder, and in their subfolders
 * down to `depth` levels (an agent's name is its path there).
 */
function agentFiles(user: (ctx: SourceContext) => string | undefined, workspace: string[], names: RegExp, depth = 0) {
  return {
    user: async (ctx: SourceContext, listDir: ListDir): Promise<SourceFile[]> => {
      const dir = user(ctx);
      return dir ? filesIn(ctx, listDir, dir, names, depth) : [];
    },
    workspace: async (ctx: SourceContext, listDir: ListDir): Promise<SourceFile[]> => {
      const p = pathFor(ctx.host);
      const out: SourceFile[] = [];
      for (const folder of ctx.workspaceFolders)
        out.push(...(await filesIn(ctx, listDir, p.join(folder, ...workspace), names, depth, folder)));
      return out;
    },
  };
}

/** The files of a folder whose names match, by name, then those of its subfolders down to `depth`. */
async function filesIn(
  ctx: SourceContext,
  listDir: ListDir,
  dir: string,
  names: RegExp,
  depth: number,
  workspaceFolder?: string,
): Promise<SourceFile[]> {
  const p = pathFor(ctx.host);
  const out: SourceFile[] = [];
  const subfolders: string[] = [];
  for (const name of (await listOrEmpty(listDir, dir)).sort()) {
    if (names.test(name)) out.push({ file: p.join(dir, name), ...(workspaceFolder ? { workspaceFolder } : {}) });
    // Any other name may be a folder: listing a file finds nothing in it.
    else if (depth > 0 && !name.startsWith('.')) subfolders.push(p.join(dir, name));
  }
  for (const sub of subfolders) out.push(...(await filesIn(ctx, listDir, sub, names, depth - 1, workspaceFolder)));
  return out;
}

/**
 * A VS Code extension's MCP settings file in its global storage, wherever the extension can be
 * installed: the user folder of each product of VS Code's family, and each one's remote server's.
 * The entries are the extension's (its client), whichever product's process runs them.
 */
function inExtensionStorage(
  client: SourceSpec['client'],
  label: string,
  extensionId: string,
  fileName: string,
): SourceSpec[] {
  const places = VSCODE_PRODUCTS.flatMap((product) => [
    // The extension in VS Code itself keeps the plain name, as it always had.
    { label: product.client === 'vscode' ? label : `${label} (${product.label})`, dir: userDirOf(product) },
    { label: `${label} (${product.label} Remote)`, dir: serverUserDirOf(product) },
  ]);
  return places.map((place) => ({
    client,
    scope: 'user',
    label: place.label,
    files: one((ctx) => pathFor(ctx.host).join(place.dir(ctx), 'globalStorage', extensionId, 'settings', fileName)),
    adapter: mcpServers,
    variables: 'none',
  }));
}

function userDirOf(product: VscodeProduct) {
  return (ctx: SourceContext) => vscodeUserDir(ctx.host, product.folder);
}

function serverUserDirOf(product: VscodeProduct) {
  return (ctx: SourceContext) => vscodeServerUserDir(ctx.host, product.server);
}

/**
 * A client that reads opencode's format (opencode, and Kilo's CLI, its fork): the user's files in
 * its XDG config folder (`config.json` and `names`) and the one its `envVar` names, and a
 * workspace's files.
 */
function opencodeFormat(
  client: SourceSpec['client'],
  label: string,
  user: { app: string; names: readonly string[]; envVar: string },
  workspaceFiles: SourceSpec['files'],
): SourceSpec[] {
  const userFiles = several((ctx) => {
    const p = pathFor(ctx.host);
    const dir = xdgAppConfigDir(ctx.host, user.app);
    return [...['config.json', ...user.names].map((name) => p.join(dir, name)), ctx.host.env[user.envVar]];
  });
  return [
    {
      client,
      scope: 'user',
      label,
      files: userFiles,
      adapter: adaptOpencodeConfig,
      variables: 'opencode',
      types: OPENCODE_TYPES,
    },
    {
      client,
      scope: 'workspace',
      label: `${label} (workspace)`,
      files: workspaceFiles,
      adapter: adaptOpencodeConfig,
      variables: 'opencode',
      types: OPENCODE_TYPES,
    },
  ];
}

/** opencode's own words for a transport. */
const OPENCODE_TYPES = { local: 'stdio', remote: 'http' } as const;

/** The products of VS Code's family that read their own user `mcp.json`. */
const OWN_MCP_PRODUCTS = VSCODE_PRODUCTS.filter((product) => product.ownMcp);

/**
 * The user files of VS Code's family: a window starts their servers on its UI side (microsoft/vscode
 * mainThreadMcp.ts `canStart`: a collection starts only on the extension host of its remote
 * authority, and a user file's has none), so in a remote window they run on the local machine.
 */
const vscodeSources: SourceSpec[] = OWN_MCP_PRODUCTS.flatMap((product): SourceSpec[] => [
  {
    client: product.client,
    scope: 'user',
    label: `${product.label} User`,
    files: one((ctx) => pathFor(ctx.host).join(vscodeUserDir(ctx.host, product.folder), 'mcp.json')),
    adapter: jsonServerMapAdapter(['servers']),
    variables: 'vscode',
    runsOn: 'window-ui',
  },
  {
    client: product.client,
    scope: 'profile',
    label: `${product.label} User`,
    files: async (ctx, listDir) => {
      const p = pathFor(ctx.host);
      const profiles = p.join(vscodeUserDir(ctx.host, product.folder), 'profiles');
      return (await listOrEmpty(listDir, profiles))
        .sort()
        .map((profile) => ({ file: p.join(profiles, profile, 'mcp.json'), profile }));
    },
    adapter: jsonServerMapAdapter(['servers']),
    variables: 'vscode',
    runsOn: 'window-ui',
  },
  {
    // Before mcp.json, servers lived under "mcp" in user settings.json; VS Code still migrates them.
    client: product.client,
    scope: 'user',
    label: `${product.label} User`,
    files: one((ctx) => pathFor(ctx.host).join(vscodeUserDir(ctx.host, product.folder), 'settings.json')),
    adapter: jsonServerMapAdapter(['mcp', 'servers']),
    variables: 'vscode',
    runsOn: 'window-ui',
  },
]);

/**
 * The server side of Remote SSH / WSL / Dev Containers keeps its own user mcp.json (Dev Containers
 * write their `customizations.vscode.mcp` servers there), one per product.
 */
const vscodeRemoteSources: SourceSpec[] = OWN_MCP_PRODUCTS.map((product): SourceSpec => ({
  client: product.client,
  scope: 'user',
  label: `${product.label} Remote User`,
  files: one((ctx) => pathFor(ctx.host).join(vscodeServerUserDir(ctx.host, product.server), 'mcp.json')),
  adapter: jsonServerMapAdapter(['servers']),
  variables: 'vscode',
}));

/** How a client's rows read their files: the adapter and the client's variables, words and rules. */
type Reading = Pick<SourceSpec, 'adapter' | 'variables' | 'types' | 'rules'>;

/** A client's user files and its workspace files, read alike: two rows, `label` and `label (workspace)`. */
function userAndWorkspace(
  client: SourceSpec['client'],
  label: string,
  files: { user: SourceSpec['files']; workspace: SourceSpec['files'] },
  reading: Reading,
): SourceSpec[] {
  return [
    { client, scope: 'user', label, files: files.user, ...reading },
    { client, scope: 'workspace', label: `${label} (workspace)`, files: files.workspace, ...reading },
  ];
}

/** A file under the home folder and one in each workspace folder (at the same place unless named). */
function homeAndFolders(home: string[], workspace = home) {
  return { user: one((ctx) => pathFor(ctx.host).join(ctx.host.home, ...home)), workspace: inEachFolder(...workspace) };
}

/** `mcpServers` with Claude Code's `${VAR}`, or with Cursor's `${env:NAME}`. */
const SHELL_VARIABLES: Reading = { adapter: mcpServers, variables: 'shell' };
const ENV_VARIABLES: Reading = { adapter: mcpServers, variables: 'cursor' };

/**
 * Kiro's agents (`~/.kiro/agents`, a project's `.kiro/agents`): JSON, or Markdown with YAML front
 * matter, in nested folders too.
 */
const KIRO_AGENTS = agentFiles(
  (ctx) => pathFor(ctx.host).join(ctx.host.home, '.kiro', 'agents'),
  ['.kiro', 'agents'],
  /\.(json|md)$/i,
  3,
);
/** The Amazon Q Developer CLI's agents (its `paths.rs`: `~/.aws/amazonq/cli-agents`, `.amazonq/cli-agents`). */
const Q_CLI_AGENTS = agentFiles(
  (ctx) => pathFor(ctx.host).join(ctx.host.home, '.aws', 'amazonq', 'cli-agents'),
  ['.amazonq', 'cli-agents'],
  /\.json$/i,
);

/**
 * Antigravity's user file: `~/.gemini/config/mcp_config.json` (Antigravity 2 and its `agy` CLI), and
 * the one before it, `~/.gemini/antigravity/mcp_config.json`, which Antigravity 2 no longer reads
 * once it has migrated it (it leaves `~/.gemini/config/.migrated` behind).
 */
async function antigravityUserFiles(ctx: SourceContext, listDir: ListDir): Promise<SourceFile[]> {
  const p = pathFor(ctx.host);
  const config = p.join(ctx.host.home, '.gemini', 'config');
  const migrated = (await listOrEmpty(listDir, config)).includes('.migrated');
  return [
    { file: p.join(config, 'mcp_config.json') },
    ...(migrated ? [] : [{ file: p.join(ctx.host.home, '.gemini', 'antigravity', 'mcp_config.json') }]),
  ];
}

export const SOURCES: SourceSpec[] = [
  {
    client: 'vscode',
    scope: 'workspace',
    label: `${CLIENT_NAMES.vscode} (workspace)`,
    files: inEachFolder('.vscode', 'mcp.json'),
    adapter: jsonServerMapAdapter(['servers']),
    variables: 'vscode',
  },
  {
    client: 'vscode',
    scope: 'workspace',
    label: `${CLIENT_NAMES.vscode} (workspace)`,
    // `settings.mcp` of .code-workspace files: the ones named (--workspace x.code-workspace) and any
    // found in a workspace folder. The file's own `folders` decide what ${workspaceFolder} means.
    files: async (ctx, listDir) => {
      const p = pathFor(ctx.host);
      const found = [...(ctx.workspaceFiles ?? [])];
      for (const folder of ctx.workspaceFolders) {
        for (const name of (await listOrEmpty(listDir, folder)).sort()) {
          if (name.endsWith('.code-workspace')) found.push(p.join(folder, name));
        }
      }
      return [...new Set(found)].map((file) => ({ file }));
    },
    adapter: adaptCodeWorkspace,
    variables: 'vscode',
  },
  {
    // Claude Code's project file; VS Code discovers it too.
    client: 'claude-code',
    scope: 'project',
    label: `${CLIENT_NAMES['claude-code']} (project)`,
    files: inEachFolder('.mcp.json'),
    adapter: mcpServers,
    variables: 'shell',
    rules: CLAUDE_CODE_RULES,
  },
  ...vscodeSources,
  ...vscodeRemoteSources,
  {
    client: 'claude-desktop',
    scope: 'user',
    label: 'Claude Desktop',
    files: one((ctx) => pathFor(ctx.host).join(appDataDir(ctx.host), 'Claude', 'claude_desktop_config.json')),
    adapter: mcpServers,
    variables: 'none',
  },
  {
    // Claude Desktop installed from the Microsoft Store (MSIX) keeps its config in the package's virtualised AppData.
    client: 'claude-desktop',
    scope: 'user',
    label: 'Claude Desktop',
    files: one((ctx) =>
      ctx.host.platform === 'win32'
        ? pathFor(ctx.host).join(
            localAppDataDir(ctx.host),
            'Packages',
            'Claude_pzs8sxrjxfjjc',
            'LocalCache',
            'Roaming',
            'Claude',
            'claude_desktop_config.json',
          )
        : undefined,
    ),
    adapter: mcpServers,
    variables: 'none',
  },
  {
    // Claude Desktop's extensions (MCP Bundles): one manifest per folder of `Claude Extensions`, read
    // with the extension's settings file (whether it is enabled, and its settings).
    client: 'claude-desktop',
    scope: 'user',
    label: 'Claude Desktop extension',
    files: async (ctx, listDir) => {
      const p = pathFor(ctx.host);
      const out: SourceFile[] = [];
      for (const dir of claudeDesktopDirs(ctx.host)) {
        const extensions = p.join(dir, EXTENSIONS_FOLDER);
        for (const id of (await listOrEmpty(listDir, extensions)).sort()) {
          if (id.startsWith('.')) continue;
          out.push({
            file: p.join(extensions, id, 'manifest.json'),
            companions: [p.join(dir, EXTENSION_SETTINGS_FOLDER, `${id}.json`)],
          });
        }
      }
      return out;
    },
    adapter: adaptExtensionManifest,
    variables: 'none',
  },
  {
    client: 'claude-code',
    scope: 'user',
    label: 'Claude Code',
    files: one((ctx) => pathFor(ctx.host).join(ctx.host.env.CLAUDE_CONFIG_DIR || ctx.host.home, '.claude.json')),
    adapter: adaptClaudeJson,
    variables: 'shell',
    rules: CLAUDE_CODE_RULES,
  },
  {
    client: 'claude-code',
    scope: 'managed',
    label: 'Claude Code (managed)',
    rules: CLAUDE_CODE_RULES,
    files: one((ctx) => pathFor(ctx.host).join(claudeCodeManagedDir(ctx.host), 'managed-mcp.json')),
    adapter: mcpServers,
    variables: 'shell',
  },
  {
    // The servers of Claude Code's plugins installed from a marketplace, each file of each plugin
    // found from Claude Code's own records (claudePlugins.ts).
    client: 'claude-code',
    scope: 'user',
    label: 'Claude Code plugin',
    files: (ctx, _listDir, readText) => claudePluginFiles(ctx, readText),
    adapter: adaptClaudePluginServers,
    variables: 'shell',
    rules: CLAUDE_PLUGIN_RULES,
  },
  {
    client: 'cursor',
    scope: 'user',
    label: 'Cursor',
    files: one((ctx) => pathFor(ctx.host).join(ctx.host.home, '.cursor', 'mcp.json')),
    adapter: mcpServers,
    variables: 'cursor',
  },
  {
    client: 'cursor',
    scope: 'workspace',
    label: 'Cursor (workspace)',
    files: inEachFolder('.cursor', 'mcp.json'),
    adapter: mcpServers,
    variables: 'cursor',
  },
  {
    client: 'windsurf',
    scope: 'user',
    label: 'Windsurf',
    files: one((ctx) => pathFor(ctx.host).join(ctx.host.home, '.codeium', 'windsurf', 'mcp_config.json')),
    adapter: mcpServers,
    variables: 'cursor',
  },
  // Gemini CLI 0.61.0 connects a `url` without a `type` as streamable HTTP (SSE only when that
  // fails): HTTP, as every client but its fork Qwen Code reads it.
  {
    client: 'gemini-cli',
    scope: 'user',
    label: 'Gemini CLI',
    files: one((ctx) => pathFor(ctx.host).join(ctx.host.home, '.gemini', 'settings.json')),
    adapter: mcpServers,
    variables: 'dollar',
  },
  {
    client: 'gemini-cli',
    scope: 'workspace',
    label: 'Gemini CLI (workspace)',
    files: inEachFolder('.gemini', 'settings.json'),
    adapter: mcpServers,
    variables: 'dollar',
  },
  {
    // The servers of Gemini CLI's extensions, each extension's manifest found from its extensions
    // folder (cliExtensions.ts). Gemini CLI 0.61.0 connects a `url` without a `type` as streamable
    // HTTP (its createUrlTransport), as every client but Qwen Code.
    client: 'gemini-cli',
    scope: 'user',
    label: 'Gemini CLI extension',
    files: (ctx, listDir, readText) => cliExtensionFiles(GEMINI_CLI_EXTENSIONS, ctx, listDir, readText),
    adapter: cliExtensionAdapter(GEMINI_CLI_EXTENSIONS),
    variables: 'dollar',
  },
  ...inExtensionStorage('cline', 'Cline', 'saoudrizwan.claude-dev', 'cline_mcp_settings.json'),
  ...inExtensionStorage('roo-code', 'Roo Code', 'rooveterinaryinc.roo-cline', 'mcp_settings.json'),
  {
    client: 'roo-code',
    scope: 'workspace',
    label: 'Roo Code (workspace)',
    files: inEachFolder('.roo', 'mcp.json'),
    adapter: mcpServers,
    variables: 'none',
  },
  {
    client: 'codex',
    scope: 'user',
    label: 'Codex',
    files: one((ctx) => pathFor(ctx.host).join(codexHome(ctx.host), 'config.toml')),
    adapter: adaptCodexToml,
    variables: 'none',
  },
  {
    // Codex reads a project's .codex/config.toml when the project is trusted.
    client: 'codex',
    scope: 'workspace',
    label: 'Codex (workspace)',
    files: inEachFolder('.codex', 'config.toml'),
    adapter: adaptCodexToml,
    variables: 'none',
  },
  {
    client: 'continue',
    scope: 'user',
    label: 'Continue',
    files: one((ctx) => pathFor(ctx.host).join(continueDir(ctx.host), 'config.yaml')),
    adapter: adaptContinueYaml,
    variables: 'continue',
  },
  {
    client: 'continue',
    scope: 'user',
    label: 'Continue',
    files: blockFiles((ctx) => [pathFor(ctx.host).join(continueDir(ctx.host), 'mcpServers')]),
    adapter: adaptContinueBlock,
    variables: 'continue',
  },
  {
    client: 'continue',
    scope: 'workspace',
    label: 'Continue (workspace)',
    files: blockFiles(
      (ctx) => ctx.workspaceFolders.map((folder) => pathFor(ctx.host).join(folder, '.continue', 'mcpServers')),
      true,
    ),
    adapter: adaptContinueBlock,
    variables: 'continue',
  },
  {
    client: 'zed',
    scope: 'user',
    label: 'Zed',
    files: one((ctx) => pathFor(ctx.host).join(zedConfigDir(ctx.host), 'settings.json')),
    adapter: adaptZedSettings,
    variables: 'none',
  },
  {
    client: 'zed',
    scope: 'workspace',
    label: 'Zed (workspace)',
    files: inEachFolder('.zed', 'settings.json'),
    adapter: adaptZedSettings,
    variables: 'none',
  },
  {
    client: 'copilot-cli',
    scope: 'user',
    label: 'Copilot CLI',
    files: one((ctx) =>
      pathFor(ctx.host).join(
        ctx.host.env.COPILOT_HOME || pathFor(ctx.host).join(ctx.host.home, '.copilot'),
        'mcp-config.json',
      ),
    ),
    adapter: adaptCopilotUserConfig,
    variables: 'shell',
    // `copilot mcp add NAME -- CMD` writes `"type": "local"` (Copilot CLI 1.0.102, test/clients/copilotCli.test.ts).
    types: { local: 'stdio' },
  },
  {
    // A workspace's `.github/mcp.json`, which Copilot CLI 1.0.102 loads in a trusted folder (it has no
    // command that writes it; when the folder also has a `.mcp.json`, only that one's servers started).
    client: 'copilot-cli',
    scope: 'workspace',
    label: 'Copilot CLI (workspace)',
    files: inEachFolder('.github', 'mcp.json'),
    adapter: adaptCopilotWorkspaceConfig,
    variables: 'shell',
    types: { local: 'stdio' },
  },
  {
    // Qwen Code is a fork of Gemini CLI: `qwen mcp add` 0.24.4 writes `mcpServers` of its settings
    // (user by default, `-s project`), an http server as `httpUrl` and an sse one as `url`.
    client: 'qwen-code',
    scope: 'user',
    label: 'Qwen Code',
    files: one((ctx) => pathFor(ctx.host).join(qwenHome(ctx.host), 'settings.json')),
    adapter: mcpServers,
    variables: 'dollar',
    urlTransport: 'sse',
  },
  {
    client: 'qwen-code',
    scope: 'workspace',
    label: 'Qwen Code (workspace)',
    files: inEachFolder('.qwen', 'settings.json'),
    adapter: mcpServers,
    variables: 'dollar',
    urlTransport: 'sse',
  },
  {
    client: 'qwen-code',
    scope: 'user',
    label: 'Qwen Code extension',
    files: (ctx, listDir, readText) => cliExtensionFiles(QWEN_CODE_EXTENSIONS, ctx, listDir, readText),
    adapter: cliExtensionAdapter(QWEN_CODE_EXTENSIONS),
    variables: 'dollar',
    urlTransport: 'sse',
  },
  // `opencode mcp add NAME -- CMD` 1.18.33 writes its global opencode.jsonc; in a git project its
  // wizard offers the project's opencode.json. OPENCODE_CONFIG names one more file.
  ...opencodeFormat(
    'opencode',
    'opencode',
    { app: 'opencode', names: OPENCODE_FILES, envVar: 'OPENCODE_CONFIG' },
    inEachFolderAll(...OPENCODE_FILES.flatMap((name) => [[name], ['.opencode', name]])),
  ),
  // Kilo's CLI is a fork of opencode: `kilo mcp add` 7.7.7 writes `~/.config/kilo/kilo.jsonc` in
  // opencode's format. A project's own opencode.json is opencode's row (Kilo reads it too).
  ...opencodeFormat(
    'kilo',
    'Kilo',
    { app: 'kilo', names: KILO_FILES, envVar: 'KILO_CONFIG' },
    inEachFolderAll(
      ...['kilo.json', 'kilo.jsonc'].map((name) => [name]),
      ...['.kilo', '.kilocode'].flatMap((dir) => KILO_FILES.map((name) => [dir, name])),
    ),
  ),
  {
    // Kilo Code's older MCP files, which Kilo's CLI still reads and converts (a `url` with type
    // "streamable-http" or "sse" is remote, anything else runs `command` with `args` and `env`).
    client: 'kilo',
    scope: 'workspace',
    label: 'Kilo (workspace)',
    files: inEachFolderAll(['.kilocode', 'mcp.json'], ['.kilo', 'mcp.json']),
    adapter: mcpServers,
    variables: 'none',
    rules: KILO_MCP_JSON_RULES,
  },
  ...inExtensionStorage('kilo', 'Kilo', 'kilocode.kilo-code', 'mcp_settings.json'),
  {
    // The Cline CLI's own file (`cline mcp add` 3.0.65), the launch nested in `transport`.
    client: 'cline',
    scope: 'user',
    label: 'Cline CLI',
    files: one((ctx) => clineMcpSettingsFile(ctx.host)),
    adapter: adaptClineMcpSettings,
    variables: 'none',
    urlTransport: 'sse',
  },
  {
    // Auggie (Augment's CLI): `auggie mcp add` 0.36.0 writes `mcpServers` of ~/.augment/settings.json,
    // with --project the workspace's .augment/settings.json, with --local its settings.local.json.
    client: 'auggie',
    scope: 'user',
    label: 'Auggie',
    files: one((ctx) => pathFor(ctx.host).join(ctx.host.home, '.augment', 'settings.json')),
    adapter: mcpServers,
    variables: 'none',
  },
  {
    client: 'auggie',
    scope: 'workspace',
    label: 'Auggie (workspace)',
    files: inEachFolder('.augment', 'settings.json'),
    adapter: mcpServers,
    variables: 'none',
  },
  {
    client: 'auggie',
    scope: 'local',
    label: 'Auggie (local)',
    files: inEachFolder('.augment', 'settings.local.json'),
    adapter: mcpServers,
    variables: 'none',
  },
  // Kiro (the IDE and Kiro CLI read the same files), JetBrains Junie, Amazon Q Developer and Antigravity:
  // no CLI of theirs installs from npm or PyPI, so these rows follow their documentation and sources
  // (docs/clients.md). Each reads `mcpServers`, a server off with `"disabled": true`.
  // Kiro's `${VAR}` in env and headers is expanded once the user approves the variable.
  ...userAndWorkspace('kiro', 'Kiro', homeAndFolders(['.kiro', 'settings', 'mcp.json']), SHELL_VARIABLES),
  ...userAndWorkspace('kiro', 'Kiro agent', KIRO_AGENTS, { ...SHELL_VARIABLES, adapter: adaptAgentFile }),
  // Junie, in JetBrains IDEs and its own CLI; no variables documented (`${VAR}` is read as such,
  // which never contradicts a process).
  ...userAndWorkspace('junie', 'Junie', homeAndFolders(['.junie', 'mcp', 'mcp.json']), SHELL_VARIABLES),
  // Amazon Q Developer's mcp.json, which its CLI (amazon-q-developer-cli `paths.rs`, `mcp_config.rs`)
  // and its IDE plugins read; `${env:NAME}` in env values, as Cursor's. Then the IDE plugins' agent
  // (aws/language-servers `mcpUtils.ts`: `agents/default.json`) and the CLI's agents.
  ...userAndWorkspace(
    'amazon-q',
    'Amazon Q',
    homeAndFolders(['.aws', 'amazonq', 'mcp.json'], ['.amazonq', 'mcp.json']),
    ENV_VARIABLES,
  ),
  ...userAndWorkspace(
    'amazon-q',
    'Amazon Q agent',
    homeAndFolders(['.aws', 'amazonq', 'agents', 'default.json'], ['.amazonq', 'agents', 'default.json']),
    ENV_VARIABLES,
  ),
  ...userAndWorkspace('amazon-q', 'Amazon Q CLI agent', Q_CLI_AGENTS, { ...ENV_VARIABLES, rules: AMAZON_Q_CLI_RULES }),
  // Antigravity: a remote server's URL is `serverUrl` (streamable HTTP), or `url`. A `type` beside
  // `command` does not pick its transport: real files write `"local"` there. A project's
  // customization folders are read by `agy`.
  ...userAndWorkspace(
    'antigravity',
    'Antigravity',
    {
      user: antigravityUserFiles,
      workspace: inEachFolderAll(...['.agents', '.agent', '_agents', '_agent'].map((dir) => [dir, 'mcp_config.json'])),
    },
    { adapter: mcpServers, variables: 'shell', types: { local: 'stdio' }, rules: ANTIGRAVITY_RULES },
  ),
  // Amp, Factory Droid and Mistral Vibe: `amp mcp add` (its managed settings provision servers too),
  // `droid mcp add` 0.215.0 (~/.factory/mcp.json), Vibe's [[mcp_servers]] in its config.toml.
  ...userAndWorkspace('amp', 'Amp', AMP_FILES, AMP_READING),
  {
    client: 'amp',
    scope: 'managed',
    label: 'Amp (managed)',
    files: one((ctx) => ampManagedSettingsFile(ctx.host)),
    ...AMP_READING,
  },
  ...userAndWorkspace(
    'factory-droid',
    'Factory Droid',
    {
      user: one((ctx) => pathFor(ctx.host).join(factoryDir(ctx.host), 'mcp.json')),
      workspace: inEachFolder('.factory', 'mcp.json'),
    },
    { adapter: mcpServers, variables: 'none' },
  ),
  ...userAndWorkspace(
    'mistral-vibe',
    'Mistral Vibe',
    {
      user: one((ctx) => pathFor(ctx.host).join(vibeHome(ctx.host), 'config.toml')),
      workspace: inEachFolder('.vibe', 'config.toml'),
    },
    { adapter: adaptVibeToml, variables: 'none' },
  ),
];
