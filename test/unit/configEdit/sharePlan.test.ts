import * as assert from 'node:assert/strict';
import { parse } from 'jsonc-parser';
import { canShare, guardNameFor, sharePlan } from '../../../src/core/configEdit/sharePlan';
import { computeUnwrap, computeWrap } from '../../../src/core/configEdit/wrapEdit';
import { CLAUDE, instance, server, source, VSCODE_HERE } from '../extension/fixtures';

const GUARD = { command: '/home/u/.local/state/mcp-lifeguard/bin/mcp-lifeguard' };
const CURSOR = { id: 'cursor', name: 'Cursor', pid: 500 } as const;

describe('extension: Share one instance', () => {
  it('wraps an entry with `run --on-conflict share --name N`, keeping the rest; Unwrap restores it', () => {
    const text = `{\n  "mcpServers": {\n    // mine\n    "mem": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] }\n  }\n}\n`;
    const r = computeWrap(text, ['mcpServers', 'mem'], 'memory', GUARD, undefined, { share: true });
    assert.ok(r.kind === 'ok');
    assert.ok(r.text.includes('// mine'));
    assert.deepEqual(parse(r.text).mcpServers.mem, {
      command: GUARD.command,
      args: [
        'run',
        '--on-conflict',
        'share',
        '--name',
        'memory',
        '--',
        'npx',
        '-y',
        '@modelcontextprotocol/server-memory',
      ],
    });
    const back = computeUnwrap(r.text, ['mcpServers', 'mem']);
    assert.ok(back.kind === 'ok');
    assert.deepEqual(parse(back.text).mcpServers.mem, {
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-memory'],
    });
  });

  it("plans every client's entry of the same launch under the chosen entry's name; wrapped, unsupported or refused entries stay, with why", () => {
    const claude = server('memory', { instances: [instance(1, { client: CLAUDE })] });
    const vscode = server('mem', {
      source: source({ client: 'vscode', label: 'VS Code', file: '/u/mcp.json' }),
      launchKey: claude.launchKey,
      instances: [instance(2, { client: VSCODE_HERE })],
    });
    const cursor = server('memory', {
      source: source({ client: 'cursor', label: 'Cursor', file: '/u/.cursor/mcp.json' }),
      launchKey: claude.launchKey,
      instances: [instance(3, { client: CURSOR })],
    });
    const wrapped = server('memory', {
      source: source({ client: 'windsurf', label: 'Windsurf', file: '/u/.codeium/mcp.json' }),
      launchKey: claude.launchKey,
      command: GUARD.command,
      args: ['run', '--', 'npx'],
    });
    const other = server('other');
    const all = [claude, vscode, cursor, wrapped, other];
    const plan = sharePlan(all, vscode, (s) => (s === cursor ? 'a workspace entry' : undefined));
    assert.equal(plan.name, 'mem');
    assert.equal(plan.clientsRunning, 3);
    assert.deepEqual(
      plan.steps.map((s) => [s.server.source.label, s.rewrite, s.rewrite ? '' : s.reason]),
      [
        ['Claude Desktop', true, ''],
        ['VS Code', true, ''],
        ['Cursor', false, 'a workspace entry'],
        ['Windsurf', false, 'it already starts through the guard'],
      ],
    );
    assert.ok(canShare(all, claude));
    // canShare is what the plan decides, for every entry of the list and any refusal.
    for (const refused of [undefined, cursor, claude])
      for (const chosen of all) {
        const allowed = (s: typeof chosen) => (s === refused ? 'refused' : undefined);
        const p = sharePlan(all, chosen, allowed);
        const expected = chosen !== refused && p.clientsRunning >= 2 && p.steps.some((s) => s.rewrite);
        assert.equal(canShare(all, chosen, allowed), expected, `${chosen.source.label} with ${refused?.source.label}`);
      }
    // One client's copies only, or nothing left to rewrite: nothing to offer.
    assert.ok(!canShare([claude, server('memory', { source: vscode.source, launchKey: claude.launchKey })], claude));
    assert.ok(
      !canShare([wrapped, { ...wrapped, id: 'x', instances: [instance(4), instance(5, { client: CURSOR })] }], wrapped),
    );
  });

  it('an entry of the same command with other env already shared under the name: the plan takes the next free name, so two data stores never share one guard', () => {
    const args = ['-y', '@modelcontextprotocol/server-memory'];
    const env = (v: string) => ({ envKeys: ['MEMORY_FILE_PATH'], envDigests: { MEMORY_FILE_PATH: v } });
    const cursorTeam = server('memory', {
      source: source({ client: 'cursor', label: 'Cursor', file: '/u/.cursor/mcp.json' }),
      command: GUARD.command,
      args: ['run', '--on-conflict', 'share', '--name', 'memory', '--', 'npx', ...args],
      ...env('team'),
    });
    const taken2 = { ...cursorTeam, id: 'x', args: ['run', '--name', 'memory-2', '--', 'other'] };
    const claudeKb = server('memory', {
      command: 'npx',
      args,
      ...env('kb'),
      instances: [instance(1, { client: CLAUDE })],
    });
    assert.equal(sharePlan([cursorTeam, claudeKb], claudeKb).name, 'memory-2');
    assert.equal(guardNameFor([cursorTeam, taken2, claudeKb], claudeKb), 'memory-3');
    // The same data (the same env) shared before: the same name, to join it.
    const claudeTeam = { ...claudeKb, ...env('team') };
    assert.equal(guardNameFor([cursorTeam, claudeTeam], claudeTeam), 'memory');
    // Another command under the name is another lock (the guard's lock names the command too).
    const other = { ...claudeKb, args: ['-y', 'other-server'] };
    assert.equal(guardNameFor([cursorTeam, other], other), 'memory');
  });
});
