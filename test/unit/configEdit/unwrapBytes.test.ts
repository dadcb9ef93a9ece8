import * as assert from 'node:assert/strict';
import { computeUnwrap, computeWrap, entryFormatFor } from '../../../src/core/configEdit/wrapEdit';

const GUARD = { command: '/h/.local/state/mcp-lifeguard/bin/mcp-lifeguard' };

/** A file as written, the entry's key path in it. */
type Stored = { file: string; text: string; keyPath: (string | number)[] };

const JSON_FILES: Record<string, Stored> = {
  'comments, args on one line': {
    file: 'mcp.json',
    text: '{\n  // mine\n  "servers": {\n    "m": {\n      "command": "npx", // from npm\n      "args": ["-y", "pkg"]\n    }\n  }\n}\n',
    keyPath: ['servers', 'm'],
  },
  'tabs, one value a line, a comment beside one, no newline at the end': {
    file: 'mcp.json',
    text: '{\n\t"servers": {\n\t\t"m": {\n\t\t\t"command": "npx",\n\t\t\t"args": [\n\t\t\t\t"-y",\n\t\t\t\t"pkg" // pinned\n\t\t\t]\n\t\t}\n\t}\n}',
    keyPath: ['servers', 'm'],
  },
  'CRLF, an entry on one line without args': {
    file: 'claude_desktop_config.json',
    text: '{\r\n  "mcpServers": {\r\n    "m": { "command": "srv" }\r\n  }\r\n}\r\n',
    keyPath: ['mcpServers', 'm'],
  },
  'CRLF, no args': {
    file: 'claude_desktop_config.json',
    text: '{\r\n  "mcpServers": {\r\n    "m": {\r\n      "command": "srv"\r\n    }\r\n  }\r\n}\r\n',
    keyPath: ['mcpServers', 'm'],
  },
  'minified, args before env': {
    file: 'mcp.json',
    text: '{"mcpServers":{"m":{"command":"npx","args":["-y","p"],"env":{"A":"1"}}}}',
    keyPath: ['mcpServers', 'm'],
  },
  'args before command (key order)': {
    file: 'mcp.json',
    text: '{\n  "mcpServers": {\n    "m": {\n      "args": ["-y", "p"],\n      "command": "npx"\n    }\n  }\n}\n',
    keyPath: ['mcpServers', 'm'],
  },
  'an empty args list': {
    file: 'mcp.json',
    text: '{\n  "mcpServers": {\n    "m": {\n      "command": "npx",\n      "args": []\n    }\n  }\n}\n',
    keyPath: ['mcpServers', 'm'],
  },
  'escapes kept as written': {
    file: 'mcp.json',
    text: '{\n  "mcpServers": {\n    "m": {\n      "command": "n\\u0070x",\n      "args": ["a\\/b"]\n    }\n  }\n}\n',
    keyPath: ['mcpServers', 'm'],
  },
  'two values on a line, trailing commas': {
    file: 'mcp.json',
    text: '{\n  "mcpServers": {\n    "m": {\n      "command": "npx",\n      "args": [\n        "-y", "p",\n      ],\n    },\n  },\n}\n',
    keyPath: ['mcpServers', 'm'],
  },
};

const TOML_FILES: Record<string, Stored> = {
  'args one a line, comments beside values and the command': {
    file: 'config.toml',
    text: '# Codex\n[mcp_servers.m]\ncommand = "npx" # from npm\nargs = [\n  "-y",\n  "p", # pinned\n]\n\n[profiles.fast]\nmodel = "o4-mini"\n',
    keyPath: ['mcp_servers', 'm'],
  },
  'CRLF, literal strings, no args': {
    file: 'config.toml',
    text: "[mcp_servers.m]\r\ncommand = 'uvx'\r\nenv = { A = '1' }\r\n",
    keyPath: ['mcp_servers', 'm'],
  },
  'args on one line, a literal string among them, before command': {
    file: 'config.toml',
    text: '[mcp_servers.m]\nargs = ["-y", \'p\']\ncommand = "npx"\n',
    keyPath: ['mcp_servers', 'm'],
  },
  'an empty args list': {
    file: 'config.toml',
    text: '[mcp_servers.m]\ncommand = "srv"\nargs = []\n',
    keyPath: ['mcp_servers', 'm'],
  },
};

