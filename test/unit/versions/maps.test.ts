import { currentHostEnv } from '../../../src/core/base/hostEnv';
import { liveMachine } from '../../../src/core/machine/live';
import * as assert from 'node:assert/strict';
import { parseDeletedMappings, readMaps, replacedWithin } from '../../../src/core/versions/maps';

const MAPS = `55d4c6a00000-55d4c6a2c000 r--p 00000000 08:01 1835012                    /usr/bin/python3.11
7f2b1c000000-7f2b1c021000 rw-p 00000000 00:00 0
7f2b1d200000-7f2b1d3a0000 r-xp 00000000 08:01 2359411                    /v/lib/python3.11/site-packages/chromadb_rust_bindings/chromadb_rust_bindings.abi3.so (deleted)
7f2b1d3a0000-7f2b1d3b0000 r--p 001a0000 08:01 2359411                    /v/lib/python3.11/site-packages/chromadb_rust_bindings/chromadb_rust_bindings.abi3.so (deleted)
7f2b1e000000-7f2b1e100000 r-xp 00000000 08:01 1311234                    /usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)
7f2b1f000000-7f2b1f001000 rw-s 00000000 00:01 4096                       /memfd:pyffi (deleted)
7ffd2a1e0000-7ffd2a201000 rw-p 00000000 00:00 0                          [stack]`;

describe('versions: replaced mapped files (/proc/<pid>/maps)', () => {
  it('lists deleted file mappings once, without anonymous or memfd ones', () => {
    assert.deepEqual(parseDeletedMappings(MAPS), [
      '/v/lib/python3.11/site-packages/chromadb_rust_bindings/chromadb_rust_bindings.abi3.so',
      '/usr/lib/x86_64-linux-gnu/libssl.so.3',
    ]);
  });

  it("keeps only those inside the package's environment", () => {
    assert.deepEqual(replacedWithin(parseDeletedMappings(MAPS), ['/v/lib/python3.11/site-packages']), [
      '/v/lib/python3.11/site-packages/chromadb_rust_bindings/chromadb_rust_bindings.abi3.so',
    ]);
    assert.deepEqual(
      replacedWithin(parseDeletedMappings(MAPS), ['/v/lib/python3.1']),
      [],
      'a prefix of a folder name is not that folder',
    );
  });

  it('reads our own maps on Linux, and nothing elsewhere', async () => {
    const on = (platform: NodeJS.Platform) => liveMachine({ ...currentHostEnv(), platform });
    const own = await readMaps(process.pid, on('linux'));
    if (process.platform === 'linux') assert.match(own ?? '', /\[stack\]|node/);
    assert.equal(await readMaps(process.pid, on('darwin')), undefined);
  });
});
