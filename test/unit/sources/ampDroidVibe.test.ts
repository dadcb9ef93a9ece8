import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { wrapSupport } from '../../../src/core/configEdit/guardCommand';
import { ScanResult } from '../../../src/core/sources/scan';
import { splitPosix, vibeServerName } from '../../../src/core/sources/mistralVibe';
import { repoRoot } from '../../support/repo';
import { host, scan, tempDir, writeTree } from './support';

/**
 * Amp, Factory Droid and Mistral Vibe on fake homes: Amp's and Droid's files as their own `mcp add`
 * wrote them (test/fixtures/client-configs), Vibe's as its schema (mistral-vibe 3.0.3) reads them.
 */

const written = (name: string) =>
  fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'client-configs', name), 'utf8');

/** Each server as [name, client, scope, file, transport, command or url, args, env keys, header keys, disabled]. */
const rows = (r: ScanResult) =>
  r.servers.map((s) => [
    s.name,
    s.source.client,
    s.source.scope,
    s.source.file,
    s.transport,
    s.command ?? s.url,
    s.args,
    s.envKeys,
    s.headerKeys,
    s.disabled,
  ]);

const problems = (r: ScanResult) => r.diagnostics.map((d) => [d.file, d.line, d.column, d.message]);

const SECRET_VALUES = ['fixture-token', '/home/u/memory.json', 'vibe-4b1d', '/srv/vibe-data'];
const noSecret = (r: ScanResult) => {
  const text = JSON.stringify({ servers: r.servers, diagnostics: r.diagnostics });
  for (const v of SECRET_VALUES) assert.ok(!text.includes(v), `${v} shown`);
};

