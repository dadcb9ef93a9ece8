import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memoryServer, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { isAlive } from '../support/liveness';
import {
  answerDialog,
  eventually,
  pickQuickItem,
  rowPid,
  runCommand,
  sideBarTree,
  statusBarTexts,
  TreeRow,
} from './support/workbench';

/** A stand-in server file at a stranger's path: a real node process whose argv, exe and cwd are real. */
function strangerScript(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // It says when it runs: its file is read by then.
  fs.writeFileSync(
    file,
    "#!/usr/bin/env node\nprocess.stdin.resume();\nprocess.stderr.write('idle\\n');\nsetTimeout(() => process.exit(0), 300000);\n",
    { mode: 0o755 },
  );
  return file;
}

/** The instance rows under a server row (level 2 `name`), up to the next server or group. */
function rowsUnder(rows: readonly TreeRow[], name: string): TreeRow[] {
  const at = rows.findIndex((r) => r.level === 2 && r.label === name);
  if (at < 0) return [];
  const out: TreeRow[] = [];
  for (const r of rows.slice(at + 1)) {
    if (r.level <= 2) break;
    out.push(r);
  }
  return out;
}

describeE2e('e2e: strangers running the same package', (h) => {
  it("the badge, the tree and the Stop confirmation name only the entry's own process, not strangers named like it (one of them with its install deleted)", async () => {
    let notes: StdioServer | undefined;
    let otherHome = '';
    const s = h.prepare({
      fixture: (dirs) => {
        // The entry names its project's bin, as `"/usr/bin/node" ".../node_modules/.bin/mcp-server-memory"`.
        const real = memoryServer(dirs, 'notes');
        const bin = path.join(dirs.packages, 'node_modules', '.bin', 'mcp-server-memory');
        fs.mkdirSync(path.dirname(bin), { recursive: true });
        fs.symlinkSync(real.args[0], bin);
        notes = { ...real, args: [bin] };
        otherHome = path.join(path.dirname(dirs.home), 'otherhome');
        return { claudeDesktop: { notes } };
      },
    });
    const own = s.startServer(notes!);
    await s.waitForStderr(own, /running on stdio/);
    // Strangers: the same bin from another home's npx cache, found on that home's PATH through a
    // shell, and another project's install of the same package, run directly.
    const npxBin = path.join(otherHome, '.npm', '_npx', '0a1b2c3d', 'node_modules', '.bin');
    const npxScript = strangerScript(
      path.join(
        otherHome,
        '.npm',
        '_npx',
        '0a1b2c3d',
        'node_modules',
        '@modelcontextprotocol',
        'server-memory',
        'dist',
        'index.js',
      ),
    );
    fs.mkdirSync(npxBin, { recursive: true });
    fs.symlinkSync(npxScript, path.join(npxBin, 'mcp-server-memory'));
    const projectScript = strangerScript(
      path.join(otherHome, 'proj', 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js'),
    );
    const projectBin = path.join(otherHome, 'proj', 'node_modules', '.bin', 'mcp-server-memory');
    fs.mkdirSync(path.dirname(projectBin), { recursive: true });
    fs.symlinkSync(projectScript, projectBin);
    const strangers = [
      s.startServer({
        command: 'sh',
        args: ['-c', 'mcp-server-memory'],
        env: { PATH: `${npxBin}:${process.env.PATH ?? ''}`, HOME: otherHome },
      }),
      s.startServer({ command: process.execPath, args: [projectBin], env: { HOME: otherHome } }),
      s.startServer({
        command: process.execPath,
        args: [path.join(npxBin, 'mcp-server-memory')],
        env: { HOME: otherHome },
      }),
    ];
    // A stranger whose install was deleted while it runs (an uninstall, a test's cleanup): no file of it
    // can be compared any more, and that is never a reason to claim it by its program's name.
    const goneProject = path.join(otherHome, 'gone');
    const goneScript = strangerScript(
      path.join(goneProject, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js'),
    );
    const goneBin = path.join(goneProject, 'node_modules', '.bin', 'mcp-server-memory');
    fs.mkdirSync(path.dirname(goneBin), { recursive: true });
    fs.symlinkSync(goneScript, goneBin);
    const gone = s.startServer({ command: process.execPath, args: [goneBin], env: { HOME: otherHome } });
    strangers.push(gone);
    // Deleted once node has loaded it (the script only idles; its file is read at start).
    await s.waitForStderr(gone, /idle/);
    fs.rmSync(goneProject, { recursive: true, force: true });
    const strangerPids = strangers.map((c) => c.pid!);

    await s.startCodeServer();
    const page = await s.open();
    // One running instance is the entry's; the strangers neither count nor make it a duplicate.
    await eventually(
      'the badge "MCP 1"',
      () => statusBarTexts(page),
      (ts) => ts.some((t) => /^MCP 1$/.test(t)),
      90000,
    );

    await runCommand(page, 'View: Show MCP Lifeguard');
    const rows = await eventually(
      'notes with its one instance',
      () => sideBarTree(page),
      (rs) =>
        rs.some((r) => r.level === 2 && r.label === 'notes' && /\b1 instance\b/.test(r.aria)) &&
        rowsUnder(rs, 'notes').some((r) => rowPid(r) === own.pid),
      60000,
    );
    const under = rowsUnder(rows, 'notes')
      .map(rowPid)
      .filter((p) => p !== undefined);
    assert.deepEqual(
      under,
      [own.pid],
      `only the entry's own pid under notes: ${JSON.stringify(rowsUnder(rows, 'notes'))}`,
    );
    assert.ok(!rows.some((r) => r.level === 2 && r.label === 'notes' && /duplicate/.test(r.aria)), 'no duplicate');

    // Stop asks first, naming what it would stop: the entry's pid only. Cancelled, nothing stops.
    await runCommand(page, 'MCP Lifeguard: Stop Server...');
    await pickQuickItem(page, 'notes');
    const question = await answerDialog(page, 'Cancel');
    assert.match(question, new RegExp(`\\b${own.pid}\\b`), question);
    for (const pid of strangerPids)
      assert.doesNotMatch(
        question,
        new RegExp(`\\b${pid}\\b`),
        `the Stop confirmation names stranger pid ${pid}: ${question}`,
      );
    assert.ok(isAlive(own.pid!));
    for (const pid of strangerPids) assert.ok(isAlive(pid), `stranger ${pid} still runs`);
  });
});
