import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock, HeldLock, processStartTime } from '../../../src/core/locks';
import { acquireGuardLock } from '../../../src/guard/conflict';

describe('guard: a refused start names the holder, its lock and the resource', () => {
  let dir: string;
  let held: HeldLock | undefined;
  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lg-conflict-')), 'locks');
  });
  afterEach(async () => {
    await held?.release();
    held = undefined;
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('one line with the pid, the lock path and the resource the record holds', async () => {
    const identity = { serverName: 'mempalace', resourceKey: '/home/u/.mempalace/palace' };
    const record = {
      pid: process.pid,
      startTime: await processStartTime(),
      command: ['mempalace-mcp'],
      cwd: '/',
      startedAt: new Date().toISOString(),
    };
    const first = await acquireLock({ dir, identity, record });
    assert.equal(first.kind, 'acquired');
    if (first.kind === 'acquired') held = first.lock;
    const r = await acquireGuardLock({
      dir,
      identity,
      record,
      onConflict: 'refuse',
      timeoutMs: 1000,
      log: () => undefined,
    });
    assert.equal(r.kind, 'refused');
    const message = r.kind === 'refused' ? r.message : '';
    assert.doesNotMatch(message, /\n/);
    assert.match(
      message,
      new RegExp(
        `^mempalace is already running under pid ${process.pid} \\(lock ${dir}/mempalace-[0-9a-f]{16}\\.lock\\) for resource /home/u/\\.mempalace/palace; not starting a second instance`,
      ),
    );
  });
});
