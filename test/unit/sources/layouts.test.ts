import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ClientId, Scope } from '../../../src/core/model';
import { ScanResult } from '../../../src/core/sources/scan';
import { host, memFs, scan, tempDir, writeTree } from './support';

/**
 * Fixture homes for every source on every OS layout. Each expected file is spelled out here, per
 * OS, rather than derived from the source table, so a wrong path in the table fails a test.
 */

type Format = 'servers' | 'mcpServers' | 'vscodeSettings' | 'codeWorkspace' | 'claudeJson' | 'toml' | 'continueYaml' | 'zed';

interface Row {
  client: ClientId;
  scope: Scope;
  label: string;
  file: string;
  format: Format;
}

interface Layout {
  platform: NodeJS.Platform;
  home: string;
  env: Record<string, string>;
  workspace: string;
  rows: Row[];
}

function rowsFor(p: typeof path.posix, o: { userDir: (product: string) => string; home: string; ws: string; claudeDesktop: string[]; claudeJson: string; managed: string; codex: string; zed: string; copilot: string; cont: string }): Row[] {
  const rows: Row[] = [
    { client: 'vscode', scope: 'workspace', label: 'Workspace', file: p.join(o.ws, '.vscode', 'mcp.json'), format: 'servers' },
    { client: 'vscode', scope: 'workspace', label: 'Workspace', file: p.join(o.ws, 'team.code-workspace'), format: 'codeWorkspace' },
    { client: 'claude-code', scope: 'project', label: 'Workspace (.mcp.json)', file: p.join(o.ws, '.mcp.json'), format: 'mcpServers' },
    { client: 'vscode', scope: 'user', label: 'VS Code Remote User', file: p.join(o.home, '.vscode-server', 'data', 'User', 'mcp.json'), format: 'servers' },
    ...o.claudeDesktop.map((file): Row => ({ client: 'claude-desktop', scope: 'user', label: 'Claude Desktop', file, format: 'mcpServers' })),
    { client: 'claude-code', scope: 'user', label: 'Claude Code', file: o.claudeJson, format: 'claudeJson' },
    { client: 'claude-code', scope: 'managed', label: 'Claude Code (managed)', file: o.managed, format: 'mcpServers' },
    { client: 'cursor', scope: 'user', label: 'Cursor', file: p.join(o.home, '.cursor', 'mcp.json'), format: 'mcpServers' },
    { client: 'cursor', scope: 'workspace', label: 'Cursor (workspace)', file: p.join(o.ws, '.cursor', 'mcp.json'), format: 'mcpServers' },
    { client: 'windsurf', scope: 'user', label: 'Windsurf', file: p.join(o.home, '.codeium', 'windsurf', 'mcp_config.json'), format: 'mcpServers' },
    { client: 'gemini-cli', scope: 'user', label: 'Gemini CLI', file: p.join(o.home, '.gemini', 'settings.json'), format: 'mcpServers' },
    { client: 'gemini-cli', scope: 'workspace', label: 'Gemini CLI (workspace)', file: p.join(o.ws, '.gemini', 'settings.json'), format: 'mcpServers' },
    { client: 'roo-code', scope: 'workspace', label: 'Roo Code (workspace)', file: p.join(o.ws, '.roo', 'mcp.json'), format: 'mcpServers' },
    { client: 'codex', scope: 'user', label: 'Codex', file: o.codex, format: 'toml' },
    { client: 'codex', scope: 'workspace', label: 'Codex (workspace)', file: p.join(o.ws, '.codex', 'config.toml'), format: 'toml' },
    { client: 'continue', scope: 'user', label: 'Continue', file: p.join(o.cont, 'config.yaml'), format: 'continueYaml' },
    { client: 'continue', scope: 'user', label: 'Continue', file: p.join(o.cont, 'mcpServers', 'memory.yaml'), format: 'continueYaml' },
    { client: 'continue', scope: 'user', label: 'Continue', file: p.join(o.cont, 'mcpServers', 'claude-style.json'), format: 'mcpServers' },
    { client: 'continue', scope: 'workspace', label: 'Continue (workspace)', file: p.join(o.ws, '.continue', 'mcpServers', 'team.yml'), format: 'continueYaml' },
    { client: 'zed', scope: 'user', label: 'Zed', file: o.zed, format: 'zed' },
    { client: 'zed', scope: 'workspace', label: 'Zed (workspace)', file: p.join(o.ws, '.zed', 'settings.json'), format: 'zed' },
    { client: 'copilot-cli', scope: 'user', label: 'Copilot CLI', file: o.copilot, format: 'mcpServers' },
  ];
  for (const [client, folder, label] of [['vscode', 'Code', 'VS Code'], ['vscode-insiders', 'Code - Insiders', 'VS Code Insiders']] as const) {
    const user = o.userDir(folder);
    rows.push(
      { client, scope: 'user', label: `${label} User`, file: p.join(user, 'mcp.json'), format: 'servers' },
      { client, scope: 'profile', label: `${label} User`, file: p.join(user, 'profiles', '5a1f3c', 'mcp.json'), format: 'servers' },
      { client, scope: 'user', label: `${label} User`, file: p.join(user, 'settings.json'), format: 'vscodeSettings' },
      { client: 'cline', scope: 'user', label: 'Cline', file: p.join(user, 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'), format: 'mcpServers' },
      { client: 'roo-code', scope: 'user', label: 'Roo Code', file: p.join(user, 'globalStorage', 'rooveterinaryinc.roo-cline', 'settings', 'mcp_settings.json'), format: 'mcpServers' },
    );
  }
  return rows;
}

function linuxLayout(root: string, withEnv: boolean): Layout {
  const p = path.posix;
  const home = p.join(root, 'home');
  const ws = p.join(root, 'work', 'proj');
  const env: Record<string, string> = { MCP_LIFEGUARD_SYSTEM_ROOT: p.join(root, 'sys') };
  if (withEnv) {
    Object.assign(env, { XDG_CONFIG_HOME: p.join(root, 'xdg'), CODEX_HOME: p.join(root, 'codex-home'), COPILOT_HOME: p.join(root, 'copilot-home'), CLAUDE_CONFIG_DIR: p.join(root, 'claude-dir') });
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
    }),
  };
}

