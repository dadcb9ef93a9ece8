import * as assert from 'node:assert/strict';
import { memoryServer } from './support/fixture';
import { describeE2e } from './support/harness';
import type { Page } from './support/playwright';
import { commandLines, processesMarked } from './support/processes';
import { isAlive } from '../support/liveness';
import { waitUntil } from '../support/poll';
import {
  answerDialog,
  contextMenuAction,
  eventually,
  expandRow,
  notifications,
  pickQuickItem,
  quickInput,
  rowPid,
  runCommand,
  sideBarRow,
  sideBarTree,
  startFromTree,
  TreeRow,
} from './support/workbench';

/** The pid of the one instance row (the workspace has one server). */
function instancePid(rows: TreeRow[]): number | undefined {
  return rows.map(rowPid).find((pid) => pid !== undefined);
}

/** The labels of the rows of the open quick pick. */
async function quickPickLabels(page: Page): Promise<string[]> {
  const rows = quickInput(page).locator('.monaco-list-row');
  const out: string[] = [];
  for (let i = 0, n = await rows.count(); i < n; i++)
    out.push((await rows.nth(i).getAttribute('aria-label', { timeout: 5000 })) ?? '');
  return out;
}

/**
 * One window, one workspace server VS Code runs itself: what the extension does through VS Code's
 * MCP support (start, restart, Wrap and Unwrap each restarted by VS Code, its own agent server in
 * VS Code's list), one step after another on the same code-server.
 */
