import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BUILD_INFO_MAGIC,
  findBuildInfo,
  headerOffsets,
  moduleVersion,
  parseBuildInfoAt,
  parseModInfo,
} from '../../../src/core/versions/goBuildInfo';
import { buildInfoOf } from '../../../src/core/versions/goBinary';
import { liveFs } from '../../../src/core/machine/liveFs';
import { makeTempDir as tempDir } from '../../support/temp';
import { fixturesDir } from '../../support/repo';

/**
 * The bytes around the build information of a real binary: `go install example.com/mcpbin@v1.0.0`
 * with go1.26.8 from a local module proxy (test/support/goModule.ts), cut from 48 bytes before its
 * header (a 16-byte aligned file offset) to 16 bytes after its strings.
 */
const REAL = fs.readFileSync(path.join(fixturesDir, 'go', 'mcpbin-v1.0.0.buildinfo.bin'));

const START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** A header as Go >= 1.18 writes it: magic, pointer size, flags, 16 zero bytes, then both strings inline. */
function header(goVersion: string, modInfo: string, flags = 2): Buffer {
  const head = Buffer.alloc(32);
  BUILD_INFO_MAGIC.copy(head);
  head[14] = 8;
  head[15] = flags;
  const mod = modInfo ? Buffer.concat([START, Buffer.from(modInfo), END]) : Buffer.alloc(0);
  const version = Buffer.from(goVersion);
  return Buffer.concat([head, uvarint(version.length), version, uvarint(mod.length), mod]);
}

const MOD = [
  'path\texample.com/srv/cmd/server',
  'mod\texample.com/srv\tv2.3.4\th1:abc=',
  'dep\tgolang.org/x/sys\tv0.20.0\th1:def=',
  'dep\texample.com/lib\tv1.0.0',
  '=>\t../lib\t',
  'build\t-compiler=gc',
  '',
].join('\n');

