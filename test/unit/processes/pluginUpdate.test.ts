import * as assert from 'node:assert/strict';
import type { ClaudePluginRef, ServerConfig } from '../../../src/core/base/model';
import { attachInstances } from '../../../src/core/processes/instances';
import { ProcessInfo } from '../../../src/core/pids/table';
import { pluginUpdateDrift } from '../../../src/core/versions/configDrift';
import { recordedUserHomes, stdioConfig } from './support';

/**
 * A Claude Code plugin updated while a session runs its server: Claude Code installed 2.0.0 beside
 * 1.0.0 in its cache and names the new folder in installed_plugins.json; the session's server still
 * runs from the old folder.
 */
const CACHE = '/home/u/.claude/plugins/cache';
const ROOT = `${CACHE}/local-mp/notes/2.0.0`;

function pluginEntry(root = ROOT, version = '2.0.0'): ServerConfig {
  const addOn: ClaudePluginRef = {
    kind: 'claude-plugin',
    id: 'notes@local-mp',
    name: 'notes',
    marketplace: 'local-mp',
    version,
    root,
  };
  const c = stdioConfig('plugin:notes:notes', 'claude-code', 'node', [`${root}/server.js`, `--data=${root}/data`]);
  return { ...c, source: { ...c.source, file: `${root}/.mcp.json`, addOn } };
}

const session = (argv: string[]): ProcessInfo[] => [
  { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
  { pid: 10, ppid: 1, argv: ['claude'], startTime: 1000 },
  { pid: 20, ppid: 10, argv, startTime: 2000 },
];

async function attach(configs: ServerConfig[], processes: ProcessInfo[]) {
  return attachInstances(
    configs,
    { state: 'ok', processes, method: 'procfs' },
    { platform: 'linux', homes: recordedUserHomes('linux'), findListeners: async () => new Map() },
  );
}

const OLD = `${CACHE}/local-mp/notes/1.0.0`;

describe('a Claude Code plugin updated under a running session', () => {
  it("claims the server run from the same plugin's older cache folder as the entry's instance", async () => {
    const argv = ['node', `${OLD}/server.js`, `--data=${OLD}/data`];
    const r = await attach([pluginEntry()], session(argv));
    assert.deepEqual(
      r.servers[0].instances.map((i) => [i.pid, i.commandLine]),
      [[20, argv.join(' ')]],
      'listed under the entry, with the command line it really runs',
    );
    assert.deepEqual(r.notConfigured, []);
  });

  it('says the plugin was updated under it, naming both versions', () => {
    assert.deepEqual(pluginUpdateDrift(pluginEntry().source.addOn, [['node', `${OLD}/server.js`]], 'linux'), {
      package: 'plugin notes@local-mp',
      running: '1.0.0',
      configured: '2.0.0',
      summary:
        "notes@local-mp was updated under it: it runs plugin version 1.0.0, 2.0.0 is installed; restart Claude Code's session to load it",
    });
    assert.equal(pluginUpdateDrift(pluginEntry().source.addOn, [['node', `${ROOT}/server.js`]], 'linux'), undefined);
  });

  for (const [what, argv] of [
    ['another plugin of the marketplace', ['node', `${CACHE}/local-mp/other/1.0.0/server.js`, `--data=${OLD}/data`]],
    ['the plugin of another marketplace', ['node', `${CACHE}/other-mp/notes/1.0.0/server.js`, `--data=${OLD}/data`]],
    ['a folder outside the cache', ['node', '/tmp/notes/1.0.0/server.js', '--data=/tmp/notes/1.0.0/data']],
    ['two versions at once', ['node', `${OLD}/server.js`, `--data=${CACHE}/local-mp/notes/1.5.0/data`]],
    ['other arguments', ['node', `${OLD}/server.js`, `--data=${OLD}/other`]],
  ] as const)
    it(`claims no server run from ${what}`, async () => {
      const r = await attach([pluginEntry()], session([...argv]));
      assert.deepEqual(r.servers[0].instances, []);
    });

  it('applies only to a plugin run from its cache folder named by its version', async () => {
    const argv = ['node', '/src/mp/notes/1.0.0/server.js', '--data=/src/mp/notes/1.0.0/data'];
    const r = await attach([pluginEntry('/src/mp/notes/2.0.0')], session(argv));
    assert.deepEqual(r.servers[0].instances, [], 'a local marketplace folder is no cache');
    const unversioned = await attach(
      [pluginEntry(ROOT, 'unknown')],
      session(['node', `${OLD}/server.js`, `--data=${OLD}/data`]),
    );
    assert.deepEqual(unversioned.servers[0].instances, []);
  });
});
