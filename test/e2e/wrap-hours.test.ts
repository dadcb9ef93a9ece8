import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startClient } from './support/clients';
import { npmInstall, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { isAlive } from '../support/liveness';
import { waitUntil } from '../support/poll';
import {
  answerDialog,
  eventually,
  notifications,
  pickQuickItem,
  rowPid,
  runCommand,
  sideBarTree,
  statusBarTexts,
  TreeRow,
} from './support/workbench';

const PKG = '@modelcontextprotocol/server-memory';
const OLD = '2026.7.4';
const NEW = '2026.8.31';

/** The memory server row (level 2) and its instance rows (level 3 under it). */
function memoryRows(rows: readonly TreeRow[]): { row?: TreeRow; instances: TreeRow[] } {
  const at = rows.findIndex((r) => r.level === 2 && r.label === 'memory');
  if (at < 0) return { instances: [] };
  const instances: TreeRow[] = [];
  for (let k = at + 1; k < rows.length && rows[k].level > 2; k++) if (rows[k].level === 3) instances.push(rows[k]);
  return { row: rows[at], instances };
}

describeE2e('e2e: Wrap with Guard, then the hours until the client restarts', (h) => {
  it('after Wrap the entry keeps the process Claude Desktop started before, judged as before (an upgrade under it is stale and counted), saying Claude Desktop must restart it; once it does, the server runs guarded', async () => {
    let memory: StdioServer | undefined;
    let prefix = '';
    const s = h.prepare({
      settings: { 'mcpLifeguard.notifications.onRegistryUpdate': false },
      fixture: (dirs) => {
        prefix = path.join(dirs.data, 'prefix');
        memory = {
          command: process.execPath,
          args: [path.join(prefix, 'node_modules', PKG, 'dist', 'index.js')],
          env: { MEMORY_FILE_PATH: path.join(dirs.data, 'memory.json') },
        };
        return { claudeDesktop: { memory } };
      },
    });
    await npmInstall(prefix, `${PKG}@${OLD}`);
    const desktop = s.fixture.files.claudeDesktop;
    // Claude Desktop runs the server, as it did before anything was wrapped.
    const client = startClient(s, 'claude-desktop', memory!);
    await s.waitForStderr(client, /running on stdio/);

    await s.startCodeServer();
    const page = await s.open();
    await runCommand(page, 'View: Show MCP Lifeguard');
    const before = await eventually(
      'memory running at the old release under Claude Desktop, the badge "MCP 1"',
      async () => ({ rows: await sideBarTree(page), bar: await statusBarTexts(page) }),
      ({ rows, bar }) =>
        memoryRows(rows).instances.length === 1 &&
        memoryRows(rows).instances[0].aria.includes(OLD) &&
        bar.some((t) => /^MCP 1$/.test(t)),
      90000,
    );
    const serverPid = rowPid(memoryRows(before.rows).instances[0])!;

    // Wrap, confirmed after its diff: the toast names Claude Desktop's next step.
    await runCommand(page, 'MCP Lifeguard: Wrap Server with Guard...');
    await pickQuickItem(page, 'memory');
    await answerDialog(page, 'Wrap');
    await notifications(page)
      .filter({ hasText: /memory now starts through the guard\. Next: Claude Desktop: quit it/ })
      .first()
      .waitFor({ state: 'visible', timeout: 60000 });
    const entry = (
      JSON.parse(fs.readFileSync(desktop, 'utf8')) as {
        mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
      }
    ).mcpServers.memory;
    assert.match(path.basename(entry.command), /^mcp-lifeguard$/, entry.command);

    // Until Claude Desktop starts it again, the entry keeps its process, counted, with the next step.
    const wrapped = await eventually(
      'the row still running its process, unguarded until Claude Desktop restarts it; the badge still "MCP 1"',
      async () => ({ rows: await sideBarTree(page), bar: await statusBarTexts(page) }),
      ({ rows, bar }) => {
        const m = memoryRows(rows);
        return (
          !!m.row?.aria.includes('unguarded until Claude Desktop restarts it') &&
          m.instances.length === 1 &&
          rowPid(m.instances[0]) === serverPid &&
          bar.some((t) => /^MCP 1$/.test(t))
        );
      },
      60000,
    );
    assert.doesNotMatch(memoryRows(wrapped.rows).row!.aria, /not running/);
    assert.match(memoryRows(wrapped.rows).instances[0].aria, /not guarded yet/);
    // Listed once, under its entry: not also among the processes no entry explains (other tests'
    // servers may be there, as on any machine).
    assert.equal(
      wrapped.rows.filter((r) => r.label.includes(`pid ${serverPid}`)).length,
      1,
      JSON.stringify(wrapped.rows),
    );

    // Hours later, an upgrade under that process: stale, and counted on the badge.
    await npmInstall(prefix, `${PKG}@${NEW}`);
    await eventually(
      'the badge "MCP 1 · 1 stale" and the row stale, still waiting for Claude Desktop',
      async () => ({ rows: await sideBarTree(page), bar: await statusBarTexts(page) }),
      ({ rows, bar }) => {
        const m = memoryRows(rows);
        return (
          bar.some((t) => /^MCP 1 · 1 stale$/.test(t)) &&
          !!m.row?.aria.includes(`stale · ${OLD} → ${NEW}`) &&
          !!m.row?.aria.includes('unguarded until Claude Desktop restarts it')
        );
      },
      90000,
    );

    // Claude Desktop quits and opens again: it starts the entry as now written, through the guard.
    process.kill(serverPid, 'SIGTERM');
    assert.ok(await waitUntil(() => !isAlive(serverPid), 30000), `pid ${serverPid} still runs`);
    startClient(s, 'claude-desktop', { command: entry.command, args: entry.args, env: entry.env });
    await eventually(
      'memory guarded at the new release, nothing stale or waiting',
      async () => ({ rows: await sideBarTree(page), bar: await statusBarTexts(page) }),
      ({ rows, bar }) => {
        const m = memoryRows(rows);
        return (
          m.instances.length === 1 &&
          rowPid(m.instances[0]) !== serverPid &&
          /guarded/.test(m.instances[0].aria) &&
          !/not guarded yet/.test(m.instances[0].aria) &&
          m.instances[0].aria.includes(NEW) &&
          !/unguarded|stale/.test(m.row!.aria) &&
          bar.some((t) => /^MCP 1$/.test(t))
        );
      },
      90000,
    );
  });
});
