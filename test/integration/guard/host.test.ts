import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import { GuardHost } from '../../../src/guard/host/host';
import type { GuardLifecycleKind } from '../../../src/guard/host/lifecycle';
import { ServerChild, spawnChild } from '../../../src/guard/host/supervisor';
import type { GuardTransport, HostView } from '../../../src/guard/host/transport';

/**
 * The smallest transport: no client traffic, no handshake to replay (as under a protocol without
 * `initialize`). The host alone decides restarts, crash loops and the end.
 */
class BareTransport implements GuardTransport<ChildProcess> {
  host!: HostView;
  script = 'setInterval(() => {}, 1000)';
  attached = 0;

  bind(host: HostView): void {
    this.host = host;
  }
  spawn(generation: number): ServerChild<ChildProcess> {
    return spawnChild<ChildProcess>(
      { command: process.execPath, args: ['-e', this.script], cwd: process.cwd(), env: process.env },
      generation,
      ['ignore', 'ignore', 'ignore'],
    );
  }
  async attach(_child?: ServerChild<ChildProcess>): Promise<void> {
    this.attached++;
  }
  inFlight(): number {
    return 0;
  }
  async waitIdle(): Promise<boolean> {
    return true;
  }
  childExited(): void {}
  restartsAfterExit(): boolean {
    return true;
  }
  restarted(): void {}
  refuseHeld(): void {}
  finished(): void {}
}

// A transport whose child serves once it says so, and does not when it exits first: a start
// that fails is seen at attach, as a replayed handshake sees it.
class ReadyTransport extends BareTransport {
  readonly spawnedAt: number[] = [];
  readonly failedAt: number[] = [];
  spawn(generation: number): ServerChild<ChildProcess> {
    this.spawnedAt.push(Date.now());
    return spawnChild<ChildProcess>(
      { command: process.execPath, args: ['-e', this.script], cwd: process.cwd(), env: process.env },
      generation,
      ['ignore', 'pipe', 'ignore'],
    );
  }
  async attach(child: ServerChild<ChildProcess>): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      child.proc.stdout!.once('data', () => resolve());
      void child.exited.then(() => {
        this.failedAt.push(Date.now());
        reject(new Error('the server exited before it served'));
      });
    });
  }
}

function newHost(transport: BareTransport, log: string[] = []): { host: GuardHost; states: GuardLifecycleKind[] } {
  const host = new GuardHost(
    {
      serverName: 'bare',
      command: process.execPath,
      log: (l) => log.push(l),
      crashLoop: { windowMs: 60_000, limit: 2 },
      grace: { eofMs: 0, termMs: 2000 },
      drainTimeoutMs: 1000,
    },
    transport,
  );
  const states: GuardLifecycleKind[] = [];
  host.onStateChange((s) => states.push(s.kind));
  return { host, states };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), what);
}

