import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  acquireLock,
  ensureLockDir,
  listLocks,
  LockDirError,
  lockPathFor,
  processStartTime,
  readHolder,
  UNREADABLE_GRACE_MS,
} from '../../../src/core/locks';
import type { AcquireResult, HeldLock, LockRecord } from '../../../src/core/locks';

describe('locks: acquire, hold, release (one process, real files)', () => {
  let root: string;
  let dir: string;
  let startTime: number;
  const identity = { serverName: 'memory', resourceKey: '/data/memory' };
  const held: HeldLock[] = [];

  before(async () => {
    startTime = await processStartTime();
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-acq-'));
    dir = path.join(root, 'locks');
  });
  afterEach(async () => {
    for (const lock of held.splice(0)) await lock.release();
    fs.rmSync(root, { recursive: true, force: true });
  });

  function ours(): Omit<LockRecord, 'protocol' | 'serverName' | 'resourceKey'> {
    return {
      pid: process.pid,
      startTime,
      command: ['node', 'server.js'],
      cwd: '/w',
      startedAt: new Date().toISOString(),
      holder: 'test',
    };
  }
  async function acquire(): Promise<AcquireResult> {
    const result = await acquireLock({ dir, identity, record: ours() });
    if (result.kind === 'acquired') held.push(result.lock);
    return result;
  }
  function acquired(result: AcquireResult): Extract<AcquireResult, { kind: 'acquired' }> {
    assert.equal(result.kind, 'acquired', JSON.stringify(result));
    return result as Extract<AcquireResult, { kind: 'acquired' }>;
  }
  /** Plants a record as the newest of the lock, as another implementation would have written it. */
  function plant(text: string, ageMs = 0): string {
    const lockPath = lockPathFor(dir, identity, path);
    fs.mkdirSync(lockPath, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    const numbers = fs
      .readdirSync(lockPath)
      .filter((n) => /^\d+\.json$/.test(n))
      .map((n) => Number(n.split('.')[0]));
    const file = path.join(lockPath, `${Math.max(0, ...numbers) + 1}.json`);
    fs.writeFileSync(file, text);
    if (ageMs > 0) fs.utimesSync(file, new Date(Date.now() - ageMs), new Date(Date.now() - ageMs));
    return file;
  }
  function deadRecord(pid: number, start: number): string {
    return JSON.stringify({
      protocol: 1,
      pid,
      startTime: start,
      serverName: identity.serverName,
      resourceKey: identity.resourceKey,
      command: ['x'],
      cwd: '/',
      startedAt: new Date(start).toISOString(),
    });
  }

  it('acquires a free lock, creating a private lock directory, and writes the full record', async () => {
    const { lock } = acquired(await acquire());
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    const holder = await readHolder({ dir, identity });
    assert.equal(holder.state, 'live');
    assert.deepEqual(holder.state === 'live' ? holder.record : undefined, lock.record);
    assert.equal(lock.record.protocol, 1);
    assert.equal(lock.record.serverName, 'memory');
    assert.equal(lock.lockPath, lockPathFor(dir, identity, path));
    // On Linux the record also pins the holder by boot id and start ticks (immune to clock steps).
    assert.equal(typeof lock.record.linux?.startTicks, process.platform === 'linux' ? 'number' : 'undefined');
  });

  it('a second acquisition while the holder lives is refused with the holder', async () => {
    acquired(await acquire());
    const second = await acquire();
    assert.equal(second.kind, 'held');
    assert.equal(second.kind === 'held' ? second.holder.pid : 0, process.pid);
  });

  it('release frees the lock; the next acquisition gets it; release twice is harmless', async () => {
    const { lock } = acquired(await acquire());
    await lock.release();
    await lock.release();
    const state = await readHolder({ dir, identity });
    assert.equal(state.state, 'free');
    acquired(await acquire());
  });

  it('releaseSync frees the lock too (for exit handlers)', async () => {
    const { lock } = acquired(await acquire());
    lock.releaseSync();
    assert.equal((await readHolder({ dir, identity })).state, 'free');
  });

  it('update rewrites the record atomically and keeps the lock', async () => {
    const { lock } = acquired(await acquire());
    await lock.update({
      control: '/tmp/x.sock',
      versions: { package: { name: 'm', version: '1.2.3', ecosystem: 'npm' } },
    });
    const state = await readHolder({ dir, identity });
    assert.equal(state.state === 'live' ? state.record.control : '', '/tmp/x.sock');
    assert.equal(state.state === 'live' ? state.record.versions?.package?.version : '', '1.2.3');
    assert.deepEqual(
      fs.readdirSync(lock.lockPath).filter((n) => n.startsWith('.tmp-')),
      [],
    );
  });

  it('takes over a record whose pid is gone, saying whose and why', async () => {
    plant(deadRecord(2 ** 30, 1));
    const result = acquired(await acquire());
    assert.equal(result.tookOverFrom?.pid, 2 ** 30);
    assert.match(result.takeoverReason ?? '', /pid \d+ is gone/);
  });

  it('takes over a record naming a live pid with a different start time (a reused pid)', async () => {
    plant(deadRecord(process.pid, startTime - 3_600_000));
    const result = acquired(await acquire());
    assert.equal(result.tookOverFrom?.pid, process.pid);
    assert.match(result.takeoverReason ?? '', /the pid was reused/);
  });

  for (const [what, text] of [
    ['an empty', ''],
    ['a torn', deadRecord(1, 1).slice(0, 30)],
    ['a garbage', '\u0000\u0001not json at all'],
  ] as const) {
    it(`${what} record older than the grace time is superseded, naming the file and reason`, async () => {
      const file = plant(text, UNREADABLE_GRACE_MS + 10_000);
      const state = await readHolder({ dir, identity });
      assert.equal(state.state, 'unreadable');
      const result = acquired(await acquire());
      assert.equal(result.tookOverFrom, undefined);
      assert.ok(result.takeoverReason?.startsWith(file), result.takeoverReason);
    });

    it(`${what} record just written is reported, not taken over (it may still be in the making)`, async () => {
      const file = plant(text);
      const result = await acquire();
      assert.equal(result.kind, 'error');
      assert.ok(result.kind === 'error' && result.message.startsWith(file), JSON.stringify(result));
      assert.match(result.kind === 'error' ? result.message : '', /try again/);
    });
  }

  it('reports an error instead of creating a record number readers would not recognise', async () => {
    const lockPath = lockPathFor(dir, identity, path);
    fs.mkdirSync(lockPath, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    fs.writeFileSync(path.join(lockPath, '999999999999999.json'), deadRecord(2 ** 30, 1));
    const result = await acquire();
    assert.equal(result.kind, 'error');
    assert.match(result.kind === 'error' ? result.message : '', /record numbers are used up/);
  });

  it('never follows a record that is a symbolic link', async () => {
    const target = path.join(root, 'elsewhere.json');
    fs.writeFileSync(target, deadRecord(process.pid, startTime)); // would look live if followed
    const lockPath = lockPathFor(dir, identity, path);
    fs.mkdirSync(lockPath, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    fs.symlinkSync(target, path.join(lockPath, '1.json'));
    const state = await readHolder({ dir, identity });
    assert.equal(state.state, 'unreadable');
    assert.match(state.state === 'unreadable' ? state.reason : '', /symbolic link/);
    fs.lutimesSync(path.join(lockPath, '1.json'), new Date(0), new Date(0));
    acquired(await acquire());
    assert.equal(fs.readFileSync(target, 'utf8'), deadRecord(process.pid, startTime)); // untouched
  });

  it('refuses a lock directory that is a symbolic link', async () => {
    const real = path.join(root, 'real');
    fs.mkdirSync(real, { mode: 0o700 });
    fs.symlinkSync(real, dir);
    const result = await acquire();
    assert.equal(result.kind, 'error');
    assert.match(
      result.kind === 'error' ? result.message : '',
      /lock directory .*locks is a symbolic link; refusing to follow it/,
    );
    await assert.rejects(readHolder({ dir, identity }), /symbolic link/);
    assert.deepEqual(fs.readdirSync(real), []);
  });

  it('refuses a lock directory writable by group or others, saying how to fix it', async () => {
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    const result = await acquire();
    assert.equal(result.kind, 'error');
    assert.match(
      result.kind === 'error' ? result.message : '',
      /is writable by group or others \(mode 777\); make it private with: chmod 700/,
    );
    await assert.rejects(listLocks(dir), /writable by group or others/);
  });

  it('ensureLockDir creates a private directory and throws a LockDirError for one it cannot trust', async () => {
    await ensureLockDir(dir);
    assert.equal(fs.lstatSync(dir).mode & 0o777, 0o700);
    fs.chmodSync(dir, 0o775);
    await assert.rejects(
      ensureLockDir(dir),
      (err: unknown) => err instanceof LockDirError && err.dir === dir && /mode 775/.test(err.message),
    );
    const link = path.join(root, 'link');
    fs.symlinkSync(dir, link);
    await assert.rejects(
      ensureLockDir(link),
      (err: unknown) => err instanceof LockDirError && /symbolic link/.test(err.message),
    );
  });

  it("a lock superseded while held is not touched by its old holder's release", async () => {
    const { lock } = acquired(await acquire());
    const lockPath = lockPathFor(dir, identity, path);
    // Someone judged the holder dead (it was frozen, say) and created the next record.
    const next = path.join(lockPath, '2.json');
    fs.writeFileSync(next, deadRecord(process.pid, startTime));
    lock.releaseSync();
    await lock.release();
    assert.equal(fs.readFileSync(next, 'utf8'), deadRecord(process.pid, startTime));
    assert.equal((await readHolder({ dir, identity })).state, 'live');
  });

  it('lists every lock with its state', async () => {
    acquired(await acquire());
    const other = await acquireLock({ dir, identity: { serverName: 'other', resourceKey: 'r' }, record: ours() });
    if (other.kind === 'acquired') await other.lock.release();
    const listed = await listLocks(dir);
    assert.deepEqual(listed.map((l) => [path.basename(l.lockPath).split('-')[0], l.state]).sort(), [
      ['memory', 'live'],
      ['other', 'free'],
    ]);
    assert.deepEqual(await listLocks(path.join(root, 'missing')), []);
  });
});
