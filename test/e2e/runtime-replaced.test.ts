import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { eventually, instanceRow, notifications, runCommand, sideBarTree } from './support/workbench';
import { replaceFile, serverPackage } from '../support/runtimeServer';

describeE2e('e2e: a runtime replaced under a running server', (h) => {
  it('node replaced under a server whose change was already notified: its own notification comes with the refresh that sees it, with no package event, and once (Linux: /proc says a binary was replaced)', async () => {
    let server: StdioServer | undefined;
    let node = '';
    let script = '';
    const s = h.prepare({
      fixture: (dirs) => {
        // The server runs on a node of its own, which the test then replaces as an upgrade would.
        node = path.join(dirs.data, 'rt', 'bin', 'node');
        fs.mkdirSync(path.dirname(node), { recursive: true });
        fs.copyFileSync(process.execPath, node);
        fs.chmodSync(node, 0o755);
        script = serverPackage(dirs.data);
        server = { command: node, args: [script] };
        return { claudeDesktop: { rt: server } };
      },
    });
    const child = s.startServer(server!);
    await s.waitForStderr(child, /rt-server ready/);
    const pid = child.pid!;

    await s.startCodeServer();
    const page = await s.open();
    await runCommand(page, 'View: Show MCP Lifeguard');
    await eventually(
      'the instance in the tree, not flagged',
      () => sideBarTree(page),
      (rs) => !!instanceRow(rs, pid) && !/runtime replaced|stale|changed|checking/.test(instanceRow(rs, pid)!.aria),
      90000,
    );

    // First its own files change: that event is notified.
    fs.appendFileSync(script, '// edited after it started\n');
    await notifications(page)
      .filter({ hasText: /rt-server: its files changed after/ })
      .first()
      .waitFor({ state: 'visible', timeout: 60000 });

    // Then another build of the same node is renamed over the one it runs; no package changes from here on.
    replaceFile(node, Buffer.concat([fs.readFileSync(node), Buffer.from('\0another build\0')]));
    await eventually(
      'the tree says runtime replaced',
      () => sideBarTree(page),
      (rs) => /runtime replaced/.test(instanceRow(rs, pid)?.aria ?? ''),
      90000,
    );
    // The notification comes with the refresh that saw it, though the instance was already notified for its files.
    const toast = notifications(page).filter({ hasText: /node was replaced .*still runs the old node/ });
    await toast.first().waitFor({ state: 'visible', timeout: 30000 });
    assert.match(await toast.first().innerText(), /1 instance \(/);
    // Once per cause: later refreshes do not say it again.
    await runCommand(page, 'MCP Lifeguard: Refresh');
    await runCommand(page, 'MCP Lifeguard: Refresh');
    const texts = await notifications(page).allInnerTexts();
    assert.equal(texts.filter((x) => /node was replaced/.test(x)).length, 1, JSON.stringify(texts));
  });
});
