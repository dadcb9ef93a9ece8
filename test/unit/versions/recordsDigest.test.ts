import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { posix } from 'node:path';
import { liveFs } from '../../../src/core/machine/liveFs';
import { recordsDigest, scriptRecordsReaders } from '../../../src/core/versions/recordsDigest';
import { fingerprint } from '../../../src/core/versions/fingerprint';
import type { Installed } from '../../../src/core/base/versionTypes';
import { tempDir, write } from './layouts';

const RECORD = (code: string, installer: string) =>
  [
    `mcp/__init__.py,sha256=${code},120`,
    'mcp/__pycache__/__init__.cpython-311.pyc,,',
    `mcp-1.30.0.dist-info/INSTALLER,sha256=${installer},4`,
    'mcp-1.30.0.dist-info/METADATA,sha256=meta,900',
    'mcp-1.30.0.dist-info/REQUESTED,sha256=e3b0,0',
    'mcp-1.30.0.dist-info/RECORD,,',
    `../../../bin/mcp,sha256=${installer},230`,
    '',
  ].join('\n');

describe("versions: a script's closure as its distributions' RECORDs hash it", () => {
  it('equal for the same wheels reinstalled by another installer; other for other code; none when a distribution is missing', async () => {
    const sp = tempDir('lg-records-');
    const packages = { mcp: '1.30.0', 'pydantic-core': '2.50.5' };
    write(path.join(sp, 'pydantic_core-2.50.5.dist-info', 'RECORD'), 'pydantic_core/_core.so,sha256=abc,10\n');
    write(path.join(sp, 'mcp-1.30.0.dist-info', 'RECORD'), RECORD('code1', 'pip'));
    const first = await recordsDigest(liveFs, posix, sp, packages);
    assert.match(first ?? '', /^[0-9a-f]{64}$/);
    // uv instead of pip: its own INSTALLER, its launcher, no bytecode rows. The same code.
    write(path.join(sp, 'mcp-1.30.0.dist-info', 'RECORD'), RECORD('code1', 'uv').replace(/^.*\.pyc,,\n/m, ''));
    assert.equal(await recordsDigest(liveFs, posix, sp, packages), first);
    write(path.join(sp, 'mcp-1.30.0.dist-info', 'RECORD'), RECORD('code2', 'pip'));
    assert.notEqual(await recordsDigest(liveFs, posix, sp, packages), first);
    assert.equal(await recordsDigest(liveFs, posix, sp, { ...packages, httpx: '0.28.1' }), undefined);
  });

  it("compares a script's closure with its first sighting only while its own files are untouched: same, other, nothing recorded", async () => {
    const sp = tempDir('lg-records-');
    write(path.join(sp, 'mcp-1.30.0.dist-info', 'RECORD'), RECORD('code1', 'pip'));
    const start = Date.parse('2026-11-20T10:00:00Z');
    const script = (ownAt: number): Installed => ({
      state: 'installed',
      ecosystem: 'python',
      name: 'server.py',
      version: 'mcp 1.30.0',
      how: 'a script',
      location: '/home/me/server.py',
      environment: fingerprint({ mcp: '1.30.0' }),
      changedAt: start + 60_000,
      sitePackages: sp,
      dev: {
        root: '/home/me',
        how: 'a script',
        newest: [{ path: '/home/me/server.py', at: new Date(ownAt).toISOString() }],
        script: true,
      },
    });
    const readers = scriptRecordsReaders(liveFs, posix, undefined);
    const seen = { name: 'server.py', version: 'mcp 1.30.0', firstSeenAt: new Date(start).toISOString() };
    const recordsDigest = await readers.recordsDigest(script(start - 1000));
    assert.ok(recordsDigest);
    assert.equal(
      (await readers.closureContent(script(start - 1000), { ...seen, recordsDigest }, start))?.check,
      'identical',
    );
    assert.equal(
      (await readers.closureContent(script(start - 1000), { ...seen, recordsDigest: 'other' }, start))?.check,
      'differs',
    );
    assert.equal((await readers.closureContent(script(start - 1000), seen, start))?.check, 'unverified');
    assert.equal(await readers.closureContent(script(start + 60_000), { ...seen, recordsDigest }, start), undefined);
  });
});
