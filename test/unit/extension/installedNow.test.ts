import * as assert from 'node:assert/strict';
import { installedNowText } from '../../../src/extension/viewModel/installedNow';

describe("an install's result: what is installed now, of the entry as the tree names it", () => {
  it('a script rolled back is named by what it imports, back again; never by its file', () => {
    const text = installedNowText('notes', { name: 'fastmcp_v1_server.py', script: true }, 'mcp 1.30.0', 'rollback');
    assert.equal(text, 'notes: mcp 1.30.0 is installed again.');
  });

  it('a package names itself; a roll back says it is back, an upgrade that it is installed', () => {
    const pkg = { name: '@modelcontextprotocol/server-memory', script: false };
    assert.equal(
      installedNowText('memory', pkg, '2026.7.4', 'rollback'),
      'memory: @modelcontextprotocol/server-memory 2026.7.4 is installed again.',
    );
    assert.equal(
      installedNowText('memory', pkg, '2026.8.31', 'upgrade'),
      'memory: @modelcontextprotocol/server-memory 2026.8.31 is installed.',
    );
    assert.equal(
      installedNowText('memory', pkg, undefined, 'upgrade'),
      'memory: @modelcontextprotocol/server-memory ? is installed.',
    );
  });
});
