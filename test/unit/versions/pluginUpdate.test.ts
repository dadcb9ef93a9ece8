import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { ProcessInfo } from '../../../src/core/pids/table';
import { takeSnapshot } from '../../../src/core/snapshot/engine';
import { OWN_UID, testMachine } from '../../support/machines';
import { tempDir, write } from './layouts';

/**
 * A Claude Code plugin updated while a session runs its server, as the snapshot judges it: Claude
 * Code's files name the new version's cache folder, the session's server runs from the old one.
 */
describe('versions: a Claude Code plugin updated under its running server', () => {
  const START = Date.now() - 3600_000;

  it('lists the old version’s process under the plugin entry, its configuration changed, naming both versions', async () => {
    const home = tempDir();
    const plugins = path.join(home, '.claude', 'plugins');
    const folder = (v: string) => path.join(plugins, 'cache', 'local-mp', 'notes', v);
    for (const v of ['1.0.0', '2.0.0']) {
      write(path.join(folder(v), 'server.js'), '');
      write(
        path.join(folder(v), '.mcp.json'),
        JSON.stringify({ mcpServers: { notes: { command: 'node', args: ['${CLAUDE_PLUGIN_ROOT}/server.js'] } } }),
      );
    }
    const record = { scope: 'user', installPath: folder('2.0.0'), version: '2.0.0' };
    write(
      path.join(plugins, 'installed_plugins.json'),
      JSON.stringify({ version: 2, plugins: { 'notes@local-mp': [record] } }),
    );
    write(path.join(home, '.claude', 'settings.json'), JSON.stringify({ enabledPlugins: { 'notes@local-mp': true } }));
    const host = { home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: path.join(home, 'lg') } };
    const processes: ProcessInfo[] = [
      { pid: 4000, ppid: 1, argv: ['claude'], startTime: START - 1000, uid: OWN_UID },
      {
        pid: 4242,
        ppid: 4000,
        argv: ['node', path.join(folder('1.0.0'), 'server.js')],
        startTime: START,
        uid: OWN_UID,
      },
    ];
    const snap = await takeSnapshot({
      host,
      // Judged as a later snapshot would, once the files just written have settled.
      machine: testMachine({ host, processes, selfPid: 1, now: () => Date.now() + 60_000 }),
      engine: { registry: false, docker: false },
      workspaceFolders: [],
    });
    const server = snap.servers.find((s) => s.name === 'plugin:notes:notes');
    assert.deepEqual(
      server?.instances.map((i) => i.pid),
      [4242],
      JSON.stringify(snap.notConfigured.map((i) => i.pid)),
    );
    const verdict = server?.instances[0].versions?.verdict;
    assert.equal(verdict?.state, 'config-changed', JSON.stringify(verdict));
    assert.equal(
      verdict?.state === 'config-changed' && verdict.summary,
      "notes@local-mp was updated under it: it runs plugin version 1.0.0, 2.0.0 is installed; restart Claude Code's session to load it",
    );
  });
});
