import * as assert from 'node:assert/strict';
import { everythingServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { eventually, runCommand, sideBarRow, sideBarTree, statusBarTexts } from './support/workbench';

// Line 4 has a doubled comma at column 25.
const MALFORMED = `{
  "servers": {
    "memory": {
      "command": "node",,
      "args": []
    }
  }
}
`;

describeE2e('e2e: bad config', (h) => {
  it('shows a Problems node for a malformed .vscode/mcp.json; clicking it opens the file at the reported line', async () => {
    const s = await h.start({ fixture: (dirs) => ({ workspace: MALFORMED, cursor: { everything: everythingServer(dirs) } }) });
    const page = s.page!;
    await runCommand(page, 'View: Show MCP Lifeguard');

    const problems = sideBarRow(page, 1, 'Problems');
    await problems.waitFor({ state: 'visible', timeout: 60000 });
    // The rest keeps working: the other client's server is listed.
    const before = await sideBarTree(page);
    assert.ok(before.some((r) => r.level === 1 && r.label === 'Cursor'), JSON.stringify(before));

    await problems.click();
    const rows = await eventually(
      'a problem naming mcp.json:4',
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.level === 2 && /, mcp\.json:4:25$/.test(r.aria)),
      30000,
    );
    const problem = rows.find((r) => r.level === 2 && /, mcp\.json:4:25$/.test(r.aria))!;
    assert.match(problem.label, /invalid JSON/);

    await sideBarRow(page, 2, problem.label).first().click();
    await page.locator('.editor-group-container.active .tab.active', { hasText: 'mcp.json' }).waitFor({ state: 'visible', timeout: 30000 });
    await eventually('the cursor at line 4, column 25', () => statusBarTexts(page), (ts) => ts.includes('Ln 4, Col 25'), 30000);
  });
});
