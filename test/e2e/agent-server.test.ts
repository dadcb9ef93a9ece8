import * as assert from 'node:assert/strict';
import { memoryServer } from './support/fixture';
import type { Page } from './support/playwright';
import { describeE2e } from './support/harness';
import { processesMarked } from './support/processes';
import { eventually, pickQuickItem, quickInput, runCommand } from './support/workbench';

/** The labels of the rows of the open quick pick. */
async function quickPickLabels(page: Page): Promise<string[]> {
  const rows = quickInput(page).locator('.monaco-list-row');
  const out: string[] = [];
  for (let i = 0, n = await rows.count(); i < n; i++)
    out.push((await rows.nth(i).getAttribute('aria-label', { timeout: 5000 })) ?? '');
  return out;
}

describeE2e("e2e: the agent server in VS Code's MCP support", (h) => {
  it('MCP: List Servers shows MCP Lifeguard with no setup, and starting it from there runs `mcp-lifeguard mcp` for the workspace', async () => {
    const s = await h.start({ fixture: (dirs) => ({ workspace: { memory: memoryServer(dirs, 'memory') } }) });
    const page = s.page!;
    await runCommand(page, 'MCP: List Servers');
    const listed = await eventually(
      'MCP Lifeguard among the servers',
      () => quickPickLabels(page),
      (ls) => ls.some((l) => l.startsWith('MCP Lifeguard')),
      60000,
    );
    assert.ok(
      listed.some((l) => l.startsWith('memory')),
      `the workspace's own server is listed beside it: ${listed.join(' | ')}`,
    );
    await pickQuickItem(
      page,
      listed.find((l) => l.startsWith('MCP Lifeguard'))!,
    );
    const actions = await eventually(
      "the server's actions",
      () => quickPickLabels(page),
      (ls) => ls.some((l) => /^Start Server/.test(l)),
      30000,
    );
    await pickQuickItem(
      page,
      actions.find((l) => /^Start Server/.test(l))!,
    );

    const agent = await eventually(
      'the agent server running',
      async () => processesMarked(s.scope.id).filter((p) => /mcp-lifeguard(\.js)? mcp --workspace /.test(p.command)),
      (ps) => ps.length > 0,
      60000,
    );
    assert.match(
      agent[0].command,
      new RegExp(`mcp --workspace ${s.fixture.workspace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    // VS Code itself connected to it: its list says it runs.
    await runCommand(page, 'MCP: List Servers');
    const after = await eventually(
      'MCP Lifeguard shown running',
      () => quickPickLabels(page),
      (ls) => ls.some((l) => l.startsWith('MCP Lifeguard') && /running/i.test(l)),
      60000,
    );
    console.log(`    e2e: ${after.join(' | ')}`);
  });
});
