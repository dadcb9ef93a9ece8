import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientId, Scope } from '../../../src/core/base/model';
import { ScanResult } from '../../../src/core/sources/scan';
import { Layout, linuxLayout, macLayout, Row, windowsLayout } from './fixtureLayouts';
import { host, memFs, scan, tempDir, writeTree } from './support';
import { repoRoot } from '../../support/repo';

/** Fixture homes for every source on every OS layout (the paths are in fixtureLayouts.ts). */

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
      return JSON.stringify({
        mcpServers: { [name]: s },
        projects: { [ws]: { mcpServers: { [`${name}-local`]: s } } },
      });
    case 'toml':
      return `model = "o3"\n\n[mcp_servers.${name}]\ncommand = "cmd-${name}"\nargs = ["--serve"]\n`;
    case 'continueYaml':
      return `name: cfg\nversion: 0.0.1\nschema: v1\nmcpServers:\n  - name: ${name}\n    command: cmd-${name}\n    args: ["--serve"]\n`;
    case 'opencode':
      return JSON.stringify({ mcp: { [name]: { type: 'local', command: [s.command, ...s.args] } } });
    case 'clineCli':
      return JSON.stringify({ mcpServers: { [name]: { transport: { type: 'stdio', ...s } } } });
    case 'zed':
      return JSON.stringify({
        context_servers: {
          [name]: { source: 'custom', ...s },
          'from-extension': { source: 'extension', settings: {} },
        },
      });
  }
}

