import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { host, scan, tempDir, writeTree } from '../../unit/sources/support';
import { liveFs } from '../../../src/core/machine/liveFs';

/** A folder of many Continue block files on a real disk (1,500 files written): each one read. */
describe('sources: many Continue block files in a real folder', () => {
  const block = (i: number) => `mcpServers:\n  - name: block-${i}\n    command: node\n    args: ["b${i}.js"]\n`;

  it('1,500 block files in a real folder: every one read, no diagnostics', async () => {
    const home = tempDir('blocks');
    const dir = path.join(home, '.continue', 'mcpServers');
    const files: Record<string, string> = {};
    for (let i = 0; i < 1500; i++) files[path.join(dir, `b${String(i).padStart(4, '0')}.yaml`)] = block(i);
    writeTree(files);
    const r = await scan({ fs: liveFs, host: host(home), workspaceFolders: [] });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.servers.filter((s) => s.name.startsWith('block-')).length, 1500);
  });
});
