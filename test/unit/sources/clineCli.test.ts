import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adaptClineMcpSettings } from '../../../src/core/sources/clineCli';
import { repoRoot } from '../../support/repo';

/** The Cline CLI's cline_mcp_settings.json, on the file its own `mcp add` wrote (test/fixtures/client-configs). */

const values = (e: { fields: Record<string, { value: unknown }> }) =>
  JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(e.fields).map(([k, f]) => [k, f.value]))));

describe('sources: Cline CLI cline_mcp_settings.json', () => {
  it('each launch nested in "transport" is the entry, its key path the transport object', () => {
    const text = fs.readFileSync(
      path.join(repoRoot, 'test', 'fixtures', 'client-configs', 'cline-3.0.65-cline_mcp_settings.json'),
      'utf8',
    );
    const r = adaptClineMcpSettings(text);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.entries.map((e) => [e.name, e.keyPath, values(e)]),
      [
        [
          'files',
          ['mcpServers', 'files', 'transport'],
          { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/u/src'] },
        ],
        [
          'docs',
          ['mcpServers', 'docs', 'transport'],
          {
            type: 'streamableHttp',
            url: 'https://mcp.example.com/mcp',
            headers: { Authorization: 'Bearer fixture-token' },
          },
        ],
        ['events', ['mcpServers', 'events', 'transport'], { type: 'sse', url: 'https://mcp.example.com/sse' }],
        [
          'memory',
          ['mcpServers', 'memory', 'transport'],
          {
            type: 'stdio',
            command: 'npx',
            args: ['-y', '@modelcontextprotocol/server-memory'],
            env: { MEMORY_FILE_PATH: '/tmp/a b.json', X: '1' },
          },
        ],
      ],
    );
  });

  it('the flat shape its schema also takes (Cline extension files): "transportType" stands for "type", "disabled" kept beside a transport', () => {
    const r = adaptClineMcpSettings(
      JSON.stringify({
        mcpServers: {
          flat: { url: 'https://x/mcp', transportType: 'http' },
          off: { transport: { type: 'stdio', command: 'x' }, disabled: true, timeout: 30 },
        },
      }),
    );
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.entries.map((e) => [e.name, values(e)]),
      [
        ['flat', { url: 'https://x/mcp', transportType: 'http', type: 'http' }],
        ['off', { type: 'stdio', command: 'x', disabled: true }],
      ],
    );
  });
});
