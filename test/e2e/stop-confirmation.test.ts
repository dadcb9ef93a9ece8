import * as assert from 'node:assert/strict';
import { memoryServer, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { isAlive } from '../support/liveness';
import { waitUntil } from '../support/poll';
import { contextMenuAction, eventually, instanceRow, runCommand, sideBarTree } from './support/workbench';

describeE2e("e2e: Stop of another client's server", (h) => {
  it("the server row's Stop says its client will not start it again and offers Wrap with Guard, then Stop; Stop stops it", async () => {
    let notes: StdioServer | undefined;
    const s = h.prepare({
      fixture: (dirs) => {
        notes = memoryServer(dirs, 'notes');
        return { claudeDesktop: { notes } };
      },
    });
    // The client (this process) starts the server, unguarded.
    const child = s.startServer(notes!);
    await s.waitForStderr(child, /running on stdio/);
    const pid = child.pid!;

    await s.startCodeServer();
    const page = await s.open();
    await runCommand(page, 'View: Show MCP Lifeguard');
    await eventually(
      'the notes instance in the tree',
      () => sideBarTree(page),
      (rs) => !!instanceRow(rs, pid),
      90000,
    );

    // The server-level Stop (not the instance row's): the same warning and the same second button.
    await contextMenuAction(page, 2, 'notes', /^Stop Server/);
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30000 });
    const text = await dialog.innerText();
    assert.match(text, /Stop notes\?/);
    // This test process plays the client, so the owner is unknown to the process tree; the sentence
    // names who will not start it again either way (Claude Desktop's own wording is a unit test's).
    assert.match(
      text,
      new RegExp(
        `This stops pid ${pid} \\([^)]+\\)\\. (.+ will not start it again|Nothing here starts it again: the program that started it must)\\.`,
      ),
    );
    const buttons = (await dialog.locator('.monaco-button').allInnerTexts())
      .map((b) => b.trim())
      .filter((b) => b !== '');
    assert.ok(buttons.includes('Wrap with Guard, then Stop'), `buttons: ${JSON.stringify(buttons)}`);
    await dialog
      .locator('.monaco-button')
      .filter({ hasText: /^\s*Stop\s*$/ })
      .first()
      .click({ timeout: 30000 });
    await dialog.waitFor({ state: 'hidden', timeout: 30000 });
    assert.ok(await waitUntil(() => !isAlive(pid), 30000), `pid ${pid} still runs`);
  });
});
