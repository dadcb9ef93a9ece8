import * as assert from 'node:assert/strict';
import { memoryServer, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { mediaShot } from './support/media';
import { isAlive } from '../support/liveness';
import { waitUntil } from '../support/poll';
import {
  answerDialog,
  eventually,
  instanceRow,
  pickQuickItem,
  rowVerdict,
  runCommand,
  sideBarTree,
  statusBarTexts,
} from './support/workbench';

describeE2e('e2e: duplicate instances', (h) => {
  it('flags a server a client started twice; Kill Duplicate Instances, confirmed, leaves exactly one', async () => {
    let notes: StdioServer | undefined;
    const s = h.prepare({
      fixture: (dirs) => {
        notes = memoryServer(dirs, 'notes');
        return { claudeDesktop: { notes } };
      },
    });
    // The client (this process) starts the server, then starts it again before the first exits.
    const older = s.startServer(notes!);
    await s.waitForStderr(older, /running on stdio/);
    const newer = s.startServer(notes!);
    await s.waitForStderr(newer, /running on stdio/);
    const olderPid = older.pid!;
    const newerPid = newer.pid!;

    await s.startCodeServer();
    const page = await s.open();
    // Two instances run; one of them is a duplicate.
    await eventually(
      'the badge "MCP 2 · 1 dup"',
      () => statusBarTexts(page),
      (ts) => ts.some((t) => /^(\$\(warning\) )?MCP 2 · 1 dup$/.test(t)),
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
        !/Claude Desktop/.test(instanceRow(rs, olderPid)?.aria ?? ''),
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
    await eventually(
      'the badge back to "MCP 1"',
      () => statusBarTexts(page),
      (ts) => ts.some((t) => /^MCP 1$/.test(t)),
      60000,
    );
    await eventually(
      'the tree showing one instance',
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.label === 'notes' && /\b1 instance\b/.test(r.aria)) && !instanceRow(rs, olderPid),
      60000,
    );
    assert.ok(isAlive(newerPid), `the newer instance (pid ${newerPid}) is gone`);
  });
});
