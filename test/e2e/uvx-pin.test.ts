import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeE2e } from './support/harness';
import { memoryServer } from './support/fixture';
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
  startFromTree,
  statusBarTexts,
  TreeRow,
} from './support/workbench';
import type { Page } from './support/playwright';
import { PYTHON, run } from '../support/run';
import { isAlive } from '../support/liveness';
import { waitUntil } from '../support/poll';
import { uvBin } from '../support/toolCache';
import { commandLines } from './support/processes';
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

/** A toast's "(pid OLD → NEW)" after `words`: both pids. */
function pidsAfter(text: string, words: string): [number, number] {
  const m = new RegExp(`${esc(words)}[^(]*\\(pid (\\d+) \\S+ (\\d+)\\)`).exec(text);
  assert.ok(m, `"${words} ... (pid A → B)" in: ${text}`);
  return [Number(m[1]), Number(m[2])];
}

/**
 * Answers the pin's question for each file that has the pin (the file's diff shown first), in the
 * order they are asked; returns the questions.
 */
async function answerPinQuestions(
  page: Page,
  button: string,
  from: string,
  to: string,
  files: number,
): Promise<string[]> {
  const asked: string[] = [];
  for (let n = 0; n < files; n++) {
    await page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 30000 });
    await eventually(
      `the diff of the pin ${from} → ${to}`,
      () => diffLines(page),
      (ls) => ls.some((l) => l.includes(`${TIME}@${from}`)) && ls.some((l) => l.includes(`${TIME}@${to}`)),
      30000,
    );
    asked.push(await answerDialog(page, button));
  }
  return asked;
}

/** The lines of the open diff (both sides), as Monaco draws them. */
async function diffLines(page: Page): Promise<string[]> {
  return (await editorLines(page).allInnerTexts()).map((l) => l.replace(/\s+/g, ' ').trim());
}

