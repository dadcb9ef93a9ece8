import { liveFs } from '../../../src/core/machine/liveFs';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FirstSeenStore, instanceKey } from '../../../src/core/versions/firstSeen';
import { tempDir } from './layouts';

describe('versions: first-seen store', () => {
  it('persists the first sighting of an instance across loads and never overwrites it', async () => {
    const file = path.join(tempDir(), 'state', 'versions', 'first-seen.json');
    const now = new Date('2026-11-21T10:00:00Z');
    const a = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    a.record(instanceKey(42, 1000), { name: 'p', version: '1.0', firstSeenAt: now.toISOString() }, now);
    a.record(instanceKey(42, 1000), { name: 'p', version: '2.0', firstSeenAt: now.toISOString() }, now);
    await a.save(now);
    const b = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    assert.equal(b.get(instanceKey(42, 1000))?.version, '1.0');
    assert.equal(b.get(instanceKey(42, 2000)), undefined, 'a reused pid with another start time is another instance');
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
  });

  it('reports a garbage file and starts afresh; drops entries unseen for a month', async () => {
    const file = path.join(tempDir(), 'fs.json');
    fs.writeFileSync(file, '{nope');
    const reports: string[] = [];
    const s = await FirstSeenStore.load(file, {
      fs: liveFs,
      platform: process.platform,
      report: (m) => reports.push(m),
    });
    assert.match(reports[0], /not valid JSON/);
    const then = new Date('2026-10-01T00:00:00Z');
    s.record('1@1', { name: 'p', version: '1', firstSeenAt: then.toISOString() }, then);
    await s.save(new Date('2026-11-21T00:00:00Z'));
    assert.equal((await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform })).get('1@1'), undefined);
  });
});

describe('versions: first-seen store writes', () => {
  /** This machine's files, counting the store's reads of its file. */
  function counted() {
    const reads: string[] = [];
    const fs = Object.assign(Object.create(liveFs) as typeof liveFs, {
      readNoFollow: (p: string, max: number) => {
        reads.push(p);
        return liveFs.readNoFollow(p, max);
      },
    });
    return { fs, reads };
  }
  const now = new Date('2026-11-29T12:00:00Z');
  /** A proof's key as mappedContent.ts makes it: the replaced file, its old inode and ranges, then the installed file's identity. */
  const proofKey = (lib: string, installed: string) => `${lib}|fd:01:7|0+4096|${installed}`;

  it('keeps what another writer added since it was read, and reads the file again only then', async () => {
    const file = path.join(tempDir(), 'state', 'versions', 'first-seen.json');
    const c = counted();
    const a = await FirstSeenStore.load(file, { fs: c.fs, platform: process.platform });
    const loaded = c.reads.length;
    a.recordFact('sha256:/a', '1:2:3:4:5', 'da', now);
    await a.save(now);
    a.recordFact('sha256:/b', '1:2:3:4:5', 'db', now);
    await a.save(now);
    assert.equal(c.reads.length, loaded, 'the file as this store wrote it is not read again');
    const other = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    other.recordFact('sha256:/other', '1:2:3:4:5', 'do', now);
    await other.save(now);
    a.recordFact('sha256:/c', '1:2:3:4:5', 'dc', now);
    await a.save(now);
    assert.equal(c.reads.length, loaded + 1, 'the file another writer changed is read to merge');
    const b = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    assert.deepEqual(
      ['/a', '/b', '/c', '/other'].map((f) => b.fact(`sha256:${f}`, now)?.value),
      ['da', 'db', 'dc', 'do'],
    );
  });

  it('does not write when nothing changed', async () => {
    const file = path.join(tempDir(), 'fs.json');
    const a = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    a.recordProof(proofKey('/sp/~andas/a.so', '1:10:5:1:1'), 'identical', now);
    await a.save(now);
    const written = fs.statSync(file);
    a.recordProof(proofKey('/sp/~andas/a.so', '1:10:5:1:1'), 'identical', now);
    assert.equal(a.proof(proofKey('/sp/~andas/a.so', '1:10:5:1:1'), now), 'identical');
    await a.save(now);
    assert.equal(fs.statSync(file).ino, written.ino, 'the same file, not rewritten');
  });

  it('keeps one proof of a replaced file: the one against the file installed at its place last', async () => {
    const file = path.join(tempDir(), 'fs.json');
    const a = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    a.recordProof(proofKey('/sp/~andas/a.so', '1:10:5:1:1'), 'identical', now);
    a.recordProof(proofKey('/sp/~andas/b.so', '1:11:5:1:1'), 'identical', now);
    await a.save(now);
    // Reinstalled again: the same old file, against another installed one.
    const b = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    b.recordProof(proofKey('/sp/~andas/a.so', '1:20:5:2:2'), 'identical', now);
    await b.save(now);
    const c = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    assert.equal(c.proof(proofKey('/sp/~andas/a.so', '1:20:5:2:2'), now), 'identical');
    assert.equal(c.proof(proofKey('/sp/~andas/a.so', '1:10:5:1:1'), now), undefined, 'the earlier proof is gone');
    assert.equal(c.proof(proofKey('/sp/~andas/b.so', '1:11:5:1:1'), now), 'identical', "another file's is kept");
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { proofs: object };
    assert.equal(Object.keys(stored.proofs).length, 2);
  });
});
