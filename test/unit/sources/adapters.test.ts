import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { adaptCodeWorkspace, codeWorkspaceFolders } from '../../../src/core/sources/codeWorkspace';
import { adaptCodexToml } from '../../../src/core/sources/codex';
import { adaptContinueBlock, adaptContinueYaml } from '../../../src/core/sources/continueYaml';
import { indexTomlKeys, tomlKey } from '../../../src/core/sources/tomlKeys';
import { selectWorkspaces } from '../../../src/core/sources/workspaces';
import { adaptZedSettings } from '../../../src/core/sources/zed';
import { tempDir, writeTree } from './support';
import { liveFs } from '../../../src/core/machine/liveFs';

/** The adapters on stored text: what each reads, and where it says things are. */

// TOML tables come back with a null prototype: compare them as plain JSON.
const fieldValues = (e: { fields: Record<string, { value: unknown }> }) =>
  JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(e.fields).map(([k, f]) => [k, f.value]))));

describe('sources: Codex config.toml', () => {
  const text = [
    'model = "o3"',
    '',
    '[mcp_servers.memory]',
    'command = "npx"',
    'args = [',
    '  "-y",',
    '  "@modelcontextprotocol/server-memory",',
    ']',
    'enabled = false',
    '',
    '[mcp_servers.memory.env]',
    'MEMORY_FILE_PATH = "/data/mem.json"',
    '',
    '[mcp_servers."remote api"]',
    'url = "https://api.example.com/mcp"',
    'bearer_token_env_var = "API_TOKEN"',
    'http_headers = { "X-Team" = "core" }',
  ].join('\n');

  it('reads each [mcp_servers.NAME] table with positions of the tables and keys', () => {
    const r = adaptCodexToml(text);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.entries.map((e) => [e.name, e.position]),
      [
        ['memory', { line: 3, column: 1 }],
        ['remote api', { line: 14, column: 1 }],
      ],
    );
    const [mem, remote] = r.entries;
    assert.deepEqual(fieldValues(mem), {
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-memory'],
      enabled: false,
      env: { MEMORY_FILE_PATH: '/data/mem.json' },
    });
    assert.deepEqual(mem.fields.enabled.position, { line: 9, column: 11 });
    assert.deepEqual(mem.fields.env.position, { line: 11, column: 1 });
    assert.deepEqual(remote.fields.http_headers.position, { line: 17, column: 16 });
    assert.deepEqual(remote.keyPath, ['mcp_servers', 'remote api']);
  });

  it('dotted keys and inline tables are placed too', () => {
    const keys = indexTomlKeys('mcp_servers.a.command = "x"\n[mcp_servers]\nb = { command = "y" }\n');
    assert.deepEqual(keys.get(tomlKey(['mcp_servers', 'a', 'command'])), { line: 1, column: 25 });
    assert.deepEqual(keys.get(tomlKey(['mcp_servers', 'b'])), { line: 3, column: 5 });
    const r = adaptCodexToml('[mcp_servers]\nb = { command = "y", args = 3 }\n');
    assert.deepEqual(r.entries[0].fields.args.position, { line: 2, column: 5 });
  });

  it('a file without mcp_servers has no servers and no complaint', () => {
    assert.deepEqual(adaptCodexToml('model = "o3"\n'), { entries: [], diagnostics: [] });
  });
});

describe('sources: Continue YAML', () => {
  it('reads the mcpServers list; requestOptions.headers are the headers; hub references are skipped', () => {
    const r = adaptContinueYaml(
      'name: my config\nversion: 1.0.0\nschema: v1\nmcpServers:\n  - uses: anthropic/memory-mcp\n  - name: SQLite\n    type: stdio\n    command: npx\n    args: ["-y", "mcp-sqlite", "/db.sqlite"]\n    env: { A: "1" }\n  - name: Remote\n    type: streamable-http\n    url: https://x/mcp\n    requestOptions:\n      headers:\n        Authorization: Bearer abc\n',
    );
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.entries.map((e) => [e.name, e.position, e.keyPath]),
      [
        ['SQLite', { line: 6, column: 5 }, ['mcpServers', 1]],
        ['Remote', { line: 11, column: 5 }, ['mcpServers', 2]],
      ],
    );
    assert.deepEqual(r.entries[1].fields.headers.value, { Authorization: 'Bearer abc' });
    assert.deepEqual(r.entries[0].fields.args.position, { line: 9, column: 11 });
  });

  it('a server without a name, and a websocket server, are reported', () => {
    const r = adaptContinueYaml('mcpServers:\n  - command: x\n  - name: ws\n    type: websocket\n    url: ws://x\n');
    assert.deepEqual(r.entries, []);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.line, d.column, d.message]),
      [
        ['error', 2, 5, 'mcpServers[0] needs a "name" (a string)'],
        ['info', 4, 11, 'server "ws": websocket servers are not tracked'],
      ],
    );
  });

  it('an alias that contains itself is refused, not expanded', () => {
    const r = adaptContinueYaml('mcpServers:\n  - name: loop\n    command: x\n    args: &a [*a]\n');
    assert.match(r.diagnostics[0].message, /"args" could not be read/);
  });

  it('block files: .json is Claude-style JSON, .yaml/.yml is YAML', () => {
    assert.deepEqual(
      adaptContinueBlock('{"mcpServers":{"j":{"command":"x"}}}', '/h/.continue/mcpServers/a.json').entries.map(
        (e) => e.name,
      ),
      ['j'],
    );
    assert.deepEqual(
      adaptContinueBlock('mcpServers:\n  - name: y\n    command: x\n', '/h/.continue/mcpServers/a.yml').entries.map(
        (e) => e.name,
      ),
      ['y'],
    );
  });
});

