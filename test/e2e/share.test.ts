import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataKey } from '../../src/core/sources/dataPaths';
import { memoryServer, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { startClient } from './support/clients';
import {
  answerDialog,
  contextMenuAction,
  eventually,
  notifications,
  rowTooltip,
  runCommand,
  sideBarTree,
} from './support/workbench';
import type { Page } from './support/playwright';

/** The launch of the `memory` entry of an `mcpServers` config file. */
function entryOf(file: string): { command: string; args: string[] } {
  return (
    JSON.parse(fs.readFileSync(file, 'utf8')) as { mcpServers: Record<string, { command: string; args: string[] }> }
  ).mcpServers.memory;
}

/** The editor tabs' accessible labels (a diff's tab names both sides). */
async function editorTabs(page: Page): Promise<string[]> {
  const tabs = page.locator('.editor-group-container .tab');
  const out: string[] = [];
  for (let i = 0, n = await tabs.count(); i < n; i++)
    out.push((await tabs.nth(i).getAttribute('aria-label', { timeout: 5000 })) ?? '');
  return out;
}

describeE2e('e2e: Share One Instance from the tree', (h) => {
  it("a server two clients each run a copy of: its row's menu offers Share One Instance, which shows each diff and asks before writing; one Cancel writes nothing, confirmed every entry of that server (never one of other data) launches `mcp-lifeguard run --on-conflict share`, and Unshare gives every entry back", async () => {
    let memory: StdioServer | undefined;
    let other: StdioServer | undefined;
    let team: StdioServer | undefined;
    const s = h.prepare({
      fixture: (dirs) => {
        memory = memoryServer(dirs, 'shared');
        // A server only one client runs: no Share One Instance on its row.
        // (Another launch: an argument server-memory ignores, so it is not the same server.)
        const base = memoryServer(dirs, 'alone');
        other = { ...base, args: [...base.args, 'alone'] };
        // The same script with other data (its own MEMORY_FILE_PATH): another server, never shared with memory.
        team = memoryServer(dirs, 'team');
        return { claudeDesktop: { memory, alone: other }, cursor: { memory, team } };
      },
    });
    // Each waited for as it starts: output printed before a listener is there is not seen.
    for (const [program, server] of [
      ['claude-desktop', memory!],
      ['cursor', memory!],
      ['claude-desktop', other!],
      ['cursor', team!],
    ] as const)
      await s.waitForStderr(startClient(s, program, server), /running on stdio/);
    const files = [s.fixture.files.claudeDesktop, s.fixture.files.cursor];
    const before = files.map((f) => fs.readFileSync(f, 'utf8'));

    await s.startCodeServer();
    const page = await s.open();
    await runCommand(page, 'View: Show MCP Lifeguard');
    await eventually(
      "each client's memory row running",
      () => sideBarTree(page),
      (rs) =>
        rs.filter((r) => r.level === 2 && r.label === 'memory' && /\b1 instance\b/.test(r.aria)).length === 2 &&
        rs.some((r) => r.level === 2 && r.label === 'alone' && /\b1 instance\b/.test(r.aria)) &&
        rs.some((r) => r.level === 2 && r.label === 'team' && /\b1 instance\b/.test(r.aria)),
      90000,
    );
    // Cursor runs memory and team, one script with two data files: two servers, neither a duplicate of
    // the other. The two clients' copies of memory write one file: each is a duplicate on one data store.
    await eventually(
      "both clients' copies of memory flagged on one data store, team and alone not",
      () => sideBarTree(page),
      (rs) =>
        rs.filter((r) => r.level === 2 && r.label === 'memory' && /duplicate/.test(r.aria)).length === 2 &&
        !rs.some((r) => r.level === 2 && r.label !== 'memory' && /duplicate/.test(r.aria)),
      30000,
    );

    // Only where it applies: the server one client runs has no Share One Instance.
    await assert.rejects(
      contextMenuAction(page, 2, 'alone', /^Share One Instance/, 8000),
      /has no .*Share One Instance/,
    );
    await page.keyboard.press('Escape');

    // One Cancel cancels the whole plan: the first file's diff and question, then nothing more, nothing written.
    await contextMenuAction(page, 2, 'memory', /^Share One Instance/);
    await eventually(
      `the diff of ${path.basename(files[0])} open`,
      () => editorTabs(page),
      (ts) => ts.some((t) => t.includes(`${path.basename(files[0])}: Share memory`)),
      30000,
    );
    const question = await answerDialog(page, 'Cancel');
    assert.match(question, new RegExp(`Share memory in ${files[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?`));
    assert.match(question, /run (--home \S+ )?--on-conflict share --name memory/);
    await notifications(page)
      .filter({ hasText: /Share One Instance cancelled: nothing was written/ })
      .first()
      .waitFor({ state: 'visible', timeout: 30000 });
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no second question after Cancel');
    assert.deepEqual(
      files.map((f) => fs.readFileSync(f, 'utf8')),
      before,
    );

    // Confirmed: each file, after its diff and question, launches the server through the guard, shared.
    await contextMenuAction(page, 2, 'memory', /^Share One Instance/);
    for (const file of files) {
      await eventually(
        `the diff of ${path.basename(file)} open`,
        () => editorTabs(page),
        (ts) => ts.some((t) => t.includes(`${path.basename(file)}: Share memory`)),
        30000,
      );
      assert.equal(
        fs.readFileSync(file, 'utf8'),
        before[files.indexOf(file)],
        `${file} written before it was confirmed`,
      );
      await answerDialog(page, 'Share');
    }
    await notifications(page)
      .filter({ hasText: /2 of 2 entries of memory now share one server/ })
      .filter({ hasText: /team in Cursor: another server with other data \(MEMORY_FILE_PATH differs\)/ })
      .first()
      .waitFor({ state: 'visible', timeout: 30000 });
    for (const file of files) {
      const entry = entryOf(file);
      assert.match(path.basename(entry.command), /^mcp-lifeguard(\.cmd)?$/, `${file}: ${entry.command}`);
      assert.deepEqual(entry.args, [
        'run',
        // The session's MCP_LIFEGUARD_HOME is not the default: the entry carries it.
        '--home',
        s.lifeguardHome,
        '--on-conflict',
        'share',
        '--name',
        'memory',
        // The guard locks on the data both entries name (a digest: the path itself is never written).
        `--resource=${dataKey(memory!.env!.MEMORY_FILE_PATH)}`,
        '--',
        memory!.command,
        ...memory!.args,
      ]);
    }
    // The entry of the server only one client runs is left as it was.
    assert.deepEqual(
      (JSON.parse(fs.readFileSync(files[0], 'utf8')) as { mcpServers: Record<string, unknown> }).mcpServers.alone,
      { command: other!.command, args: other!.args, env: other!.env },
    );
    assert.deepEqual(
      (JSON.parse(fs.readFileSync(files[1], 'utf8')) as { mcpServers: Record<string, unknown> }).mcpServers.team,
      { command: team!.command, args: team!.args, env: team!.env },
      'the entry of other data is left as it was',
    );

    // Unshare: every entry of the shared server gets back the command the guard ran, after each diff.
    // The row's menu offers it once the view has read the rewritten entry, which its tooltip shows.
    await eventually(
      "the memory row's entry read as shared",
      // Each look bounded, so a look that missed (the view refreshed under the mouse) is tried again.
      () => rowTooltip(page, 2, 'memory', 5000),
      (tip) => /run (--home \S+ )?--on-conflict share --name memory/.test(tip),
      30000,
    );
    await contextMenuAction(page, 2, 'memory', /^Unshare Server/);
    for (const file of files) {
      await eventually(
        `the unwrap diff of ${path.basename(file)} open`,
        () => editorTabs(page),
        (ts) => ts.some((t) => t.includes(`${path.basename(file)}: Unwrap memory`)),
        30000,
      );
      await answerDialog(page, 'Unwrap');
    }
    await notifications(page)
      .filter({ hasText: /2 of 2 entries no longer share memory/ })
      .first()
      .waitFor({ state: 'visible', timeout: 30000 });
    for (const file of files)
      assert.deepEqual(entryOf(file), { command: memory!.command, args: memory!.args, env: memory!.env });
  });
});
