import { liveMachine, currentHostEnv } from '../../../src/core/machine/live';
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { EngineCache } from '../../../src/core/base/engineCache';
import { deletedRegions } from '../../../src/core/versions/mappedContent';
import { parseRuntime } from '../../../src/core/versions/runtime';
import type { FileStat, Machine } from '../../../src/core/machine/types';
import {
  deletedLines,
  isRuntimeLibrary,
  KEPT_MAPS,
  KeptMaps,
  mappedFolders,
  parseDeletedMappings,
  mappingToken,
  judgedLines,
  readMaps,
  readMapsKept,
  replacedWithin,
} from '../../../src/core/versions/maps';

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

describe('versions: maps kept between snapshots (KEPT_MAPS)', () => {
  const PID = 4242;
  const START = 1_700_000_000_000;
  const NOW = START + 3_600_000;
  const KEPT_TEXT = `55d4c6a00000-55d4c6a2c000 r--p 00000000 08:01 11 /v/bin/python3.11
7f2b1d200000-7f2b1d3a0000 r-xp 00000000 08:01 12 /v/lib/python3.11/site-packages/np/core.so
7f2b1f000000-7f2b1f001000 rw-s 00000000 00:01 4096 /dev/shm/sem.x
7ffd2a1e0000-7ffd2a201000 rw-p 00000000 00:00 0 [stack]`;

  /** A Linux machine whose /proc shows one process; `world` is what a test changes between snapshots. */
  function world() {
    const w = {
      now: NOW,
      maps: KEPT_TEXT,
      vmLib: '12000 kB',
      name: 'python3',
      folders: new Map<string, number>([
        ['/v/bin', START - 60_000],
        ['/v/lib/python3.11/site-packages/np', START - 60_000],
      ]),
      mapsReads: 0,
    };
    const machine = {
      host: { home: '/h', platform: 'linux', env: {} },
      now: () => w.now,
      fs: {
        readText: async (p: string) => {
          if (p === `/proc/${PID}/maps`) {
            w.mapsReads++;
            return w.maps;
          }
          return undefined;
        },
        readTextSync: (p: string) =>
          p === `/proc/${PID}/status` && w.vmLib ? `Name:\t${w.name}\nVmLib:\t${w.vmLib}\n` : undefined,
        statSync: (p: string): FileStat | undefined => {
          const at = w.folders.get(p);
          return at === undefined ? undefined : { kind: 'dir', mtimeMs: at, ctimeMs: at, size: 0, ino: 7 };
        },
      },
    } as unknown as Machine;
    const cache = new EngineCache(() => w.now);
    const read = () => readMapsKept(PID, START, machine, cache.bucket<string, KeptMaps>(KEPT_MAPS.name, KEPT_MAPS));
    return { w, machine, read };
  }

  it('reads the maps once while every folder of a mapped file and the library size stay as they were', async () => {
    const { w, read } = world();
    // Shared memory's folder changes all the time and holds no code: not watched.
    w.folders.set('/dev/shm', NOW);
    for (let i = 0; i < 3; i++) {
      assert.equal(await read(), judgedLines(KEPT_TEXT));
      w.folders.set('/dev/shm', w.now);
    }
    assert.equal(w.mapsReads, 1);
  });

  it('reads them again when a folder of a mapped file changed (a file replaced in it), and keeps the new ones', async () => {
    const { w, read } = world();
    await read();
    w.folders.set('/v/lib/python3.11/site-packages/np', NOW - 10_000);
    w.maps = KEPT_TEXT.replace('core.so', 'core.so (deleted)');
    assert.equal(await read(), judgedLines(w.maps));
    assert.equal(await read(), judgedLines(w.maps));
    assert.equal(w.mapsReads, 2);
  });

  it('reads them again when the process mapped more library code, or a folder is gone', async () => {
    const { w, read } = world();
    await read();
    w.vmLib = '12800 kB';
    await read();
    assert.equal(w.mapsReads, 2);
    w.folders.delete('/v/bin');
    await read();
    assert.equal(w.mapsReads, 3);
  });

  it('keeps nothing read while a folder was changing, nor past five minutes', async () => {
    const { w, read } = world();
    w.folders.set('/v/bin', NOW - 500);
    await read();
    await read();
    assert.equal(w.mapsReads, 2, 'a folder changed within two seconds of the read: read again');
    w.now += 5_000;
    await read();
    await read();
    assert.equal(w.mapsReads, 3);
    w.now += KEPT_MAPS.ttlMs;
    await read();
    assert.equal(w.mapsReads, 4);
  });

  it('reads every time without a start time or a readable VmLib (a process that cannot be told apart)', async () => {
    const { w, machine } = world();
    const cache = new EngineCache(() => w.now);
    const bucket = cache.bucket<string, KeptMaps>(KEPT_MAPS.name, KEPT_MAPS);
    await readMapsKept(PID, undefined, machine, bucket);
    await readMapsKept(PID, undefined, machine, bucket);
    assert.equal(w.mapsReads, 2);
    w.vmLib = '';
    await readMapsKept(PID, START, machine, bucket);
    await readMapsKept(PID, START, machine, bucket);
    assert.equal(w.mapsReads, 4);
  });

  it("keeps the lines a judgement reads: the runtime's own libraries and every deleted mapping (pure)", () => {
    const text = [
      '55d4c6a00000-55d4c6a2c000 r--p 00000000 08:01 11 /usr/bin/python3.12',
      '7f0000000000-7f0000001000 r--p 00000000 08:01 12 /usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0',
      '7f0000001000-7f0000002000 r-xp 00001000 08:01 12 /usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0',
      '7f0000003000-7f0000004000 r-xp 00000000 08:01 13 /usr/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so',
      '7f0000005000-7f0000006000 r-xp 00000000 08:01 14 /v/lib/python3.12/site-packages/np/core.so',
      '7f0000007000-7f0000008000 r-xp 00000000 08:01 15 /v/lib/python3.12/site-packages/pd/lib.so (deleted)',
      '7f0000009000-7f000000a000 r-xp 00000000 08:01 16 /usr/lib/x86_64-linux-gnu/libc.so.6',
      '7ffd2a1e0000-7ffd2a201000 rw-p 00000000 00:00 0 [stack]',
    ].join('\n');
    const kept = judgedLines(text);
    assert.deepEqual(
      kept.split('\n').map((l) => l.slice(l.indexOf(' /') + 1)),
      [
        '/usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0',
        '/usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0',
        '/usr/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so',
        '/v/lib/python3.12/site-packages/pd/lib.so (deleted)',
      ],
    );
    // Whatever reads them finds what it finds in the whole text.
    assert.deepEqual(parseRuntime('/usr/bin/python3.12', kept), parseRuntime('/usr/bin/python3.12', text));
    assert.deepEqual(parseDeletedMappings(kept), parseDeletedMappings(text));
    assert.deepEqual([...deletedRegions(kept)], [...deletedRegions(text)]);
  });

  it('judges a file once for its consecutive regions and answers what judging every line answers (property)', () => {
    const files = [
      '/usr/bin/python3.12',
      '/usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0',
      '/usr/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so',
      '/v/lib/python3.12/site-packages/np/core.so',
      '/v/lib/python3.12/site-packages/pd/lib.so (deleted)',
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
      '/usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)',
      '/memfd:pyffi (deleted)',
      '/dev/zero',
      '',
      '[heap]',
    ];
    // The definitions, line by line: what the kept lines, the folders and the runtime's libraries are.
    const fileOf = (line: string) => (line.indexOf(' /') === -1 ? undefined : line.slice(line.indexOf(' /') + 1));
    const judgedByLine = (text: string) =>
      text
        .split('\n')
        .filter((l) => {
          const f = fileOf(l);
          return f !== undefined && (f.endsWith(' (deleted)') || (f.includes('.so') && isRuntimeLibrary(f)));
        })
        .join('\n');
    const foldersByLine = (text: string) => [
      ...new Set(
        text
          .split('\n')
          .map(fileOf)
          .filter((f): f is string => f !== undefined)
          .map((f) => f.replace(/ \(deleted\)$/, ''))
          .filter((f) => !/^\/(dev\/|memfd:|SYSV|proc\/)/.test(f))
          .map((f) => f.slice(0, Math.max(1, f.lastIndexOf('/')))),
      ),
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ file: fc.integer({ min: 0, max: files.length - 1 }), regions: fc.integer({ min: 1, max: 5 }) }),
          {
            maxLength: 40,
          },
        ),
        (runs) => {
          let address = 0x7f0000000000;
          const lines: string[] = [];
          for (const { file, regions } of runs)
            for (let r = 0; r < regions; r++) {
              const start = (address += 0x1000).toString(16);
              const end = (address + 0x1000).toString(16);
              const name = files[file];
              lines.push(
                `${start}-${end} r-xp 00000000 08:01 ${file} ${name.startsWith('/') ? ' ' : ''}${name}`.trimEnd(),
              );
            }
          const text = lines.join('\n');
          assert.equal(judgedLines(text), judgedByLine(text));
          assert.deepEqual(mappedFolders(text), foldersByLine(text));
          assert.deepEqual(
            parseRuntime('/usr/bin/python3.12', judgedLines(text)),
            parseRuntime('/usr/bin/python3.12', text),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads them again after an exec (another name or executable under the same pid and start)', async () => {
    const { w, read } = world();
    await read();
    w.name = 'node';
    await read();
    assert.equal(w.mapsReads, 2);
  });

  it('finds deleted lines and the folders of mapped files without reading line by line (pure)', () => {
    assert.deepEqual(
      deletedLines(MAPS).map((l) => l.slice(l.indexOf(' /') + 1)),
      [
        '/v/lib/python3.11/site-packages/chromadb_rust_bindings/chromadb_rust_bindings.abi3.so (deleted)',
        '/v/lib/python3.11/site-packages/chromadb_rust_bindings/chromadb_rust_bindings.abi3.so (deleted)',
        '/usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)',
        '/memfd:pyffi (deleted)',
      ],
    );
    assert.deepEqual(deletedLines('a (deleted) b\n'), [], 'only at the end of a line');
    assert.deepEqual(mappedFolders(MAPS), [
      '/usr/bin',
      '/v/lib/python3.11/site-packages/chromadb_rust_bindings',
      '/usr/lib/x86_64-linux-gnu',
    ]);
    assert.equal(mappingToken('Name:\tnode\nVmExe:\t  4 kB\nVmLib:\t   8812 kB\nVmPTE: 1 kB\n'), 'node|4 kB|8812 kB');
    assert.equal(mappingToken('Name:\tnode\n'), undefined, 'no VmLib: nothing to tell a change by');
  });
});
