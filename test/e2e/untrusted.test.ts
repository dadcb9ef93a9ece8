import * as assert from 'node:assert/strict';
import { everythingServer, memoryServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { contextMenuLabels, eventually, runCommand, sideBarTree } from './support/workbench';

describeE2e('e2e: untrusted workspace', (h) => {
  it("lists the workspace servers but offers neither Restart nor Wrap for them; another client's unguarded server offers Stop, not Restart", async () => {
    let servers: { workspace: ReturnType<typeof memoryServer>; user: ReturnType<typeof everythingServer> } | undefined;
    const s = h.prepare({
      trust: true,
      fixture: (dirs) => {
        servers = { workspace: memoryServer(dirs, 'workspace-memory'), user: everythingServer(dirs) };
        return { workspace: { memory: servers.workspace }, cursor: { everything: servers.user } };
      },
    });
    // One running instance of each, so Restart or Stop would be offered if it were allowed.
    s.startServer(servers!.workspace);
    s.startServer(servers!.user);
    await s.startCodeServer();
    const page = await s.open();

    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 60000 });
    await dialog.locator('.monaco-button', { hasText: "No, I don't trust the authors" }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 30000 });

    await runCommand(page, 'View: Show MCP Lifeguard');
    const rows = await eventually(
      'both servers listed with their running instance',
      () => sideBarTree(page),
      (rs) => {
        // Each server's row, and its instance's row right below it.
        const shown = (name: string) => {
          const i = rs.findIndex((r) => r.level === 2 && r.label === name && /\b1 instance\b/.test(r.aria));
          return i >= 0 && rs[i + 1]?.level === 3;
        };
        // And under the VS Code (workspace) group: the tree redraws rows as looks come in, so all three are waited for together.
        return (
          shown('memory') && shown('everything') && rs.some((r) => r.level === 1 && r.label === 'VS Code (workspace)')
        );
      },
      60000,
    );
    const workspaceAt = rows.findIndex((r) => r.level === 1 && r.label === 'VS Code (workspace)');
    assert.ok(
      workspaceAt >= 0 && workspaceAt < rows.findIndex((r) => r.level === 2 && r.label === 'memory'),
      `the workspace's server is listed under the VS Code (workspace) group: ${JSON.stringify(rows)}`,
    );

    const userMenu = await contextMenuLabels(page, 2, 'everything');
    // Cursor's instance, unguarded: MCP Lifeguard can only stop it, so it does not call that Restart.
    assert.ok(
      userMenu.some((t) => /^Stop/.test(t)),
      `the user-level server offers Stop: ${JSON.stringify(userMenu)}`,
    );
    assert.ok(
      !userMenu.some((t) => /^Restart/.test(t)),
      `the user-level server offers Restart: ${JSON.stringify(userMenu)}`,
    );
    assert.ok(
      userMenu.some((t) => /^Wrap/.test(t)),
      `the user-level server offers Wrap: ${JSON.stringify(userMenu)}`,
    );

    const workspaceMenu = await contextMenuLabels(page, 2, 'memory');
    assert.ok(
      !workspaceMenu.some((t) => /^(Restart|Wrap)/.test(t)),
      `the workspace server offers: ${JSON.stringify(workspaceMenu)}`,
    );
    assert.ok(
      workspaceMenu.includes('Open Config'),
      `the workspace server still offers Open Config: ${JSON.stringify(workspaceMenu)}`,
    );
  });
});
