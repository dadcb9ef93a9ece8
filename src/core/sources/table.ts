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
  zedConfigDir,
} from './locations';
import { adaptZedSettings } from './zed';
import { SourceFile, SourceSpec } from './types';
import {
  mcpServers,
  OPENCODE_FILES,
  KILO_FILES,
  inExtensionStorage,
  opencodeFormat,
  userAndWorkspace,
  SHELL_VARIABLES,
  ENV_VARIABLES,
} from './rowShapes';
import { inEachFolder, one, inEachFolderAll, listOrEmpty, blockFiles, homeAndFolders } from './fileFinders';
import { AMP_FILES, AMP_READING, KIRO_AGENTS, Q_CLI_AGENTS, antigravityUserFiles } from './clientFiles';
import { vscodeSources, vscodeRemoteSources } from './vscodeRows';

/**
 * Every config source MCP Lifeguard reads: one row per client, scope and format. Adding a client
 * is adding a row. Paths come only from the injected host (home, platform, env), so a fixture home
 * exercises the Windows and macOS layouts on Linux too.
 */
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
