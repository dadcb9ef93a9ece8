import * as path from 'node:path';
import { ClientId, Scope } from '../../../src/core/base/model';

/**
 * Where every client keeps its config, per OS, spelled out here rather than derived from the
 * source table, so that a wrong path in the table fails a test. Shared by the layout and the
 * secrets tests.
 */

export type Format =
  | 'servers'
  | 'mcpServers'
  | 'vscodeSettings'
  | 'codeWorkspace'
  | 'claudeJson'
  | 'toml'
  | 'continueYaml'
  | 'zed'
  | 'opencode'
  | 'clineCli';

export interface Row {
  client: ClientId;
  scope: Scope;
  label: string;
  file: string;
  format: Format;
}

export interface Layout {
  platform: NodeJS.Platform;
  home: string;
  env: Record<string, string>;
  workspace: string;
  rows: Row[];
}

function rowsFor(
  p: typeof path.posix,
  o: {
    userDir: (product: string) => string;
    home: string;
    ws: string;
    claudeDesktop: string[];
    claudeJson: string;
    managed: string;
    codex: string;
    zed: string;
    copilot: string;
    cont: string;
    /** Qwen Code's home (`$QWEN_HOME`, else `~/.qwen`). */
    qwen: string;
    /** opencode's and Kilo's XDG config folder (`$XDG_CONFIG_HOME`, else `~/.config`, on every OS). */
    xdg: string;
    /** The Cline CLI's cline_mcp_settings.json. */
    clineCli: string;
  },
): Row[] {
  const rows: Row[] = [
    {
      client: 'vscode',
      scope: 'workspace',
      label: 'VS Code (workspace)',
      file: p.join(o.ws, '.vscode', 'mcp.json'),
      format: 'servers',
    },
    {
      client: 'vscode',
      scope: 'workspace',
      label: 'VS Code (workspace)',
      file: p.join(o.ws, 'team.code-workspace'),
      format: 'codeWorkspace',
    },
    {
      client: 'claude-code',
      scope: 'project',
      label: 'Claude Code (project)',
      file: p.join(o.ws, '.mcp.json'),
      format: 'mcpServers',
    },
    ...o.claudeDesktop.map((file): Row => ({
      client: 'claude-desktop',
      scope: 'user',
      label: 'Claude Desktop',
      file,
      format: 'mcpServers',
    })),
    { client: 'claude-code', scope: 'user', label: 'Claude Code', file: o.claudeJson, format: 'claudeJson' },
    { client: 'claude-code', scope: 'managed', label: 'Claude Code (managed)', file: o.managed, format: 'mcpServers' },
    {
      client: 'cursor',
      scope: 'user',
      label: 'Cursor',
      file: p.join(o.home, '.cursor', 'mcp.json'),
      format: 'mcpServers',
    },
    {
      client: 'cursor',
      scope: 'workspace',
      label: 'Cursor (workspace)',
      file: p.join(o.ws, '.cursor', 'mcp.json'),
      format: 'mcpServers',
    },
    {
      client: 'windsurf',
      scope: 'user',
      label: 'Windsurf',
      file: p.join(o.home, '.codeium', 'windsurf', 'mcp_config.json'),
      format: 'mcpServers',
    },
    {
      client: 'gemini-cli',
      scope: 'user',
      label: 'Gemini CLI',
      file: p.join(o.home, '.gemini', 'settings.json'),
      format: 'mcpServers',
    },
    {
      client: 'gemini-cli',
      scope: 'workspace',
      label: 'Gemini CLI (workspace)',
      file: p.join(o.ws, '.gemini', 'settings.json'),
      format: 'mcpServers',
    },
    {
      client: 'roo-code',
      scope: 'workspace',
      label: 'Roo Code (workspace)',
      file: p.join(o.ws, '.roo', 'mcp.json'),
      format: 'mcpServers',
    },
    { client: 'codex', scope: 'user', label: 'Codex', file: o.codex, format: 'toml' },
    {
      client: 'codex',
      scope: 'workspace',
      label: 'Codex (workspace)',
      file: p.join(o.ws, '.codex', 'config.toml'),
      format: 'toml',
    },
    {
      client: 'continue',
      scope: 'user',
      label: 'Continue',
      file: p.join(o.cont, 'config.yaml'),
      format: 'continueYaml',
    },
    {
      client: 'continue',
      scope: 'user',
      label: 'Continue',
      file: p.join(o.cont, 'mcpServers', 'memory.yaml'),
      format: 'continueYaml',
    },
    {
      client: 'continue',
      scope: 'user',
      label: 'Continue',
      file: p.join(o.cont, 'mcpServers', 'claude-style.json'),
      format: 'mcpServers',
    },
    {
      client: 'continue',
      scope: 'workspace',
      label: 'Continue (workspace)',
      file: p.join(o.ws, '.continue', 'mcpServers', 'team.yml'),
      format: 'continueYaml',
    },
    { client: 'zed', scope: 'user', label: 'Zed', file: o.zed, format: 'zed' },
    {
      client: 'zed',
      scope: 'workspace',
      label: 'Zed (workspace)',
      file: p.join(o.ws, '.zed', 'settings.json'),
      format: 'zed',
    },
    { client: 'copilot-cli', scope: 'user', label: 'Copilot CLI', file: o.copilot, format: 'mcpServers' },
    {
      client: 'qwen-code',
      scope: 'user',
      label: 'Qwen Code',
      file: p.join(o.qwen, 'settings.json'),
      format: 'mcpServers',
    },
    {
      client: 'qwen-code',
      scope: 'workspace',
      label: 'Qwen Code (workspace)',
      file: p.join(o.ws, '.qwen', 'settings.json'),
      format: 'mcpServers',
    },
    {
      client: 'opencode',
      scope: 'user',
      label: 'opencode',
      file: p.join(o.xdg, 'opencode', 'opencode.jsonc'),
      format: 'opencode',
    },
    {
      client: 'opencode',
      scope: 'workspace',
      label: 'opencode (workspace)',
      file: p.join(o.ws, 'opencode.json'),
      format: 'opencode',
    },
    { client: 'kilo', scope: 'user', label: 'Kilo', file: p.join(o.xdg, 'kilo', 'kilo.jsonc'), format: 'opencode' },
    {
      client: 'kilo',
      scope: 'workspace',
      label: 'Kilo (workspace)',
      file: p.join(o.ws, 'kilo.json'),
      format: 'opencode',
    },
    {
      client: 'kilo',
      scope: 'workspace',
      label: 'Kilo (workspace)',
      file: p.join(o.ws, '.kilocode', 'mcp.json'),
      format: 'mcpServers',
    },
    { client: 'cline', scope: 'user', label: 'Cline CLI', file: o.clineCli, format: 'clineCli' },
    {
      client: 'auggie',
      scope: 'user',
      label: 'Auggie',
      file: p.join(o.home, '.augment', 'settings.json'),
      format: 'mcpServers',
    },
    {
      client: 'auggie',
      scope: 'workspace',
      label: 'Auggie (workspace)',
      file: p.join(o.ws, '.augment', 'settings.json'),
      format: 'mcpServers',
    },
    {
      client: 'auggie',
      scope: 'local',
      label: 'Auggie (local)',
      file: p.join(o.ws, '.augment', 'settings.local.json'),
      format: 'mcpServers',
    },
    // Kiro, Junie, Amazon Q Developer and Antigravity: the same relative files on every OS.
    ...(
      [
        ['kiro', 'user', 'Kiro', [o.home, '.kiro', 'settings', 'mcp.json']],
        ['kiro', 'workspace', 'Kiro (workspace)', [o.ws, '.kiro', 'settings', 'mcp.json']],
        ['kiro', 'user', 'Kiro agent', [o.home, '.kiro', 'agents', 'reviewer.json']],
        ['kiro', 'workspace', 'Kiro agent (workspace)', [o.ws, '.kiro', 'agents', 'builder.json']],
        ['junie', 'user', 'Junie', [o.home, '.junie', 'mcp', 'mcp.json']],
        ['junie', 'workspace', 'Junie (workspace)', [o.ws, '.junie', 'mcp', 'mcp.json']],
        ['amazon-q', 'user', 'Amazon Q', [o.home, '.aws', 'amazonq', 'mcp.json']],
        ['amazon-q', 'workspace', 'Amazon Q (workspace)', [o.ws, '.amazonq', 'mcp.json']],
        ['amazon-q', 'user', 'Amazon Q agent', [o.home, '.aws', 'amazonq', 'agents', 'default.json']],
        ['amazon-q', 'workspace', 'Amazon Q agent (workspace)', [o.ws, '.amazonq', 'agents', 'default.json']],
        ['amazon-q', 'user', 'Amazon Q CLI agent', [o.home, '.aws', 'amazonq', 'cli-agents', 'aws.json']],
        ['amazon-q', 'workspace', 'Amazon Q CLI agent (workspace)', [o.ws, '.amazonq', 'cli-agents', 'dev.json']],
        ['antigravity', 'user', 'Antigravity', [o.home, '.gemini', 'config', 'mcp_config.json']],
        ['antigravity', 'user', 'Antigravity', [o.home, '.gemini', 'antigravity', 'mcp_config.json']],
        ['antigravity', 'workspace', 'Antigravity (workspace)', [o.ws, '.agents', 'mcp_config.json']],
      ] as const
    ).map(([client, scope, label, parts]): Row => ({
      client,
      scope,
      label,
      file: p.join(...parts),
      format: 'mcpServers',
    })),
  ];
  // VS Code's family: each product's user folder and its remote server's (in the home, on every OS),
  // the products that read their own mcp.json, and the extensions that install into every one of them.
  const family = [
    { client: 'vscode', folder: 'Code', server: '.vscode-server', label: 'VS Code', ownMcp: true },
    {
      client: 'vscode-insiders',
      folder: 'Code - Insiders',
      server: '.vscode-server-insiders',
      label: 'VS Code Insiders',
      ownMcp: true,
    },
    { client: 'vscodium', folder: 'VSCodium', server: '.vscodium-server', label: 'VSCodium', ownMcp: true },
    {
      client: 'vscodium',
      folder: 'VSCodium - Insiders',
      server: '.vscodium-server-insiders',
      label: 'VSCodium Insiders',
      ownMcp: true,
    },
    { client: 'cursor', folder: 'Cursor', server: '.cursor-server', label: 'Cursor', ownMcp: false },
    { client: 'windsurf', folder: 'Windsurf', server: '.windsurf-server', label: 'Windsurf', ownMcp: false },
  ] as const;
  const extensions = [
    { client: 'cline', label: 'Cline', id: 'saoudrizwan.claude-dev', file: 'cline_mcp_settings.json' },
    { client: 'roo-code', label: 'Roo Code', id: 'rooveterinaryinc.roo-cline', file: 'mcp_settings.json' },
    { client: 'kilo', label: 'Kilo', id: 'kilocode.kilo-code', file: 'mcp_settings.json' },
  ] as const;
  for (const { client, folder, server, label, ownMcp } of family) {
    const user = o.userDir(folder);
    const remote = p.join(o.home, server, 'data', 'User');
    if (ownMcp)
      rows.push(
        { client, scope: 'user', label: `${label} User`, file: p.join(user, 'mcp.json'), format: 'servers' },
        {
          client,
          scope: 'profile',
          label: `${label} User`,
          file: p.join(user, 'profiles', '5a1f3c', 'mcp.json'),
          format: 'servers',
        },
        {
          client,
          scope: 'user',
          label: `${label} User`,
          file: p.join(user, 'settings.json'),
          format: 'vscodeSettings',
        },
        { client, scope: 'user', label: `${label} Remote User`, file: p.join(remote, 'mcp.json'), format: 'servers' },
      );
    for (const ext of extensions)
      rows.push(
        {
          client: ext.client,
          scope: 'user',
          label: client === 'vscode' ? ext.label : `${ext.label} (${label})`,
          file: p.join(user, 'globalStorage', ext.id, 'settings', ext.file),
          format: 'mcpServers',
        },
        {
          client: ext.client,
          scope: 'user',
          label: `${ext.label} (${label} Remote)`,
          file: p.join(remote, 'globalStorage', ext.id, 'settings', ext.file),
          format: 'mcpServers',
        },
      );
  }
  return rows;
}