describe('sources: Amp, Factory Droid and Mistral Vibe', () => {
  it('Amp: "amp.mcpServers" of the user settings and the workspace .amp/settings.json, as `amp mcp add` wrote them', async () => {
    const home = tempDir('amp');
    const ws = path.join(home, 'proj');
    const user = path.join(home, '.config', 'amp', 'settings.json');
    const workspace = path.join(ws, '.amp', 'settings.json');
    writeTree({
      [user]: written('amp-0.0.1790142911-settings.json'),
      [workspace]: written('amp-0.0.1790142911-workspace-settings.json'),
    });
    const r = await scan({ host: host(home), workspaceFolders: [ws] });
    assert.deepEqual(problems(r), []);
    const npx = ['-y', '@modelcontextprotocol/server-memory'];
    assert.deepEqual(rows(r), [
      ['memory', 'amp', 'user', user, 'stdio', 'npx', npx, ['MEMORY_FILE_PATH'], [], false],
      ['docs', 'amp', 'user', user, 'http', 'https://mcp.example.com/mcp', [], [], ['Authorization'], false],
      [
        'files',
        'amp',
        'workspace',
        workspace,
        'stdio',
        'npx',
        ['-y', '@modelcontextprotocol/server-filesystem', '/home/u/src'],
        [],
        [],
        false,
      ],
    ]);
    assert.equal(r.servers[2].source.workspaceFolder, ws);
    noSecret(r);
  });

  it('Amp: settings.jsonc when there is no settings.json, $AMP_SETTINGS_FILE instead of both, and its managed settings', async () => {
    const home = tempDir('amp-places');
    const ws = path.join(home, 'proj');
    const server = (name: string) =>
      `{ "amp.mcpServers": { "${name}": { "command": "node", "args": ["${name}.js"] } } }`;
    const jsonc = path.join(home, 'xdg', 'amp', 'settings.jsonc');
    const wsJsonc = path.join(ws, '.amp', 'settings.jsonc');
    const managed = path.join(home, 'root', 'etc', 'ampcode', 'managed-settings.json');
    const named = path.join(home, 'elsewhere.json');
    writeTree({
      // JSONC, as Amp reads it: comments and a trailing comma.
      [jsonc]: '// mine\n{ "amp.mcpServers": { "from-jsonc": { "command": "node", "args": ["a.js"], }, }, }\n',
      [wsJsonc]: server('ws-jsonc'),
      [managed]: server('provisioned'),
      [named]: server('named'),
    });
    const env = { XDG_CONFIG_HOME: path.join(home, 'xdg'), MCP_LIFEGUARD_SYSTEM_ROOT: path.join(home, 'root') };
    const r = await scan({ host: host(home, 'linux', env), workspaceFolders: [ws] });
    assert.deepEqual(problems(r), []);
    assert.deepEqual(
      r.servers.map((s) => [s.name, s.source.scope, s.source.file]),
      [
        ['from-jsonc', 'user', jsonc],
        ['ws-jsonc', 'workspace', wsJsonc],
        ['provisioned', 'managed', managed],
      ],
    );
    // settings.json beside it: Amp reads that one only.
    writeTree({ [path.join(home, 'xdg', 'amp', 'settings.json')]: server('from-json') });
    const both = await scan({ host: host(home, 'linux', env), workspaceFolders: [ws] });
    assert.deepEqual(
      both.servers.filter((s) => s.source.scope === 'user').map((s) => s.name),
      ['from-json'],
    );
    const moved = await scan({ host: host(home, 'linux', { ...env, AMP_SETTINGS_FILE: named }), workspaceFolders: [] });
    assert.deepEqual(
      moved.servers.map((s) => [s.name, s.source.scope, s.source.file]),
      [
        ['named', 'user', named],
        ['provisioned', 'managed', managed],
      ],
    );
  });

  it('Factory Droid: ~/.factory/mcp.json as `droid mcp add` wrote it, a project .factory/mcp.json, "disabled" honoured, $FACTORY_HOME_OVERRIDE', async () => {
    const home = tempDir('droid');
    const ws = path.join(home, 'proj');
    const user = path.join(home, '.factory', 'mcp.json');
    const project = path.join(ws, '.factory', 'mcp.json');
    writeTree({
      [user]: written('droid-0.215.0-mcp.json'),
      [project]: JSON.stringify({
        mcpServers: { off: { type: 'stdio', command: 'node', args: ['off.js'], disabled: true } },
      }),
    });
    const r = await scan({ host: host(home), workspaceFolders: [ws] });
    assert.deepEqual(problems(r), []);
    assert.deepEqual(rows(r), [
      [
        'memory',
        'factory-droid',
        'user',
        user,
        'stdio',
        'npx',
        ['-y', '@modelcontextprotocol/server-memory'],
        ['MEMORY_FILE_PATH'],
        [],
        false,
      ],
      ['docs', 'factory-droid', 'user', user, 'http', 'https://mcp.example.com/mcp', [], [], ['Authorization'], false],
      ['events', 'factory-droid', 'user', user, 'sse', 'https://mcp.example.com/sse', [], [], [], false],
      ['off', 'factory-droid', 'workspace', project, 'stdio', 'node', ['off.js'], [], [], true],
    ]);
    noSecret(r);
    const moved = path.join(home, 'other');
    writeTree({ [path.join(moved, '.factory', 'mcp.json')]: '{ "mcpServers": { "there": { "command": "x" } } }' });
    const over = await scan({ host: host(home, 'linux', { FACTORY_HOME_OVERRIDE: moved }), workspaceFolders: [] });
    assert.deepEqual(
      over.servers.map((s) => [s.name, s.source.file]),
      [['there', path.join(moved, '.factory', 'mcp.json')]],
    );
  });

  it('Mistral Vibe: [[mcp_servers]] of $VIBE_HOME/config.toml and a project .vibe/config.toml, each transport, its names, "disabled" honoured', async () => {
    const home = tempDir('vibe');
    const ws = path.join(home, 'proj');
    const vibeHome = path.join(home, 'vibe-home');
    const user = path.join(vibeHome, 'config.toml');
    const project = path.join(ws, '.vibe', 'config.toml');
    writeTree({
      [user]: [
        'active_model = "devstral"',
        '',
        '[[mcp_servers]]',
        'name = "memory"',
        'transport = "stdio"',
        'command = "npx -y \'@modelcontextprotocol/server-memory\'"',
        'env = { MEMORY_FILE_PATH = "/srv/vibe-data" }',
        '',
        '[[mcp_servers]]',
        'name = "my files"',
        'transport = "stdio"',
        'command = ["uvx", "mcp-server-filesystem"]',
        'args = ["/home/u/src"]',
        'disabled = true',
        '',
        '[[mcp_servers]]',
        'name = "docs"',
        'transport = "streamable-http"',
        'url = "https://mcp.example.com/mcp"',
        '[mcp_servers.auth]',
        'type = "static"',
        'headers = { Authorization = "Bearer vibe-4b1d" }',
        '',
        '[[mcp_servers]]',
        'name = "plain"',
        'transport = "http"',
        'url = "https://mcp.example.com/plain"',
        'headers = { "X-Key" = "vibe-4b1d" }',
        '',
      ].join('\n'),
      [project]: '[[mcp_servers]]\nname = "proj"\ntransport = "stdio"\ncommand = "node server.js --port 3"\n',
    });
    const r = await scan({ host: host(home, 'linux', { VIBE_HOME: vibeHome }), workspaceFolders: [ws] });
    assert.deepEqual(problems(r), []);
    assert.deepEqual(rows(r), [
      [
        'memory',
        'mistral-vibe',
        'user',
        user,
        'stdio',
        'npx',
        ['-y', '@modelcontextprotocol/server-memory'],
        ['MEMORY_FILE_PATH'],
        [],
        false,
      ],
      [
        'my_files',
        'mistral-vibe',
        'user',
        user,
        'stdio',
        'uvx',
        ['mcp-server-filesystem', '/home/u/src'],
        [],
        [],
        true,
      ],
      ['docs', 'mistral-vibe', 'user', user, 'http', 'https://mcp.example.com/mcp', [], [], ['Authorization'], false],
      ['plain', 'mistral-vibe', 'user', user, 'http', 'https://mcp.example.com/plain', [], [], ['X-Key'], false],
      ['proj', 'mistral-vibe', 'workspace', project, 'stdio', 'node', ['server.js', '--port', '3'], [], [], false],
    ]);
    // Each entry placed at its own [[mcp_servers]] header, for Open Config.
    assert.deepEqual(
      r.servers.map((s) => s.position?.line),
      [3, 9, 16, 24, 1],
    );
    noSecret(r);
    // Its list of tables is not rewritten by Wrap with Guard: it says so rather than editing the wrong place.
    assert.deepEqual(wrapSupport(r.servers[0]), {
      supported: false,
      reason: 'Mistral Vibe: Wrap with Guard does not rewrite a list of tables ([[mcp_servers]])',
    });
    // Without VIBE_HOME: ~/.vibe/config.toml.
    writeTree({
      [path.join(home, '.vibe', 'config.toml')]: '[[mcp_servers]]\nname="d"\ntransport="stdio"\ncommand="x"\n',
    });
    const plain = await scan({ host: host(home), workspaceFolders: [] });
    assert.deepEqual(
      plain.servers.map((s) => [s.name, s.source.file]),
      [['d', path.join(home, '.vibe', 'config.toml')]],
    );
  });

  it('bad input is reported with its file and place, and the good entries beside it are still listed', async () => {
    const home = tempDir('bad-new-clients');
    const ws = path.join(home, 'proj');
    const amp = path.join(home, '.config', 'amp', 'settings.json');
    const droid = path.join(home, '.factory', 'mcp.json');
    const vibe = path.join(home, '.vibe', 'config.toml');
    const vibeProject = path.join(ws, '.vibe', 'config.toml');
    writeTree({
      [amp]: '{\n  "amp.mcpServers": {\n    "ok": { "command": "node" },\n    "bad": { "command": 3 }\n  }\n}\n',
      [droid]: '{ "mcpServers": { "x": { "command": "node", }\n',
      [vibe]: [
        '[[mcp_servers]]',
        'name = "good"',
        'transport = "stdio"',
        'command = "node"',
        '',
        '[[mcp_servers]]',
        'name = "no-transport"',
        'command = "node"',
        '',
        '[[mcp_servers]]',
        'name = "open"',
        'transport = "stdio"',
        'command = "node \'unclosed"',
        '',
        '[[mcp_servers]]',
        'name = "!!!"',
        'transport = "stdio"',
        'command = "node"',
        '',
      ].join('\n'),
      [vibeProject]: '[[mcp_servers]\nname = "x"\n',
    });
    const r = await scan({ host: host(home), workspaceFolders: [ws] });
    assert.deepEqual(
      r.servers.map((s) => [s.source.client, s.name]),
      [
        ['amp', 'ok'],
        ['factory-droid', 'x'],
        ['mistral-vibe', 'good'],
      ],
    );
    const got = problems(r);
    const at = (file: string) => got.filter((d) => d[0] === file).map((d) => [d[1], d[2], String(d[3])]);
    assert.deepEqual(at(amp), [
      [4, 25, 'server "bad": "command" must be a string, found a number'],
      [4, 5, 'server "bad": has neither "command" nor "url": nothing to run or connect to'],
    ]);
    assert.ok(at(droid).length > 0 && at(droid).every((d) => typeof d[0] === 'number'), JSON.stringify(at(droid)));
    assert.deepEqual(at(vibe), [
      [6, 1, 'server "no-transport": "transport" must be "stdio", "http" or "streamable-http", found undefined'],
      [13, 11, 'server "open": "command" has an unclosed \' quote'],
      [16, 8, 'server #4: "name" has no letter or digit: "!!!"'],
    ]);
    assert.equal(at(vibeProject).length, 1);
    assert.match(String(at(vibeProject)[0][2]), /^invalid TOML: /);
    assert.equal(at(vibeProject)[0][0], 1);
  });

  it("Vibe's own splitting of a command line and normalising of a name", () => {
    assert.deepEqual(splitPosix(`npx -y "a b" 'c d' e\\ f "g\\"h"`), ['npx', '-y', 'a b', 'c d', 'e f', 'g"h']);
    assert.deepEqual(splitPosix('  '), []);
    assert.deepEqual(splitPosix(`x ''`), ['x', '']);
    assert.equal(typeof splitPosix('a "b'), 'string');
    assert.equal(vibeServerName('my server!'), 'my_server');
    assert.equal(vibeServerName('__x-'), 'x');
    assert.equal(vibeServerName('!!!'), '');
  });
});
