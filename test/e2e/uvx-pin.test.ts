import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeE2e } from './support/harness';
import { startClient } from './support/clients';
import {
  answerDialog,
  contextMenuAction,
  editorLines,
  eventually,
  notifications,
  quickInput,
  runCommand,
  sideBarTree,
  statusBarTexts,
  TreeRow,
} from './support/workbench';
import type { Page } from './support/playwright';
import { PYTHON, run } from '../support/run';
import { uvBin } from '../support/toolCache';
import { NEW, OLD, TIME, timeWheels } from '../integration/versions/pythonTools';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The rows under a server's row (its instances), up to the next server or client row. */
function rowsUnder(rows: readonly TreeRow[], name: string): TreeRow[] {
  const at = rows.findIndex((r) => r.level === 2 && r.label === name);
  if (at < 0) return [];
  const end = rows.findIndex((r, i) => i > at && r.level <= 2);
  return rows.slice(at + 1, end < 0 ? undefined : end).filter((r) => r.level === 3);
}

/** A server's row and its one instance's row, both read in one look. */
function serverAndInstance(rows: readonly TreeRow[], name: string): { server?: TreeRow; instance?: TreeRow } {
  const instances = rowsUnder(rows, name);
  return {
    server: rows.find((r) => r.level === 2 && r.label === name),
    instance: instances.length === 1 ? instances[0] : undefined,
  };
}

/** The lines of the open diff (both sides), as Monaco draws them. */
async function diffLines(page: Page): Promise<string[]> {
  return (await editorLines(page).allInnerTexts()).map((l) => l.replace(/\s+/g, ' ').trim());
}

