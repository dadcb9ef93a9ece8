import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memoryServer, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import {
  answerDialog,
  eventually,
  expandRow,
  pickFromRowMenu,
  quickInput,
  runCommand,
  sideBarTree,
} from './support/workbench';

const WHAT = '@acme/mcp-server-notes';

describeE2e('e2e: Add to Config on a Not configured process', (h) => {
  it('writes its launch (command and args, no env) into the config picked, after the diff and a yes; the process then shows under its new entry', async () => {
    let stranger: StdioServer | undefined;
    let script = '';
    const s = h.prepare({
      fixture: (dirs) => {
        script = path.join(dirs.packages, 'node_modules', '@acme', 'mcp-server-notes', 'dist', 'index.js');
        fs.mkdirSync(path.dirname(script), { recursive: true });
        fs.writeFileSync(script, 'process.stdin.resume();\nsetTimeout(() => process.exit(0), 600000);\n');
        stranger = {
          command: process.execPath,
          args: [script, '--name', 'demo'],
          env: { NOTES_SECRET: 'hunter22-e2e' },
        };
        return { cursor: { mem: memoryServer(dirs, 'mem') } };
      },
    });
    const proc = s.startServer(stranger!);
    await s.startCodeServer();
    const page = await s.open();
    await runCommand(page, 'View: Show MCP Lifeguard');
    await eventually(
      'the Not configured group',
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.level === 1 && r.label === 'Not configured'),
      90000,
    );
    await expandRow(page, 1, 'Not configured');
    await eventually(
      `pid ${proc.pid} under Not configured`,
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.level === 2 && r.label.includes(`pid ${proc.pid} `)),
      60000,
    );

    await pickFromRowMenu(page, { level: 2, label: `pid ${proc.pid} · ${WHAT}` }, /^Add to Config\.\.\.$/, 'Cursor');
    await quickInput(page)
      .getByText(/The new server's name in Cursor/)
      .waitFor({ state: 'visible', timeout: 30000 });
    await page.keyboard.press('Enter');
    const question = await answerDialog(page, 'Add');
    assert.match(question, /Add mcp-server-notes to .*\.cursor\/mcp\.json\?/);
    assert.match(question, /Its environment is not copied/);

    const file = s.fixture.files.cursor;
    const written = await eventually(
      'the entry in ~/.cursor/mcp.json',
      async () => JSON.parse(fs.readFileSync(file, 'utf8')) as { mcpServers: Record<string, unknown> },
      (j) => 'mcp-server-notes' in j.mcpServers,
      30000,
    );
    assert.deepEqual(written.mcpServers['mcp-server-notes'], {
      command: process.execPath,
      args: [script, '--name', 'demo'],
    });
    assert.ok(!fs.readFileSync(file, 'utf8').includes('hunter22'), 'an env value was copied');
    assert.ok('mem' in written.mcpServers, 'the entry that was there stays');

    // The running process is now that entry's: listed under it in Cursor's group.
    await eventually(
      `pid ${proc.pid} under mcp-server-notes`,
      () => sideBarTree(page),
      (rs) => {
        const at = rs.findIndex((r) => r.level === 2 && r.label === 'mcp-server-notes');
        return at >= 0 && rs.slice(at + 1).some((r) => r.level === 3 && r.label.includes(`pid ${proc.pid} `));
      },
      60000,
    );
  });
});