export function linuxLayout(root: string, withEnv: boolean): Layout {
  const p = path.posix;
  const home = p.join(root, 'home');
  const ws = p.join(root, 'work', 'proj');
  const env: Record<string, string> = { MCP_LIFEGUARD_SYSTEM_ROOT: p.join(root, 'sys') };
  if (withEnv) {
    Object.assign(env, {
      XDG_CONFIG_HOME: p.join(root, 'xdg'),
      CODEX_HOME: p.join(root, 'codex-home'),
      COPILOT_HOME: p.join(root, 'copilot-home'),
      CLAUDE_CONFIG_DIR: p.join(root, 'claude-dir'),
      QWEN_HOME: p.join(root, 'qwen-home'),
      CLINE_DIR: p.join(root, 'cline-dir'),
    });
  }
  const config = withEnv ? p.join(root, 'xdg') : p.join(home, '.config');
  return {
    platform: 'linux',
    home,
    env,
    workspace: ws,
    rows: rowsFor(p, {
      home,
      ws,
      userDir: (product) => p.join(config, product, 'User'),
      claudeDesktop: [p.join(config, 'Claude', 'claude_desktop_config.json')],
      claudeJson: withEnv ? p.join(root, 'claude-dir', '.claude.json') : p.join(home, '.claude.json'),
      managed: p.join(root, 'sys', 'etc', 'claude-code', 'managed-mcp.json'),
      codex: withEnv ? p.join(root, 'codex-home', 'config.toml') : p.join(home, '.codex', 'config.toml'),
      zed: p.join(config, 'zed', 'settings.json'),
      copilot: withEnv ? p.join(root, 'copilot-home', 'mcp-config.json') : p.join(home, '.copilot', 'mcp-config.json'),
      cont: p.join(home, '.continue'),
      qwen: withEnv ? p.join(root, 'qwen-home') : p.join(home, '.qwen'),
      xdg: config,
      clineCli: p.join(
        withEnv ? p.join(root, 'cline-dir') : p.join(home, '.cline'),
        'data',
        'settings',
        'cline_mcp_settings.json',
      ),
    }),
  };
}

