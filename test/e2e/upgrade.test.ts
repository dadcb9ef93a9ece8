import { mediaShot } from './support/media';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { guarded, packageScript, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { copyTreeSync, memoryAppTemplate } from '../integration/versions/support';
import { sdkClientOf } from './support/sdkClient';
import { waitUntil } from '../support/poll';
import { childrenOf } from './support/processes';
import { installedExtension } from './support/vsix';
import {
  answerDialog,
  contextMenuAction,
  frameTexts,
  eventually,
  notifications,
  quickInput,
  runCommand,
  sideBarTree,
} from './support/workbench';

const MEM = '@modelcontextprotocol/server-memory';
const OLD = '2026.7.4';
const NEW = '2026.8.31';

/** The version of server-memory the project's node_modules holds now. */
function installedIn(app: string): string {
  return (
    JSON.parse(fs.readFileSync(path.join(app, 'node_modules', MEM, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

describeE2e('e2e: upgrade and roll back', (h) => {
  it("Upgrade Server... installs the version in the server's npm project and restarts its guard (the client keeps its session); Roll Back from the result undoes it", async () => {
    let server: StdioServer | undefined;
    let app = '';
    // What `npm install` of OLD in a new project leaves, and npm's cache (made once per machine by
    // real npm): the upgrade and the roll back below are the extension's own real npm runs.
    const installed = await memoryAppTemplate(OLD);
    const s = h.prepare({
      // No registry is asked: the version to install is typed in, as when none is known yet.
      settings: { 'mcpLifeguard.notifications.onRegistryUpdate': false },
      fixture: (dirs) => {
        // A real npm project holding the server, as a user installs one, and the user's npm cache.
        app = path.join(dirs.packages, 'app');
        fs.mkdirSync(dirs.packages, { recursive: true });
        copyTreeSync(path.join(installed, 'app'), app);
        copyTreeSync(path.join(installed, 'npm-cache'), path.join(dirs.home, '.npm'));
        server = guarded('memory', {
          command: process.execPath,
          args: [packageScript(path.join(app, 'node_modules', MEM))],
          env: { MEMORY_FILE_PATH: path.join(dirs.data, 'memory.json') },
        });
        return { claudeDesktop: { memory: server } };
      },
    });
    await installedExtension(h.tools());

    const { client, guardPid } = await sdkClientOf(s, server!);
    try {
      await client.callTool({
        name: 'create_entities',
        arguments: { entities: [{ name: 'e2e', entityType: 'test', observations: ['before the upgrade'] }] },
      });
      const [childBefore] = childrenOf(guardPid);
      assert.ok(childBefore, `the guard (pid ${guardPid}) runs the server`);

      await s.startCodeServer();
      const page = await s.open();
      await runCommand(page, 'View: Show MCP Lifeguard');
      await eventually(
        'the guarded instance in the tree, its version known',
        () => sideBarTree(page),
        // Upgrade is offered once what is installed is known: the row reads `ok` (running what is
        // installed), not `checking` (the first look) nor `version ?: files still changing` (npm just ran).
        (rs) => rs.some((r) => r.level === 3 && /guarded/.test(r.aria) && /^ok · /.test(r.label)),
        90000,
      );

      await contextMenuAction(page, 2, 'memory', /^Upgrade Server/);
      const box = quickInput(page);
      await box.waitFor({ state: 'visible', timeout: 30000 });
      assert.match(
        await box.innerText(),
        new RegExp(`No newer version of ${MEM.replace('/', '\\/')} than ${OLD} is known`),
      );
      await page.keyboard.type(NEW);
      await page.keyboard.press('Enter');
      const question = await answerDialog(page, 'Upgrade');
      assert.match(question, new RegExp(`Upgrade memory: ${MEM.replace('/', '\\/')} ${OLD} → ${NEW}\\?`));
      assert.match(question, new RegExp(`install ${MEM.replace('/', '\\/')}@${NEW}`));
      assert.match(question, new RegExp(`npm project ${app.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

      const done = notifications(page).filter({ hasText: new RegExp(`${NEW} is installed`) });
      await done.first().waitFor({ state: 'visible', timeout: 240000 });
      assert.equal(installedIn(app), NEW);
      const upgraded = childrenOf(guardPid).find((p) => p !== childBefore);
      assert.ok(
        upgraded,
        `the guard (pid ${guardPid}) started the new version: ${JSON.stringify(childrenOf(guardPid))}`,
      );
      assert.match(await done.first().innerText(), /restarted it; the client kept its session/);
      const result = await client.callTool({ name: 'read_graph', arguments: {} });
      assert.ok(!result.isError, JSON.stringify(result));
      assert.match(JSON.stringify(result.content), /before the upgrade/);

      // Roll Back, from the result: what the upgrade replaced, installed again, and the guard restarted again.
      await done.first().locator('.monaco-button', { hasText: 'Roll Back' }).click();
      const back = await answerDialog(page, 'Roll Back');
      assert.match(back, /Roll back memory to what it had before the upgrade of /);
      assert.match(back, new RegExp(`install --save-exact ${MEM.replace('/', '\\/')}@${OLD}`));
      assert.ok(
        await waitUntil(() => installedIn(app) === OLD && !childrenOf(guardPid).includes(upgraded!), 240000),
        `rolled back to ${OLD} and restarted: ${installedIn(app)}, ${JSON.stringify(childrenOf(guardPid))}`,
      );
      const again = await client.callTool({ name: 'read_graph', arguments: {} });
      assert.match(JSON.stringify(again.content), /before the upgrade/);

      // Show Versions: doctor's answer for it in a Markdown preview, the project's copy back on the old version.
      // Asked once the view has read the rollback: the restarted instance reads ok again (not `version ?`
      // while what is installed is read), so its row is not being drawn again under the right-click.
      await eventually(
        'the guarded instance current again after the rollback',
        () => sideBarTree(page),
        (rs) =>
          rs.some((r) => r.level === 3 && /guarded/.test(r.aria) && /^ok · /.test(r.label) && r.aria.includes(OLD)),
        90000,
      );
      await contextMenuAction(page, 2, 'memory', /^Show Versions/);
      const shown = await eventually(
        'the versions of memory in a preview',
        () => frameTexts(page),
        (texts) => texts.some((x) => x.includes('Versions of memory') && x.includes('Installed') && x.includes(OLD)),
        60000,
      );
      assert.ok(
        shown.some((x) => x.includes(MEM)),
        shown.join('\n---\n').slice(0, 2000),
      );
      await mediaShot(page, 'show-versions', { x: 0, y: 0, width: 900, height: 370 });
    } finally {
      await client.close().catch(() => undefined);
    }
  });
});
