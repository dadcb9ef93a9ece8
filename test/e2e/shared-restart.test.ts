import * as assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { cliScript, memoryServer, StdioServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { sdkClientOf } from './support/sdkClient';
import { installedExtension } from './support/vsix';
import {
  answerDialog,
  contextMenuAction,
  eventually,
  notifications,
  runCommand,
  sideBarTree,
} from './support/workbench';

describeE2e('e2e: Restart of a shared server', (h) => {
  it("from one client's row, the confirmation names every client the shared process serves, and the result says each kept its session", async () => {
    let shared: StdioServer | undefined;
    const s = h.prepare({
      fixture: (dirs) => {
        const memory = memoryServer(dirs, 'memory');
        // Every client's entry launches the server through a share guard: one process for all of them.
        shared = {
          command: process.execPath,
          args: [cliScript, 'run', '--on-conflict', 'share', '--name', 'memory', '--', memory.command, ...memory.args],
          env: memory.env,
        };
        return { claudeDesktop: { memory: shared }, cursor: { memory: shared } };
      },
    });
    // The guard is this checkout's CLI, built with the package.
    await installedExtension(h.tools());

    // Two real SDK clients, each naming itself, attach to the one server.
    const clients: Client[] = [];
    try {
      for (const name of ['cursor', 'codex']) {
        const { client } = await sdkClientOf(s, shared!, name);
        clients.push(client);
        await client.callTool({
          name: 'create_entities',
          arguments: { entities: [{ name, entityType: 'client', observations: ['before restart'] }] },
        });
      }

      await s.startCodeServer();
      const page = await s.open();
      await runCommand(page, 'View: Show MCP Lifeguard');
      await eventually(
        'the shared instance, with both its clients',
        () => sideBarTree(page),
        (rs) => rs.some((r) => r.level === 3 && /shared by 2 clients/.test(r.aria)),
        90000,
      );

      await contextMenuAction(page, 2, 'memory', /^Restart Server/);
      const question = await answerDialog(page, 'Restart');
      assert.match(question, /Restart memory\?/);
      assert.match(question, /This restarts pid \d+, shared by (Cursor and Codex|Codex and Cursor)\./);

      const result = notifications(page).filter({ hasText: /kept their sessions/ });
      await result.first().waitFor({ state: 'visible', timeout: 60000 });
      assert.match(
        await result.first().innerText(),
        /the guard restarted pid \d+ \(new pid \d+\); (Cursor and Codex|Codex and Cursor) kept their sessions/,
      );
      // And they did: each client's next call is served, with what it wrote before.
      for (const client of clients) {
        const read = await client.callTool({ name: 'read_graph', arguments: {} });
        assert.ok(!read.isError, JSON.stringify(read));
        assert.match(JSON.stringify(read.content), /before restart/);
      }
    } finally {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    }
  });
});