export function macLayout(root: string): Layout {
  const p = path.posix;
  const home = p.join(root, 'Users', 'me');
  const ws = p.join(root, 'src', 'proj');
  const support = p.join(home, 'Library', 'Application Support');
  return {
    platform: 'darwin',
    home,
    // XDG_CONFIG_HOME is a Linux convention: macOS apps ignore it, so must the scan (but for opencode and
    // Kilo, which take it on every OS).
    env: { MCP_LIFEGUARD_SYSTEM_ROOT: p.join(root, 'sys'), XDG_CONFIG_HOME: p.join(root, 'ignored-xdg') },
    workspace: ws,
    rows: rowsFor(p, {
      home,
      ws,
      userDir: (product) => p.join(support, product, 'User'),
      claudeDesktop: [p.join(support, 'Claude', 'claude_desktop_config.json')],
      claudeJson: p.join(home, '.claude.json'),
      managed: p.join(root, 'sys', 'Library', 'Application Support', 'ClaudeCode', 'managed-mcp.json'),
      codex: p.join(home, '.codex', 'config.toml'),
      zed: p.join(home, '.config', 'zed', 'settings.json'),
      copilot: p.join(home, '.copilot', 'mcp-config.json'),
      cont: p.join(home, '.continue'),
      qwen: p.join(home, '.qwen'),
      xdg: p.join(root, 'ignored-xdg'),
      clineCli: p.join(home, '.cline', 'data', 'settings', 'cline_mcp_settings.json'),
    }),
  };
}

