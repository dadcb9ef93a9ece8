import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireLock, defaultResourceKey, lockPathFor, processStartTime, readHolder } from '../../../src/core/locks';
import { linuxProcessIdentity, probeProcess } from '../../../src/core/locks/liveness';
import type { AcquireResult, HeldLock } from '../../../src/core/locks';
import { until } from '../../support/poll';
import { bundleContender, makeTempRoot, startContender } from './support/contenders';
import { lockprotoPy, pyEval, pyHold, PyHolder, pyRun, python } from './support/python';

describe('locks: Node and the Python reference implementation share one protocol', function () {
  this.timeout(120_000);
  const identity = { serverName: 'Memory', resourceKey: '/data/memory' };
  let root: string;
  let dir: string;
  let startTime: number;
  const pyHolders: PyHolder[] = [];
  const nodeLocks: HeldLock[] = [];

  before(async () => {
    startTime = await processStartTime();
  });
  beforeEach(() => {
    root = makeTempRoot('lg-xl-');
    dir = path.join(root, 'locks');
  });
  afterEach(async () => {
    for (const h of pyHolders.splice(0)) {
      h.child.kill('SIGKILL');
      await h.exited;
    }
    for (const l of nodeLocks.splice(0)) await l.release();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function nodeAcquire(): Promise<AcquireResult> {
    const result = await acquireLock({
      dir,
      identity,
      record: { pid: process.pid, startTime, command: ['node'], cwd: '/', startedAt: new Date().toISOString() },
    });
    if (result.kind === 'acquired') nodeLocks.push(result.lock);
    return result;
  }

  it('both compute the same lock path for the same identity', async () => {
    const names = ['Memory', 'My Server (prod)', 'Ünïcode 🚀 name', '..hidden', '', 'x'.repeat(50)];
    const fromPython = (await pyEval(
      `[lockproto.lock_path("/l", n, "k/é") for n in ${JSON.stringify(names)}]`,
    )) as string[];
    assert.deepEqual(
      fromPython,
      names.map((n) => lockPathFor('/l', { serverName: n, resourceKey: 'k/é' }, path)),
    );
  });

  it('both write the same default resource key', async () => {
    const args = ['s.js', '--db', 'a b', 'q"uote', 'back\\slash', 'tab\tnew\nline\u001f', 'ünï 🚀', '\u2028'];
    const fromPython = await pyEval(
      `lockproto.default_resource_key("/w", "/usr/bin/node", json.loads(${JSON.stringify(JSON.stringify(args))}))`,
    );
    assert.equal(fromPython, defaultResourceKey({ cwd: '/w', command: '/usr/bin/node', args }));
  });

  it('both compute the identical start time (and Linux boot id and start ticks) for the same process', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pids = [process.pid, child.pid!];
      const fromPython = (await pyEval(`[lockproto.start_time(p) for p in ${JSON.stringify(pids)}]`)) as number[];
      assert.deepEqual(fromPython, await Promise.all(pids.map((p) => processStartTime(p))));
      const linuxFromPython = await pyEval(
        `[lockproto.linux_identity(p) for p in ${JSON.stringify(pids)}] if sys.platform.startswith("linux") else [None, None]`,
      );
      assert.deepEqual(
        linuxFromPython,
        await Promise.all(pids.map(async (p) => (await linuxProcessIdentity(p)) ?? null)),
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('Python holds: Node contends and loses, naming the Python holder', async () => {
    const held = await pyHold(dir, identity.serverName, identity.resourceKey);
    pyHolders.push(held);
    assert.equal(held.first.result, 'acquired');
    const result = await nodeAcquire();
    assert.equal(result.kind, 'held', JSON.stringify(result));
    assert.equal(result.kind === 'held' ? result.holder.pid : 0, held.child.pid);
    const state = await readHolder({ dir, identity });
    assert.equal(state.state, 'live');
  });

  it('both mask credentials in the record they write, and still meet at the lock of the unmasked key', async () => {
    const secretKey = 'postgres://app:hunter2-lockproto@localhost/db';
    const held = await pyHold(dir, identity.serverName, secretKey);
    pyHolders.push(held);
    assert.equal(held.first.result, 'acquired');
    const lpath = lockPathFor(dir, { serverName: identity.serverName, resourceKey: secretKey }, path);
    const written = fs
      .readdirSync(lpath)
      .filter((f) => f.endsWith('.json'))
      .map((f) => fs.readFileSync(path.join(lpath, f), 'utf8'));
    assert.equal(written.length, 1);
    assert.ok(!written[0].includes('hunter2-lockproto'), `the Python record holds the password: ${written[0]}`);
    assert.match(written[0], /postgres:\/\/<redacted>@localhost\/db/);
    const result = await acquireLock({
      dir,
      identity: { serverName: identity.serverName, resourceKey: secretKey },
      record: { pid: process.pid, startTime, command: ['node'], cwd: '/', startedAt: new Date().toISOString() },
    });
    if (result.kind === 'acquired') nodeLocks.push(result.lock);
    assert.equal(result.kind, 'held', JSON.stringify(result));
  });

  it('Node holds: Python contends and loses, naming the Node holder', async () => {
    assert.equal((await nodeAcquire()).kind, 'acquired');
    const { code, out } = await pyRun('try', dir, identity.serverName, identity.resourceKey);
    assert.equal(code, 1, JSON.stringify(out));
    assert.equal(out.result, 'held');
    assert.equal(out.holder?.pid, process.pid);
    const shown = await pyRun('show', dir, identity.serverName, identity.resourceKey);
    assert.equal(shown.out.state, 'live');
  });

  it('Python holder killed with SIGKILL: Node takes over at once', async () => {
    const held = await pyHold(dir, identity.serverName, identity.resourceKey);
    assert.equal(held.first.result, 'acquired');
    held.child.kill('SIGKILL');
    await held.exited;
    const result = await nodeAcquire();
    assert.equal(result.kind, 'acquired', JSON.stringify(result));
    assert.equal(result.kind === 'acquired' ? result.tookOverFrom?.pid : 0, held.child.pid);
  });

  it('Python holder killed but not reaped by its parent (a zombie): Node takes over at once', async () => {
    // `exec sleep` replaces the shell, so the Python process's parent never reaps it.
    const group = spawn(
      'sh',
      [
        '-c',
        `sleep 300 | ${python} '${lockprotoPy}' hold --dir '${dir}' --name '${identity.serverName}' --key '${identity.resourceKey}' & exec sleep 300`,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true,
      },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        group.stdout!.once('data', (d: Buffer) => resolve(d.toString('utf8').split('\n')[0]));
        group.once('exit', () => reject(new Error('the holder group exited early')));
      });
      const pyPid = (JSON.parse(line) as { record: { pid: number } }).record.pid;
      process.kill(pyPid, 'SIGKILL');
      await until(
        'the killed holder to be a zombie',
        async () => (await probeProcess(pyPid)).kind === 'zombie',
        30_000,
      );
      const result = await nodeAcquire();
      assert.equal(result.kind, 'acquired', JSON.stringify(result));
      assert.match(result.kind === 'acquired' ? (result.takeoverReason ?? '') : '', /zombie/);
    } finally {
      process.kill(-group.pid!, 'SIGKILL');
    }
  });

  it('Python refuses a lock directory writable by others, with the reason', async () => {
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chmodSync(dir, 0o777);
    const { code, out } = await pyRun('try', dir, identity.serverName, identity.resourceKey);
    assert.equal(code, 2);
    assert.match(out.message ?? '', /lock directory .* is writable by group or others \(mode 777\)/);
  });

  it('Python supersedes an old garbage record left in a Node lock, and Node then sees Python holding', async () => {
    const lockPath = lockPathFor(dir, identity, path);
    fs.mkdirSync(lockPath, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    const garbage = path.join(lockPath, '4.json');
    fs.writeFileSync(garbage, '{"protocol": 1, "pi');
    fs.utimesSync(garbage, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const held = await pyHold(dir, identity.serverName, identity.resourceKey);
    pyHolders.push(held);
    assert.equal(held.first.result, 'acquired');
    assert.match(held.first.tookOver ?? '', /4\.json the record is not valid JSON/);
    const result = await nodeAcquire();
    assert.equal(result.kind === 'held' ? result.holder.pid : 0, held.child.pid);
    assert.deepEqual(fs.readdirSync(lockPath), ['5.json']);
  });

  it('Node holder killed with SIGKILL: Python takes over', async () => {
    const bundle = await bundleContender(root);
    const contender = await startContender(bundle, dir, identity.serverName, identity.resourceKey);
    try {
      contender.send({ type: 'race', round: 1, at: 0 });
      assert.equal((await contender.next('result')).kind, 'acquired');
    } finally {
      await contender.kill('SIGKILL');
    }
    const { code, out } = await pyRun('try', dir, identity.serverName, identity.resourceKey);
    assert.equal(code, 0, JSON.stringify(out));
    assert.equal(out.tookOver, `pid ${contender.pid} is gone`);
  });
});
