import * as assert from 'node:assert/strict';
import { everythingServer } from './support/fixture';
import { describeE2e } from './support/harness';
import {
  clickRow,
  eventually,
  expandRow,
  runCommand,
  sideBarRow,
  sideBarTree,
  statusBarTexts,
} from './support/workbench';

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
  it("shows a Problems node for a malformed .vscode/mcp.json and lists it in VS Code's Problems panel; clicking it opens the file at the reported line", async () => {
    const s = await h.start({
      fixture: (dirs) => ({ workspace: MALFORMED, cursor: { everything: everythingServer(dirs) } }),
    });
    const page = s.page!;
    await runCommand(page, 'View: Show MCP Lifeguard');

    const problems = sideBarRow(page, 1, 'Problems');
    await problems.waitFor({ state: 'visible', timeout: 60000 });
    // The rest keeps working: the other client's server is listed.
    const before = await sideBarTree(page);
    assert.ok(
      before.some((r) => r.level === 1 && r.label === 'Cursor'),
      JSON.stringify(before),
    );

    await expandRow(page, 1, 'Problems');
    const rows = await eventually(
      'a problem naming the whole path, ~/projects/demo/.vscode/mcp.json:4:25',
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.level === 2 && r.aria.endsWith(', ~/projects/demo/.vscode/mcp.json:4:25')),
      30000,
    );
    const problem = rows.find((r) => r.level === 2 && r.aria.endsWith(', ~/projects/demo/.vscode/mcp.json:4:25'))!;
    assert.match(problem.label, /invalid JSON/);

    // VS Code's own Problems panel lists it too, under the file.
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const markers = await eventually(
      'the Problems panel listing the broken config',
      async () => {
        const rows = page.locator('.part.panel .markers-panel .monaco-list-row');
        const out: string[] = [];
        for (let i = 0, n = await rows.count(); i < n; i++)
          out.push((await rows.nth(i).getAttribute('aria-label', { timeout: 5000 })) ?? '');
        return out;
      },
      (ms) =>
        ms.some((m) => /mcp\.json/.test(m)) &&
        ms.some((m) => m.includes(problem.label) && /\b4\b/.test(m) && /\b25\b/.test(m)),
      30000,
    );
    assert.ok(markers.length >= 2, JSON.stringify(markers));

    const fileTab = page.locator('.editor-group-container.active .tab.active', { hasText: 'mcp.json' });
    await clickRow(page, 2, problem.label);
    await fileTab.waitFor({ state: 'visible', timeout: 30000 });
    await eventually(
      'the cursor at line 4, column 25',
      () => statusBarTexts(page),
      (ts) => ts.includes('Ln 4, Col 25'),
      30000,
    );
  });
});