export function windowsLayout(): Layout {
  const p = path.win32;
  const home = 'C:\\Users\\me';
  const appData = 'D:\\Roaming';
  const local = 'D:\\Local';
  const ws = 'C:\\src\\proj';
  return {
    platform: 'win32',
    home,
    env: { APPDATA: appData, LOCALAPPDATA: local, MCP_LIFEGUARD_SYSTEM_ROOT: 'E:\\' },
    workspace: ws,
    rows: rowsFor(p, {
      home,
      ws,
      userDir: (product) => p.join(appData, product, 'User'),
      claudeDesktop: [
        p.join(appData, 'Claude', 'claude_desktop_config.json'),
        p.join(
          local,
          'Packages',
          'Claude_pzs8sxrjxfjjc',
          'LocalCache',
          'Roaming',
          'Claude',
          'claude_desktop_config.json',
        ),
      ],
      claudeJson: p.join(home, '.claude.json'),
      managed: 'E:\\Program Files\\ClaudeCode\\managed-mcp.json',
      codex: p.join(home, '.codex', 'config.toml'),
      zed: p.join(appData, 'Zed', 'settings.json'),
      copilot: p.join(home, '.copilot', 'mcp-config.json'),
      cont: p.join(home, '.continue'),
      qwen: p.join(home, '.qwen'),
      xdg: p.join(home, '.config'),
      clineCli: p.join(home, '.cline', 'data', 'settings', 'cline_mcp_settings.json'),
    }),
  };
}
