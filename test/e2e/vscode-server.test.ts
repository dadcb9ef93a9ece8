import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { memoryServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { isAlive } from '../support/liveness';
import { waitUntil } from '../support/poll';
import {
  answerDialog,
  contextMenuAction,
  eventually,
  expandRow,
  rowPid,
  sideBarRow,
  sideBarTree,
  startFromTree,
  TreeRow,
} from './support/workbench';

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The pid of the one instance row (the workspace has one server). */
function instancePid(rows: TreeRow[]): number | undefined {
  return rows.map(rowPid).find((pid) => pid !== undefined);
}

describeE2e("e2e: VS Code's own MCP server", (h) => {
  it('starts a workspace server from the tree through VS Code, then restarts it through VS Code itself; the process table shows the new pid', async () => {
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
      isAlive(oldPid) && commandLine(oldPid).includes('server-memory'),
      `pid ${oldPid}: ${commandLine(oldPid)}`,
    );

    await contextMenuAction(page, 2, 'memory', /^Restart Server/);
    const question = await answerDialog(page, 'Restart');
    assert.match(question, new RegExp(`Restart memory\\?[\\s\\S]*pid ${oldPid}\\b`));

    const after = await eventually(
      'a new instance in the tree',
      () => sideBarTree(page),
      (rs) => instancePid(rs) !== undefined && instancePid(rs) !== oldPid,
      90000,
    );
    const newPid = instancePid(after)!;
    assert.ok(await waitUntil(() => !isAlive(oldPid), 30000), `the old instance (pid ${oldPid}) still runs`);
    assert.ok(
      isAlive(newPid) && commandLine(newPid).includes('server-memory'),
      `pid ${newPid}: ${commandLine(newPid)}`,
    );
  });
});