function buildFiles(layout: Layout): {
  files: Record<string, string>;
  expected: { name: string; row: Row; scope: Scope }[];
} {
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
  const got = result.servers
    .map((s) => ({
      name: s.name,
      client: s.source.client,
      scope: s.source.scope,
      label: s.source.label,
      file: s.source.file,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const want = expected
    .map((e) => ({ name: e.name, client: e.row.client, scope: e.scope, label: e.row.label, file: e.row.file }))
    .sort((a, b) => a.name.localeCompare(b.name));
  assert.deepEqual(got, want);
  // Every file was read, and each shows up in the scanned-file list with its server count.
  for (const e of expected)
    assert.ok(
      result.files.some((f) => f.file === e.row.file && f.state === 'read' && f.servers >= 1),
      `not read: ${e.row.file}`,
    );
  for (const s of result.servers) assert.equal(s.command, `cmd-${s.name.replace(/-local$/, '')}`);
}

describe('sources: fixture homes on every OS layout', () => {
  it('a fixture home with configs for all the clients is fully listed with correct sources (Linux)', async () => {
    const layout = linuxLayout(tempDir('linux'), false);
    const { files, expected } = buildFiles(layout);
    writeTree(files);
    const result = await scan({
      host: host(layout.home, layout.platform, layout.env),
      workspaceFolders: [layout.workspace],
    });
    // Every client of the table appears.
    const clients = new Set(result.servers.map((s) => s.source.client));
    for (const c of [
      'vscode',
      'vscode-insiders',
      'claude-desktop',
      'claude-code',
      'cursor',
      'windsurf',
      'gemini-cli',
      'codex',
      'continue',
      'zed',
      'cline',
      'roo-code',
      'copilot-cli',
      'qwen-code',
      'opencode',
      'kilo',
      'auggie',
      'kiro',
      'junie',
      'amazon-q',
      'antigravity',
    ])
      assert.ok(clients.has(c as ClientId), `missing client ${c}`);
    assertFullyListed(result, expected);
    assert.equal(
      server(result, `claude-code-${layout.rows.findIndex((r) => r.format === 'claudeJson')}-local`).source
        .workspaceFolder,
      layout.workspace,
    );
  });

  it('Linux with XDG_CONFIG_HOME, CODEX_HOME, COPILOT_HOME and CLAUDE_CONFIG_DIR moved', async () => {
    const layout = linuxLayout(tempDir('linux-env'), true);
    const { files, expected } = buildFiles(layout);
    writeTree(files);
    assertFullyListed(
      await scan({ host: host(layout.home, layout.platform, layout.env), workspaceFolders: [layout.workspace] }),
      expected,
    );
  });

  it('macOS layout (~/Library/Application Support, ~/.config/zed)', async () => {
    const layout = macLayout(tempDir('mac'));
    const { files, expected } = buildFiles(layout);
    writeTree(files);
    assertFullyListed(
      await scan({ host: host(layout.home, layout.platform, layout.env), workspaceFolders: [layout.workspace] }),
      expected,
    );
  });

  it('Windows layout (%APPDATA%, %LOCALAPPDATA% MSIX path, %USERPROFILE%), with Windows paths', async () => {
    const layout = windowsLayout();
    const { files, expected } = buildFiles(layout);
    const fs = memFs('win32', files);
    const result = await scan({
      host: host(layout.home, layout.platform, layout.env),
      workspaceFolders: [layout.workspace],
      ...fs,
    });
    assertFullyListed(result, expected);
    assert.ok(
      result.servers.every((s) => !s.source.file.includes('/')),
      'Windows paths use backslashes',
    );
  });

  it('files that do not exist are listed as missing, without a diagnostic', async () => {
    const home = tempDir('empty');
    const result = await scan({
      host: host(home, 'linux', { MCP_LIFEGUARD_SYSTEM_ROOT: home }),
      workspaceFolders: [home],
    });
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

describe('sources: opencode and Kilo remote entries in each scope', () => {
  // The files their own `mcp add` wrote (test/fixtures/client-configs), in each of their rows: the
  // remote entry is an http server of that client and scope, its header values kept out.
  const written: Record<string, string> = {
    opencode: fs.readFileSync(
      path.join(repoRoot, 'test', 'fixtures', 'client-configs', 'opencode-1.18.33.jsonc'),
      'utf8',
    ),
    kilo: fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'client-configs', 'kilo-7.7.7.jsonc'), 'utf8'),
  };
  it('`docs` (type remote) is http with its url and header names, under its own client and scope', async () => {
    const layout = linuxLayout(tempDir('opencode-remote'), false);
    const rows = layout.rows.filter((r) => r.format === 'opencode');
    assert.deepEqual(rows.map((r) => `${r.client} ${r.scope}`).sort(), [
      'kilo user',
      'kilo workspace',
      'opencode user',
      'opencode workspace',
    ]);
    writeTree(Object.fromEntries(rows.map((r) => [r.file, written[r.client]])));
    const result = await scan({
      host: host(layout.home, layout.platform, layout.env),
      workspaceFolders: [layout.workspace],
    });
    assert.deepEqual(result.diagnostics, []);
    for (const row of rows) {
      const docs = result.servers.filter((s) => s.name === 'docs' && s.source.file === row.file);
      assert.deepEqual(
        docs.map((s) => [s.source.client, s.source.scope, s.transport, s.url, s.headerKeys]),
        [[row.client, row.scope, 'http', 'https://mcp.example.com/mcp', ['Authorization']]],
        row.file,
      );
    }
    assert.ok(!JSON.stringify(result.servers).includes('fixture-token'), 'a header value is never in a server');
  });
});

describe("sources: the Cline CLI's remote entries", () => {
  it('the file its own `mcp add` wrote: streamableHttp is http, sse is sse, with their urls and header names', async () => {
    const layout = linuxLayout(tempDir('cline-remote'), false);
    const [row] = layout.rows.filter((r) => r.format === 'clineCli');
    writeTree({
      [row.file]: fs.readFileSync(
        path.join(repoRoot, 'test', 'fixtures', 'client-configs', 'cline-3.0.65-cline_mcp_settings.json'),
        'utf8',
      ),
    });
    const result = await scan({
      host: host(layout.home, layout.platform, layout.env),
      workspaceFolders: [layout.workspace],
    });
    assert.deepEqual(result.diagnostics, []);
    const read = (name: string) =>
      result.servers
        .filter((s) => s.name === name)
        .map((s) => [s.source.client, s.source.scope, s.source.file, s.transport, s.url, s.headerKeys]);
    assert.deepEqual(read('docs'), [
      ['cline', 'user', row.file, 'http', 'https://mcp.example.com/mcp', ['Authorization']],
    ]);
    assert.deepEqual(read('events'), [['cline', 'user', row.file, 'sse', 'https://mcp.example.com/sse', []]]);
    assert.ok(!JSON.stringify(result.servers).includes('fixture-token'), 'a header value is never in a server');
  });
});
