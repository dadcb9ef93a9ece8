import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { liveFs } from '../../../src/core/machine/liveFs';
import { withKeptProcFiles } from '../../../src/core/machine/keptProcFiles';
import { killAndWait } from '../../support/liveness';
import { until } from '../../support/poll';

/**
 * A process's `/proc` files read through kept descriptors answer as a read by path does at that
 * moment: while it runs, after it replaces its program (exec), and once it is gone.
 */
describe('machine: kept /proc descriptors', function () {
  if (process.platform !== 'linux') return;

  it('read as a read by path: a running process, the program it execs into, and nothing once it is gone', async () => {
    const kept = withKeptProcFiles(liveFs);
    const child = spawn('sh', ['-c', 'read line; exec sleep 30'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const pid = child.pid!;
    try {
      const byPath = (file: string) => liveFs.readTextSync(`/proc/${pid}/${file}`);
      const read = (file: string) => kept.readTextSync(`/proc/${pid}/${file}`);
      const openNow = () => fs.readdirSync('/proc/self/fd').length;
      const before = openNow();
      assert.match(read('cmdline') ?? '', /^sh\0-c\0/);
      for (const file of ['stat', 'status'])
        assert.equal(read(file)?.split(' ')[0], byPath(file)?.split(' ')[0], `${file}: the same process`);
      // Read once, nothing is kept open: a one-shot look leaves no descriptor behind.
      assert.equal(openNow(), before, 'descriptors kept after one read of each file');
      // Read again, each is kept.
      for (const file of ['cmdline', 'stat', 'status']) assert.equal(read(file), byPath(file));
      assert.equal(openNow(), before + 3, 'descriptors kept after a second read of each file');
      // The same descriptors, read again after the process replaced its program.
      child.stdin.write('go\n');
      await until('the exec into sleep', () => byPath('cmdline')?.startsWith('sleep\0'));
      assert.equal(read('cmdline'), byPath('cmdline'));
      assert.match(read('stat') ?? '', /^\d+ \(sleep\)/);
      assert.match(read('status') ?? '', /^Name:\s+sleep$/m);
      await killAndWait(pid);
      await until('the process reaped', () => !fs.existsSync(`/proc/${pid}`));
      for (const file of ['cmdline', 'stat', 'status']) assert.equal(read(file), undefined, `${file} once gone`);
      // Anything else is read as the inner fs reads it.
      assert.equal(kept.readTextSync('/proc/version'), liveFs.readTextSync('/proc/version'));
    } finally {
      await killAndWait(pid);
    }
  });
});
