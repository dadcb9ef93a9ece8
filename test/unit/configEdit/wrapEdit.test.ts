import * as assert from 'node:assert/strict';
import { parse } from 'jsonc-parser';
import { computeUnwrap, computeWrap, detectFormatting, guardPrefix } from '../../../src/core/configEdit/wrapEdit';
import { guardHomeFor, isWrappedCommand } from '../../../src/core/configEdit/guardCommand';

const GUARD = { command: '/home/u/.local/state/mcp-lifeguard/bin/mcp-lifeguard' };

const VSCODE = `{
  // my servers
  "servers": {
    "memory": {
      "type": "stdio",
      "command": "npx", // from npm
      "args": ["-y", "@modelcontextprotocol/server-memory"],
      "env": { "MEMORY_FILE_PATH": "\${workspaceFolder}/mem.json" }
    },
    "other": { "command": "node", "args": ["x.js"] },
  }
}
`;

describe('extension: Wrap with Guard edits', () => {
  it('wraps command and args, keeping comments, variables and the other entries', () => {
    const r = computeWrap(VSCODE, ['servers', 'memory'], 'memory', GUARD);
    assert.equal(r.kind, 'ok');
    if (r.kind !== 'ok') return;
    assert.ok(r.text.includes('// my servers'));
    assert.ok(r.text.includes('// from npm'));
    assert.ok(r.text.includes('"other": { "command": "node", "args": ["x.js"] },'));
    const value = parse(r.text, [], { allowTrailingComma: true });
    assert.deepEqual(value.servers.memory, {
      type: 'stdio',
      command: GUARD.command,
      args: ['run', '--name', 'memory', '--', 'npx', '-y', '@modelcontextprotocol/server-memory'],
      env: { MEMORY_FILE_PATH: '${workspaceFolder}/mem.json' },
    });
  });

  it('unwrap restores the original entry', () => {
    const wrapped = computeWrap(VSCODE, ['servers', 'memory'], 'memory', GUARD);
    assert.ok(wrapped.kind === 'ok');
    const back = computeUnwrap(wrapped.text, ['servers', 'memory']);
    assert.ok(back.kind === 'ok');
    assert.deepEqual(
      parse(back.text, [], { allowTrailingComma: true }),
      parse(VSCODE, [], { allowTrailingComma: true }),
    );
    assert.ok(back.text.includes('// from npm'));
  });

  it("names the reader's own folder (--home) when it is not the default, and unwrap leaves none of it", () => {
    const home = { home: '/home/u', platform: 'linux' as const };
    const moved = guardHomeFor({ ...home, env: { HOME: '/home/u', MCP_LIFEGUARD_HOME: '/tmp/lg' } });
    assert.equal(moved, '/tmp/lg');
    // The default root, however it is reached, is written as nothing: the clients find it themselves.
    assert.equal(guardHomeFor({ ...home, env: { HOME: '/home/u' } }), undefined);
    assert.equal(
      guardHomeFor({ ...home, env: { HOME: '/home/u', MCP_LIFEGUARD_HOME: '/home/u/.local/state/mcp-lifeguard' } }),
      undefined,
    );
    const r = computeWrap(VSCODE, ['servers', 'memory'], 'memory', { ...GUARD, home: moved });
    assert.ok(r.kind === 'ok');
    const value = parse(r.text, [], { allowTrailingComma: true });
    assert.deepEqual(value.servers.memory.args, [
      'run',
      '--home',
      '/tmp/lg',
      '--name',
      'memory',
      '--',
      'npx',
      '-y',
      '@modelcontextprotocol/server-memory',
    ]);
    // Unwrap gives the very text it gives of the same entry wrapped without --home.
    const back = computeUnwrap(r.text, ['servers', 'memory']);
    const plain = computeWrap(VSCODE, ['servers', 'memory'], 'memory', GUARD);
    assert.ok(back.kind === 'ok' && plain.kind === 'ok');
    const plainBack = computeUnwrap(plain.text, ['servers', 'memory']);
    assert.ok(plainBack.kind === 'ok');
    assert.equal(back.text, plainBack.text);
    assert.deepEqual(
      parse(back.text, [], { allowTrailingComma: true }),
      parse(VSCODE, [], { allowTrailingComma: true }),
    );
  });

  it('the words a confirmation shows before the current command are the ones the entry gets, --home and the share options included', () => {
    const guard = { ...GUARD, home: '/tmp/lg' };
    const options = { share: true, resource: 'data:6922b1c269ba5f8e' };
    const prefix = guardPrefix('memory', guard, options);
    assert.deepEqual(prefix, [
      GUARD.command,
      'run',
      '--home',
      '/tmp/lg',
      '--on-conflict',
      'share',
      '--name',
      'memory',
      '--resource=data:6922b1c269ba5f8e',
      '--',
    ]);
    const r = computeWrap(VSCODE, ['servers', 'memory'], 'memory', guard, undefined, options);
    assert.ok(r.kind === 'ok');
    const entry = parse(r.text, [], { allowTrailingComma: true }).servers.memory;
    assert.deepEqual([entry.command, ...entry.args], [...prefix, 'npx', '-y', '@modelcontextprotocol/server-memory']);
  });

  it('unwrap also undoes a guard reached through npx', () => {
    const text =
      '{ "mcpServers": { "m": { "command": "npx", "args": ["-y", "mcp-lifeguard", "run", "--name", "m", "--", "uvx", "srv"] } } }';
    const back = computeUnwrap(text, ['mcpServers', 'm']);
    assert.ok(back.kind === 'ok');
    assert.deepEqual(parse(back.text).mcpServers.m, { command: 'uvx', args: ['srv'] });
  });

  it('an entry that reaches the guard through `cmd /c` is wrapped already, by the rule processes are judged by', () => {
    const text =
      '{ "mcpServers": { "m": { "command": "cmd", "args": ["/c", "mcp-lifeguard", "run", "--name", "m", "--", "npx", "-y", "srv"] } } }';
    assert.ok(isWrappedCommand('cmd', ['/c', 'mcp-lifeguard', 'run', '--', 'npx', '-y', 'srv']));
    assert.ok(!isWrappedCommand('cmd', ['/c', 'npx', '-y', 'srv']));
    const again = computeWrap(text, ['mcpServers', 'm'], 'm', GUARD);
    assert.deepEqual(again, { kind: 'error', reason: 'the server already runs through the guard' });
  });

  it('an entry without args gets them; nested key paths (Claude Code projects) work', () => {
    const text = '{\n\t"projects": {\n\t\t"/w": { "mcpServers": { "a.b": { "command": "srv" } } }\n\t}\n}\n';
    const r = computeWrap(text, ['projects', '/w', 'mcpServers', 'a.b'], 'a.b', GUARD);
    assert.ok(r.kind === 'ok');
    assert.deepEqual(parse(r.text).projects['/w'].mcpServers['a.b'], {
      command: GUARD.command,
      args: ['run', '--name', 'a.b', '--', 'srv'],
    });
    const back = computeUnwrap(r.text, ['projects', '/w', 'mcpServers', 'a.b']);
    assert.ok(back.kind === 'ok');
    // The args Wrap added go again: the file is as it was.
    assert.equal(back.text, text);
  });

  it('refuses what it cannot do, with the reason', () => {
    assert.deepEqual(computeWrap(VSCODE, ['servers', 'nope'], 'nope', GUARD), {
      kind: 'error',
      reason: 'no server entry at servers.nope',
    });
    assert.deepEqual(computeWrap('{"s":{"a":{"command":"x"}}', ['s', 'a'], 'a', GUARD), {
      kind: 'error',
      reason: 'the file has syntax errors (see Problems); fix them first',
    });
    assert.deepEqual(computeWrap('{"s":{"a":{"url":"http://x"}}}', ['s', 'a'], 'a', GUARD), {
      kind: 'error',
      reason: 'the entry has no command',
    });
    assert.deepEqual(computeWrap('{"s":{"a":{"command":"x","args":[1]}}}', ['s', 'a'], 'a', GUARD), {
      kind: 'error',
      reason: '"args" is not a list of strings',
    });
    const once = computeWrap(VSCODE, ['servers', 'memory'], 'memory', GUARD);
    assert.ok(once.kind === 'ok');
    assert.deepEqual(computeWrap(once.text, ['servers', 'memory'], 'memory', GUARD), {
      kind: 'error',
      reason: 'the server already runs through the guard',
    });
    assert.deepEqual(computeUnwrap(VSCODE, ['servers', 'memory']), {
      kind: 'error',
      reason: 'the server does not run through the guard',
    });
  });

  it("follows the file's indentation and line endings", () => {
    assert.deepEqual(detectFormatting('{\r\n    "a": 1\r\n}'), { insertSpaces: true, tabSize: 4, eol: '\r\n' });
    assert.deepEqual(detectFormatting('{\n\t"a": 1\n}'), { insertSpaces: false, tabSize: 1, eol: '\n' });
    assert.deepEqual(detectFormatting('{}'), { insertSpaces: true, tabSize: 2, eol: '\n' });
  });
});