describeE2e("e2e: VS Code's own MCP servers", (h) => {
  it('starts a workspace server from the tree through VS Code and restarts it through VS Code itself (the process table shows the new pid); Wrap and Unwrap each restart it through VS Code (the toast says so, the new process runs through the guard, then without it); MCP: List Servers shows MCP Lifeguard with no setup, and starting it from there runs `mcp-lifeguard mcp` for the workspace', async () => {
    const s = await h.start({ fixture: (dirs) => ({ workspace: { memory: memoryServer(dirs, 'memory') } }) });
    const page = s.page!;

    // Start from the tree: VS Code starts it through its own command (workbench.mcp.startServer).
    // Start says what started, and reveals the row expanded on its new instance, selected (no click needed).
    const said = await startFromTree(page, 'memory');
    const before = await eventually(
      'the started row, expanded on the instance VS Code started',
      () => sideBarTree(page),
      (rs) => instancePid(rs) === said,
      30000,
    );
    assert.match(before.find((r) => r.level === 2 && r.label === 'memory')!.aria, /\b1 instance\b/);
    assert.equal(await sideBarRow(page, 2, 'memory').first().getAttribute('aria-selected'), 'true');
    await expandRow(page, 2, 'memory');
    const oldPid = instancePid(before)!;
    assert.ok(
      isAlive(oldPid) && commandLines(oldPid).includes('server-memory'),
      `pid ${oldPid}: ${commandLines(oldPid)}`,
    );
    assert.doesNotMatch(commandLines(oldPid), /run (--home \S+ )?--name memory/);

    // Restart through VS Code itself.
    await contextMenuAction(page, 2, 'memory', /^Restart Server/);
    const question = await answerDialog(page, 'Restart');
    assert.match(question, new RegExp(`Restart memory\\?[\\s\\S]*pid ${oldPid}\\b`));
    const after = await eventually(
      'a new instance in the tree',
      () => sideBarTree(page),
      (rs) => instancePid(rs) !== undefined && instancePid(rs) !== oldPid,
      90000,
    );
    const restartedPid = instancePid(after)!;
    assert.ok(await waitUntil(() => !isAlive(oldPid), 30000), `the old instance (pid ${oldPid}) still runs`);
    assert.ok(
      isAlive(restartedPid) && commandLines(restartedPid).includes('server-memory'),
      `pid ${restartedPid}: ${commandLines(restartedPid)}`,
    );

    // Wrap: a server VS Code runs in this window is restarted through VS Code right after the write.
    await contextMenuAction(page, 2, 'memory', /^Wrap .*Guard/);
    await answerDialog(page, 'Wrap');
    const wrapAnswered = Date.now();
    const toast = notifications(page).filter({
      hasText:
        /memory now starts through the guard\. VS Code: restarted memory with its new entry \(pid \d+ \S+ \d+\)\./,
    });
    await toast.first().waitFor({ state: 'visible', timeout: 90000 });
    console.log(`      Wrap's result ${((Date.now() - wrapAnswered) / 1000).toFixed(1)} s after the answer`);
    const guardedPid = Number(/pid \d+ \S+ (\d+)/.exec(await toast.first().innerText())![1]);
    assert.notEqual(guardedPid, restartedPid);
    assert.ok(
      await waitUntil(() => !isAlive(restartedPid), 30000),
      `the unguarded instance (pid ${restartedPid}) still runs`,
    );
    // VS Code started the rewritten entry: the new instance runs through the guard.
    assert.match(
      commandLines(guardedPid),
      /run (--home \S+ )?--name memory --resource=\S+ -- /,
      `pid ${guardedPid}: ${commandLines(guardedPid)}`,
    );
    await eventually(
      'the row showing the new instance',
      () => sideBarTree(page),
      (rs) => rs.some((r) => rowPid(r) === guardedPid),
      60000,
    );

    // Unwrap: the guarded instance is restarted by VS Code too (not by its guard, which would keep the old entry).
    await contextMenuAction(page, 2, 'memory', /^Unwrap/);
    await answerDialog(page, 'Unwrap');
    const unwrapAnswered = Date.now();
    const unwrapped = notifications(page).filter({
      hasText:
        /memory is unwrapped and runs without the guard now: VS Code restarted it with its new entry \(pid [\d, ]+ \S+ \d+\)\./,
    });
    await unwrapped.first().waitFor({ state: 'visible', timeout: 90000 });
    console.log(`      Unwrap's result ${((Date.now() - unwrapAnswered) / 1000).toFixed(1)} s after the answer`);
    const plainPid = Number(/new entry \(pid [\d, ]+ \S+ (\d+)\)/.exec(await unwrapped.first().innerText())?.[1]);
    assert.ok(plainPid > 0 && plainPid !== guardedPid, await unwrapped.first().innerText());
    assert.ok(
      await waitUntil(() => !isAlive(guardedPid), 30000),
      `the guarded instance (pid ${guardedPid}) still runs`,
    );
    assert.match(commandLines(plainPid), /server-memory/);
    assert.doesNotMatch(
      commandLines(plainPid),
      /run (--home \S+ )?--name memory/,
      `pid ${plainPid}: ${commandLines(plainPid)}`,
    );

    // The agent server: VS Code's list offers it beside the workspace's own server, with no setup.
    await runCommand(page, 'MCP: List Servers');
    const listed = await eventually(
      'MCP Lifeguard among the servers',
      () => quickPickLabels(page),
      (ls) => ls.some((l) => l.startsWith('MCP Lifeguard')),
      60000,
    );
    assert.ok(
      listed.some((l) => l.startsWith('memory')),
      `the workspace's own server is listed beside it: ${listed.join(' | ')}`,
    );
    await pickQuickItem(
      page,
      listed.find((l) => l.startsWith('MCP Lifeguard'))!,
    );
    const actions = await eventually(
      "the server's actions",
      () => quickPickLabels(page),
      (ls) => ls.some((l) => /^Start Server/.test(l)),
      30000,
    );
    await pickQuickItem(
      page,
      actions.find((l) => /^Start Server/.test(l))!,
    );
    const agent = await eventually(
      'the agent server running',
      async () => processesMarked(s.scope.id).filter((p) => /mcp-lifeguard(\.js)? mcp --workspace /.test(p.command)),
      (ps) => ps.length > 0,
      60000,
    );
    assert.match(
      agent[0].command,
      new RegExp(`mcp --workspace ${s.fixture.workspace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    // VS Code itself connected to it: its list says it runs.
    await runCommand(page, 'MCP: List Servers');
    const running = await eventually(
      'MCP Lifeguard shown running',
      () => quickPickLabels(page),
      (ls) => ls.some((l) => l.startsWith('MCP Lifeguard') && /running/i.test(l)),
      60000,
    );
    console.log(`    e2e: ${running.join(' | ')}`);
  });
});
