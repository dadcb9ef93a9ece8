import * as assert from 'node:assert/strict';
import { noFiles } from '../../support/machines';
import type { Installed } from '../../../src/core/base/versionTypes';
import { judgeInstance } from '../../../src/core/versions/instanceEvidence';
import type { RecordListed } from '../../../src/core/versions/installerRecord';
import { mappedFilesWithin, mappedRecords } from '../../../src/core/versions/mappedRecords';

const SP = '/v/lib/python3.11/site-packages';
const MAPS = `55d4c6a00000-55d4c6a2c000 r--p 00000000 fe:00 1835012                    /usr/bin/python3.11
7f2b1d000000-7f2b1d100000 r--p 00000000 fe:00 2001                       ${SP}/pyarrow/libarrow.so.2600
7f2b1d100000-7f2b1d200000 r-xp 00100000 fe:00 2001                       ${SP}/pyarrow/libarrow.so.2600
7f2b1d200000-7f2b1d3a0000 r-xp 00000000 fe:00 2002                       ${SP}/numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so
7f2b1d3a0000-7f2b1d3b0000 rw-p 001a0000 fe:00 2003                       ${SP}/pandas/_libs/lib.cpython-311-x86_64-linux-gnu.so (deleted)
7f2b1e000000-7f2b1e100000 rw-p 00000000 00:00 0
7f2b1f000000-7f2b1f001000 r--p 00000000 fe:00 3001                       /usr/lib/x86_64-linux-gnu/libc.so.6`;

describe('versions: the files a process maps, as their RECORDs list them at its first sighting', () => {
  it('names each file mapped inside the environment once, by device and inode; not a deleted one, one outside it, or memory', () => {
    assert.deepEqual(
      [...mappedFilesWithin(MAPS, [SP])],
      [
        ['fe:00:2001', `${SP}/pyarrow/libarrow.so.2600`],
        ['fe:00:2002', `${SP}/numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so`],
      ],
    );
  });

  it('keeps the SHA-256 a RECORD lists for the very inode mapped, and nothing for a file replaced since it was mapped', async () => {
    const listed: Record<string, RecordListed> = {
      [`${SP}/pyarrow/libarrow.so.2600`]: { sha256: 'aa', ino: 2001 },
      // The path names another inode now: its RECORD speaks of that file, not of the mapped one.
      [`${SP}/numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so`]: { sha256: 'bb', ino: 4242 },
    };
    assert.deepEqual(await mappedRecords(MAPS, [SP], async (f) => listed[f]), {
      'fe:00:2001': [`${SP}/pyarrow/libarrow.so.2600`, 'aa'],
    });
    assert.equal(await mappedRecords(MAPS, [SP], async () => undefined), undefined);
  });
});

describe('versions: the judgement of a replaced library hands the comparison what the first sighting kept', () => {
  it("passes the first sighting's mapped files to the comparison of the process's replaced ones", async () => {
    const START = Date.parse('2026-11-20T10:00:00Z');
    const at = START + 30_000;
    const lib = `${SP}/pyarrow/libarrow.so.2600`;
    const sighted = { 'fe:00:2001': [lib, 'aa'] as const };
    const asked: unknown[] = [];
    const installed: Installed = {
      state: 'installed',
      ecosystem: 'python',
      name: 'pyarrow',
      version: '26.0.1',
      how: 'pyarrow-26.0.1.dist-info',
      location: `${SP}/pyarrow-26.0.1.dist-info`,
      changedAt: at,
    };
    const { verdict } = await judgeInstance(
      {
        pid: 4242,
        startTime: START,
        installed,
        firstSeen: { name: 'pyarrow', version: '26.0.1', firstSeenAt: new Date(START).toISOString(), mapped: sighted },
        files: () => [{ path: lib, at }],
        installing: { known: undefined },
        now: at + 60_000,
      },
      {
        readMaps: async () => `7f00-7f10 r-xp 00000000 fe:00 2001 ${lib} (deleted)`,
        fs: noFiles,
        compareReplaced: async (_pid, _text, paths, kept) => {
          asked.push(kept);
          return new Map(paths.map((p) => [p, { check: 'identical' as const, counterpart: p }]));
        },
      },
    );
    assert.deepEqual(asked, [sighted]);
    assert.equal(verdict.state, 'current', JSON.stringify(verdict));
  });
});
