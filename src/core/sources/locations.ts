import { HostEnv, pathFor } from '../base/hostEnv';

/** The per-OS folders that client config paths start from, derived only from the injected host. */

/** `~/.config` on Linux, honouring XDG_CONFIG_HOME. */
export function xdgConfigHome(host: HostEnv): string {
  return host.env.XDG_CONFIG_HOME || pathFor(host).join(host.home, '.config');
}

/** Where Electron apps keep per-user data: %APPDATA%, ~/Library/Application Support, or XDG config. */
export function appDataDir(host: HostEnv): string {
  const p = pathFor(host);
  switch (host.platform) {
    case 'win32':
      return host.env.APPDATA || p.join(host.home, 'AppData', 'Roaming');
    case 'darwin':
      return p.join(host.home, 'Library', 'Application Support');
    default:
      return xdgConfigHome(host);
  }
}

export function localAppDataDir(host: HostEnv): string {
  return host.env.LOCALAPPDATA || pathFor(host).join(host.home, 'AppData', 'Local');
}

/**
 * Claude Desktop's config folders (where `claude_desktop_config.json` lives): `<appData>/Claude`,
 * and on Windows also the one of the Microsoft Store (MSIX) install, in its package's virtualised AppData.
 */
export function claudeDesktopDirs(host: HostEnv): string[] {
  const p = pathFor(host);
  const dirs = [p.join(appDataDir(host), 'Claude')];
  if (host.platform === 'win32')
    dirs.push(p.join(localAppDataDir(host), 'Packages', 'Claude_pzs8sxrjxfjjc', 'LocalCache', 'Roaming', 'Claude'));
  return dirs;
}

/**
 * VS Code's family: each product's user folder under the app data root (`<appData>/<nameShort>/User`,
 * its product.json `nameShort`) and its remote server's data folder in the remote's home
 * (`~/<serverDataFolderName>/data/User`), where an extension installed in it keeps its global storage.
 * `ownMcp`: the product reads its own user `mcp.json` (and profiles, and `mcp` in settings.json), as
 * VS Code and its VSCodium builds do; Cursor and Windsurf keep their servers elsewhere.
 * VSCodium's names: its prepare_vscode.sh; Cursor's and Windsurf's: their shipped product.json.
 */
