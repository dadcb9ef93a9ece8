import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { defaultStopDeps, stopInstance } from '../../../src/core/actions/stop';
import { thisMachine } from '../../../src/core/machine/live';
import { commandHash, ProcessIdentity, readProcessIdentity } from '../../../src/core/pids/identity';

describe('stop on a real process that ignores SIGTERM', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  });

  it('escalates to SIGKILL after the injected grace period', async function () {
    child = spawn(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child?.stdout?.once('data', () => resolve()));
    const id = (await readProcessIdentity(child.pid as number, thisMachine())) as ProcessIdentity;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child?.once('exit', (_c, s) => resolve(s)));
    const r = await stopInstance(
      { pid: id.pid, startTime: id.startTime, commandHash: commandHash(id.commandLine), launcherChain: [] },
      defaultStopDeps(),
      { graceMs: 300 },
    );
    assert.equal(r.outcome, 'stopped', JSON.stringify(r.steps));
    assert.deepEqual(
      r.steps.filter((s) => s.step === 'signal').map((s) => s.step === 'signal' && s.signal),
      ['SIGTERM', 'SIGKILL'],
    );
    assert.equal(await exited, 'SIGKILL');
  });
});