function macLayout(root: string): Layout {
  const p = path.posix;
  const home = p.join(root, 'Users', 'me');
  const ws = p.join(root, 'src', 'proj');
  const support = p.join(home, 'Library', 'Application Support');
  return {
    platform: 'darwin',
    home,
    // XDG_CONFIG_HOME is a Linux convention: macOS apps ignore it, so must the scan.
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
    }),
  };
}

function windowsLayout(): Layout {
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
      claudeDesktop: [p.join(appData, 'Claude', 'claude_desktop_config.json'), p.join(local, 'Packages', 'Claude_pzs8sxrjxfjjc', 'LocalCache', 'Roaming', 'Claude', 'claude_desktop_config.json')],
      claudeJson: p.join(home, '.claude.json'),
      managed: 'E:\\Program Files\\ClaudeCode\\managed-mcp.json',
      codex: p.join(home, '.codex', 'config.toml'),
      zed: p.join(appData, 'Zed', 'settings.json'),
      copilot: p.join(home, '.copilot', 'mcp-config.json'),
      cont: p.join(home, '.continue'),
    }),
  };
}

/** A config in the row's format with one server (two for ~/.claude.json: user and local). */
function content(row: Row, name: string, ws: string): string {
  const s = { command: `cmd-${name}`, args: ['--serve'] };
  switch (row.format) {
    case 'servers':
      return JSON.stringify({ servers: { [name]: s } });
    case 'mcpServers':
      return JSON.stringify({ mcpServers: { [name]: s } });
    case 'vscodeSettings':
      return `{\n  // user settings\n  "editor.fontSize": 13,\n  "mcp": { "servers": ${JSON.stringify({ [name]: s })} },\n}`;
    case 'codeWorkspace':
      return JSON.stringify({ folders: [{ path: '.' }], settings: { mcp: { servers: { [name]: s } } } });
    case 'claudeJson':
      return JSON.stringify({ mcpServers: { [name]: s }, projects: { [ws]: { mcpServers: { [`${name}-local`]: s } } } });
    case 'toml':
      return `model = "o3"\n\n[mcp_servers.${name}]\ncommand = "cmd-${name}"\nargs = ["--serve"]\n`;
    case 'continueYaml':
      return `name: cfg\nversion: 0.0.1\nschema: v1\nmcpServers:\n  - name: ${name}\n    command: cmd-${name}\n    args: ["--serve"]\n`;
    case 'zed':
      return JSON.stringify({ context_servers: { [name]: { source: 'custom', ...s }, 'from-extension': { source: 'extension', settings: {} } } });
  }
}

