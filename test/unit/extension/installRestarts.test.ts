import * as assert from 'node:assert/strict';
import { OwnerContext } from '../../../src/extension/viewModel/actionPlan';
import { installRestartsText } from '../../../src/extension/viewModel/installRestarts';
import { VmClient } from '../../../src/core/report/input';
import { CLAUDE, instance, server, source, TERMINAL, VSCODE_HERE } from './fixtures';

const ctx: OwnerContext = { workspaceFolders: ['/ws'], product: 'vscode', windowPids: [200] };
const CURSOR: VmClient = { id: 'cursor', name: 'Cursor', pid: 500 };
const CLAUDE_CODE: VmClient = { id: 'claude-code', name: 'Claude Code', pid: 600 };

describe("extension: an Upgrade's question says who restarts what the shared install changes, before it is agreed", () => {
  it('guarded instances restart, this window restarts its own, every other client is named as the one that must restart', () => {
    // One npm project run by 4 entries in 4 clients: notes guarded (Claude Code), the workspace's
    // in this window, Claude Desktop's and Cursor's not guarded.
    const servers = [
      server('notes', {
        source: source({ client: 'claude-code', label: 'Claude Code', file: '/h/.claude.json' }),
        instances: [instance(1, { client: CLAUDE_CODE, lock: { serverName: 'notes' } })],
      }),
      server('memory', {
        source: source({
          client: 'vscode',
          scope: 'workspace',
          label: 'VS Code (workspace)',
          file: '/ws/.vscode/mcp.json',
          workspaceFolder: '/ws',
        }),
        instances: [instance(2, { client: VSCODE_HERE })],
      }),
      server('memory', { instances: [instance(3, { client: CLAUDE }), instance(4, { client: CLAUDE })] }),
      server('memory', {
        source: source({ client: 'cursor', label: 'Cursor', file: '/h/.cursor/mcp.json' }),
        instances: [instance(5, { client: CURSOR })],
      }),
    ];
    assert.deepEqual(installRestartsText(servers, ctx), [
      'Then each guarded instance that still runs other code restarts; its guard checks the new server answers first.',
      'VS Code restarts memory in this window.',
      '2 instances in Claude Desktop are not guarded: they run what they started with until Claude Desktop restarts them.',
      '1 instance in Cursor is not guarded: it runs what it started with until Cursor restarts it.',
    ]);
  });

  it('says nothing of guards when none runs it, and names no client for one started by hand or by no known client', () => {
    const servers = [
      server('memory', {
        instances: [
          instance(7, { client: { id: 'unknown', name: 'unknown' } }),
          instance(8, { client: TERMINAL }),
          instance(9, { client: TERMINAL }),
        ],
      }),
      server('idle'),
    ];
    assert.deepEqual(installRestartsText(servers, ctx), [
      '1 instance with no known client is not guarded: it runs what it started with until it is restarted.',
      '2 instances started from a terminal are not guarded: they run what they started with until started again there.',
    ]);
  });
});
