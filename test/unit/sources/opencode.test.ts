import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adaptOpencodeConfig } from '../../../src/core/sources/opencode';
import { repoRoot } from '../../support/repo';

/** opencode's (and Kilo's) `mcp` map, on the files their own `mcp add` wrote (test/fixtures/client-configs). */

const fixture = (name: string) =>
  fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'client-configs', name), 'utf8');
const values = (e: { fields: Record<string, { value: unknown }> }) =>
  JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(e.fields).map(([k, f]) => [k, f.value]))));

describe('sources: opencode and Kilo config (mcp.NAME)', () => {
  for (const file of ['opencode-1.18.33.jsonc', 'kilo-7.7.7.jsonc']) {
    it(`${file}: a local entry's command array is the program and its args, "environment" its env; a remote one keeps url and headers`, () => {
      const r = adaptOpencodeConfig(fixture(file));
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(
        r.entries.map((e) => [e.name, e.keyPath]),
        [
          ['memory', ['mcp', 'memory']],
          ['docs', ['mcp', 'docs']],
        ],
      );
      const [memory, docs] = r.entries;
      assert.deepEqual(values(memory), {
        type: 'local',
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-memory'],
        env: { MEMORY_FILE_PATH: '/home/u/memory.json' },
      });
      assert.deepEqual(values(docs), {
        type: 'remote',
        url: 'https://mcp.example.com/mcp',
        headers: { Authorization: 'Bearer fixture-token' },
      });
      assert.deepEqual(memory.fields.command.position, { line: 6, column: 18 });
    });
  }

  it('an entry of only "enabled" switches a server of another file: no server of its own', () => {
    const r = adaptOpencodeConfig(
      '{ "mcp": { "memory": { "enabled": false }, "x": { "type": "local", "command": ["x"], "enabled": false } } }',
    );
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.entries.map((e) => [e.name, values(e)]),
      [['x', { type: 'local', command: 'x', args: [], enabled: false }]],
    );
  });

  it('a command that is not an array starting with the program is a diagnostic, the entry left out', () => {
    const r = adaptOpencodeConfig(
      '{ "mcp": { "a": { "type": "local", "command": "node s.js" }, "b": { "type": "local", "command": [] }, "c": { "type": "local", "command": [1] } } }',
    );
    assert.deepEqual(r.entries, []);
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      [
        'server "a": "command" must be an array of the program and its arguments, found a string',
        'server "b": "command" is empty: it names no program',
        'server "c": "command" must start with the program, found a number',
      ],
    );
  });
});
