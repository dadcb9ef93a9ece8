import * as assert from 'node:assert/strict';
import { recordedMachine } from '../../../src/core/machine/recorded';
import { recordingMachine } from '../../../src/core/machine/recording';
import type { Machine } from '../../../src/core/machine/types';
import { linuxRecord } from '../../support/machines';

/**
 * A machine that changes while it is read, as a busy one does: process 7 ends after its first read
 * (its stat file gone, its pid no longer there), and `ps` answers with one more line each time.
 */
function changingMachine(): Machine {
  const base = recordedMachine(linuxRecord());
  let statReads = 0;
  let pidAsks = 0;
  let runs = 0;
  const stat = () => (statReads++ === 0 ? '7 (node) S 1' : undefined);
  return {
    ...base,
    fs: {
      ...base.fs,
      readText: (p) => Promise.resolve(p === '/proc/7/stat' ? stat() : undefined),
      readTextSync: (p) => (p === '/proc/7/stat' ? stat() : undefined),
    },
    pidExists: () => pidAsks++ === 0,
    run: () => Promise.resolve({ code: 0, stdout: `${++runs} lines\n`, stderr: '' }),
  };
}

describe('capture: the recording machine asks each question once', () => {
  it('answers a later read of a path, a pid or a command as it answered the first, and its record replays to those answers', async () => {
    const { machine, record } = recordingMachine(changingMachine());
    const ps = { command: 'ps', args: ['-e'] };
    const live = [
      machine.fs.readTextSync('/proc/7/stat'),
      await machine.fs.readText('/proc/7/stat'),
      machine.fs.readTextSync('/proc/7/stat'),
      machine.pidExists(7),
      machine.pidExists(7),
      (await machine.run(ps)).stdout,
      (await machine.run(ps)).stdout,
    ];
    assert.deepEqual(live, ['7 (node) S 1', '7 (node) S 1', '7 (node) S 1', true, true, '1 lines\n', '1 lines\n']);

    const replay = recordedMachine(record());
    assert.deepEqual(
      [
        replay.fs.readTextSync('/proc/7/stat'),
        await replay.fs.readText('/proc/7/stat'),
        replay.pidExists(7),
        (await replay.run(ps)).stdout,
      ],
      ['7 (node) S 1', '7 (node) S 1', true, '1 lines\n'],
    );
  });

  it('gives two reads under way at once the one answer, and a failure again as the same failure', async () => {
    let reads = 0;
    const base = changingMachine();
    const failing: Machine = {
      ...base,
      fs: {
        ...base.fs,
        readdir: () => Promise.resolve([`entry-${++reads}`]),
        readTextSync: () => {
          throw Object.assign(new Error(`EACCES: permission denied (${++reads})`), { code: 'EACCES' });
        },
      },
    };
    const { machine } = recordingMachine(failing);
    assert.deepEqual(await Promise.all([machine.fs.readdir('/proc'), machine.fs.readdir('/proc')]), [
      ['entry-1'],
      ['entry-1'],
    ]);
    const codes = [0, 1].map(() => {
      try {
        machine.fs.readTextSync('/root/secret');
        return 'read';
      } catch (err) {
        return `${(err as NodeJS.ErrnoException).code} ${(err as Error).message}`;
      }
    });
    assert.deepEqual(codes, ['EACCES EACCES: permission denied (2)', 'EACCES EACCES: permission denied (2)']);
  });
});
