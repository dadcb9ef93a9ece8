import * as assert from 'node:assert/strict';
import { uvToolInstall } from '../../../src/core/actions/uvToolInstall';

const RECEIPT = `[tool]
requirements = [{ name = "mcp-server-time", specifier = "==2026.8.18" }, { name = "tzdata", extras = ["x"], specifier = ">=2024" }]
python = "3.12"
entrypoints = [{ name = "mcp-server-time", install-path = "/h/.local/bin/mcp-server-time", from = "mcp-server-time" }]
`;

describe("actions: a uv tool's package moved through uv tool install, so its receipt agrees", () => {
  it("keeps the receipt's other requirements and Python as it has them; pins the tool's own package alone, leaving the dependencies that moved to uv", () => {
    assert.deepEqual(uvToolInstall('/bin/uv', RECEIPT, [{ name: 'mcp_server_time', version: '2026.10.19' }]), {
      install: {
        command: '/bin/uv',
        args: ['tool', 'install', 'mcp-server-time==2026.10.19', '--with', 'tzdata[x]>=2024', '--python', '3.12'],
      },
      unpinned: [],
    });
    // A roll back's dependency pins never become requirements of uv's receipt (its next `uv tool upgrade` would keep them).
    assert.deepEqual(
      uvToolInstall('/bin/uv', RECEIPT, [
        { name: 'mcp-server-time', version: '2026.8.18' },
        { name: 'tzdata', version: '2024.1' },
        { name: 'pydantic', version: '2.9.0' },
      ]),
      {
        install: {
          command: '/bin/uv',
          args: ['tool', 'install', 'mcp-server-time==2026.8.18', '--with', 'tzdata[x]>=2024', '--python', '3.12'],
        },
        unpinned: ['tzdata', 'pydantic'],
      },
    );
  });

  it('leaves to uv pip what it cannot rebuild: only dependencies moving, no receipt, a bad one, a source it does not rebuild', () => {
    assert.equal(uvToolInstall('/bin/uv', RECEIPT, [{ name: 'tzdata', version: '2024.1' }]), undefined);
    assert.equal(uvToolInstall('/bin/uv', undefined, [{ name: 'mcp-server-time', version: '1' }]), undefined);
    assert.equal(uvToolInstall('/bin/uv', '[tool\nnope', [{ name: 'mcp-server-time', version: '1' }]), undefined);
    const git = '[tool]\nrequirements = [{ name = "mcp-server-time", git = "https://example.invalid/x" }]\n';
    assert.equal(uvToolInstall('/bin/uv', git, [{ name: 'mcp-server-time', version: '1' }]), undefined);
  });
});
