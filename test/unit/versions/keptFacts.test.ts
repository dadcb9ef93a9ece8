import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { liveFs } from '../../../src/core/machine/liveFs';
import type { FileStat, MachineFs } from '../../../src/core/machine/types';
import { FirstSeenStore } from '../../../src/core/versions/firstSeen';
import type { Listing } from '../../../src/core/versions/installerRecord';
import { FactStore, keptDigests, keptOwners } from '../../../src/core/versions/keptFacts';
import { tempDir } from './layouts';

const AT = Date.parse('2026-11-29T12:00:00Z');
/** Long before the snapshot: a file the installer wrote a minute earlier. */
const SETTLED = AT - 60_000;

type File = FileStat & { content: string };

/** Files as the Machine sees them (their identity set by each test), counting each whole-file read. */
function files(initial: Record<string, Partial<File>>) {
  const table = new Map<string, File>();
  const put = (p: string, f: Partial<File>) =>
    table.set(p, {
      kind: 'file',
      dev: 64768,
      ino: 100 + table.size,
      size: (f.content ?? '').length,
      mtimeMs: SETTLED,
      ctimeMs: SETTLED,
      content: '',
      ...table.get(p),
      ...f,
    });
  for (const [p, f] of Object.entries(initial)) put(p, f);
  const reads: string[] = [];
  const fs: Pick<MachineFs, 'lstatSync' | 'statSync' | 'digest'> = {
    lstatSync: (p) => {
      const f = table.get(p);
      return f && { kind: f.kind, dev: f.dev, ino: f.ino, size: f.size, mtimeMs: f.mtimeMs, ctimeMs: f.ctimeMs };
    },
    statSync: (p) => fs.lstatSync(p),
    digest: async (p, range) => {
      reads.push(range ? `${p}@${range.position}` : p);
      const f = table.get(p);
      return f && `sha(${f.content})`;
    },
  };
  return { fs, put, reads };
}

/** The first-seen store's facts as gathering.ts binds them, kept in memory across "runs". */
function factStore(): FactStore & { kept: Map<string, { sig: string; value: string }> } {
  const kept = new Map<string, { sig: string; value: string }>();
  return { kept, get: (k) => kept.get(k), set: (k, sig, value) => kept.set(k, { sig, value }) };
}

const META = '/v/site-packages/buckaroo-0.15.10.dist-info/METADATA';

