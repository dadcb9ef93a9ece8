import * as assert from 'node:assert/strict';
import { guarded, memoryServer, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { sdkClientOf } from './support/sdkClient';
import { waitUntil } from '../support/poll';
import { childrenOf } from './support/processes';
import { installedExtension } from './support/vsix';
import {
  answerDialog,
  contextMenuAction,
  editorLines,
  eventually,
  instanceRow,
  runCommand,
  sideBarTree,
  statusBarTexts,
} from './support/workbench';

describeE2e('e2e: guarded restart', (h) => {
  it("restarts a server wrapped by mcp-lifeguard run from the tree; the client's next call succeeds on the same session; Show Server Log shows its stderr", async () => {
    let server: StdioServer | undefined;
    const s = h.prepare({
      fixture: (dirs) => {
        server = guarded('memory', memoryServer(dirs, 'memory'));
        return { claudeDesktop: { memory: server } };
      },
    });
    // The guard is this checkout's CLI, built with the package.
    await installedExtension(h.tools());

    // A real SDK client starts the guarded server over stdio, as Claude Desktop would.
    const { client, guardPid } = await sdkClientOf(s, server!);
    try {
      await client.callTool({
        name: 'create_entities',
        arguments: { entities: [{ name: 'e2e', entityType: 'test', observations: ['before restart'] }] },
      });
      const [childBefore] = childrenOf(guardPid);
      assert.ok(childBefore, `the guard (pid ${guardPid}) runs the server`);

      await s.startCodeServer();
      const page = await s.open();
      await runCommand(page, 'View: Show MCP Lifeguard');
      await eventually(
        'the badge "MCP 1"',
        () => statusBarTexts(page),
        (ts) => ts.some((t) => /^MCP 1$/.test(t)),
        90000,
      );
      await eventually(
        'the guarded instance in the tree',
        () => sideBarTree(page),
        (rs) => rs.some((r) => r.level === 3 && /guarded/.test(r.aria)),
        60000,
      );

      await contextMenuAction(page, 2, 'memory', /^Restart Server/);
      const question = await answerDialog(page, 'Restart');
      assert.match(question, /Restart memory\?/);

      // The guard restarted its child: a new server process under the same guard, whose pipe never broke.
      // (Before the restart the guard starts the installed server beside the old one and asks it: that
      // probe is a child of the guard too, so the new server is the guard's only child, not any other.)
      let childAfter: number | undefined;
      assert.ok(
        await waitUntil(() => {
          const children = childrenOf(guardPid);
          childAfter = children.length === 1 && children[0] !== childBefore ? children[0] : undefined;
          return childAfter !== undefined;
        }, 60000),
        `the guard (pid ${guardPid}) does not run one new server in place of pid ${childBefore}: ${JSON.stringify(childrenOf(guardPid))}`,
      );
      const result = await client.callTool({ name: 'read_graph', arguments: {} });
      assert.ok(!result.isError, JSON.stringify(result));
      assert.match(JSON.stringify(result.content), /before restart/);

      // The guard kept the server's stderr: both children's start lines and its own line about the restart.
      // Asked once the view shows the new server (the log is opened as it is then; later lines are not read).
      await eventually(
        `the new server (pid ${childAfter}) in the tree`,
        () => sideBarTree(page),
        (rs) => instanceRow(rs, childAfter!) !== undefined,
        60000,
      );
      await contextMenuAction(page, 2, 'memory', /^Show Server Log/);
      const lines = await eventually(
        "the server log in an editor, with both children's stderr",
        async () => (await editorLines(page).allInnerTexts()).map((l) => l.replace(/\u00a0/g, ' ')),
        (ls) =>
          ls.filter((l) => /running on stdio/.test(l)).length >= 2 &&
          ls.some((l) => /\[mcp-lifeguard [^\]]+\] restarting memory/.test(l)),
        30000,
      );
      assert.ok(lines.length > 0);
      await page
        .locator('.editor-group-container.active .tab.active', { hasText: /\.stderr\.log/ })
        .waitFor({ state: 'visible', timeout: 30000 });
    } finally {
      await client.close().catch(() => undefined);
    }
  });
});