describe('guard host (real child processes, a bare transport)', () => {
  it('restarts a child that exits, stops at the crash-loop limit, and a user restart brings it back', async () => {
    const transport = new BareTransport();
    transport.script = 'process.exit(3)';
    const log: string[] = [];
    const { host, states } = newHost(transport, log);
    await host.start();
    await until('the guard failed', () => host.state.kind === 'failed');
    assert.match(host.status().failure!, /2 times in a row \(last: exit code 3\)/);
    transport.script = 'setInterval(() => {}, 1000)';
    const outcome = await host.restart('test');
    assert.equal(host.state.kind, 'running');
    assert.equal(outcome.childPid, host.child?.proc.pid);
    await host.shutdown('test over');
    // Stopped with SIGTERM (it has no stdin to close): the code a shell reports for that.
    assert.equal(await host.finished, 128 + os.constants.signals.SIGTERM);
    assert.deepEqual(states, [
      'running',
      'restarting',
      'running',
      'failed',
      'restarting',
      'running',
      'closing',
      'exited',
    ]);
    assert.ok(!log.some((l) => l.includes('refused the guard state change')), log.join('\n'));
  });

  it('drains before a restart of a live child and never starts a child once shut down', async () => {
    const transport = new BareTransport();
    const { host, states } = newHost(transport);
    await host.start();
    const first = host.child!.proc.pid;
    const outcome = await host.restart('test');
    assert.notEqual(outcome.childPid, first);
    assert.equal(transport.attached, 2);
    await host.shutdown('test over');
    await host.finished;
    assert.deepEqual(states, ['running', 'draining', 'restarting', 'running', 'closing', 'exited']);
    await assert.rejects(host.restart('too late'), /shutting down/);
    assert.equal(host.child, undefined);
  });

  it('a wake from idle that fails waits before each next try, longer each time, and is down after the tries a start gets', async () => {
    const transport = new ReadyTransport();
    transport.script = 'process.exit(3)';
    const log: string[] = [];
    const host = new GuardHost(
      {
        serverName: 'waker',
        command: process.execPath,
        log: (l) => log.push(l),
        crashLoop: { windowMs: 60_000, limit: 3, backoffMs: 1000 },
        grace: { eofMs: 0, termMs: 2000 },
        drainTimeoutMs: 1000,
        lazyStart: true,
      },
      transport,
    );
    await host.start();
    assert.equal(host.state.kind, 'idle');
    host.noteClientMessage();
    await until('the guard gave up', () => host.state.kind === 'failed');
    assert.equal(transport.spawnedAt.length, 3, 'the three tries of the crash-loop rule, no more');
    // Measured from each failure: what a try costs besides (its stop, its last output read) is not the pause.
    const [, second, third] = transport.spawnedAt;
    const [first, next] = transport.failedAt;
    assert.ok(second - first >= 1000, `the second try waited (${second - first} ms after the first failed)`);
    assert.ok(third - next >= 2000, `the third try waited twice as long (${third - next} ms after the second failed)`);
    assert.match(host.status().failure!, /3 times in a row/);
    assert.ok(
      log.some((l) => /trying again in 1 s/.test(l)),
      log.join('\n'),
    );

    // A shutdown during a pause between tries does not wait for it, and starts nothing more.
    transport.spawnedAt.length = 0;
    const pauses = () => log.filter((l) => /trying again in 1 s/.test(l)).length;
    const before = pauses();
    const restarting = host.restart('again').catch((err: Error) => err);
    await until('a first try failed', () => pauses() > before);
    await host.shutdown('test');
    await restarting;
    assert.equal(transport.spawnedAt.length, 1);
    assert.equal(host.state.kind, 'exited');
  });

  it('a restart into an upgrade that does not start is down with its cause and the way back to what served', async () => {
    const transport = new ReadyTransport();
    transport.script = 'console.log("ready"); setInterval(() => {}, 1000)';
    let installed = '1.0.0';
    const known = () => ({
      state: 'known' as const,
      name: 'bare-server',
      version: installed,
      ecosystem: 'npm' as const,
    });
    const host = new GuardHost(
      {
        serverName: 'bare',
        command: process.execPath,
        log: () => undefined,
        crashLoop: { windowMs: 60_000, limit: 1 },
        grace: { eofMs: 0, termMs: 2000 },
        drainTimeoutMs: 1000,
        probe: { installed: async () => known(), judge: async () => ({}) as never },
      },
      transport,
    );
    await host.start();
    await until('the first version known', () => host.status().runningVersion === 'bare-server 1.0.0');
    installed = '2.0.0';
    transport.script = 'process.exit(3)';
    const refused = await host.restart('upgrade').then(
      () => 'restarted',
      (err: Error) => err.message,
    );
    assert.equal(host.state.kind, 'failed');
    // Who asked hears it, and the record every face reads says it.
    assert.match(refused, /Roll Back \(mcp-lifeguard rollback bare\)/);
    assert.match(
      host.down!.reason,
      /it served with bare-server 1\.0\.0: Roll Back \(mcp-lifeguard rollback bare\) installs that again/,
    );
    assert.deepEqual(host.down!.ranWith?.package, { name: 'bare-server', version: '1.0.0', ecosystem: 'npm' });
    await host.shutdown('test');
  });
});
