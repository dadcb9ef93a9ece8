import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { locksCommand } from '../../../src/cli/commands/locks';
import { CliIo } from '../../../src/cli/io';
import { acquireLock, lockPathFor, processStartTime } from '../../../src/core/locks';
import type { HeldLock } from '../../../src/core/locks';

describe('locks: mcp-lifeguard locks', () => {
  let home: string;
  let dir: string;
  let out: string;
  let err: string;
  const held: HeldLock[] = [];

  beforeEach(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-cli-'));
    dir = path.join(home, 'locks');
    out = '';
    err = '';
    const startTime = await processStartTime();
    const live = await acquireLock({
      dir,
      identity: {
        serverName: 'memory',
        resourceKey: JSON.stringify(['/w', '/usr/bin/node', 'server.js', '--api-key', 'hunter2-secret']),
      },
      record: {
        pid: process.pid,
        startTime,
        command: ['/usr/bin/node', 'server.js', '--api-key', 'hunter2-secret'],
        cwd: '/w',
        startedAt: '2026-11-21T10:00:00.000Z',
        holder: 'test 1.0',
        control: '/tmp/c.sock',
      },
    });
    assert.equal(live.kind, 'acquired');
    if (live.kind === 'acquired') held.push(live.lock);
    // A holder that died without releasing.
    const deadLock = lockPathFor(dir, { serverName: 'notes', resourceKey: '/data/notes' }, path);
    fs.mkdirSync(deadLock, { mode: 0o700 });
    fs.writeFileSync(
      path.join(deadLock, '3.json'),
      JSON.stringify({
        protocol: 1,
        pid: 2 ** 30,
        startTime: 5,
        serverName: 'notes',
        resourceKey: '/data/notes',
        command: ['notes'],
        cwd: '/',
        startedAt: '2026-11-20T09:00:00.000Z',
      }),
    );
  });
  afterEach(async () => {
    for (const l of held.splice(0)) await l.release();
    fs.rmSync(home, { recursive: true, force: true });
  });

  function io(): CliIo {
    return {
      stdout: (s) => (out += s),
      stderr: (s) => (err += s),
      env: { ...process.env, MCP_LIFEGUARD_HOME: home },
      cwd: home,
    };
  }

  it('prints a table of locks with live/dead state, secrets masked', async () => {
    assert.equal(await locksCommand([], io()), 0);
    const lines = out.split('\n');
    assert.match(lines[0], /^SERVER\s+STATE\s+PID\s+STARTED\s+RESOURCE\s+NOTE$/);
    assert.match(
      out,
      new RegExp(
        `^memory\\s+live\\s+${process.pid}\\s+2026-11-21T10:00:00.000Z\\s+.*test 1.0, control /tmp/c.sock$`,
        'm',
      ),
    );
    assert.match(out, /^notes\s+dead\s+1073741824\s+.*pid 1073741824 is gone$/m);
    assert.match(out, new RegExp(`Lock directory: ${dir}`));
    assert.doesNotMatch(out, /hunter2/);
  });

  it('--json prints every lock with its state, versioned, secrets masked', async () => {
    assert.equal(await locksCommand(['--json'], io()), 0);
    const parsed = JSON.parse(out) as {
      schema: number;
      dir: string;
      locks: Array<{ state: string; record?: { pid: number; command: string[] } }>;
    };
    assert.equal(parsed.schema, 1);
    assert.equal(parsed.dir, dir);
    assert.deepEqual(parsed.locks.map((l) => [l.state, l.record?.pid]).sort(), [
      ['dead', 2 ** 30],
      ['live', process.pid],
    ]);
    assert.doesNotMatch(out, /hunter2/);
    assert.ok(parsed.locks.some((l) => l.record?.command.includes('<redacted>')));
  });

  it('refuses a lock directory writable by others, with the reason, exit 1', async () => {
    fs.chmodSync(dir, 0o777);
    assert.equal(await locksCommand([], io()), 1);
    assert.match(err, /lock directory .* is writable by group or others/);
  });

  it('says so when there are no locks', async () => {
    assert.equal(await locksCommand(['--dir', path.join(home, 'none')], io()), 0);
    assert.match(out, /^No locks in /);
  });
});