describe("versions: Go build information read from a binary's bytes", () => {
  it("reads a real binary's header: the Go release, the main package and the main module with its version and sum", () => {
    assert.deepEqual(headerOffsets(REAL), [48]);
    const info = findBuildInfo(REAL);
    assert.ok(info);
    assert.equal(info.goVersion, 'go1.26.8');
    assert.equal(info.path, 'example.com/mcpbin');
    assert.deepEqual(info.main, {
      path: 'example.com/mcpbin',
      version: 'v1.0.0',
      sum: 'h1:t80ow69sXsNVNUwq7U779DmMoNfu31Hs6cD2Zkn54JE=',
    });
    assert.deepEqual(info.deps, []);
    assert.deepEqual(moduleVersion(info), { path: 'example.com/mcpbin', version: 'v1.0.0' });
  });

  it('reads dependencies and a replaced one, and ignores build lines', () => {
    const info = parseBuildInfoAt(header('go1.22.3', MOD), 0);
    assert.ok(info);
    assert.equal(info.path, 'example.com/srv/cmd/server');
    assert.deepEqual(info.main, { path: 'example.com/srv', version: 'v2.3.4', sum: 'h1:abc=' });
    assert.deepEqual(info.deps, [
      { path: 'golang.org/x/sys', version: 'v0.20.0', sum: 'h1:def=' },
      { path: 'example.com/lib', version: 'v1.0.0', replacedBy: { path: '../lib', version: '' } },
    ]);
  });

  it('a varint length longer than one byte (module information over 127 bytes)', () => {
    const long = `${MOD}${'build\tX=' + 'y'.repeat(300)}\n`;
    assert.ok(uvarint(Buffer.byteLength(long) + 32).length > 1);
    assert.equal(parseBuildInfoAt(header('go1.22.3', long), 0)?.main?.version, 'v2.3.4');
  });

  it('a binary built in its own folder says (devel): no version of the module', () => {
    const info = parseBuildInfoAt(header('go1.22.3', 'path\texample.com/srv\nmod\texample.com/srv\t(devel)\t\n'), 0);
    assert.equal(info?.main?.version, '(devel)');
    assert.equal(moduleVersion(info), undefined);
  });

  it('a binary built outside module mode has a Go release and no module', () => {
    const info = parseBuildInfoAt(header('go1.22.3', ''), 0);
    assert.deepEqual(info, { goVersion: 'go1.22.3', deps: [] });
    assert.equal(moduleVersion(info), undefined);
  });

  it('reads nothing it cannot trust: the old pointer layout, a cut header, a length past the end, unframed text', () => {
    assert.equal(parseBuildInfoAt(header('go1.17', MOD, 0), 0), undefined);
    const whole = header('go1.22.3', MOD);
    assert.equal(parseBuildInfoAt(whole.subarray(0, 40), 0), undefined);
    assert.equal(parseBuildInfoAt(whole.subarray(0, whole.length - 1), 0), undefined);
    const head = whole.subarray(0, 32);
    const unframed = Buffer.concat([head, uvarint(8), Buffer.from('go1.22.3'), uvarint(MOD.length), Buffer.from(MOD)]);
    assert.equal(parseBuildInfoAt(unframed, 0)?.main, undefined);
    // Not a Go release where the version should be.
    assert.equal(parseBuildInfoAt(header('1.22.3', MOD), 0), undefined);
  });

  it('takes the magic only at a 16-byte aligned offset of the file, and the first header that parses', () => {
    const real = header('go1.22.3', MOD);
    // The magic as a string constant in a program's data (debug/buildinfo has one), unaligned, then a broken aligned one.
    const literal = Buffer.concat([Buffer.alloc(3), BUILD_INFO_MAGIC, Buffer.alloc(15)]);
    const broken = Buffer.concat([BUILD_INFO_MAGIC, Buffer.alloc(18)]);
    const bytes = Buffer.concat([literal, broken, Buffer.alloc(32 - (broken.length % 16)), real]);
    assert.equal(bytes.length % 16, real.length % 16);
    const offsets = headerOffsets(bytes);
    assert.ok(!offsets.includes(3));
    assert.equal(findBuildInfo(bytes)?.main?.version, 'v2.3.4');
    // A piece of a file: alignment counts from the file's start.
    assert.deepEqual(headerOffsets(REAL.subarray(8), 8), [40]);
    assert.deepEqual(headerOffsets(REAL.subarray(8), 0), []);
  });

  it('parseModInfo keeps the last path and module', () => {
    assert.deepEqual(parseModInfo('path\ta\nmod\ta\tv1.0.0\n'), {
      path: 'a',
      deps: [],
      main: { path: 'a', version: 'v1.0.0' },
    });
  });

  it('finds the header in a file the Machine searches a chunk at a time: across a chunk, in a later one, none', async () => {
    const MB = 1024 * 1024;
    const dir = tempDir('go-bin');
    const fileWith = (at: number, size: number) => {
      const bytes = Buffer.alloc(size, 0x90);
      header('go1.22.3', MOD).copy(bytes, at);
      const file = path.join(dir, `bin-${at}-${size}`);
      fs.writeFileSync(file, bytes);
      return file;
    };
    // The magic straddles the end of the first 1 MiB chunk; then a header well inside the third.
    assert.equal((await buildInfoOf(liveFs, fileWith(MB - 16, 3 * MB)))?.main?.version, 'v2.3.4');
    assert.equal((await buildInfoOf(liveFs, fileWith(2 * MB + 4096, 3 * MB)))?.main?.version, 'v2.3.4');
    // Unaligned: not a header.
    assert.equal(await buildInfoOf(liveFs, fileWith(MB + 8, 3 * MB)), undefined);
    // Past the search limit: not read.
    assert.equal(await buildInfoOf(liveFs, fileWith(2 * MB, 3 * MB), 2 * MB), undefined);
    assert.equal(await buildInfoOf(liveFs, path.join(dir, 'missing')), undefined);
  });
});
