import * as assert from 'node:assert/strict';
import { configDrift as driftOf, launchedPackage } from '../../../src/core/versions/configDrift';

const configDrift = (configured: string[], started: string[][]) => driftOf(launchedPackage(configured), started);

describe('versions: config drift (the entry now launches another version than the process was started with)', () => {
  it('a pinned npx spec edited to another version, seen through npm exec in the launcher chain', () => {
    const drift = configDrift(
      ['npx', '-y', '@modelcontextprotocol/server-memory@2026.8.31'],
      [
        ['npm', 'exec', '@modelcontextprotocol/server-memory@2026.7.4'],
        ['node', '/h/.npm/_npx/1a/node_modules/.bin/mcp-server-memory'],
      ],
    );
    assert.deepEqual(drift, {
      package: '@modelcontextprotocol/server-memory',
      running: '@modelcontextprotocol/server-memory@2026.7.4',
      configured: '@modelcontextprotocol/server-memory@2026.8.31',
    });
  });

  it('npx -p pkg@V bin: npm titles the process `npm exec bin`, so the release it runs is weighed against an exact pin only', () => {
    const mem = '@modelcontextprotocol/server-memory';
    const chain = [['npm', 'exec', 'mcp-server-memory', '--p']];
    const at = (v: string) => launchedPackage(['npx', '-y', '-p', `${mem}@${v}`, 'mcp-server-memory', '--p']);
    const runs = { name: mem, version: '2026.7.4' };
    assert.deepEqual(driftOf(at('2026.8.31'), chain, runs), {
      package: mem,
      running: `${mem}@2026.7.4`,
      configured: `${mem}@2026.8.31`,
    });
    assert.equal(driftOf(at('2026.7.4'), chain, runs), undefined);
    // A range or a tag is no drift; a release of another package under that bin name is not compared.
    assert.equal(driftOf(at('^2026.7.0'), chain, runs), undefined);
    assert.equal(driftOf(at('latest'), chain, runs), undefined);
    assert.equal(driftOf(at('2026.8.31'), chain, { name: 'memory-fork', version: '1.0.0' }), undefined);
    assert.equal(driftOf(at('2026.8.31'), chain), undefined);
  });

  it('the same spec, or no package runner on either side, is no drift', () => {
    assert.equal(configDrift(['npx', '-y', 'pkg@1.0.0'], [['npm', 'exec', 'pkg@1.0.0']]), undefined);
    assert.equal(configDrift(['node', 'dist/index.js'], [['node', 'dist/index.js']]), undefined);
    assert.equal(configDrift(['npx', '-y', 'pkg@1.0.0'], [['node', '/x/index.js']]), undefined);
  });

  it('uvx pins, and a pin removed, are drift; another package of the chain is not compared', () => {
    assert.deepEqual(configDrift(['uvx', 'mcp-server-time==2025.9.25'], [['uvx', 'mcp-server-time==2025.8.4']]), {
      package: 'mcp-server-time',
      running: 'mcp-server-time@2025.8.4',
      configured: 'mcp-server-time@2025.9.25',
    });
    assert.deepEqual(configDrift(['npx', '-y', 'pkg'], [['npm', 'exec', 'pkg@1.0.0']])?.configured, 'pkg');
    assert.equal(configDrift(['npx', '-y', 'pkg@2'], [['npm', 'exec', 'other@1']]), undefined);
  });

  it('sees through the guard on both sides', () => {
    const guard = (spec: string) => [
      'node',
      '/opt/lg/dist/mcp-lifeguard.js',
      'run',
      '--name',
      'mem',
      '--',
      'npx',
      '-y',
      spec,
    ];
    assert.equal(configDrift(guard('pkg@2.0.0'), [guard('pkg@1.0.0')])?.running, 'pkg@1.0.0');
    assert.equal(configDrift(guard('pkg@1.0.0'), [guard('pkg@1.0.0')]), undefined);
  });
});
