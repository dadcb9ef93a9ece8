import { mediaShot } from './support/media';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memoryServer, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import {
  allowClipboard,
  clipboardText,
  contextMenuAction,
  eventually,
  expandRow,
  pickQuickItem,
  runCommand,
  sideBarTree,
  TreeRow,
} from './support/workbench';

/** A token-shaped argument: it must never reach the clipboard. */
const TOKEN = 'sk-e2eSECRETabcdefghijklmnop';
const WHAT = '@acme/mcp-server-notes';

/** The Not configured group's row (level 1), and the pids of the rows under it (level 2). */
function notConfigured(rows: readonly TreeRow[]): { group?: TreeRow; pids: number[] } {
  const at = rows.findIndex((r) => r.level === 1 && r.label === 'Not configured');
  if (at < 0) return { pids: [] };
  const pids: number[] = [];
  for (const r of rows.slice(at + 1)) {
    if (r.level <= 1) break;
    const m = /^pid (\d+) ·/.exec(r.label);
    if (r.level === 2 && m) pids.push(Number(m[1]));
  }
  return { group: rows[at], pids };
}

describeE2e('e2e: taming the Not configured group', (h) => {
  it('Copy Command Line copies the redacted command line; Hide takes a process out for good (a refresh, a reload, the same server started again), and Show Hidden Processes brings it back', async () => {
    let stranger: StdioServer | undefined;
    const s = h.prepare({
      fixture: (dirs) => {
        // Another tool's test server, in a package of its own: MCP-looking, matching no entry.
        const script = path.join(dirs.packages, 'node_modules', '@acme', 'mcp-server-notes', 'dist', 'index.js');
        fs.mkdirSync(path.dirname(script), { recursive: true });
        fs.writeFileSync(script, 'process.stdin.resume();\nsetTimeout(() => process.exit(0), 600000);\n');
        stranger = { command: process.execPath, args: [script, `--token=${TOKEN}`, '--name', 'demo'] };
        return { claudeDesktop: { notes: memoryServer(dirs, 'notes') } };
      },
    });
    const first = s.startServer(stranger!);
    await s.startCodeServer();
    const page = await s.open();
    await allowClipboard(page, `http://127.0.0.1:${s.port}`);
    await runCommand(page, 'View: Show MCP Lifeguard');
    await eventually(
      'the Not configured group',
      () => sideBarTree(page),
      (rs) => notConfigured(rs).group !== undefined,
      90000,
    );
    await expandRow(page, 1, 'Not configured');
    await eventually(
      `pid ${first.pid} under Not configured`,
      () => sideBarTree(page),
      (rs) => notConfigured(rs).pids.includes(first.pid!),
      60000,
    );

    // Copy Command Line: what it runs, with the token redacted.
    await contextMenuAction(page, 2, `pid ${first.pid} · ${WHAT}`, /^Copy Command Line$/);
    const copied = await eventually(
      'the command line on the clipboard',
      () => clipboardText(page),
      (text) => text.includes('mcp-server-notes'),
      30000,
    );
    assert.match(copied, /dist\/index\.js --token=<redacted> --name demo$/, copied);
    assert.ok(!copied.includes(TOKEN) && !copied.includes('sk-'), `the clipboard holds the token: ${copied}`);

    // Hide: the row leaves, and the group says one is hidden.
    await contextMenuAction(page, 2, `pid ${first.pid} · ${WHAT}`, /^Hide$/);
    // Ours are gone from the group; another program's MCP processes on the machine may stay listed.
    const ours = [first.pid!];
    const hidden = (rs: TreeRow[], n: number) =>
      ours.every((pid) => !notConfigured(rs).pids.includes(pid)) &&
      new RegExp(`\\b${n} hidden\\b`).test(notConfigured(rs).group?.aria ?? '');
    await eventually(
      'the row hidden, "1 hidden" on the group',
      () => sideBarTree(page),
      (rs) => hidden(rs, 1),
      30000,
    );
    await mediaShot(page, 'not-configured-hidden', { x: 0, y: 0, width: 360, height: 320 });

    // A refresh reads the process table again: still hidden.
    await runCommand(page, 'MCP Lifeguard: Refresh');
    await eventually(
      'still hidden after a refresh',
      () => sideBarTree(page),
      (rs) => hidden(rs, 1),
      30000,
    );

    // The same server started again (another pid) is hidden too, and a reload remembers both.
    const second = s.startServer(stranger!);
    ours.push(second.pid!);
    await page.reload({ timeout: 60000, waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 90000 });
    await runCommand(page, 'View: Show MCP Lifeguard');
    const afterReload = await eventually(
      'both copies hidden after a reload',
      () => sideBarTree(page),
      (rs) => hidden(rs, 2),
      90000,
    );
    for (const pid of [first.pid, second.pid])
      assert.ok(!afterReload.some((r) => r.label.includes(`pid ${pid} `)), `pid ${pid} shows`);

    // Show Hidden Processes... brings them back.
    await runCommand(page, 'MCP Lifeguard: Show Hidden Processes...');
    await pickQuickItem(page, 'Show All Hidden Processes');
    await eventually(
      'the Not configured group without a hidden count',
      () => sideBarTree(page),
      (rs) => !/hidden/.test(notConfigured(rs).group?.aria ?? 'hidden'),
      30000,
    );
    await expandRow(page, 1, 'Not configured');
    await eventually(
      'both pids listed again',
      () => sideBarTree(page),
      (rs) => [first.pid!, second.pid!].every((pid) => notConfigured(rs).pids.includes(pid)),
      30000,
    );
  });
});
