import * as assert from 'node:assert/strict';
import { adaptCopilotUserConfig, adaptCopilotWorkspaceConfig } from '../../../src/core/sources/copilotCli';

/**
 * Copilot CLI 1.0.102 requires `mcpServers` in its MCP files: `copilot mcp list` stops at a user
 * file without it ("Error: mcpServers: Required") and skips such a workspace file with a warning.
 */
describe('sources: Copilot CLI files without mcpServers', () => {
  const vscodeShape = JSON.stringify({ servers: { a: { type: 'stdio', command: 'echo' } } });

  it('a user mcp-config.json without mcpServers is refused whole: an error, no servers', () => {
    const r = adaptCopilotUserConfig(vscodeShape);
    assert.deepEqual(r.entries, []);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.line]),
      [['error', 1]],
    );
    assert.match(r.diagnostics[0].message, /^Copilot CLI refuses this file: it has no "mcpServers"/);
  });

  it('a workspace .github/mcp.json without mcpServers is skipped: a warning, no servers', () => {
    const r = adaptCopilotWorkspaceConfig(vscodeShape);
    assert.deepEqual(r.entries, []);
    assert.deepEqual(
      r.diagnostics.map((d) => d.severity),
      ['warning'],
    );
  });

  it('a file with mcpServers is read as usual, with no problem', () => {
    const r = adaptCopilotUserConfig(JSON.stringify({ mcpServers: { a: { type: 'local', command: 'echo' } } }));
    assert.deepEqual(
      r.entries.map((e) => e.name),
      ['a'],
    );
    assert.deepEqual(r.diagnostics, []);
  });
});
