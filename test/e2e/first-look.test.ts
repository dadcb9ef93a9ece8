import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { npmInstall, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { mediaShot } from './support/media';
import { eventually, instanceRow, rowVerdict, runCommand, sideBarTree, statusBarTexts } from './support/workbench';

const PKG = '@modelcontextprotocol/server-memory';
const OLD = '2026.7.4';
const NEW = '2026.8.31';

describeE2e('e2e: the first look after an upgrade', (h) => {
  it('VS Code started after the upgrade (nothing of ours saw the server start) flags the instance: the badge counts it, the tree never shows it fine', async () => {
    let server: StdioServer | undefined;
    let prefix = '';
    const s = h.prepare({
      fixture: (dirs) => {
        prefix = path.join(dirs.data, 'prefix');
        const script = path.join(prefix, 'node_modules', PKG, 'dist', 'index.js');
        server = {
          command: process.execPath,
          args: [script],
          env: { MEMORY_FILE_PATH: path.join(dirs.data, 'memory.json') },
        };
        return { claudeDesktop: { memory: server } };
      },
    });
    await npmInstall(prefix, `${PKG}@${OLD}`);
    const first = s.startServer(server!);
    const startedAt = Date.now();
    await s.waitForStderr(first, /running on stdio/);
    const pid = first.pid!;
    // The upgrade lands clearly after the start (2.5 s after it, far past the start time's precision
    // and clockSlack.ts CLOCK_SLACK_MS), before MCP Lifeguard ever runs.
    await new Promise((r) => setTimeout(r, Math.max(0, startedAt + 2500 - Date.now())));
    await npmInstall(prefix, `${PKG}@${NEW}`);
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(prefix, 'node_modules', PKG, 'package.json'), 'utf8')).version,
      NEW,
    );

    await s.startCodeServer();
    const page = await s.open();
    await runCommand(page, 'View: Show MCP Lifeguard');
    // Stale when npm's cache tells the old version, else changed since start: counted either way.
    await eventually(
      'the badge counting the instance',
      () => statusBarTexts(page),
      (ts) => ts.some((t) => /MCP 1 · 1 (stale|changed)/.test(t)),
      90000,
    );
    await eventually(
      'the tree flagging the instance, never the installed version as what runs',
      () => sideBarTree(page),
      (rs) =>
        rs.some(
          (r) =>
            r.level === 2 &&
            r.label === 'memory' &&
            (r.aria.includes(`stale · ${OLD} → ${NEW}`) || r.aria.includes('changed since start')),
        ) &&
        ['stale', 'changed since start'].includes(
          rowVerdict(instanceRow(rs, pid) ?? { level: 3, label: '', aria: '' }),
        ) &&
        // The installed version is never shown as what runs (it may be named as installed).
        !new RegExp(`(?:·|,) ${NEW.replace(/\./g, '\\.')}(?: ·|$)`).test(instanceRow(rs, pid)!.aria),
      60000,
    );
    await mediaShot(page, 'first-look');
  });
});