describeE2e('e2e: a pinned uvx entry that runs from a uv tool another entry installed', (h) => {
  it("the tool's upgrade (uv found in ~/.local/bin) leaves the pinned entry not stale and uv's receipt at the new release; Upgrade on the pinned entry rewrites its pin (diff first) and its Roll Back puts the file back byte for byte", async () => {
    // Real uv and mcp-server-time from PyPI (cached wheelhouses), offline; uv where its installer puts
    // it (~/.local/bin, beside the tools' bins), its folders its defaults under the session's HOME.
    // VS Code's extension host runs with a login shell's PATH, without that folder.
    const [uvDir, wheels] = await Promise.all([uvBin(PYTHON), timeWheels()]);
    let uv = '';
    let uvx = '';
    let clockBin = '';
    const s = h.prepare({
      settings: { 'mcpLifeguard.notifications.onRegistryUpdate': false },
      env: { UV_PYTHON_DOWNLOADS: 'never', UV_OFFLINE: '1', UV_FIND_LINKS: wheels.join(','), UV_NO_CONFIG: '1' },
      fixture: (dirs) => {
        const bin = path.join(dirs.home, '.local', 'bin');
        fs.mkdirSync(bin, { recursive: true });
        [uv, uvx] = ['uv', 'uvx'].map((b) => {
          fs.symlinkSync(path.join(uvDir, b), path.join(bin, b));
          return path.join(bin, b);
        });
        clockBin = path.join(bin, TIME);
        // Claude Code runs the uv tool's own bin as `clock`.
        fs.writeFileSync(
          path.join(dirs.home, '.claude.json'),
          JSON.stringify({ mcpServers: { clock: { type: 'stdio', command: clockBin, args: [] } } }, null, 2) + '\n',
        );
        // Claude Desktop pins the release to uvx: uvx reuses the tool while it holds that release.
        return { claudeDesktop: { time: { command: uvx, args: [`${TIME}@${OLD}`] } } };
      },
    });
    const desktopFile = s.fixture.files.claudeDesktop;
    const original = fs.readFileSync(desktopFile);
    const uvRun = (...args: string[]) => run(uv, args, { env: s.env });
    await uvRun('tool', 'install', '--python', PYTHON, `${TIME}==${OLD}`);
    startClient(s, 'claude', { command: clockBin, args: [] });
    startClient(s, 'claude-desktop', { command: uvx, args: [`${TIME}@${OLD}`] });

    await s.startCodeServer();
    const page = await s.open();
    await runCommand(page, 'View: Show MCP Lifeguard');
    await eventually(
      'time and clock each running, current',
      () => sideBarTree(page),
      (rs) => ['time', 'clock'].every((n) => /^ok · /.test(serverAndInstance(rs, n).instance?.label ?? '')),
      120000,
    );

    // The tool's upgrade, from the clock row: the pinned entry is not among the entries it serves.
    await contextMenuAction(page, 2, 'clock', /^Upgrade Server/);
    await quickInput(page).waitFor({ state: 'visible', timeout: 30000 });
    await page.keyboard.type(NEW);
    await page.keyboard.press('Enter');
    const toolQuestion = await answerDialog(page, 'Upgrade');
    assert.match(toolQuestion, new RegExp(`Upgrade clock: ${TIME} ${esc(OLD)} → ${esc(NEW)}\\?`));
    assert.match(toolQuestion, new RegExp(`Runs: ${esc(uv)} tool install ${TIME}==${esc(NEW)}`));
    assert.doesNotMatch(toolQuestion, /\btime in Claude Desktop/, 'the pinned entry does not get the new code');
    await notifications(page)
      .filter({ hasText: new RegExp(`clock: ${TIME} ${esc(NEW)} is installed\\.`) })
      .first()
      .waitFor({ state: 'visible', timeout: 120000 });
    // uv's own record says what is installed: its next `uv tool upgrade` keeps it.
    assert.match(
      await uvRun('tool', 'list', '--show-version-specifiers'),
      new RegExp(`^${TIME} v${esc(NEW)} \\[required: ==${esc(NEW)}\\]$`, 'm'),
    );

    // Only clock's instance runs older code than its entry starts next; time's pin still starts what
    // it runs (from uv's cache or fetched again: not the tool's release, whatever the tool moved to).
    const afterTool = await eventually(
      "clock stale, time's verdict read again",
      () => sideBarTree(page),
      (rs) =>
        /^stale · /.test(serverAndInstance(rs, 'clock').instance?.label ?? '') &&
        serverAndInstance(rs, 'time').instance !== undefined,
      90000,
    );
    const time = serverAndInstance(afterTool, 'time');
    assert.doesNotMatch(time.instance!.label, /stale/, JSON.stringify(time));
    assert.doesNotMatch(time.server!.aria, /stale/, JSON.stringify(time));
    await eventually(
      'the badge counting clock alone',
      () => statusBarTexts(page),
      (ts) => ts.includes('MCP 2 · 1 stale'),
      30000,
    );

    // Upgrade on the pinned entry: its pin changes, the file's diff shown before the question.
    await contextMenuAction(page, 2, 'time', /^Upgrade Server/);
    await quickInput(page).waitFor({ state: 'visible', timeout: 30000 });
    await page.keyboard.type(NEW);
    await page.keyboard.press('Enter');
    await page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 30000 });
    await eventually(
      'the diff of the pin in claude_desktop_config.json',
      () => diffLines(page),
      (ls) => ls.some((l) => l.includes(`${TIME}@${OLD}`)) && ls.some((l) => l.includes(`${TIME}@${NEW}`)),
      30000,
    );
    const pinQuestion = await answerDialog(page, 'Upgrade');
    assert.match(pinQuestion, new RegExp(`uvx fetches ${TIME}: its version changes from ${esc(OLD)} to ${esc(NEW)}`));
    const pinned = notifications(page).filter({ hasText: new RegExp(`${TIME} ${esc(NEW)} is pinned in 1 entry`) });
    await pinned.first().waitFor({ state: 'visible', timeout: 60000 });
    assert.match(fs.readFileSync(desktopFile, 'utf8'), new RegExp(`"${TIME}@${esc(NEW)}"`));
    const buttons = (await pinned.first().locator('.monaco-button').allInnerTexts())
      .map((b) => b.trim())
      .filter(Boolean);
    assert.deepEqual(buttons, ['Roll Back', 'Show']);
    // The pointer on the toast keeps it up (a toast hides after a while) until Roll Back is clicked.
    await pinned.first().hover();
    // Its next start runs the new pin (the tool now has it): the running instance is behind until its client restarts it.
    await eventually(
      'time stale under its new pin, the badge counting both',
      async () => ({ rows: await sideBarTree(page), bar: await statusBarTexts(page) }),
      ({ rows, bar }) =>
        /^stale · /.test(serverAndInstance(rows, 'time').instance?.label ?? '') && bar.includes('MCP 2 · 2 stale'),
      60000,
    );

    // Roll Back from the result: asked first, the pin goes back, the file as it was.
    await pinned.first().locator('.monaco-button', { hasText: 'Roll Back' }).click();
    const backQuestion = await answerDialog(page, 'Roll Back');
    assert.match(backQuestion, new RegExp(`its version changes from ${esc(NEW)} to ${esc(OLD)}`));
    await eventually(
      'the config file as it was',
      async () => fs.readFileSync(desktopFile),
      (bytes) => bytes.equals(original),
      60000,
    );
    // Its next start runs the old pin again: what it runs, so no longer stale.
    await eventually(
      'time no longer stale, the badge counting clock alone',
      async () => ({ rows: await sideBarTree(page), bar: await statusBarTexts(page) }),
      ({ rows, bar }) => {
        const t = serverAndInstance(rows, 'time');
        return (
          t.instance !== undefined && !/stale/.test(t.server!.aria + t.instance.aria) && bar.includes('MCP 2 · 1 stale')
        );
      },
      60000,
    );
  });
});