const YAML_FILES: Record<string, Stored> = {
  'plain values, a flow list, a comment': {
    file: 'config.yaml',
    text: 'name: mine\nmcpServers:\n  - name: m # the graph\n    command: npx\n    args: ["-y", p]\n',
    keyPath: ['mcpServers', 0],
  },
  'a block list with a comment beside an item': {
    file: 'config.yaml',
    text: "mcpServers:\n  - name: m\n    command: 'npx'\n    args:\n      - -y # why\n      - p\n",
    keyPath: ['mcpServers', 0],
  },
  'a block list at the key column': {
    file: 'config.yaml',
    text: 'mcpServers:\n- name: m\n  command: npx\n  args:\n  - -y\n  - p\n',
    keyPath: ['mcpServers', 0],
  },
  'CRLF, no args': {
    file: 'config.yaml',
    text: 'mcpServers:\r\n  - name: m\r\n    command: srv\r\n    env:\r\n      A: "1"\r\n',
    keyPath: ['mcpServers', 0],
  },
  'a flow map entry': {
    file: 'config.yaml',
    text: 'mcpServers:\n  - { name: m, command: srv, args: [a] }\n',
    keyPath: ['mcpServers', 0],
  },
};

function roundTrip(s: Stored): { wrapped: string; back: string } {
  const format = entryFormatFor(s.file);
  const wrapped = computeWrap(s.text, s.keyPath, 'm', GUARD, format);
  assert.ok(wrapped.kind === 'ok', wrapped.kind === 'error' ? wrapped.reason : '');
  const back = computeUnwrap(wrapped.text, s.keyPath, format);
  assert.ok(back.kind === 'ok', back.kind === 'error' ? back.reason : '');
  return { wrapped: wrapped.text, back: back.text };
}

describe('Unwrap gives back the bytes Wrap found', () => {
  for (const [name, stored] of Object.entries(JSON_FILES))
    it(`JSON: ${name}`, () => {
      const { wrapped, back } = roundTrip(stored);
      assert.notEqual(wrapped, stored.text);
      assert.equal(back, stored.text);
    });

  for (const [name, stored] of Object.entries(TOML_FILES))
    it(`TOML (Codex): ${name}`, () => {
      const { wrapped, back } = roundTrip(stored);
      assert.notEqual(wrapped, stored.text);
      assert.equal(back, stored.text);
    });

  for (const [name, stored] of Object.entries(YAML_FILES))
    it(`YAML (Continue): ${name}`, () => {
      const { wrapped, back } = roundTrip(stored);
      assert.notEqual(wrapped, stored.text);
      assert.equal(back, stored.text);
    });

  it('JSON: Wrap puts the guard in front of the written args in their own layout', () => {
    const { wrapped } = roundTrip(JSON_FILES['comments, args on one line']);
    assert.ok(
      wrapped.includes(
        `"command": "${GUARD.command}", // from npm\n      "args": ["run", "--name", "m", "--", "npx", "-y", "pkg"]\n`,
      ),
      wrapped,
    );
    const tabs = roundTrip(JSON_FILES['tabs, one value a line, a comment beside one, no newline at the end']).wrapped;
    assert.ok(
      tabs.includes(
        '"args": [\n\t\t\t\t"run",\n\t\t\t\t"--name",\n\t\t\t\t"m",\n\t\t\t\t"--",\n\t\t\t\t"npx",\n\t\t\t\t"-y",\n\t\t\t\t"pkg" // pinned\n',
      ),
      tabs,
    );
  });

  it('JSON: an Unwrap of args edited by hand since takes the guard away and keeps what is left as written', () => {
    const text =
      '{ "m": { "command": "/g/mcp-lifeguard", "args": ["run", "--name", "m", "--", "uvx",\n  "srv", "--flag"] } }';
    const back = computeUnwrap(text, ['m'], entryFormatFor('mcp.json'));
    assert.ok(back.kind === 'ok');
    assert.equal(back.text, '{ "m": { "command": "uvx", "args": ["srv", "--flag"] } }');
  });
});
