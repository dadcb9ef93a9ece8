import { liveFs } from '../../../src/core/machine/liveFs';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { FileStat, MachineFs } from '../../../src/core/machine/types';
import {
  compareReplaced,
  counterpartOf,
  deletedRegions,
  distInfoFinder,
  RecordedContent,
  unwrittenRegions,
} from '../../../src/core/versions/mappedContent';
import { tempDir, write } from './layouts';

const MAPS = `55d4c6a00000-55d4c6a2c000 r--p 00000000 08:01 1835012                    /usr/bin/python3.11
7f2b1d200000-7f2b1d3a0000 r-xp 00000000 08:01 2359411                    /v/site-packages/chromadb_rust_bindings/bindings.abi3.so (deleted)
7f2b1d3a0000-7f2b1d3b0000 rw-p 001a0000 08:01 2359411                    /v/site-packages/chromadb_rust_bindings/bindings.abi3.so (deleted)
7f2b1f000000-7f2b1f001000 r--s 00000000 00:01 4096                       /v/site-packages/~gdemo_dep/table.dat (deleted)`;

describe('versions: the content of replaced mapped files', () => {
  it('reads every region of each deleted mapping with its range, permissions and file offset', () => {
    const regions = deletedRegions(MAPS);
    assert.deepEqual(
      [...regions.keys()],
      ['/v/site-packages/chromadb_rust_bindings/bindings.abi3.so', '/v/site-packages/~gdemo_dep/table.dat'],
    );
    assert.deepEqual(regions.get('/v/site-packages/chromadb_rust_bindings/bindings.abi3.so'), [
      {
        start: '7f2b1d200000',
        end: '7f2b1d3a0000',
        perms: 'r-xp',
        offset: 0,
        device: '08:01',
        inode: '2359411',
        path: '/v/site-packages/chromadb_rust_bindings/bindings.abi3.so',
      },
      {
        start: '7f2b1d3a0000',
        end: '7f2b1d3b0000',
        perms: 'rw-p',
        offset: 0x1a0000,
        device: '08:01',
        inode: '2359411',
        path: '/v/site-packages/chromadb_rust_bindings/bindings.abi3.so',
      },
    ]);
  });

  it("finds the installed counterpart of pip's stash folder (`~gdemo_dep` for `lgdemo_dep`), the stashed file while it is there, and none for a file gone for good", async () => {
    const sp = tempDir();
    const installed = write(path.join(sp, 'lgdemo_dep', 'table.dat'), 'x');
    assert.equal(await counterpartOf(path.join(sp, '~gdemo_dep', 'table.dat'), liveFs), installed);
    assert.equal(await counterpartOf(installed, liveFs), installed);
    assert.equal(await counterpartOf(path.join(sp, '~other', 'table.dat'), liveFs), undefined);
    // The stash still there (pip at work): the path the maps name is itself a file.
    const stashed = write(path.join(sp, '~gdemo_dep', 'table.dat'), 'x');
    assert.equal(await counterpartOf(stashed, liveFs), stashed);
  });

  it('finds the distribution whose RECORD lists an installed file, reading each folder and RECORD once for all files', async () => {
    const sp = tempDir();
    const libs = ['a.so', 'b.so', 'c.so'].map((f) => write(path.join(sp, 'pyarrow', f), 'x'));
    write(
      path.join(sp, 'pyarrow-26.0.1.dist-info', 'RECORD'),
      'pyarrow/a.so,sha256=x,1\r\npyarrow/b.so,sha256=y,1\r\n',
    );
    write(path.join(sp, 'numpy-2.4.6.dist-info', 'RECORD'), 'numpy/c.so,sha256=z,1\n');
    const reads: string[] = [];
    const counted = {
      readdirSync: (p: string) => (reads.push(`list ${p}`), liveFs.readdirSync(p)),
      readTextSync: (p: string) => (reads.push(`read ${p}`), liveFs.readTextSync(p)),
      statSync: liveFs.statSync,
    };
    const owning = distInfoFinder(counted);
    const owners = await Promise.all([...libs, ...libs].map(owning));
    const pyarrow = path.join(sp, 'pyarrow-26.0.1.dist-info');
    assert.deepEqual(owners, [pyarrow, pyarrow, undefined, pyarrow, pyarrow, undefined]);
    assert.equal(reads.length, new Set(reads).size, reads.join('\n'));
    assert.equal(await owning(path.join(sp, 'numpy', 'c.so')), path.join(sp, 'numpy-2.4.6.dist-info'));
    // The distribution named like the file's top folder is asked first: the others' RECORDs are not read.
    reads.length = 0;
    assert.equal(await distInfoFinder(counted)(libs[0]), pyarrow);
    assert.deepEqual(
      reads.filter((r) => r.startsWith('read')),
      [`read ${path.join(pyarrow, 'RECORD')}`],
    );
  });

  it("compares only the regions a process never wrote: not its writable copies, reserved gaps, or the linker's relocated read-only data", () => {
    // As a running data server maps pyarrow's and numpy's libraries (the RELRO region either ends
    // where the writable segment's file offset starts, or shares its first page).
    const maps = `7f4944a00000-7f4944a4a000 r--p 00000000 fe:00 10031692 /sp/~yarrow/libarrow_substrait.so.2600 (deleted)
7f4944a4a000-7f4944d6d000 r-xp 0004a000 fe:00 10031692 /sp/~yarrow/libarrow_substrait.so.2600 (deleted)
7f4944d6d000-7f4944e20000 r--p 0036d000 fe:00 10031692 /sp/~yarrow/libarrow_substrait.so.2600 (deleted)
7f4944e20000-7f4944e38000 r--p 0041f000 fe:00 10031692 /sp/~yarrow/libarrow_substrait.so.2600 (deleted)
7f4944e38000-7f4944e42000 rw-p 00437000 fe:00 10031692 /sp/~yarrow/libarrow_substrait.so.2600 (deleted)
7f494aa00000-7f494ac89000 r--p 00000000 fe:00 10031700 /sp/~umpy.libs/libscipy_openblas64_.so (deleted)
7f494ac89000-7f494bfca000 r-xp 00288000 fe:00 10031700 /sp/~umpy.libs/libscipy_openblas64_.so (deleted)
7f494bfca000-7f494bfd2000 r--p 015c8000 fe:00 10031700 /sp/~umpy.libs/libscipy_openblas64_.so (deleted)
7f494bfd2000-7f494bfe1000 rw-p 015cf000 fe:00 10031700 /sp/~umpy.libs/libscipy_openblas64_.so (deleted)
7f494bfe8000-7f494bfed000 ---p 015e8000 fe:00 10031700 /sp/~umpy.libs/libscipy_openblas64_.so (deleted)
7f494bfed000-7f494c157000 rw-p 016d2000 fe:00 10031700 /sp/~umpy.libs/libscipy_openblas64_.so (deleted)`;
    const compared = (file: string) => unwrittenRegions(deletedRegions(maps).get(file) ?? []).map((r) => r.offset);
    assert.deepEqual(compared('/sp/~yarrow/libarrow_substrait.so.2600'), [0, 0x4a000, 0x36d000]);
    assert.deepEqual(compared('/sp/~umpy.libs/libscipy_openblas64_.so'), [0, 0x288000]);
  });

  describe('a replaced library known by its RECORDs', () => {
    const LIB = '/sp/pyarrow/libarrow.so.2600';
    // The old library (inode 111, deleted) as the data server maps it; the installed one is inode 222.
    const MAPS_AFTER = `7f00000000-7f00100000 r--p 00000000 fe:00 111 ${LIB} (deleted)
7f00100000-7f00200000 r-xp 00100000 fe:00 111 ${LIB} (deleted)`;
    const OLD = '/proc/42/map_files/7f00000000-7f00100000';

    /** The process's files as a capture answers them; every digest asked is noted (what was read). */
    function captured(digests: Record<string, string>) {
      const read: string[] = [];
      const stats: Record<string, Partial<FileStat>> = {
        [LIB]: { ino: 222, size: 48, ctimeMs: 1000 },
        [OLD]: { ino: 111, size: 48 },
      };
      const statOf = (p: string) =>
        stats[p] ? { kind: 'file', mtimeMs: 0, ctimeMs: 0, size: 0, ino: 0, ...stats[p] } : undefined;
      const fs = {
        stat: async (p: string) => statOf(p),
        statSync: statOf,
        readdir: async () => undefined,
        readdirSync: () => undefined,
        readlink: async () => '/usr/bin/python3.11',
        digest: async (p: string) => (read.push(p), digests[p]),
      } as unknown as MachineFs;
      return { fs, read };
    }
    const check = async (fs: MachineFs, recorded: RecordedContent) =>
      (await compareReplaced(42, MAPS_AFTER, [LIB], fs, undefined, new Map(), recorded)).get(LIB)?.check;
    const installed =
      (sha256: string, ino = 222) =>
      async (f: string) =>
        f === LIB ? { sha256, ino } : undefined;

    it('is identical, neither file read, when its first sighting listed the same SHA-256 for the mapped inode at that path', async () => {
      const { fs, read } = captured({});
      assert.equal(await check(fs, { installed: installed('aa'), sighted: { 'fe:00:111': [LIB, 'aa'] } }), 'identical');
      assert.deepEqual(read, []);
    });

    it('reads the bytes when the RECORDs differ, the first sighting named another path, or the RECORD speaks of another inode', async () => {
      const digests = { [OLD]: 'old', [LIB]: 'new' };
      for (const recorded of [
        { installed: installed('aa'), sighted: { 'fe:00:111': [LIB, 'bb'] as const } },
        { installed: installed('aa'), sighted: { 'fe:00:111': ['/sp/pyarrow/other.so', 'aa'] as const } },
        { installed: installed('aa', 333), sighted: { 'fe:00:111': [LIB, 'aa'] as const } },
      ]) {
        const { fs, read } = captured(digests);
        assert.equal(await check(fs, recorded), 'differs');
        assert.deepEqual(read, [OLD, LIB]);
      }
    });

    it("compares the old file's bytes with the installed one's RECORD, and reads the installed one only when they do not match", async () => {
      const { fs, read } = captured({ [OLD]: 'aa' });
      assert.equal(await check(fs, { installed: installed('aa') }), 'identical');
      assert.deepEqual(read, [OLD]);
      // A RECORD can be wrong: the bytes decide.
      const wrong = captured({ [OLD]: 'cc', [LIB]: 'cc' });
      assert.equal(await check(wrong.fs, { installed: installed('aa') }), 'identical');
      assert.deepEqual(wrong.read, [OLD, LIB]);
    });
  });
});
