import * as assert from 'node:assert/strict';
import { installedNowText } from '../../../src/extension/viewModel/installedNow';
import { pinnedText, restartOutcomeText } from '../../../src/extension/viewModel/installOutcome';

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

describe("an install's result: each restart it made, of the entry it restarted", () => {
  it("a restart of the toast's own entry says 'Its guard'; one of another entry on the same install names that entry", () => {
    const restarted = (serverName: string) =>
      ({ kind: 'restarted', serverName, guardPid: 17410, childPid: 31115, restarts: 1 }) as const;
    assert.equal(
      restartOutcomeText('notes', restarted('notes')),
      'Its guard (pid 17410) restarted it; the client kept its session.',
    );
    assert.equal(
      restartOutcomeText('memory', restarted('notes')),
      'notes: its guard (pid 17410) restarted it; the client kept its session.',
    );
    assert.equal(
      restartOutcomeText('memory', { kind: 'failed', serverName: 'notes', guardPid: 17410, message: 'timed out' }),
      'notes: its guard (pid 17410) did not restart it: timed out.',
    );
  });
});

describe("a pin's change: how many entries pin the version now", () => {
  it('one entry is said in the singular, several in the plural', () => {
    assert.equal(pinnedText('mcp-server-time', '2026.10.19', 1), 'mcp-server-time 2026.10.19 is pinned in 1 entry.');
    assert.equal(pinnedText('mcp-server-time', '2026.10.19', 3), 'mcp-server-time 2026.10.19 is pinned in 3 entries.');
  });
});
