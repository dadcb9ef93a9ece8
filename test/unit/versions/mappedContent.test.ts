import { liveFs } from '../../../src/core/machine/liveFs';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { counterpartOf, deletedRegions, distInfoFinder } from '../../../src/core/versions/mappedContent';
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

  it("finds the installed counterpart of pip's stash folder (`~gdemo_dep` for `lgdemo_dep`), and none for a file gone for good", async () => {
    const sp = tempDir();
    const installed = write(path.join(sp, 'lgdemo_dep', 'table.dat'), 'x');
    assert.equal(await counterpartOf(path.join(sp, '~gdemo_dep', 'table.dat'), liveFs), installed);
    assert.equal(await counterpartOf(installed, liveFs), installed);
    assert.equal(await counterpartOf(path.join(sp, '~other', 'table.dat'), liveFs), undefined);
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
      readdir: (p: string) => (reads.push(`list ${p}`), liveFs.readdir(p)),
      readText: (p: string) => (reads.push(`read ${p}`), liveFs.readText(p)),
    };
    const owning = distInfoFinder(counted);
    const owners = await Promise.all([...libs, ...libs].map(owning));
    const pyarrow = path.join(sp, 'pyarrow-26.0.1.dist-info');
    assert.deepEqual(owners, [pyarrow, pyarrow, undefined, pyarrow, pyarrow, undefined]);
    assert.equal(reads.length, new Set(reads).size, reads.join('\n'));
    assert.equal(await owning(path.join(sp, 'numpy', 'c.so')), path.join(sp, 'numpy-2.4.6.dist-info'));
  });
});