describe('versions: facts read from files kept across runs while the files keep their identity', () => {
  it("a settled file's digest is read once, then kept for later runs while its identity holds", async () => {
    const m = files({ [META]: { content: 'Name: buckaroo' } });
    const facts = factStore();
    assert.equal(await keptDigests(m.fs, facts, AT).digest(META), 'sha(Name: buckaroo)');
    assert.equal(await keptDigests(m.fs, facts, AT + 1000).digest(META), 'sha(Name: buckaroo)');
    assert.deepEqual(m.reads, [META], 'the second run reads no byte');
  });

  for (const [field, change] of [
    ['device', { dev: 64769 }],
    ['inode', { ino: 999 }],
    ['size', { size: 15 }],
    ['modification time', { mtimeMs: SETTLED + 1 }],
    ['change time', { ctimeMs: SETTLED + 1 }],
  ] as const) {
    it(`a kept digest proves nothing once the file's ${field} moved: read again, its new content answered`, async () => {
      const m = files({ [META]: { content: 'Name: buckaroo' } });
      const facts = factStore();
      await keptDigests(m.fs, facts, AT).digest(META);
      // Other bytes under the one field that moved: a kept digest would call them the same.
      m.put(META, { content: 'Name: buckarox', ...change });
      assert.equal(await keptDigests(m.fs, facts, AT).digest(META), 'sha(Name: buckarox)');
      assert.deepEqual(m.reads, [META, META]);
    });
  }

  it('keeps nothing of a file changed within the clock resolution of the snapshot, nor of one changed while read', async () => {
    const m = files({ [META]: { content: 'a', ctimeMs: AT - 500 } });
    const facts = factStore();
    await keptDigests(m.fs, facts, AT).digest(META);
    assert.equal(facts.kept.size, 0, 'a file written just before the run may be written again unseen');
    m.put(META, { ctimeMs: SETTLED });
    const racing = { ...m.fs, digest: async (p: string) => (m.put(p, { content: 'b', ctimeMs: AT }), 'sha(a)') };
    assert.equal(await keptDigests(racing, facts, AT).digest(META), 'sha(a)');
    assert.equal(facts.kept.size, 0, 'its identity after the read is not the one before');
  });

  it('passes ranges and what is not a regular file through, unkept; one read per file for a snapshot', async () => {
    const m = files({ [META]: { content: 'x' }, '/proc/1/exe': { kind: 'link' } });
    const facts = factStore();
    const fs = keptDigests(m.fs, facts, AT);
    await fs.digest('/proc/1/mem', { position: 4096, length: 10 });
    await fs.digest('/proc/1/mem', { position: 4096, length: 10 });
    await fs.digest('/proc/1/exe');
    await Promise.all([fs.digest(META), fs.digest(META)]);
    assert.deepEqual(m.reads, ['/proc/1/mem@4096', '/proc/1/mem@4096', '/proc/1/exe', META]);
    assert.deepEqual([...facts.kept.keys()], [`sha256:${META}`]);
  });

  const LIB = '/v/site-packages/pyarrow/libarrow.so.2600';
  const INFO = '/v/site-packages/pyarrow-26.0.1.dist-info';
  const RECORD = `${INFO}/RECORD`;

  /** A finder that reads the RECORD each time it is asked (installerRecord.ts recordFinder, one per run). */
  function finder(m: ReturnType<typeof files>) {
    const asked: string[] = [];
    const find = async (file: string): Promise<Listing | undefined> => {
      asked.push(file);
      const st = m.fs.statSync(RECORD);
      const sig = `${st?.dev}:${st?.ino}:${st?.size}:${st?.mtimeMs}:${st?.ctimeMs}`;
      return { info: INFO, rel: 'pyarrow/libarrow.so.2600', row: 'sha256=x,1', sig };
    };
    return { find, asked };
  }

  it("a replaced library's distribution is looked up once, then kept while its RECORD keeps its identity", async () => {
    const m = files({ [RECORD]: { content: 'rows' } });
    const facts = factStore();
    const f = finder(m);
    assert.equal(await keptOwners(m.fs, f.find, facts, AT)(LIB), INFO);
    assert.equal(await keptOwners(m.fs, f.find, facts, AT)(LIB), INFO);
    assert.deepEqual(f.asked, [LIB], 'the second run stats the RECORD, and neither reads nor searches it');
    for (const change of [{ dev: 1 }, { ino: 7 }, { size: 9 }, { mtimeMs: SETTLED + 1 }, { ctimeMs: SETTLED + 2 }]) {
      m.put(RECORD, change);
      assert.equal(await keptOwners(m.fs, f.find, facts, AT)(LIB), INFO);
    }
    assert.equal(f.asked.length, 6, 'a RECORD rewritten in any way is read again');
  });

  it('keeps no distribution read from a RECORD written just before the run, nor one no RECORD lists', async () => {
    const m = files({ [RECORD]: { content: 'rows', ctimeMs: AT - 100 } });
    const facts = factStore();
    const f = finder(m);
    await keptOwners(m.fs, f.find, facts, AT)(LIB);
    assert.equal(facts.kept.size, 0);
    assert.equal(await keptOwners(m.fs, async () => undefined, facts, AT)('/v/elsewhere.so'), undefined);
    assert.equal(facts.kept.size, 0);
  });
});

describe('versions: the first-seen store keeps facts, bounded', () => {
  it('persists facts with their identity across loads, the most recently used first, at most 4,096', async () => {
    const file = path.join(tempDir(), 'state', 'versions', 'first-seen.json');
    const a = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    const old = new Date('2026-11-20T00:00:00Z');
    for (let i = 0; i < 4100; i++) a.recordFact(`sha256:/f${i}`, `1:${i}:1:1:1`, `d${i}`, old);
    const now = new Date('2026-11-29T00:00:00Z');
    a.recordFact('sha256:/newest', '1:2:3:4:5', 'dn', now);
    await a.save(now);
    const b = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    assert.deepEqual(b.fact('sha256:/newest', now), { sig: '1:2:3:4:5', value: 'dn' });
    const kept = Array.from({ length: 4100 }, (_, i) => b.fact(`sha256:/f${i}`, now)).filter(Boolean);
    assert.equal(kept.length, 4095, 'the bound holds, the newest fact among the kept');
  });

  it('drops facts unseen for a month', async () => {
    const file = path.join(tempDir(), 'fs.json');
    const s = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    s.recordFact('owner:/lib.so', '1:2:3:4:5', '/sp/x-1.dist-info', new Date('2026-10-01T00:00:00Z'));
    await s.save(new Date('2026-11-21T00:00:00Z'));
    const t = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    assert.equal(t.fact('owner:/lib.so', new Date('2026-11-21T00:00:00Z')), undefined);
  });
});
