import * as assert from 'node:assert/strict';
import { isMcpName } from '../../../src/core/versions/npmPackages';
import { mcpNameIn } from '../../../src/core/versions/python';
import { mcpLatestUrl, statusFromServerResponse } from '../../../src/core/versions/registry';

const npmPkg = { ecosystem: 'npm' as const, name: 'notes-server', current: '1.0.0' };

describe('versions: the MCP Registry', () => {
  it('an installed package names its entry: npm mcpName, a PyPI README line (in an HTML comment too)', () => {
    assert.equal(isMcpName('io.github.modelcontextprotocol/server-memory'), true);
    assert.equal(isMcpName('no-slash'), false);
    assert.equal(isMcpName('a/b/c'), false);
    assert.equal(isMcpName(42), false);
    const metadata = 'Metadata-Version: 2.1\nName: x\nVersion: 1.0\n\n# X\n<!-- mcp-name: io.github.me/x -->\n';
    assert.equal(mcpNameIn(metadata), 'io.github.me/x');
    assert.equal(mcpNameIn('Name: x\n\nno name here'), undefined);
  });

  it('reads the status and the latest version of a ServerResponse: its own package first, the entry second', () => {
    assert.equal(
      mcpLatestUrl('https://registry.example/', 'io.github.me/x'),
      'https://registry.example/v0.1/servers/io.github.me%2Fx/versions/latest',
    );
    const meta = (m: object) => ({ _meta: { 'io.modelcontextprotocol.registry/official': m } });
    assert.deepEqual(
      statusFromServerResponse(
        {
          server: {
            name: 'io.example/notes',
            version: '9.0.0',
            packages: [
              { registryType: 'pypi', identifier: 'notes-server', version: '8.0.0' },
              { registryType: 'npm', identifier: 'notes-server', version: '1.2.0' },
            ],
          },
          ...meta({ status: 'deleted', statusMessage: 'x'.repeat(600) }),
        },
        npmPkg,
      ),
      { status: 'deleted', message: 'x'.repeat(500), latest: '1.2.0' },
    );
    assert.deepEqual(statusFromServerResponse({ server: { version: '2.0.0' } }, npmPkg), {
      status: 'active',
      latest: '2.0.0',
    });
    assert.deepEqual(statusFromServerResponse({ server: {}, ...meta({ status: 'bogus' }) }, npmPkg), {
      status: 'active',
    });
    assert.ok(statusFromServerResponse({ servers: [] }, npmPkg) instanceof Error);
  });
});