export const VSCODE_PRODUCTS = [
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

export type VscodeProduct = (typeof VSCODE_PRODUCTS)[number];

/** `<appData>/<product>/User`; VSCODE_APPDATA moves the app data root as it does for VS Code itself. */
export function vscodeUserDir(host: HostEnv, productFolder: string): string {
  const p = pathFor(host);
  return p.join(host.env.VSCODE_APPDATA || appDataDir(host), productFolder, 'User');
}

/** A product's remote server's user folder, `~/<serverDataFolderName>/data/User` (on the remote, its home). */
export function vscodeServerUserDir(host: HostEnv, serverFolder: string): string {
  return pathFor(host).join(host.home, serverFolder, 'data', 'User');
}

/**
 * Root of machine-wide files (Claude Code's managed-mcp.json): `/` or the Windows system drive.
 * MCP_LIFEGUARD_SYSTEM_ROOT moves it, so tests can provide managed files in a fixture tree.
 */
export function systemRoot(host: HostEnv): string {
  return (
    host.env.MCP_LIFEGUARD_SYSTEM_ROOT || (host.platform === 'win32' ? (host.env.SystemDrive || 'C:') + '\\' : '/')
  );
}

/** Zed's config folder: `%APPDATA%\Zed` on Windows, `$XDG_CONFIG_HOME/zed` on Linux, and `~/.config/zed` on macOS too. */
export function zedConfigDir(host: HostEnv): string {
  const p = pathFor(host);
  switch (host.platform) {
    case 'win32':
      return p.join(appDataDir(host), 'Zed');
    case 'darwin':
      return p.join(host.home, '.config', 'zed');
    default:
      return p.join(xdgConfigHome(host), 'zed');
  }
}

/** Codex CLI's home: `$CODEX_HOME`, else `~/.codex`. */
export function codexHome(host: HostEnv): string {
  return host.env.CODEX_HOME || pathFor(host).join(host.home, '.codex');
}

/** Continue's global folder: `$CONTINUE_GLOBAL_DIR`, else `~/.continue` (on every OS). */
export function continueDir(host: HostEnv): string {
  return host.env.CONTINUE_GLOBAL_DIR || pathFor(host).join(host.home, '.continue');
}

/** Qwen Code's home: `$QWEN_HOME` (`~` and `~/...` from the home folder), else `~/.qwen` (@qwen-code/qwen-code 0.24.4 storage-paths-lite.ts). */
export function qwenHome(host: HostEnv): string {
  const p = pathFor(host);
  const configured = host.env.QWEN_HOME;
  if (!configured) return p.join(host.home, '.qwen');
  if (configured === '~') return host.home;
  if (/^~[/\\]/.test(configured))
    return p.join(
      host.home,
      ...configured
        .slice(2)
        .split(/[/\\]+/)
        .filter(Boolean),
    );
  return configured;
}

/**
 * opencode's and Kilo's global config folder: `$XDG_CONFIG_HOME/<name>`, else `~/.config/<name>`, on
 * every OS (both take it from the xdg-basedir rules, macOS and Windows included).
 */
export function xdgAppConfigDir(host: HostEnv, name: string): string {
  return pathFor(host).join(xdgConfigHome(host), name);
}

/**
 * The Cline CLI's MCP settings: `$CLINE_MCP_SETTINGS_PATH`, else `<data>/settings/cline_mcp_settings.json`
 * with `<data>` `$CLINE_DATA_DIR`, else `<cline>/data` with `<cline>` `$CLINE_DIR`, else `~/.cline`
 * (@cline/shared storage, as `cline` 3.0.65 resolves it).
 */
export function clineMcpSettingsFile(host: HostEnv): string {
  const p = pathFor(host);
  const env = (k: string) => host.env[k]?.trim() || undefined;
  const explicit = env('CLINE_MCP_SETTINGS_PATH');
  if (explicit) return explicit;
  const data = env('CLINE_DATA_DIR') ?? p.join(env('CLINE_DIR') ?? p.join(host.home, '.cline'), 'data');
  return p.join(data, 'settings', 'cline_mcp_settings.json');
}

/** Claude Code's machine-wide folder (its managed-mcp.json and managed-settings.json). */
export function claudeCodeManagedDir(host: HostEnv): string {
  const p = pathFor(host);
  const root = systemRoot(host);
  switch (host.platform) {
    case 'darwin':
      return p.join(root, 'Library', 'Application Support', 'ClaudeCode');
    case 'win32':
      return p.join(root, 'Program Files', 'ClaudeCode');
    default:
      return p.join(root, 'etc', 'claude-code');
  }
}

/** Claude Code's own folder: `~/.claude`, or CLAUDE_CONFIG_DIR (its settings.json and plugins). */
export function claudeConfigDir(host: HostEnv): string {
  return host.env.CLAUDE_CONFIG_DIR || pathFor(host).join(host.home, '.claude');
}

/** Gemini CLI's own folder: `.gemini` in GEMINI_CLI_HOME, else in the home folder (@google/gemini-cli 0.61.0 `homedir()`). */
export function geminiDir(host: HostEnv): string {
  return pathFor(host).join(host.env.GEMINI_CLI_HOME || host.home, '.gemini');
}

/**
 * Where Amp's administrators provision settings (`managed-settings.json`): `/etc/ampcode`,
 * `/Library/Application Support/ampcode`, `%ProgramData%\ampcode`.
 */
export function ampManagedSettingsFile(host: HostEnv): string {
  const p = pathFor(host);
  const root = systemRoot(host);
  switch (host.platform) {
    case 'win32':
      return p.join(host.env.ProgramData || p.join(root, 'ProgramData'), 'ampcode', 'managed-settings.json');
    case 'darwin':
      return p.join(root, 'Library', 'Application Support', 'ampcode', 'managed-settings.json');
    default:
      return p.join(root, 'etc', 'ampcode', 'managed-settings.json');
  }
}

/** Factory Droid's folder: `.factory` in `$FACTORY_HOME_OVERRIDE`, else in the home folder. */
export function factoryDir(host: HostEnv): string {
  return pathFor(host).join(host.env.FACTORY_HOME_OVERRIDE || host.home, '.factory');
}

/** Mistral Vibe's home: `$VIBE_HOME` (`~` expanded), else `~/.vibe`. */
export function vibeHome(host: HostEnv): string {
  const p = pathFor(host);
  const configured = host.env.VIBE_HOME;
  if (!configured) return p.join(host.home, '.vibe');
  if (configured === '~') return host.home;
  if (/^~[/\\]/.test(configured)) return p.join(host.home, configured.slice(2));
  return configured;
}
