import * as assert from 'node:assert/strict';
import { holdsJsoncOnly } from '../../../src/core/sources/jsonc';
import { previewLanguage } from '../../../src/extension/viewModel/previewLanguage';

const PLAIN = '{\n  "mcpServers": { "kb": { "command": "npx", "args": ["-y", "kb"] } }\n}\n';

describe('the language of a config diff preview', () => {
  it("Codex's TOML, Continue's YAML by their names, whatever the text", () => {
    assert.equal(previewLanguage('/home/u/.codex/config.toml', '[mcp_servers.kb]\ncommand = "npx"\n'), 'toml');
    assert.equal(previewLanguage('/home/u/.continue/config.yaml', 'mcpServers:\n  - name: kb\n'), 'yaml');
    assert.equal(previewLanguage('/home/u/.continue/mcpServers/kb.yml', ''), 'yaml');
    assert.equal(previewLanguage('C:\\Users\\u\\.codex\\CONFIG.TOML', '{}'), 'toml');
  });

  it("the files VS Code itself reads as JSON with comments: VS Code's and Cursor's mcp.json, settings.json, .jsonc", () => {
    for (const file of [
      '/home/u/.config/Code/User/mcp.json',
      '/home/u/projects/demo/.vscode/mcp.json',
      '/home/u/.cursor/mcp.json',
      '/home/u/.gemini/settings.json',
      '/home/u/.config/zed/settings.json',
      '/home/u/.config/kilo/kilo.jsonc',
      '/home/u/team.code-workspace',
    ])
      assert.equal(previewLanguage(file, PLAIN), 'jsonc', file);
  });

  it('any other JSON file: JSONC when it holds a comment or a trailing comma, else strict JSON', () => {
    const claude = '/home/u/.config/Claude/claude_desktop_config.json';
    assert.equal(previewLanguage(claude, PLAIN), 'json');
    assert.equal(previewLanguage(claude, `// my servers\n${PLAIN}`), 'jsonc');
    assert.equal(previewLanguage(claude, '{ /* kb */ "mcpServers": {} }'), 'jsonc');
    assert.equal(previewLanguage(claude, '{ "mcpServers": { "kb": { "args": ["a",] } } }'), 'jsonc');
    assert.equal(previewLanguage(claude, '{ "mcpServers": {},\n}'), 'jsonc');
  });

  it('comment markers and commas inside strings are not JSONC', () => {
    assert.equal(holdsJsoncOnly('{ "url": "http://x/y", "a": "b, }", "c": "/* no */" }'), false);
    assert.equal(holdsJsoncOnly('[1, 2]'), false);
    assert.equal(holdsJsoncOnly('[1, 2, ]'), true);
    assert.equal(holdsJsoncOnly('{ "a": 1 // trailing\n}'), true);
  });
});
