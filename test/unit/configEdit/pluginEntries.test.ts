import * as assert from 'node:assert/strict';
import { wrapSupport } from '../../../src/core/configEdit/guardCommand';
import { addTargets } from '../../../src/extension/viewModel/addToConfig';
import { server, source } from '../extension/fixtures';

/** A Claude Code plugin's entries are the plugin's: no config editor rewrites or adds to its files. */

const pluginSource = source({
  client: 'claude-code',
  label: 'Claude Code plugin',
  file: '/home/u/.claude/plugins/cache/mk/memo/1.0.0/.mcp.json',
  addOn: {
    kind: 'claude-plugin',
    id: 'memo@mk',
    name: 'memo',
    marketplace: 'mk',
    version: '1.0.0',
    root: '/home/u/.claude/plugins/cache/mk/memo/1.0.0',
  },
});

describe('config editors: a Claude Code plugin’s entries', () => {
  it('Wrap with Guard says why it cannot rewrite one; the same entry outside a plugin can be', () => {
    const entry = server('plugin:memo:memory', { source: pluginSource });
    assert.deepEqual(wrapSupport(entry), {
      supported: false,
      reason: "Claude Code replaces a plugin's files when it updates the plugin",
    });
    const { addOn: _plugin, ...plain } = pluginSource;
    assert.deepEqual(wrapSupport(server('memory', { source: plain })), { supported: true });
  });

  it('Add to Config offers no plugin file as a place for a new server', () => {
    const entry = server('plugin:memo:memory', { source: pluginSource });
    const files = [
      {
        file: pluginSource.file,
        client: 'claude-code' as const,
        scope: 'user' as const,
        state: 'read' as const,
        servers: 1,
      },
    ];
    assert.deepEqual(addTargets({ files, servers: [entry] }), []);
    const { addOn: _plugin, ...plain } = pluginSource;
    assert.equal(addTargets({ files, servers: [server('memory', { source: plain })] }).length, 1);
  });
});