function buildFiles(layout: Layout): { files: Record<string, string>; expected: { name: string; row: Row; scope: Scope }[] } {
  const files: Record<string, string> = {};
  const expected: { name: string; row: Row; scope: Scope }[] = [];
  layout.rows.forEach((row, i) => {
    const name = `${row.client}-${i}`;
    files[row.file] = content(row, name, layout.workspace);
    expected.push({ name, row, scope: row.scope });
    if (row.format === 'claudeJson') expected.push({ name: `${name}-local`, row, scope: 'local' });
  });
  return { files, expected };
}

function assertFullyListed(result: ScanResult, expected: { name: string; row: Row; scope: Scope }[]) {
  assert.deepEqual(result.diagnostics, []);
  const got = result.servers.map((s) => ({ name: s.name, client: s.source.client, scope: s.source.scope, label: s.source.label, file: s.source.file })).sort((a, b) => a.name.localeCompare(b.name));
  const want = expected.map((e) => ({ name: e.name, client: e.row.client, scope: e.scope, label: e.row.label, file: e.row.file })).sort((a, b) => a.name.localeCompare(b.name));
  assert.deepEqual(got, want);
  // Every file was read, and each shows up in the scanned-file list with its server count.
  for (const e of expected) assert.ok(result.files.some((f) => f.file === e.row.file && f.state === 'read' && f.servers >= 1), `not read: ${e.row.file}`);
  for (const s of result.servers) assert.equal(s.command, `cmd-${s.name.replace(/-local$/, '')}`);
}

describe('sources: fixture homes on every OS layout', () => {
  it('a fixture home with configs for all the clients is fully listed with correct sources (Linux)', async () => {
    const layout = linuxLayout(tempDir('linux'), false);
    const { files, expected } = buildFiles(layout);
    writeTree(files);
    const result = await scan({ host: host(layout.home, layout.platform, layout.env), workspaceFolders: [layout.workspace] });
    // Every client of the table appears.
    const clients = new Set(result.servers.map((s) => s.source.client));
    for (const c of ['vscode', 'vscode-insiders', 'claude-desktop', 'claude-code', 'cursor', 'windsurf', 'gemini-cli', 'codex', 'continue', 'zed', 'cline', 'roo-code', 'copilot-cli']) assert.ok(clients.has(c as ClientId), `missing client ${c}`);
    assertFullyListed(result, expected);
    assert.equal(server(result, `claude-code-${layout.rows.findIndex((r) => r.format === 'claudeJson')}-local`).source.workspaceFolder, layout.workspace);
  });

  it('Linux with XDG_CONFIG_HOME, CODEX_HOME, COPILOT_HOME and CLAUDE_CONFIG_DIR moved', async () => {
    const layout = linuxLayout(tempDir('linux-env'), true);
    const { files, expected } = buildFiles(layout);
    writeTree(files);
    assertFullyListed(await scan({ host: host(layout.home, layout.platform, layout.env), workspaceFolders: [layout.workspace] }), expected);
  });

  it('macOS layout (~/Library/Application Support, ~/.config/zed)', async () => {
    const layout = macLayout(tempDir('mac'));
    const { files, expected } = buildFiles(layout);
    writeTree(files);
    assertFullyListed(await scan({ host: host(layout.home, layout.platform, layout.env), workspaceFolders: [layout.workspace] }), expected);
  });

  it('Windows layout (%APPDATA%, %LOCALAPPDATA% MSIX path, %USERPROFILE%), with Windows paths', async () => {
    const layout = windowsLayout();
    const { files, expected } = buildFiles(layout);
    const fs = memFs('win32', files);
    const result = await scan({ host: host(layout.home, layout.platform, layout.env), workspaceFolders: [layout.workspace], ...fs });
    assertFullyListed(result, expected);
    assert.ok(result.servers.every((s) => !s.source.file.includes('/')), 'Windows paths use backslashes');
  });

  it('files that do not exist are listed as missing, without a diagnostic', async () => {
    const home = tempDir('empty');
    const result = await scan({ host: host(home, 'linux', { MCP_LIFEGUARD_SYSTEM_ROOT: home }), workspaceFolders: [home] });
    assert.deepEqual(result.servers, []);
    assert.deepEqual(result.diagnostics, []);
    assert.ok(result.files.length > 10);
    assert.ok(result.files.every((f) => f.state === 'missing'));
  });
});

function server(result: ScanResult, name: string) {
  const s = result.servers.find((x) => x.name === name);
  assert.ok(s, `no server ${name}`);
  return s;
}
