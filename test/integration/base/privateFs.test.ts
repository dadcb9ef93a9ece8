import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensurePrivateDir, readPrivate } from '../../../src/core/machine/privateFs';

/** A fifo where a private file should be (made with the system's `mkfifo`, a process). */
describe('privateFs: a fifo is not a file of ours', function () {
  let base: string;

  before(function () {
    if (process.platform === 'win32') this.skip(); // no fifos there
  });
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-privfs-'));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('readPrivate refuses a fifo without opening it for long', async () => {
    const root = path.join(base, 'root');
    ensurePrivateDir(path.join(root, 'logs'), root);
    const fifo = path.join(root, 'logs', 'fifo');
    execFileSync('mkfifo', [fifo]);
    await assert.rejects(readPrivate(fifo, { root }), /is not a regular file/);
  });
});
