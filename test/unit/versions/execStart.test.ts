import * as assert from 'node:assert/strict';
import { execStart } from '../../../src/core/versions/execStart';
import type { VersionFs } from '../../../src/core/versions/fs';

/** A file system that knows only the mtimes it is given. */
function fsOf(mtimes: Record<string, number>): VersionFs {
  const stat = async (p: string) =>
    mtimes[p] !== undefined
      ? { mtimeMs: mtimes[p], size: 1, isFile: true, isDirectory: false, ino: 1, dev: 1 }
      : undefined;
  return { stat, lstat: stat, readText: async () => undefined, readdir: async () => undefined } as unknown as VersionFs;
}

describe('execStart: when a process began running the code it runs', () => {
  const app = ['/h/.local/share/pipx/.cache/ab12/bin/python', '/h/.local/share/pipx/.cache/ab12/bin/mcp-server-time'];
  const meta = '/h/.local/share/pipx/.cache/ab12/pipx_metadata.json';

  it("pipx run: the environment finished after the process started is what it exec'd into", async () => {
    assert.equal(await execStart(app, 1000, fsOf({ [meta]: 5000 }).stat), 5000);
  });

  it('an environment finished before the process started, or any other launch: its start', async () => {
    assert.equal(await execStart(app, 1000, fsOf({ [meta]: 500 }).stat), 1000);
    assert.equal(await execStart(app, 1000, fsOf({}).stat), 1000);
    assert.equal(await execStart(['/usr/bin/node', '/srv/x.js'], 1000, fsOf({ [meta]: 5000 }).stat), 1000);
    assert.equal(await execStart(app, undefined, fsOf({ [meta]: 5000 }).stat), undefined);
  });
});
