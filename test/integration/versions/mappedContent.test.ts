import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineCache } from '../../../src/core/base/engineCache';
import { thisMachine } from '../../../src/core/machine/live';
import { compareReplaced, ContentCheck, CONTENT_PROOFS } from '../../../src/core/versions/mappedContent';
import { FirstSeenStore } from '../../../src/core/versions/firstSeen';
import { machineReaders } from '../../../src/core/versions/instanceReaders';
import type { Machine } from '../../../src/core/machine/types';
import { readMaps, parseDeletedMappings } from '../../../src/core/versions/maps';
import { stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { PYTHON, tempDir } from './support';

/** A real process that maps a data file read-only, as a native extension maps its library. */
const MAPPER = `
import mmap, sys, time
f = open(sys.argv[1], 'rb')
m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
print('mapped', file=sys.stderr, flush=True)
time.sleep(600)
`;

describe('versions (integration): a replaced mapped file compared with the installed one', function () {
  this.timeout(60_000);
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await stopChildren(started.splice(0));
  });
  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  async function mapped(content: string): Promise<{ pid: number; file: string }> {
    const root = tempDir('lg-mapped-');
    const file = path.join(root, 'pkg', 'native.so');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    const script = path.join(root, 'mapper.py');
    fs.writeFileSync(script, MAPPER);
    const child = await startReady(PYTHON, [script, file], { cwd: root, ready: /mapped/ }, started);
    // Replaced as an installer does: a new file renamed over the old path.
    return { pid: child.pid!, file };
  }

  function replace(file: string, content: string): void {
    fs.writeFileSync(`${file}.new`, content);
    fs.renameSync(`${file}.new`, file);
  }

  const machine = thisMachine();
  /** The proofs an engine keeps (the bucket its snapshots share), empty. */
  const engineProofs = () => new EngineCache().bucket<string, ContentCheck>(CONTENT_PROOFS.name, CONTENT_PROOFS);

  async function check(pid: number, file: string): Promise<string | undefined> {
    const maps = (await readMaps(pid, machine)) ?? '';
    assert.deepEqual(
      parseDeletedMappings(maps).filter((f) => f === file),
      [file],
      maps,
    );
    return (await compareReplaced(pid, maps, [file], machine.fs, engineProofs())).get(file)?.check;
  }

  const readable = process.getuid?.() === 0;

  it('identical content reinstalled is "identical"; other content "differs"; where the old bytes cannot be read, "unverified"', async () => {
    const same = await mapped('A'.repeat(10_000));
    replace(same.file, 'A'.repeat(10_000));
    const a = await check(same.pid, same.file);
    const other = await mapped('A'.repeat(10_000));
    replace(other.file, `B${'A'.repeat(9_999)}`);
    const b = await check(other.pid, other.file);
    if (readable) {
      assert.equal(a, 'identical');
      assert.equal(b, 'differs');
    } else {
      // Without CAP_SYS_ADMIN (map_files) the mapped bytes come from /proc/<pid>/mem when ptrace allows it.
      assert.ok(a === 'identical' || a === 'unverified', a);
      assert.ok(b === 'differs' || b === 'unverified', b);
    }
    // A file gone for good has no installed counterpart: what the process mapped is not installed any more.
    const gone = await mapped('C'.repeat(100));
    fs.rmSync(gone.file);
    assert.equal(await check(gone.pid, gone.file), 'differs');
  });

  it('a proof is made once: asked again it is remembered (the old bytes cannot change); a new install is compared afresh', async function () {
    if (!readable) this.skip();
    const big = 3 * 1024 * 1024 + 17; // more than one chunk of the streamed comparison
    const p = await mapped('A'.repeat(big));
    replace(p.file, 'A'.repeat(big));
    const maps = (await readMaps(p.pid, machine)) ?? '';
    // One engine's proofs, asked again and again as its snapshots do.
    const proofs = engineProofs();
    const compare = () => compareReplaced(p.pid, maps, [p.file], machine.fs, proofs);
    assert.equal((await compare()).get(p.file)?.check, 'identical');
    // The process ends: its old bytes are unreadable now, so only a remembered proof can answer.
    await stopChildren(started.splice(0));
    assert.equal((await compare()).get(p.file)?.check, 'identical', 'remembered');
    // Another install at the path (another inode): nothing remembered applies, and nothing can be read.
    replace(p.file, `B${'A'.repeat(big - 1)}`);
    assert.equal((await compare()).get(p.file)?.check, 'unverified');
  });

  it('a proof outlives its engine: the next one (the next one-shot `status`) reads it from the first-seen store and hashes nothing', async () => {
    const p = await mapped('A'.repeat(200_000));
    replace(p.file, 'A'.repeat(200_000));
    const maps = (await readMaps(p.pid, machine)) ?? '';
    const storeFile = path.join(tempDir('lg-proofs-'), 'first-seen.json');
    let digests = 0;
    const counting: Machine = {
      ...machine,
      fs: { ...machine.fs, digest: (file, range) => (digests++, machine.fs.digest(file, range)) },
    };
    /** One run: a fresh engine (its own cache), the store as the file holds it, saved at the end. */
    const oneRun = async () => {
      const store = await FirstSeenStore.load(storeFile, { fs: machine.fs, platform: process.platform });
      const now = new Date();
      const readers = machineReaders(counting, new EngineCache(), machine.host, {
        get: (key) => store.proof(key, now),
        set: (key, check) => check !== 'unverified' && store.recordProof(key, check, now),
      });
      const check = (await readers.compareReplaced(p.pid, maps, [p.file])).get(p.file)?.check;
      await store.save(now);
      return check;
    };
    const first = await oneRun();
    // Without map_files (root) the old bytes come from /proc/<pid>/mem where ptrace allows it, else nothing is proven.
    if (!readable && first === 'unverified') return;
    assert.equal(first, 'identical');
    const hashedFirst = digests;
    assert.ok(hashedFirst > 0, 'the first run hashes the old and the new bytes');
    assert.equal(await oneRun(), 'identical');
    assert.equal(digests, hashedFirst, 'the second run hashed nothing');
    // Installed again (another inode): the kept proof does not apply, and it is compared afresh.
    replace(p.file, 'A'.repeat(200_000));
    assert.equal(await oneRun(), 'identical');
    assert.ok(digests > hashedFirst, 'a new install is hashed');
  });

  it('processes that map the same replaced file share its proof: the old and the new bytes are hashed once for all of them', async () => {
    const p = await mapped('A'.repeat(200_000));
    // A second process mapping the same file, as a server and the data server it started map one library.
    const script = path.join(path.dirname(path.dirname(p.file)), 'mapper.py');
    const other = await startReady(PYTHON, [script, p.file], { cwd: path.dirname(script), ready: /mapped/ }, started);
    replace(p.file, 'A'.repeat(200_000));
    let digests = 0;
    const counting: Machine = {
      ...machine,
      fs: { ...machine.fs, digest: (file, range) => (digests++, machine.fs.digest(file, range)) },
    };
    const readers = machineReaders(counting, new EngineCache(), machine.host);
    const checks = await Promise.all(
      [p.pid, other.pid!].map(async (pid) => {
        const maps = (await readMaps(pid, machine)) ?? '';
        return (await readers.compareReplaced(pid, maps, [p.file])).get(p.file)?.check;
      }),
    );
    if (!readable && checks.includes('unverified')) return;
    assert.deepEqual(checks, ['identical', 'identical']);
    assert.equal(digests, 2, 'the old bytes and the installed file, once');
  });
});
