import { noFiles } from '../../support/machines';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { EngineCache } from '../../../src/core/base/engineCache';
import type { Installed, RuntimeReplaced } from '../../../src/core/base/versionTypes';
import type { Machine } from '../../../src/core/machine/types';
import { judgeInstance, InstanceFacts, InstanceReaders } from '../../../src/core/versions/instanceEvidence';
import {
  isRuntimeFile,
  oneVersion,
  parseRuntime,
  procLink,
  sightRuntime,
  runtimeEvidence,
  runtimeKind,
  versionCandidates,
} from '../../../src/core/versions/runtime';
import { isRuntimeLibrary } from '../../../src/core/versions/maps';
import type { Compared } from '../../../src/core/versions/mappedContent';

const data = path.join(__dirname, 'data', 'runtime');
const read = (f: string) => fs.readFileSync(path.join(data, f), 'utf8');
const exe = (f: string) => read(f).trim();

/**
 * Stored /proc text of real processes: a node from the npm registry whose binary was replaced by
 * another release; a python of a venv made with --copies (pyenv 3.11.7, libpython shared) whose
 * bin/python was replaced; Debian 12's /usr/bin/python3.11 as it runs, and the same maps with the
 * interpreter and its lib-dynload modules marked deleted, as an apt upgrade leaves them.
 */
describe('versions: a replaced runtime, from /proc/<pid>/exe and maps (stored text)', () => {
  it('a replaced node binary: the executable is replaced, no runtime library (the release binary is static)', () => {
    const s = parseRuntime(exe('node-replaced.exe'), read('node-replaced.maps'));
    assert.deepEqual(s, { kind: 'node', exe: '/opt/node-22/node', exeReplaced: true, libraries: [] });
  });

  it('a venv made with --copies whose bin/python was replaced: its libpython and lib-dynload are the runtime, with the minor', () => {
    const s = parseRuntime(exe('venv-copies-replaced.exe'), read('venv-copies-replaced.maps'));
    assert.equal(s?.kind, 'python');
    assert.equal(s?.exe, '/home/me/app/venv/bin/python');
    assert.equal(s?.exeReplaced, true);
    assert.equal(s?.minor, '3.11');
    assert.deepEqual(s?.libraries.map((l) => [path.basename(l.path), l.deleted]).sort(), [
      ['_json.cpython-311-x86_64-linux-gnu.so', false],
      ['_socket.cpython-311-x86_64-linux-gnu.so', false],
      ['_ssl.cpython-311-x86_64-linux-gnu.so', false],
      ['libpython3.11.so.1.0', false],
    ]);
    assert.match(s!.libraries[0].start, /^[0-9a-f]+$/);
    // The copied interpreter lives inside the venv, a package's root: it is the runtime's file, never the package's.
    assert.ok(isRuntimeFile('/home/me/app/venv/bin/python', s));
    assert.ok(!isRuntimeFile('/home/me/app/venv/lib/python3.11/site-packages/x/_speedups.so', s));
  });

  it('Debian python3.11 as it runs: nothing replaced; after an upgrade, the interpreter and its lib-dynload modules are', () => {
    const now = parseRuntime(exe('debian-python.exe'), read('debian-python.maps'));
    assert.equal(now?.exeReplaced, false);
    assert.equal(now?.minor, '3.11');
    assert.ok(now!.libraries.length >= 2);
    assert.ok(now!.libraries.every((l) => !l.deleted));
    const upgraded = parseRuntime(exe('debian-python-upgraded.exe'), read('debian-python-upgraded.maps'));
    assert.equal(upgraded?.exe, '/usr/bin/python3.11');
    assert.equal(upgraded?.exeReplaced, true);
    assert.deepEqual(
      upgraded!.libraries.filter((l) => l.deleted).map((l) => l.path),
      [
        '/usr/lib/python3.11/lib-dynload/_ctypes.cpython-311-x86_64-linux-gnu.so',
        '/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so',
      ],
    );
  });

  it('only runtimes are looked at: a server that is its own binary is judged as a package', () => {
    assert.equal(parseRuntime('/usr/local/bin/mcp-server-github (deleted)', ''), undefined);
    assert.equal(runtimeKind('/usr/bin/nodejs'), 'node');
    assert.equal(runtimeKind('/usr/bin/python3.12 (deleted)'), 'python');
    assert.equal(runtimeKind('/home/me/.venv/bin/python'), 'python');
    assert.equal(runtimeKind('/usr/bin/bash'), undefined);
  });

  it('runtime libraries: libnode, libpython and the standard library C modules; never a package or libc', () => {
    assert.ok(isRuntimeLibrary('/usr/lib/x86_64-linux-gnu/libnode.so.109'));
    assert.ok(isRuntimeLibrary('/usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0'));
    assert.ok(isRuntimeLibrary('/usr/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so'));
    assert.ok(!isRuntimeLibrary('/srv/.venv/lib/python3.12/site-packages/pydantic_core/_core.so'));
    assert.ok(!isRuntimeLibrary('/usr/lib/python3/dist-packages/yaml/_yaml.cpython-312-x86_64-linux-gnu.so'));
    assert.ok(!isRuntimeLibrary('/usr/lib/x86_64-linux-gnu/libc.so.6'));
  });
});

