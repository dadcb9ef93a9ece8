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
  async attach(): Promise<void> {
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
});
