import * as assert from 'node:assert/strict';
import { severalClients } from './support/fixture';
import { describeE2e } from './support/harness';
import { eventually, runCommand, sideBarTree, statusBarTexts } from './support/workbench';

describeE2e('e2e: activation', (h) => {
  it('shows the status bar count within 15 s of activation and the servers grouped by source in the tree', async () => {
    const s = await h.start({ fixture: severalClients });
    const page = s.page!;

    // The item appears when the extension activates (a spinner) and gets its count from the first snapshot.
    let firstSeen: number | undefined;
    const texts = await eventually(
      'the status bar item "MCP 4"',
      async () => {
        const ts = await statusBarTexts(page);
        if (firstSeen === undefined && ts.some((t) => /^MCP\b/.test(t))) firstSeen = Date.now();
        return ts;
      },
      (ts) => ts.some((t) => /^MCP 4$/.test(t)),
      120000,
    );
    const countedAfter = Date.now() - (firstSeen ?? Date.now());
    assert.ok(countedAfter <= 15000, `the count took ${countedAfter} ms after the item appeared`);
    assert.ok(!texts.some((t) => /stale|dup/.test(t)), `nothing is flagged: ${JSON.stringify(texts)}`);

    await runCommand(page, 'View: Show MCP Lifeguard');
    const expected = [
      [1, 'Workspace'],
      [2, 'memory'],
      [2, 'everything'],
      [1, 'Claude Desktop'],
      [2, 'notes'],
      [1, 'Cursor'],
      [2, 'everything'],
    ];
    // Processes of other programs on the machine may add a "Not configured" group at the end.
    const rows = await eventually(
      'the MCP Servers tree grouped by source',
      () => sideBarTree(page),
      (rs) => JSON.stringify(rs.slice(0, expected.length).map((r) => [r.level, r.label])) === JSON.stringify(expected),
      60000,
    );
    const others = rows.slice(expected.length).filter((r) => r.level === 1).map((r) => r.label);
    assert.ok(others.every((l) => l === 'Not configured'), `unexpected groups: ${JSON.stringify(others)}`);
    assert.match(rows[0].aria, /^Workspace, 2\b/);
    assert.match(rows[3].aria, /^Claude Desktop, 1\b/);
    assert.match(rows[5].aria, /^Cursor, 1\b/);
  });
});