describeE2e('e2e: a pinned uvx entry that runs from a uv tool another entry installed', (h) => {
  it("the tool's upgrade (uv found in ~/.local/bin) leaves the pinned entry not stale and uv's receipt at the new release; Upgrade on the pinned entry rewrites its pin in each file (diff first), VS Code's own entry of it runs again at once on the new release (the file's other server runs on) and its Roll Back puts the files back byte for byte, VS Code's entry again on the old release", async () => {
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
        // Claude Desktop pins the release to uvx: uvx reuses the tool while it holds that release. So
        // does the workspace's mcp.json, which VS Code runs here, beside a server the pin does not
        // name. VS Code's uvx keeps a cache of its own: the old release it builds there after Roll
        // Back is not the environment Claude Desktop's pin resolves to, which, built after that
        // instance started, would read as changed since its start (not what this test is about).
        return {
          claudeDesktop: { time: { command: uvx, args: [`${TIME}@${OLD}`] } },
          workspace: {
            vtime: { command: uvx, args: [`${TIME}@${OLD}`], env: { UV_CACHE_DIR: path.join(dirs.data, 'uv-cache') } },
            notes: memoryServer(dirs, 'notes'),
          },
        };
      },
    });
    const desktopFile = s.fixture.files.claudeDesktop;
    const workspaceFile = s.fixture.files.workspace;
    const original = fs.readFileSync(desktopFile);
    const workspaceOriginal = fs.readFileSync(workspaceFile);
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
    // VS Code runs the workspace's two servers in this window.
    const vtimeFirst = await startFromTree(page, 'vtime');
    const notesFirst = await startFromTree(page, 'notes');

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
      (ts) => ts.includes('MCP 4 · 1 stale'),
      30000,
    );

    // Upgrade on the pinned entry: its pin changes in both files that have it, each file's diff shown
    // before its question.
    await contextMenuAction(page, 2, 'time', /^Upgrade Server/);
    await quickInput(page).waitFor({ state: 'visible', timeout: 30000 });
    await page.keyboard.type(NEW);
    await page.keyboard.press('Enter');
    const pinQuestions = await answerPinQuestions(page, 'Upgrade', OLD, NEW, 2);
    const answered = Date.now();
    assert.deepEqual(
      pinQuestions
        .map((q) => (q.includes(desktopFile) ? 'desktop' : q.includes(workspaceFile) ? 'workspace' : q))
        .sort(),
      ['desktop', 'workspace'],
    );
    for (const q of pinQuestions) {
      assert.match(q, new RegExp(`uvx fetches ${TIME}: its version changes from ${esc(OLD)} to ${esc(NEW)}`));
      assert.match(q, new RegExp(`This window's VS Code starts vtime again on ${esc(NEW)} right after the change\\.`));
    }
    // VS Code stopped the rewritten server of mcp.json when it read it again: it runs again on the new
    // pin; Claude Desktop's instance is its client's to restart.
    const pinned = notifications(page).filter({ hasText: new RegExp(`${TIME} ${esc(NEW)} is pinned in 2 entries`) });
    await pinned.first().waitFor({ state: 'visible', timeout: 120000 });
    // The result's time after the last answer, as the log of a run shows it (uvx's start of the new
    // pin is most of it).
    console.log(`      the pin's result ${((Date.now() - answered) / 1000).toFixed(1)} s after the answer`);
    const upgraded = await pinned.first().innerText();
    const buttons = (await pinned.first().locator('.monaco-button').allInnerTexts())
      .map((b) => b.trim())
      .filter(Boolean);
    assert.deepEqual(buttons, ['Roll Back', 'Show']);
    // The pointer on the toast keeps it up (a toast hides after a while) until Roll Back is clicked.
    await pinned.first().hover();
    assert.match(
      upgraded,
      new RegExp(`VS Code: started vtime again on ${esc(NEW)} \\(pid ${vtimeFirst} \\S+ \\d+\\)\\.`),
    );
    assert.match(
      upgraded,
      new RegExp(`1 instance in Claude Desktop runs ${esc(OLD)}: Claude Desktop must restart it\\.`),
    );
    assert.doesNotMatch(upgraded, /in VS Code run/, upgraded);
    assert.match(fs.readFileSync(desktopFile, 'utf8'), new RegExp(`"${TIME}@${esc(NEW)}"`));
    assert.match(fs.readFileSync(workspaceFile, 'utf8'), new RegExp(`"${TIME}@${esc(NEW)}"`));
    const [, vtimeNew] = pidsAfter(upgraded, 'started vtime again');
    assert.notEqual(vtimeNew, vtimeFirst);
    assert.ok(isAlive(vtimeNew), `pid ${vtimeNew} does not run`);
    assert.ok(await waitUntil(() => !isAlive(vtimeFirst), 30000), `the old instance (pid ${vtimeFirst}) still runs`);
    // uv names the release it runs: the new pin; the tree reads it on the new pid, current.
    assert.match(commandLines(vtimeNew), new RegExp(`${esc(TIME)}@${esc(NEW)}`), commandLines(vtimeNew));
    // The file's other server runs after the edit, and the result says what became of it: started
    // again once VS Code stopped it as it read the file (its new pid), or, where VS Code left it
    // running, not named. VS Code stops a server whose entry changed or moved in the file; notes,
    // below vtime, keeps its lines when the pin changes on one of vtime's, so it is left running.
    const notesSaid =
      /VS Code stopped notes when it read mcp\.json again; it runs again \(pid (\d+) \S+ (\d+)\)\./.exec(upgraded);
    if (notesSaid) {
      assert.equal(Number(notesSaid[1]), notesFirst);
      assert.ok(isAlive(Number(notesSaid[2])), `notes' new pid ${notesSaid[2]} does not run`);
      assert.ok(await waitUntil(() => !isAlive(notesFirst), 30000), `notes' old pid ${notesFirst} still runs`);
    } else {
      assert.doesNotMatch(upgraded, /\bnotes\b/, upgraded);
      assert.ok(isAlive(notesFirst), `notes (pid ${notesFirst}) was stopped and nothing said so: ${upgraded}`);
    }
    await eventually(
      `vtime current on ${NEW} as pid ${vtimeNew}`,
      () => sideBarTree(page),
      (rs) => {
        const v = serverAndInstance(rs, 'vtime').instance;
        return v !== undefined && v.label.startsWith(`ok · pid ${vtimeNew} `) && v.aria.includes(NEW);
      },
      60000,
    );
    // Its next start runs the new pin (the tool now has it): Claude Desktop's instance is behind until
    // its client restarts it; VS Code's runs it already.
    await eventually(
      'time stale under its new pin, the badge counting it and clock',
      async () => ({ rows: await sideBarTree(page), bar: await statusBarTexts(page) }),
      ({ rows, bar }) =>
        /^stale · /.test(serverAndInstance(rows, 'time').instance?.label ?? '') && bar.includes('MCP 4 · 2 stale'),
      60000,
    );

    // Roll Back from the result: asked first, the pin goes back, the file as it was.
    await pinned.first().locator('.monaco-button', { hasText: 'Roll Back' }).click();
    for (const backQuestion of await answerPinQuestions(page, 'Roll Back', NEW, OLD, 2))
      assert.match(backQuestion, new RegExp(`its version changes from ${esc(NEW)} to ${esc(OLD)}`));
    await eventually(
      'both config files as they were',
      async () => [fs.readFileSync(desktopFile), fs.readFileSync(workspaceFile)],
      ([desktop, workspace]) => desktop.equals(original) && workspace.equals(workspaceOriginal),
      60000,
    );
    // VS Code's entry runs the old pin again at once.
    const back = notifications(page).filter({ hasText: new RegExp(`${TIME} ${esc(OLD)} is pinned in 2 entries`) });
    await back.first().waitFor({ state: 'visible', timeout: 120000 });
    const backText = await back.first().innerText();
    assert.match(
      backText,
      new RegExp(`VS Code: started vtime again on ${esc(OLD)} \\(pid ${vtimeNew} \\S+ \\d+\\)\\.`),
    );
    assert.match(commandLines(pidsAfter(backText, 'started vtime again')[1]), new RegExp(`${esc(TIME)}@${esc(OLD)}`));
    // Its next start runs the old pin again: what it runs, so no longer stale.
    await eventually(
      'time no longer stale, the badge counting clock alone',
      async () => ({ rows: await sideBarTree(page), bar: await statusBarTexts(page) }),
      ({ rows, bar }) => {
        const t = serverAndInstance(rows, 'time');
        return (
          t.instance !== undefined && !/stale/.test(t.server!.aria + t.instance.aria) && bar.includes('MCP 4 · 1 stale')
        );
      },
      60000,
    );
  });
});
