import { mediaShot } from './support/media';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memoryServer, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import type { Page } from './support/playwright';
import {
  answerDialog,
  ariaLabels,
  eventually,
  notifications,
  pickQuickItem,
  quickInput,
  runCommand,
  sideBarTree,
} from './support/workbench';

/** The language the status bar names for the active editor (a diff's modified side). */
async function editorLanguage(page: Page): Promise<string> {
  return (await page.locator('.part.statusbar .statusbar-item#status\\.editor\\.mode').innerText()).trim();
}

/** The accessible labels of the Problems panel's rows (files and their markers). */
function problemRows(page: Page): Promise<string[]> {
  return ariaLabels(page.locator('.part.panel .markers-panel .monaco-list-row'));
}

/** Opens a workspace file by name through Quick Open and keeps its editor (not a preview another editor replaces). */
async function openWorkspaceFile(page: Page, name: string): Promise<void> {
  await runCommand(page, 'Go to File...');
  const widget = quickInput(page);
  await widget.locator('input.input').fill(name);
  const row = widget.locator('.monaco-list-row', { hasText: name }).first();
  await row.waitFor({ state: 'visible', timeout: 30000 });
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 30000 });
  await runCommand(page, 'View: Keep Editor');
}

const STRICT = 'Comments are not permitted in JSON';

describeE2e('e2e: Wrap with Guard previews each file in its own language', (h) => {
  it("a JSONC file with a comment is previewed as JSON with Comments and Codex's TOML as no JSON, with nothing in Problems for either; after each write the toast names the client's next step", async () => {
    let kb: StdioServer | undefined;
    let notes: StdioServer | undefined;
    const s = h.prepare({
      fixture: (dirs) => {
        kb = memoryServer(dirs, 'kb');
        notes = memoryServer(dirs, 'notes');
        return {};
      },
    });
    const { workspace, home } = s.fixture;
    // VS Code's own mcp.json, with a comment, as people write it. Each entry sets its data file, so
    // the same server run beside the session (other tests) is not taken for its instance.
    const mcpJson = path.join(workspace, '.vscode', 'mcp.json');
    fs.mkdirSync(path.dirname(mcpJson), { recursive: true });
    fs.writeFileSync(
      mcpJson,
      `{\n  // The knowledge base every project shares.\n  "servers": {\n    "kb": { "type": "stdio", "command": ${JSON.stringify(kb!.command)}, "args": ${JSON.stringify(kb!.args)}, "env": ${JSON.stringify(kb!.env)} }\n  }\n}\n`,
    );
    const codexToml = path.join(home, '.codex', 'config.toml');
    fs.mkdirSync(path.dirname(codexToml), { recursive: true });
    fs.writeFileSync(
      codexToml,
      `# Codex\n[mcp_servers.notes]\ncommand = ${JSON.stringify(notes!.command)}\nargs = ${JSON.stringify(notes!.args)}\n\n[mcp_servers.notes.env]\nMEMORY_FILE_PATH = ${JSON.stringify(notes!.env!.MEMORY_FILE_PATH)}\n`,
    );
    // The control: a strict JSON file with a comment, which VS Code does flag (Problems is live).
    fs.writeFileSync(path.join(workspace, 'control.json'), '{\n  // strict\n  "a": 1\n}\n');

    await s.startCodeServer();
    const page = await s.open();
    await runCommand(page, 'View: Show MCP Lifeguard');
    await eventually(
      'kb and notes listed',
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.level === 2 && r.label === 'kb') && rs.some((r) => r.level === 2 && r.label === 'notes'),
      90000,
    );
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    await openWorkspaceFile(page, 'control.json');
    await eventually(
      "strict JSON's complaint about control.json in Problems",
      () => problemRows(page),
      (rows) => rows.some((r) => r.includes(STRICT)),
      60000,
    );

    // The JSONC file: its preview is JSON with Comments.
    await runCommand(page, 'MCP Lifeguard: Wrap Server with Guard...');
    await pickQuickItem(page, 'kb');
    await page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 30000 });
    assert.equal(
      await eventually(
        'the diff of mcp.json in JSON with Comments',
        () => editorLanguage(page),
        (l) => l === 'JSON with Comments',
        30000,
      ),
      'JSON with Comments',
    );
    // While the diff is open (the question asked over it): nothing but the control's complaint in Problems.
    const whileOpen = await problemRows(page);
    assert.ok(
      whileOpen.some((r) => r.includes('control.json')),
      JSON.stringify(whileOpen),
    );
    assert.deepEqual(
      whileOpen.filter((r) => /mcp|proposed/i.test(r)),
      [],
      'no problem for the previewed documents while the diff is open',
    );
    await answerDialog(page, 'Wrap');
    const vscodeStep = await notifications(page)
      .filter({ hasText: /kb now starts through the guard\. Next: VS Code: starts kb with its new entry/ })
      .first();
    await vscodeStep.waitFor({ state: 'visible', timeout: 60000 });
    await mediaShot(page, 'wrap-preview');
    assert.match(
      fs.readFileSync(mcpJson, 'utf8'),
      // The session's MCP_LIFEGUARD_HOME is not the default: the entry carries it (`--home`), so the
      // guard its client starts keeps its lock where VS Code reads.
      /\/\/ The knowledge base every project shares\.[\s\S]*"run",\s*"--home",\s*"[^"]+",\s*"--name",\s*"kb"/,
    );
    // Answered, the proposal's diff is closed: no tab of it is left.
    await eventually(
      "the proposal's diff closed",
      () => page.locator('.tabs-container .tab').allInnerTexts(),
      (tabs) => !tabs.some((t) => /proposed|Wrap kb/.test(t)),
      30000,
    );

    // Codex's TOML: its preview is not JSON (TOML where an extension adds it, else plain text, as VS Code shows the file).
    await runCommand(page, 'MCP Lifeguard: Wrap Server with Guard...');
    await pickQuickItem(page, 'notes');
    await page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 30000 });
    const toml = await eventually(
      'the diff of config.toml in its own language',
      () => editorLanguage(page),
      (l) => l === 'TOML' || l === 'Plain Text',
      30000,
    );
    assert.doesNotMatch(toml, /JSON/);
    await answerDialog(page, 'Wrap');
    await notifications(page)
      .filter({
        hasText: /notes now starts through the guard\. Next: Codex: quit the session \(\/quit\) and start codex again/,
      })
      .first()
      .waitFor({ state: 'visible', timeout: 60000 });
    assert.match(
      fs.readFileSync(codexToml, 'utf8'),
      /^# Codex\n\[mcp_servers\.notes\]\ncommand = ".*mcp-lifeguard"\nargs = \["run", "--home", "[^"]+", "--name", "notes", "--resource=[^"]+", "--"/m,
    );
    const tomlOpen = await problemRows(page);
    assert.deepEqual(
      tomlOpen.filter((r) => /config|proposed|mcp/i.test(r)),
      [],
      'no problem for the TOML preview',
    );

    // Closed: the control's complaint goes with its editor, and nothing is left for the previews.
    await runCommand(page, 'View: Close All Editors');
    const after = await eventually(
      'Problems emptied as the editors closed',
      () => problemRows(page),
      (rows) => !rows.some((r) => r.includes(STRICT)),
      60000,
    );
    assert.deepEqual(
      after.filter((r) => /mcp|proposed|config/i.test(r)),
      [],
    );
  });
});
