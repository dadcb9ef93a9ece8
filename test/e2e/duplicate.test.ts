import * as assert from 'node:assert/strict';
import { memoryServer, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { mediaShot } from './support/media';
import { isAlive } from '../support/liveness';
import { waitUntil } from '../support/poll';
import {
  answerDialog,
  contextMenuAction,
  eventually,
  instanceRow,
  pickQuickItem,
  rowVerdict,
  runCommand,
  sideBarTree,
  statusBarTexts,
} from './support/workbench';

describeE2e('e2e: duplicate instances', (h) => {
  it("flags a server a client started twice; Kill Duplicate Instances, confirmed, leaves exactly one, and never touches the same script run with other data; then the server row's Stop says its client will not start it again and offers Wrap with Guard, then Stop; Stop stops it", async () => {
    let notes: StdioServer | undefined;
    let team: StdioServer | undefined;
    const s = h.prepare({
      fixture: (dirs) => {
        notes = memoryServer(dirs, 'notes');
        // The same script with its own MEMORY_FILE_PATH: another server, though its command line is notes'.
        team = memoryServer(dirs, 'team');
        return { claudeDesktop: { notes, team } };
      },
    });
    // The client (this process) starts the server, then starts it again before the first exits.
    const older = s.startServer(notes!);
    await s.waitForStderr(older, /running on stdio/);
    const newer = s.startServer(notes!);
    await s.waitForStderr(newer, /running on stdio/);
    // Started last by the same client: it must not be taken for the copy to keep.
    const teamProcess = s.startServer(team!);
    await s.waitForStderr(teamProcess, /running on stdio/);
    const olderPid = older.pid!;
    const newerPid = newer.pid!;
    const teamPid = teamProcess.pid!;

    await s.startCodeServer();
    const page = await s.open();
    // Two instances run; one of them is a duplicate.
    await eventually(
      'the badge "MCP 3 · 1 dup"',
      () => statusBarTexts(page),
      (ts) => ts.some((t) => /^(\$\(warning\) )?MCP 3 · 1 dup$/.test(t)),
      90000,
    );

    await runCommand(page, 'View: Show MCP Lifeguard');
    const rows = await eventually(
      'the notes server with its two instances, the older flagged',
      () => sideBarTree(page),
      (rs) =>
        rs.some((r) => r.label === 'notes' && /2 instances · duplicate/.test(r.aria)) &&
        // The verdict leads each row; the client the group names is not repeated.
        rowVerdict(instanceRow(rs, olderPid) ?? { level: 3, label: '', aria: '' }) === 'duplicate' &&
        !/duplicate|Claude Desktop/.test(instanceRow(rs, newerPid)?.aria ?? 'duplicate') &&
        !/Claude Desktop/.test(instanceRow(rs, olderPid)?.aria ?? '') &&
        rs.some((r) => r.label === 'team' && /\b1 instance\b/.test(r.aria) && !/duplicate/.test(r.aria)),
      60000,
    );
    assert.ok(rows.length > 0);
    await mediaShot(page, 'tree-duplicate', { x: 0, y: 0, width: 350, height: 180 });

    await runCommand(page, 'MCP Lifeguard: Kill Duplicate Instances');
    await pickQuickItem(page, 'notes');
    const question = await answerDialog(page, 'Kill Duplicates');
    assert.match(question, /Kill duplicate instances of notes\?/);

    assert.ok(await waitUntil(() => !isAlive(olderPid), 30000), `the older instance (pid ${olderPid}) still runs`);
    assert.ok(isAlive(newerPid), `the newer instance (pid ${newerPid}) was stopped too`);
    assert.ok(isAlive(teamPid), `team's instance (pid ${teamPid}), the same script with other data, was stopped`);
    await eventually(
      'the badge back to "MCP 2"',
      () => statusBarTexts(page),
      (ts) => ts.some((t) => /^MCP 2$/.test(t)),
      60000,
    );
    await eventually(
      'the tree showing one instance',
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.label === 'notes' && /\b1 instance\b/.test(r.aria)) && !instanceRow(rs, olderPid),
      60000,
    );
    assert.ok(isAlive(newerPid), `the newer instance (pid ${newerPid}) is gone`);
    assert.ok(isAlive(teamPid), `team's instance (pid ${teamPid}) is gone`);

    // Stop of another client's server, from the server row (not the instance row's): the warning
    // that its client will not start it again, and the second button.
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
        `This stops pid ${newerPid} \\([^)]+\\)\\. (.+ will not start it again|Nothing here starts it again: the program that started it must)\\.`,
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
    assert.ok(await waitUntil(() => !isAlive(newerPid), 30000), `pid ${newerPid} still runs`);
    assert.ok(isAlive(teamPid), `team's instance (pid ${teamPid}) was stopped with notes`);
  });
});
