import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memoryServer, severalClients, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { eventually, runCommand, sideBarTree, statusBarLabels, statusBarTexts } from './support/workbench';

/** The text of the extension's log (its output channel's file under the session's user data). */
function extensionLog(userDataDir: string): string {
  const logs = path.join(userDataDir, 'logs');
  const found = fs.existsSync(logs)
    ? (fs.readdirSync(logs, { recursive: true }) as string[]).filter((f) =>
        f.endsWith(path.join('mcp-lifeguard.mcp-lifeguard', 'MCP Lifeguard.log')),
      )
    : [];
  return found.map((f) => fs.readFileSync(path.join(logs, f), 'utf8')).join('\n');
}

describeE2e('e2e: activation', (h) => {
  it('shows the running count within 15 s of activation (the configured count in its label) and the servers grouped by source in the tree', async () => {
    let notes: StdioServer | undefined;
    const s = h.prepare({
      fixture: (dirs) => {
        notes = memoryServer(dirs, 'claude-notes');
        return severalClients(dirs);
      },
    });
    // One of the four configured servers runs (Claude Desktop's notes, started as its client would).
    await s.waitForStderr(s.startServer(notes!), /running on stdio/);
    await s.startCodeServer();
    const page = await s.open();

    // The item appears when the extension activates (a spinner) and gets its count from the first snapshot.
    let firstSeen: number | undefined;
    const texts = await eventually(
      'the status bar item "MCP 1"',
      async () => {
        const ts = await statusBarTexts(page);
        if (firstSeen === undefined && ts.some((t) => /^MCP\b/.test(t))) firstSeen = Date.now();
        return ts;
      },
      (ts) => ts.some((t) => /^MCP 1$/.test(t)),
      120000,
    );
    const countedAfter = Date.now() - (firstSeen ?? Date.now());
    assert.ok(countedAfter <= 15000, `the count took ${countedAfter} ms after the item appeared`);
    assert.ok(!texts.some((t) => /stale|dup/.test(t)), `nothing is flagged: ${JSON.stringify(texts)}`);
    // The extension logs when its first badge showed (configs and processes; versions follow).
    const logLine = await eventually(
      'the extension log\'s "first badge after N ms" line',
      async () => extensionLog(s.userDataDir).match(/first badge after (\d+) ms.*$/m)?.[0],
      (l) => l !== undefined,
      30000,
    );
    const versionsLine = await eventually(
      'the extension log\'s "versions after N ms" line',
      async () => extensionLog(s.userDataDir).match(/versions after (\d+) ms$/m)?.[0],
      (l) => l !== undefined,
      60000,
    );
    console.log(`    e2e: ${logLine}; ${versionsLine}; the badge counted ${countedAfter} ms after the item appeared`);

    // The number is what runs; the label says both counts.
    const labels = await statusBarLabels(page);
    assert.ok(
      labels.some((l) => /^1 running instance; 1 of 4 configured MCP servers running\b/.test(l)),
      JSON.stringify(labels),
    );

    await runCommand(page, 'View: Show MCP Lifeguard');
    const expected = [
      [1, 'VS Code (workspace)'],
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
      // Groups and servers; the running server's instance row is below it.
      (rs) =>
        JSON.stringify(
          rs
            .filter((r) => r.level <= 2)
            .slice(0, expected.length)
            .map((r) => [r.level, r.label]),
        ) === JSON.stringify(expected),
      60000,
    );
    const tops = rows.filter((r) => r.level <= 2);
    const others = tops
      .slice(expected.length)
      .filter((r) => r.level === 1)
      .map((r) => r.label);
    assert.ok(
      others.every((l) => l === 'Not configured'),
      `unexpected groups: ${JSON.stringify(others)}`,
    );
    assert.match(tops[0].aria, /^VS Code \(workspace\), 2\b/);
    assert.match(tops[3].aria, /^Claude Desktop, 1\b/);
    assert.match(tops[5].aria, /^Cursor, 1\b/);
    // The running process is Claude Desktop's notes, not the workspace's memory: the same command line,
    // but the process's environment contradicts the workspace entry's MEMORY_FILE_PATH.
    assert.match(tops[4].aria, /\b1 instance\b/);
    assert.match(tops[1].aria, /not running/);
  });
});
