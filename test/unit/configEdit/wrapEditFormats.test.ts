import * as assert from 'node:assert/strict';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { parse as parseYaml } from 'yaml';
import { computeUnwrap, computeWrap, entryFormatFor } from '../../../src/core/configEdit/wrapEdit';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml') as typeof SmolToml;

const GUARD = { command: '/h/.local/state/mcp-lifeguard/bin/mcp-lifeguard' };

const CODEX = `# Codex config
model = "o4"

[mcp_servers.memory]
# the knowledge graph
command = "npx" # from npm
args = [
  "-y",
  "@modelcontextprotocol/server-memory", # pinned later
]
env = { MEMORY_FILE_PATH = "/h/mem.jsonl" }

[mcp_servers."docs server"]
command = 'uvx'

[profiles.fast]
model = "o4-mini"
`;

const CONTINUE = `name: my assistant
version: 1.0.0
# servers
mcpServers:
  - name: memory # the graph
    command: npx
    args: ["-y", "@modelcontextprotocol/server-memory"]
  - name: other
    command: other-server
`;

describe('extension: Wrap with Guard in TOML (Codex) and YAML (Continue)', () => {
  const toml = entryFormatFor('/h/.codex/config.toml');
  const yaml = entryFormatFor('/h/.continue/config.yaml');

  it('TOML: only the values of command and args change; comments and the other tables stay', () => {
    const r = computeWrap(CODEX, ['mcp_servers', 'memory'], 'memory', GUARD, toml);
    assert.ok(r.kind === 'ok', r.kind === 'error' ? r.reason : '');
    const doc = parseToml(r.text) as {
      mcp_servers: Record<string, { command: string; args?: string[]; env?: object }>;
      profiles: object;
    };
    assert.deepEqual(
      [...(doc.mcp_servers.memory.args ?? [])],
      ['run', '--name', 'memory', '--', 'npx', '-y', '@modelcontextprotocol/server-memory'],
    );
    assert.equal(doc.mcp_servers.memory.command, GUARD.command);
    assert.deepEqual(JSON.parse(JSON.stringify(doc.mcp_servers.memory.env)), { MEMORY_FILE_PATH: '/h/mem.jsonl' });
    assert.equal(doc.mcp_servers['docs server'].command, 'uvx');
    for (const kept of ['# Codex config', '# the knowledge graph', '# from npm', '[profiles.fast]'])
      assert.ok(r.text.includes(kept), kept);
    const back = computeUnwrap(r.text, ['mcp_servers', 'memory'], toml);
    assert.ok(back.kind === 'ok');
    assert.deepEqual(JSON.parse(JSON.stringify(parseToml(back.text))), JSON.parse(JSON.stringify(parseToml(CODEX))));
  });

  it('TOML: a quoted table name and an entry without args', () => {
    const r = computeWrap(CODEX, ['mcp_servers', 'docs server'], 'docs server', GUARD, toml);
    assert.ok(r.kind === 'ok', r.kind === 'error' ? r.reason : '');
    const doc = parseToml(r.text) as { mcp_servers: Record<string, { command: string; args?: string[] }> };
    assert.deepEqual([...(doc.mcp_servers['docs server'].args ?? [])], ['run', '--name', 'docs server', '--', 'uvx']);
    assert.deepEqual([...(doc.mcp_servers.memory.args ?? [])], ['-y', '@modelcontextprotocol/server-memory']);
  });

  it('TOML: an inline-table entry is refused with a reason, and a broken file is not touched', () => {
    const inline = 'mcp_servers = { memory = { command = "npx", args = ["x"] } }\n';
    const r = computeWrap(inline, ['mcp_servers', 'memory'], 'memory', GUARD, toml);
    assert.ok(r.kind === 'error' && /by hand/.test(r.reason));
    const broken = computeWrap(
      '[mcp_servers.memory\ncommand = "npx"\n',
      ['mcp_servers', 'memory'],
      'memory',
      GUARD,
      toml,
    );
    assert.ok(broken.kind === 'error' && /syntax errors/.test(broken.reason));
  });

  it('YAML: the list item is rewritten, comments and the flow style of args stay, and unwrap restores it', () => {
    const r = computeWrap(CONTINUE, ['mcpServers', 0], 'memory', GUARD, yaml);
    assert.ok(r.kind === 'ok', r.kind === 'error' ? r.reason : '');
    const doc = parseYaml(r.text) as { mcpServers: Array<{ name: string; command: string; args?: string[] }> };
    assert.equal(doc.mcpServers[0].command, GUARD.command);
    assert.deepEqual(doc.mcpServers[0].args, [
      'run',
      '--name',
      'memory',
      '--',
      'npx',
      '-y',
      '@modelcontextprotocol/server-memory',
    ]);
    assert.deepEqual(doc.mcpServers[1], { name: 'other', command: 'other-server' });
    assert.ok(r.text.includes('# servers') && r.text.includes('# the graph'));
    assert.match(r.text, /args: \[/);
    const back = computeUnwrap(r.text, ['mcpServers', 0], yaml);
    assert.ok(back.kind === 'ok');
    assert.deepEqual(parseYaml(back.text), parseYaml(CONTINUE));
  });
});
