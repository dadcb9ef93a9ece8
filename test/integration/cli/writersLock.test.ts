import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { takeWritersLock, writersLockFor } from '../../../src/core/configEdit/writersLock';
import { runCli, tempHome } from '../guard/support';
import { killAndWait } from '../../support/liveness';
import { until } from '../../support/poll';

const SERVER = '/opt/lg-writers-lock/server';

/**
 * Copilot CLI's writers' lock, as Copilot CLI 1.0.102 keeps it (seen with strace): an empty
 * `.mcp-writer.lock` beside `~/.copilot/mcp-config.json`, on which it takes flock(LOCK_SH) to read
 * the config and flock(LOCK_EX) to rewrite it (temp file + rename), retrying for about 5 s. Here
 * `flock(1)` holds it as Copilot would while it reads; `wrap --yes` waits for it, and writes only
 * once it holds the lock itself.
 */
describe("CLI: wrap --yes honours Copilot CLI's writers' lock (built CLI, a real flock holder)", function () {
  this.timeout(120_000);
  let home: string;
  let config: string;
  let lock: string;
  const holders: ChildProcess[] = [];

  before(function () {
    if (process.platform !== 'linux') this.skip(); // flock(1) is util-linux
  });

  beforeEach(() => {
    home = tempHome();
    const folder = path.join(home, '.copilot');
    fs.mkdirSync(folder, { mode: 0o700 });
    config = path.join(folder, 'mcp-config.json');
    fs.writeFileSync(
      config,
      `${JSON.stringify({ mcpServers: { mem: { command: SERVER, args: ['--x'], tools: ['*'] } } }, null, 2)}\n`,
      { mode: 0o600 },
    );
    lock = path.join(folder, '.mcp-writer.lock');
    fs.writeFileSync(lock, '', { mode: 0o600 });
  });

  afterEach(async () => {
    for (const h of holders.splice(0)) await killAndWait(h.pid);
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** `flock --shared LOCK sleep SECONDS`: Copilot reading its config for that long. */
  async function holdShared(seconds: number): Promise<ChildProcess> {
    const holder = spawn('flock', ['--shared', lock, 'sh', '-c', `echo held; exec sleep ${seconds}`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    holders.push(holder);
    let out = '';
    holder.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await until('the lock to be held', () => out.includes('held'), 10_000, 10);
    return holder;
  }

  it('while Copilot holds its lock past 5 s: nothing is written, and the lock is named', async () => {
    const before = fs.readFileSync(config, 'utf8');
    await holdShared(30);
    const started = Date.now();
    const r = await runCli(home, ['wrap', 'mem', '--yes', '--install-guard']);
    const waited = Date.now() - started;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /NOT WRITTEN .*mcp-config\.json \(Copilot CLI\): Copilot CLI is writing it \(its writers' lock .*\.mcp-writer\.lock stayed held for 5 s\); nothing was written/,
    );
    assert.ok(waited >= 4500, `waited ${waited} ms for the lock`);
    assert.equal(fs.readFileSync(config, 'utf8'), before);
    assert.deepEqual(fs.readdirSync(path.dirname(config)).sort(), ['.mcp-writer.lock', 'mcp-config.json']);
  });

  it('once Copilot lets go of it, the wrap writes', async () => {
    const holder = await holdShared(1);
    const wrap = runCli(home, ['wrap', 'mem', '--yes', '--install-guard']);
    await new Promise((resolve) => holder.once('exit', resolve));
    const r = await wrap;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const entry = (
      JSON.parse(fs.readFileSync(config, 'utf8')) as { mcpServers: { mem: { command: string; args: string[] } } }
    ).mcpServers.mem;
    // The guard's lock keyed by the server's identity (it names no data), never by a folder.
    assert.deepEqual(
      entry.args.map((a) => a.replace(/^--resource=stdio:[0-9a-f]{16}$/, '--resource=KEY')),
      ['run', '--home', home, '--name', 'mem', '--resource=KEY', '--', SERVER, '--x'],
    );
    // Free again after the wrap: Copilot (here flock -n) takes it at once.
    assert.equal(await tryLock('--shared'), 0);
  });

  /** Whether Copilot could take the lock now (flock -n): 0 when it could, 1 when it is held. */
  async function tryLock(kind: '--shared' | '--exclusive'): Promise<number | null> {
    const probe = spawn('flock', ['--nonblock', kind, lock, 'true']);
    return new Promise((resolve) => probe.once('exit', resolve));
  }

  it('the writer holds it exclusively while it checks and replaces the file: Copilot can neither read nor write meanwhile', async () => {
    const found = await writersLockFor(config);
    assert.deepEqual(found, { file: lock, client: 'Copilot CLI' });
    const held = await takeWritersLock(found!);
    assert.ok(typeof held !== 'string', String(held));
    try {
      assert.equal(await tryLock('--shared'), 1, 'a reader is kept out');
      assert.equal(await tryLock('--exclusive'), 1, 'a writer is kept out');
    } finally {
      await held.release();
    }
    assert.equal(await tryLock('--exclusive'), 0, 'released');
    // No lock file (Copilot never wrote its config yet): nothing to agree with, none is created.
    fs.rmSync(lock);
    assert.equal(await writersLockFor(config), undefined);
    assert.deepEqual(fs.readdirSync(path.dirname(config)), ['mcp-config.json']);
  });
});