describe('versions: a runtime version, from its bytes (stored text)', () => {
  const snippets = (JSON.parse(read('version-bytes.json')) as { snippets: Record<string, string[]> }).snippets;

  it("node: the release URLs and the user agent in the binary's bytes", () => {
    for (const s of snippets['node-22.11.0']) assert.deepEqual(versionCandidates('node', s), ['22.11.0']);
  });

  it('python: a NUL-terminated version of the known minor (Debian static, pyenv libpython); without a minor, none', () => {
    assert.deepEqual(versionCandidates('python', snippets['debian-python-3.11.2'][0], '3.11'), ['3.11.2']);
    for (const s of snippets['pyenv-libpython-3.11.7'])
      assert.deepEqual(versionCandidates('python', s, '3.11'), ['3.11.7']);
    assert.deepEqual(versionCandidates('python', snippets['debian-python-3.11.2'][0], '3.12'), []);
    assert.deepEqual(versionCandidates('python', snippets['debian-python-3.11.2'][0]), []);
  });

  it('one version only when every candidate agrees', () => {
    assert.equal(oneVersion(['3.11.7', '3.11.7']), '3.11.7');
    assert.equal(oneVersion(['3.11.7', '3.11.2']), undefined);
    assert.equal(oneVersion([]), undefined);
  });
});

describe('versions: the evidence of a replaced runtime, in words', () => {
  const node = parseRuntime(exe('node-replaced.exe'), read('node-replaced.maps'))!;
  const how = {
    runningHow: 'read from the running executable (/proc/1/exe)',
    installedHow: '/opt/node-22/node --version',
  };

  it('both versions named', () => {
    const e = runtimeEvidence(node, {
      exeReplaced: true,
      libraries: [],
      running: '22.11.0',
      installed: '22.12.0',
      ...how,
    });
    assert.deepEqual(e, {
      state: 'replaced',
      runtime: 'node',
      path: '/opt/node-22/node',
      running: '22.11.0',
      installed: '22.12.0',
      ...how,
      libraries: [],
      summary:
        'runs a replaced node 22.11.0; installed 22.12.0 at /opt/node-22/node: restart it to run what is installed',
    });
  });

  it('unknown, missing, another build of the same version, and libraries only', () => {
    assert.match(
      runtimeEvidence(node, { exeReplaced: true, libraries: [], installed: '22.12.0', ...how }).summary,
      /^runs a replaced node \(version not known\); installed 22\.12\.0/,
    );
    const gone = runtimeEvidence(node, {
      exeReplaced: true,
      libraries: [],
      running: '22.11.0',
      installed: 'missing',
      ...how,
    });
    assert.equal(gone.installed, 'missing');
    assert.match(gone.summary, /nothing is installed at \/opt\/node-22\/node now/);
    const py = parseRuntime(exe('debian-python-upgraded.exe'), read('debian-python-upgraded.maps'))!;
    const same = runtimeEvidence(py, {
      exeReplaced: true,
      libraries: [],
      running: '3.11.2',
      installed: '3.11.2',
      ...how,
    });
    assert.equal(same.runtime, 'python3.11');
    assert.match(same.summary, /installed 3\.11\.2, another build/);
    const libs = runtimeEvidence(py, {
      exeReplaced: false,
      libraries: ['/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so'],
      running: '3.11.2',
      installed: '3.11.4',
      ...how,
    });
    assert.match(
      libs.summary,
      /^runs python3\.11 3\.11\.2 with replaced libraries \(_ssl\.cpython-311-x86_64-linux-gnu\.so\)/,
    );
    assert.equal(runtimeEvidence(node, { exeReplaced: true, libraries: [], ...how }).running, 'unknown');
  });
});

/**
 * Property: a replaced runtime never changes the package's verdict (never a stale of the package):
 * whatever the package's own evidence (files changed after the start or not, a package file of the
 * venv replaced with other, the same or unreadable bytes), judging with the runtime's replaced
 * files in the maps gives the verdict judging without them gives, and the runtime's evidence beside it.
 */
