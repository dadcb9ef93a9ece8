import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { npmInstall, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { mediaShot } from './support/media';
import { isAlive } from '../support/liveness';
import { waitUntil } from '../support/poll';
import { answerDialog, eventually, notifications, runCommand, sideBarTree, statusBarTexts } from './support/workbench';

const PKG = '@modelcontextprotocol/server-memory';
const OLD = '2026.7.4';
const NEW = '2026.8.31';

describeE2e('e2e: stale after an upgrade', (h) => {
  it('flags a running server whose package npm upgraded in place; Restart from the notification ends the old process', async () => {
    let server: StdioServer | undefined;
    let prefix = '';
    const s = h.prepare({
      fixture: (dirs) => {
        prefix = path.join(dirs.data, 'prefix');
        const script = path.join(prefix, 'node_modules', PKG, 'dist', 'index.js');
        server = { command: process.execPath, args: [script], env: { MEMORY_FILE_PATH: path.join(dirs.data, 'memory.json') } };
        return { claudeDesktop: { memory: server } };
      },
    });
    await npmInstall(prefix, `${PKG}@${OLD}`);
    assert.equal(JSON.parse(fs.readFileSync(path.join(prefix, 'node_modules', PKG, 'package.json'), 'utf8')).version, OLD);

    // The client (this process) starts the server at the old release.
    const first = s.startServer(server!);
    await s.waitForStderr(first, /running on stdio/);
    const oldPid = first.pid!;

    await s.startCodeServer();
    const page = await s.open();
    await runCommand(page, 'View: Show MCP Lifeguard');
    await eventually('the badge "MCP 1"', () => statusBarTexts(page), (ts) => ts.includes('MCP 1'), 90000);
    await eventually(
      'the running instance at the old release',
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.level === 3 && r.label.startsWith(`pid ${oldPid} `) && r.aria.includes(OLD) && !/stale/.test(r.aria)),
      60000,
    );

    // Upgrade in place with real npm, as `npm i` in that prefix would.
    await npmInstall(prefix, `${PKG}@${NEW}`);
    await eventually('the badge "MCP 1 · 1 stale"', () => statusBarTexts(page), (ts) => ts.includes('MCP 1 · 1 stale'), 90000);
    const toast = notifications(page).filter({ hasText: `memory was upgraded ${OLD} -> ${NEW}` });
    await toast.waitFor({ state: 'visible', timeout: 60000 });
    await eventually(
      'the tree showing old -> new',
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.level === 2 && r.label === 'memory' && r.aria.includes(`${OLD} -> ${NEW}`) && /stale/.test(r.aria)) &&
        rs.some((r) => r.level === 3 && r.label.startsWith(`pid ${oldPid} `) && /stale/.test(r.aria)),
      60000,
    );
    await mediaShot(page, 'badge-stale');

    await toast.locator('.monaco-button', { hasText: 'Restart' }).first().click({ timeout: 30000 });
    const question = await answerDialog(page, 'Restart');
    assert.match(question, /Restart memory\?/);
    assert.ok(await waitUntil(() => !isAlive(oldPid), 30000), `the old instance (pid ${oldPid}) still runs`);

    // The server was not guarded, so its client starts it again (as the result message asks).
    const second = s.startServer(server!);
    await s.waitForStderr(second, /running on stdio/);
    const newPid = second.pid!;
    await eventually(
      'the new instance at the new release, not stale',
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.level === 3 && r.label.startsWith(`pid ${newPid} `) && r.aria.includes(NEW) && !/stale/.test(r.aria)) &&
        !rs.some((r) => r.label.startsWith(`pid ${oldPid} `)),
      90000,
    );
    await eventually('the badge back to "MCP 1"', () => statusBarTexts(page), (ts) => ts.includes('MCP 1'), 60000);
  });
});
