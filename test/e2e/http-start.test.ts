import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { controlShutdown } from '../../src/core/control';
import { listLocks } from '../../src/core/locks';
import { everythingScript, loopbackPreload } from '../integration/http/support';
import { isAlive } from '../support/liveness';
import { waitUntil } from '../support/poll';
import { freePort } from '../support/startup';
import { cliScript } from './support/fixture';
import { describeE2e } from './support/harness';
import { installedExtension } from './support/vsix';
import { answerDialog, contextMenuAction, eventually, runCommand, sideBarTree } from './support/workbench';

describeE2e('e2e: Start of an HTTP server', (h) => {
  it('an HTTP entry whose port ensure served before starts from the tree: the whole command is shown first, then the server answers', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const s = h.prepare({
      fixture: { workspace: JSON.stringify({ servers: { web: { type: 'http', url } } }, null, 2) },
    });
    await installedExtension(h.tools());

    // The user ran ensure once (it recorded its command line for the port), then the server stopped.
    const ensure = s.scope.spawn(
      process.execPath,
      [
        cliScript,
        'ensure',
        '--http',
        '--listen',
        `127.0.0.1:${port}`,
        '--',
        process.execPath,
        '--require',
        loopbackPreload,
        everythingScript,
        'streamableHttp',
      ],
      { env: s.env, cwd: s.fixture.home, stdio: 'ignore' },
    );
    assert.equal(await new Promise((r) => ensure.once('exit', r)), 0, 'ensure started the server');
    const [held] = (await listLocks(path.join(s.lifeguardHome, 'locks'))).flatMap((l) =>
      l.state === 'live' && l.record.control ? [l.record] : [],
    );
    await controlShutdown(held.control!, 'the e2e stops it');
    assert.ok(await waitUntil(() => !isAlive(held.pid), 30000), `the guard (pid ${held.pid}) stopped`);

    await s.startCodeServer();
    const page = await s.open();
    await runCommand(page, 'View: Show MCP Lifeguard');
    await eventually(
      'the HTTP entry, not running',
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.level === 2 && r.label === 'web' && /not running/.test(r.aria)),
      60000,
    );

    await contextMenuAction(page, 2, 'web', /^Start Server/);
    const question = await answerDialog(page, 'Start');
    assert.match(question, new RegExp(`mcp-lifeguard ensure --http --listen 127\\.0\\.0\\.1:${port} -- `));
    assert.match(question, /with VS Code's environment/);

    await eventually(
      'the server running',
      () => sideBarTree(page),
      (rs) => rs.some((r) => r.level === 2 && r.label === 'web' && /\b1 instance\b/.test(r.aria)),
      90000,
    );
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } },
      }),
    });
    assert.equal(answer.status, 200);
  });
});