describe('versions: a replaced runtime is not the package (property)', () => {
  const venv = '/home/me/app/venv';
  const sp = `${venv}/lib/python3.11/site-packages`;
  const start = Date.parse('2026-11-20T10:00:00Z');
  const line = (file: string, deleted: boolean) =>
    `7f0000000000-7f0000001000 r--p 00000000 fe:00 12345                      ${file}${deleted ? ' (deleted)' : ''}`;
  const runtime: RuntimeReplaced = {
    state: 'replaced',
    runtime: 'python3.11',
    path: `${venv}/bin/python`,
    running: '3.11.7',
    installed: '3.11.9',
    runningHow: 'r',
    installedHow: 'i',
    libraries: [],
    summary: 'runs a replaced python3.11 3.11.7; installed 3.11.9',
  };

  it('the verdict with and without the runtime replaced is the same', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.constantFrom<Compared['check'] | 'none'>('none', 'differs', 'identical', 'unverified'),
        fc.boolean(),
        fc.boolean(),
        async (changedAfter, packageFile, exeReplaced, libReplaced) => {
          const installed: Installed = {
            state: 'installed',
            ecosystem: 'python',
            name: 'srv',
            version: '1.0.0',
            how: `venv ${venv}`,
            location: `${sp}/srv-1.0.0.dist-info`,
            changedAt: changedAfter ? start + 60_000 : start - 60_000,
          };
          const pkgFile = `${sp}/srv/_native.so`;
          const runtimeLines = [
            line(`${venv}/bin/python`, exeReplaced),
            line(`${venv}/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so`, libReplaced),
          ];
          const pkgLines = packageFile === 'none' ? [] : [line(pkgFile, true)];
          const facts = (): InstanceFacts => ({
            pid: 4242,
            startTime: start,
            installed,
            files: () => (changedAfter ? [{ path: `${sp}/srv-1.0.0.dist-info/RECORD`, at: start + 60_000 }] : []),
            installing: { known: undefined },
            now: start + 120_000,
          });
          const readers = (maps: string, withRuntime: boolean): InstanceReaders => ({
            readMaps: async () => maps,
            fs: noFiles,
            compareReplaced: async (_pid, _text, paths) =>
              new Map(
                paths.map((p) => [p, { check: p === pkgFile && packageFile !== 'none' ? packageFile : 'differs' }]),
              ),
            ...(withRuntime
              ? {
                  sightRuntime: async (_pid, m) =>
                    parseRuntime(`${venv}/bin/python${exeReplaced ? ' (deleted)' : ''}`, await m()),
                  readRuntime: async (_pid, _start, s) =>
                    s.exeReplaced || s.libraries.some((l) => l.deleted) ? runtime : undefined,
                }
              : {}),
          });
          const withIt = await judgeInstance(facts(), readers([...runtimeLines, ...pkgLines].join('\n'), true));
          const without = await judgeInstance(facts(), readers(pkgLines.join('\n'), false));
          assert.deepEqual(withIt.verdict, without.verdict);
          assert.deepEqual(withIt.replaced, without.replaced);
          assert.equal(withIt.runtime !== undefined, exeReplaced || libReplaced);
          assert.equal(without.runtime, undefined);
        },
      ),
    );
  });
});

describe('versions: a link of /proc read synchronously', () => {
  it("is the link's target, and undefined when the process is gone or the link cannot be read (EACCES), never a throw", () => {
    const links: Record<string, string | Error> = {
      '/proc/10/exe': '/usr/bin/node',
      '/proc/11/exe': Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }),
    };
    const fs = {
      readlinkSync: (p: string) => {
        const l = links[p];
        if (l instanceof Error) throw l;
        return l;
      },
    };
    assert.equal(procLink(fs, '/proc/10/exe'), '/usr/bin/node');
    assert.equal(procLink(fs, '/proc/11/exe'), undefined);
    assert.equal(procLink(fs, '/proc/12/exe'), undefined);
  });
});

describe("versions: a process's runtime sighted once while its link and maps stay the same", () => {
  it('the same link and maps give the kept sighting; other maps (a library replaced) a new one that says so', async () => {
    const lib = '7f00-7f10 r-xp 00000000 08:01 1 /usr/lib/libpython3.12.so.1.0';
    const machine = {
      host: { platform: 'linux', home: '/h', env: {} },
      fs: { readlinkSync: () => '/usr/bin/python3.12' },
    } as unknown as Machine;
    const cache = new EngineCache();
    let maps = `${lib}\n`;
    const first = await sightRuntime(10, machine, async () => maps, cache);
    assert.equal(first?.libraries[0]?.deleted, false);
    assert.equal(await sightRuntime(10, machine, async () => maps, cache), first);
    maps = `${lib} (deleted)\n`;
    const after = await sightRuntime(10, machine, async () => maps, cache);
    assert.notEqual(after, first);
    assert.equal(after?.libraries[0]?.deleted, true);
    // Without a cache each look parses afresh, to the same answer.
    assert.deepEqual(await sightRuntime(10, machine, async () => maps), after);
  });
});
