import * as assert from 'node:assert/strict';
import { computeAddEntry } from '../../../src/core/configEdit/addEntry';

const entry = { name: 'notes', command: 'npx', args: ['-y', '@acme/server-notes'] };

describe('configEdit: a new entry (Add to Config)', () => {
  it('adds the entry at the end of the servers map, indented as the file is; every other byte stays', () => {
    const text = [
      '{',
      '    // my servers',
      '    "mcpServers": {',
      '        "mem": { "command": "node", "args": ["m.js"], "env": { "K": "v" } }',
      '    },',
      '    "theme": "dark"',
      '}',
      '',
    ].join('\n');
    const r = computeAddEntry(text, ['mcpServers'], entry);
    assert.equal(r.kind, 'ok');
    const out = (r as { text: string }).text;
    assert.ok(
      out.startsWith(
        '{\n    // my servers\n    "mcpServers": {\n        "mem": { "command": "node", "args": ["m.js"], "env": { "K": "v" } },',
      ),
      out,
    );
    assert.match(out, /\n {8}"notes": \{\n {12}"command": "npx",\n {12}"args": \[/);
    assert.ok(out.endsWith('    "theme": "dark"\n}\n'), out);
    const parsed = JSON.parse(out.replace(/\/\/.*\n/, '\n'));
    assert.deepEqual(parsed.mcpServers.notes, { command: 'npx', args: ['-y', '@acme/server-notes'] });
    assert.deepEqual(parsed.mcpServers.mem.env, { K: 'v' });
  });

  it("creates the map where the file has none (VS Code's mcp.json with only inputs), and an empty file", () => {
    const r = computeAddEntry('{\n  "inputs": []\n}\n', ['servers'], entry);
    assert.equal(r.kind, 'ok');
    assert.deepEqual(JSON.parse((r as { text: string }).text), {
      inputs: [],
      servers: { notes: { command: 'npx', args: ['-y', '@acme/server-notes'] } },
    });
    const empty = computeAddEntry('', ['servers'], entry);
    assert.equal(empty.kind, 'ok');
    assert.deepEqual(JSON.parse((empty as { text: string }).text).servers.notes.command, 'npx');
  });

  it('refuses a name already there, a redacted value, a file with syntax errors, and a map that is not one', () => {
    const text = '{ "mcpServers": { "notes": { "command": "x" } } }';
    const reason = (r: ReturnType<typeof computeAddEntry>) => (r.kind === 'error' ? r.reason : 'ok');
    assert.match(reason(computeAddEntry(text, ['mcpServers'], entry)), /already has a server named notes/);
    assert.match(
      reason(computeAddEntry('{}', ['mcpServers'], { ...entry, args: ['--token=<redacted>'] })),
      /holds a secret/,
    );
    assert.match(reason(computeAddEntry('{ "mcpServers": { ,, } }', ['mcpServers'], entry)), /syntax errors/);
    assert.match(reason(computeAddEntry('{ "mcpServers": [] }', ['mcpServers'], entry)), /not a map of servers/);
    assert.match(reason(computeAddEntry('{}', ['mcpServers'], { ...entry, name: ' ' })), /needs a name/);
  });
});