describe('sources: Zed settings', () => {
  it('reads custom servers in the current and the older shape, a url server, and skips extension servers', () => {
    const r = adaptZedSettings(`{
  // Zed settings
  "theme": "One Dark",
  "context_servers": {
    "custom": { "source": "custom", "command": "npx", "args": ["-y", "pkg"], "env": { "K": "v" } },
    "older": { "command": { "path": "/usr/bin/srv", "args": ["--stdio"], "env": { "K": "v" } }, "settings": {} },
    "remote": { "url": "https://x/mcp", "headers": { "Authorization": "Bearer z" } },
    "from-extension": { "source": "extension", "settings": { "token": "x" } },
    "postgres-context-server": { "settings": { "database_url": "postgresql://localhost/db" } },
    "written-by-zed": { "enabled": true, "remote": false, "settings": {} },
    "no-settings": {},
    "switched-off": { "enabled": false },
  },
}`);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.entries.map((e) => e.name),
      ['custom', 'older', 'remote'],
    );
    const older = r.entries[1];
    assert.equal(older.fields.command.value, '/usr/bin/srv');
    // The entries above without a launch are an extension's, whatever their shape; these are no extension's.
    const mistaken = adaptZedSettings(
      '{ "context_servers": { "custom-empty": { "source": "custom" }, "typo": { "cmd": "srv" } } }',
    );
    assert.deepEqual(
      mistaken.entries.map((e) => e.name),
      ['custom-empty', 'typo'],
    );
    assert.deepEqual(older.fields.command.position, { line: 6, column: 37 });
    assert.deepEqual(older.fields.args.value, ['--stdio']);
    assert.deepEqual({ ...(older.fields.env.value as object) }, { K: 'v' });
  });
});

describe('sources: .code-workspace files', () => {
  it('folders: relative paths resolve against the file; file:// URIs; remote folders are skipped', () => {
    const text = JSON.stringify({
      folders: [
        { path: 'app' },
        { name: 'Lib', path: '../lib' },
        { uri: 'file:///abs/x%20y' },
        { uri: 'vscode-remote://ssh-remote+box/home/u' },
      ],
    });
    assert.deepEqual(codeWorkspaceFolders(text, '/w/team.code-workspace'), ['/w/app', '/lib', '/abs/x y']);
    assert.deepEqual(
      codeWorkspaceFolders(
        JSON.stringify({ folders: [{ path: 'app' }, { uri: 'file:///c%3A/src/lib' }] }),
        'C:\\w\\team.code-workspace',
      ),
      ['C:\\w\\app', 'c:\\src\\lib'],
    );
  });

  it('"folders" of the wrong type is a diagnostic', () => {
    const r = adaptCodeWorkspace('{\n  "folders": "app"\n}', '/w/x.code-workspace');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.line, d.column, d.message]),
      [[2, 14, '"folders" must be an array of { "path": ... } entries, found a string']],
    );
  });

  it('--workspace: folders as given; a workspace file brings its folders; a missing path is a problem', async () => {
    const root = tempDir('ws');
    const file = path.join(root, 'team.code-workspace');
    writeTree({
      [file]: '{ // comment\n "folders": [ { "path": "a" }, { "path": "b" } ] }',
      [path.join(root, 'c', 'x')]: '',
    });
    const sel = await selectWorkspaces(
      [
        path.join(root, 'c'),
        file,
        path.join(root, 'missing'),
        path.join(root, 'gone.code-workspace'),
        path.join(root, 'c', 'x'),
      ],
      { fs: liveFs, platform: process.platform },
    );
    assert.deepEqual(sel.folders, [path.join(root, 'c'), path.join(root, 'a'), path.join(root, 'b')]);
    assert.deepEqual(sel.files, [file]);
    assert.deepEqual(sel.problems, [
      `${path.join(root, 'missing')}: no such folder`,
      `${path.join(root, 'gone.code-workspace')}: no such workspace file`,
      `${path.join(root, 'c', 'x')}: not a folder or a .code-workspace file`,
    ]);
  });
});
