import * as assert from 'node:assert/strict';
import { parse } from 'jsonc-parser';
import { computeAddEntry, withGuardResource } from '../../../src/core/configEdit/addEntry';
import { wrappedResource } from '../../../src/core/configEdit/guardCommand';
import { resourceKeyFor } from '../../../src/core/configEdit/resourceKey';
import { sharePlan } from '../../../src/core/configEdit/sharePlan';
import { dataKey } from '../../../src/core/sources/dataPaths';
import { computeWrap } from '../../../src/core/configEdit/wrapEdit';
import { CLAUDE, instance, server, source } from '../extension/fixtures';

const GUARD = { command: '/home/u/.local/state/mcp-lifeguard/bin/mcp-lifeguard' };
const CURSOR = { id: 'cursor', name: 'Cursor', pid: 500 } as const;

/**
 * The resource a wrapped entry's guard locks on: the data the entry names, else the server's
 * identity, never the folder its client starts it in (the guard's own default).
 */
describe('configEdit: the resource key Wrap, Share One Instance and Add to Config write', () => {
  it('Share One Instance: every entry of the server gets `--resource=data:<digest>` of the palace it names, as one argument, never the path', () => {
    const palace = [{ from: '--palace', key: dataKey('/home/u/palace') }];
    const a = server('mempalace', { instances: [instance(1, { client: CLAUDE })], dataPaths: palace });
    const b = server('mempalace', {
      source: source({ file: '/home/u/.cursor/mcp.json', label: 'Cursor' }),
      instances: [instance(2, { client: CURSOR })],
      dataPaths: palace,
    });
    const plan = sharePlan([a, b], a);
    assert.equal(plan.resource, dataKey('/home/u/palace'));
    const text = `{ "mcpServers": { "mempalace": { "command": "/v/bin/mempalace-mcp", "args": ["--palace", "/home/u/palace"] } } }`;
    const r = computeWrap(text, ['mcpServers', 'mempalace'], plan.name, GUARD, undefined, {
      share: true,
      resource: plan.resource,
    });
    assert.ok(r.kind === 'ok', JSON.stringify(r));
    const args = parse(r.text).mcpServers.mempalace.args as string[];
    assert.deepEqual(args.slice(0, args.indexOf('--') + 1), [
      'run',
      '--on-conflict',
      'share',
      '--name',
      'mempalace',
      `--resource=${dataKey('/home/u/palace')}`,
      '--',
    ]);
    assert.equal(wrappedResource({ command: GUARD.command, args }), dataKey('/home/u/palace'));
  });

  it("no data named: the server's identity (its launch key), never a folder; a key that starts with '-' stays one argument", () => {
    const s = server('memory', { launchKey: 'stdio:0123456789abcdef' });
    assert.equal(resourceKeyFor(s), 'stdio:0123456789abcdef');
    assert.equal(sharePlan([s], s).resource, 'stdio:0123456789abcdef');
    const text = `{ "servers": { "m": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] } } }`;
    const r = computeWrap(text, ['servers', 'm'], 'memory', GUARD, undefined, { resource: '--registry=x' });
    assert.ok(r.kind === 'ok');
    const args = parse(r.text).servers.m.args as string[];
    assert.deepEqual(args.slice(0, 4), ['run', '--name', 'memory', '--resource=--registry=x']);
  });

  it('Add to Config: a guarded process becomes an entry with the resource its guard locks on', () => {
    const exists = (p: string) => p === '/home/u/palace' || p === '/home/u';
    const guarded = {
      name: 'mempalace',
      command: GUARD.command,
      args: ['run', '--name', 'mempalace', '--', '/v/bin/mempalace-mcp', '--palace', '/home/u/palace'],
    };
    const added = withGuardResource(guarded, 'linux', exists);
    assert.deepEqual(added.args, [
      'run',
      '--name',
      'mempalace',
      `--resource=${dataKey('/home/u/palace')}`,
      '--',
      '/v/bin/mempalace-mcp',
      '--palace',
      '/home/u/palace',
    ]);
    const r = computeAddEntry('{ "mcpServers": {} }', ['mcpServers'], added);
    assert.ok(r.kind === 'ok');
    assert.deepEqual(parse(r.text).mcpServers.mempalace.args, added.args);
    // Without data: the inner launch's identity; one that names its resource, or no guard at all, stays as it is.
    const bare = withGuardResource({ ...guarded, args: ['run', '--', 'mcp-server-memory'] }, 'linux', exists);
    assert.match(bare.args[1], /^--resource=stdio:[0-9a-f]{16}$/);
    const named = { ...guarded, args: ['run', '--resource', '/x', '--', 'srv'] };
    assert.equal(withGuardResource(named, 'linux', exists), named);
    const plain = { name: 'x', command: 'npx', args: ['-y', 'pkg'] };
    assert.equal(withGuardResource(plain, 'linux', exists), plain);
  });
});
