import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { guarded, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { sdkClientOf } from './support/sdkClient';
import { answerDialog, eventually, notifications, runCommand, sideBarTree, statusBarTexts } from './support/workbench';
import { fixturesDir } from '../support/repo';
import { PYTHON, run } from '../support/run';
import { isAlive } from '../support/liveness';
import { pypiWheelhouse } from '../support/toolCache';
import { offlineVenv } from '../support/venv';
import { pastJudgedStart } from '../support/judgedStart';
import { MCP_PY_VERSION } from '../integration/http/pythonSdk';
import { MCP2_PY_VERSION } from '../integration/guard/pythonEras';

/** A server written for the Python SDK 1.x (FastMCP): `mcp.server.fastmcp` is gone in 2.x. */
const SCRIPT = path.join(fixturesDir, 'python', 'fastmcp_v1_server.py');

describeE2e('e2e: a broken dependency upgrade undone from its notification', (h) => {
  it('pip upgrading the SDK under a guarded script server: the notification says the restart will probably fail and offers Roll Back, which puts the old SDK back with the venv’s own pip; the client’s session never breaks', async () => {
    const old = await pypiWheelhouse(PYTHON, `mcp-${MCP_PY_VERSION}`, [`mcp==${MCP_PY_VERSION}`]);
    const next = await pypiWheelhouse(PYTHON, `mcp-${MCP2_PY_VERSION}`, [`mcp==${MCP2_PY_VERSION}`]);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-e2e-venv-'));
    try {
      const venv = await offlineVenv(root, [old, next]);
      await venv.pip(`mcp==${MCP_PY_VERSION}`);
      let notes: StdioServer | undefined;
      const s = h.prepare({
        settings: { 'mcpLifeguard.notifications.onRegistryUpdate': false },
        // The extension's Roll Back runs the venv's own pip: offline, from the same wheel folders.
        env: {
          PIP_NO_INDEX: '1',
          PIP_FIND_LINKS: `${old} ${next}`,
          PIP_CONFIG_FILE: '/dev/null',
          PIP_DISABLE_PIP_VERSION_CHECK: '1',
        },
        fixture: () => {
          notes = guarded('notes', { command: venv.py, args: [SCRIPT] });
          return { claudeDesktop: { notes } };
        },
      });
      const { client, guardPid } = await sdkClientOf(s, notes!);
      const hello = async () =>
        ((await client.callTool({ name: 'hello', arguments: {} })).content as { text: string }[])[0].text;
      assert.equal(await hello(), 'hi');

      await s.startCodeServer();
      const page = await s.open();
      await runCommand(page, 'View: Show MCP Lifeguard');
      await eventually(
        'notes running, guarded, at mcp 1.30.0',
        () => sideBarTree(page),
        (rs) => rs.some((r) => r.level === 2 && r.label === 'notes' && /1 instance/.test(r.aria)),
        90000,
      );

      // The SDK upgraded under it, as `pip install -U mcp` would: the new one lacks what the script imports.
      await pastJudgedStart(Date.now());
      await venv.pip(`mcp==${MCP2_PY_VERSION}`);
      const toast = notifications(page).filter({ hasText: /Restart will probably fail: mcp\.server\.fastmcp/ });
      await toast.first().waitFor({ state: 'visible', timeout: 90000 });
      const buttons = (await toast.first().locator('.monaco-button').allInnerTexts())
        .map((b) => b.trim())
        .filter(Boolean);
      assert.deepEqual(buttons, ['Roll Back', 'Show'], 'no Restart into a failure');
      const rows = await sideBarTree(page);
      assert.ok(
        rows.some((r) => r.level === 2 && r.label === 'notes' && /restart will probably fail/.test(r.aria)),
        JSON.stringify(rows),
      );
      assert.ok(
        (await statusBarTexts(page)).some((t) => /stale/.test(t)),
        'the badge counts it',
      );
      assert.equal(await hello(), 'hi', 'the running server keeps serving');

      // Roll Back from the notification: the modal names what goes back, the venv's pip runs.
      await toast.first().locator('.monaco-button', { hasText: 'Roll Back' }).click({ timeout: 30000 });
      const question = await answerDialog(page, 'Roll Back');
      assert.match(question, /Roll back notes to what .* started with\?/);
      assert.match(question, /mcp 2\.3\.0 → 1\.30\.0/);
      await eventually(
        'notes no longer stale, the badge clear',
        async () => ({ rows: await sideBarTree(page), bar: await statusBarTexts(page) }),
        ({ rows, bar }) =>
          rows.some(
            (r) => r.level === 2 && r.label === 'notes' && /1 instance/.test(r.aria) && !/stale/.test(r.aria),
          ) && !bar.some((t) => /stale/.test(t)),
        120000,
      );
      const back = await run(venv.py, ['-c', 'import mcp.server.fastmcp; print("imports")']);
      assert.match(String(back), /imports/, 'the old SDK is back in the venv');
      // The same session, through the same guard: nothing the client saw broke.
      assert.equal(await hello(), 'hi');
      assert.ok(isAlive(guardPid), 'the guard the client started still serves it');
      await client.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
