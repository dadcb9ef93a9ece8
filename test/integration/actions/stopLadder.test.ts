import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { childTarget, runStopLadder } from '../../../src/core/actions/stopLadder';

describe('stop ladder on an own child handle', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const start = async (script: string) => {
    child = spawn(process.execPath, ['-e', `${script}; console.log('ready')`], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child?.stdout?.once('data', () => resolve()));
    return child;
  };

  it('stdin EOF ends a server that reads it: no signal is sent', async () => {
    const c = await start("process.stdin.resume(); process.stdin.on('end', () => process.exit(0))");
    const target = childTarget(c);
    const signals: string[] = [];
    const r = await runStopLadder(
      [target],
      [
        { kind: 'ask', ask: () => void c.stdin?.end(), waitMs: 10_000 },
        { kind: 'signal', signal: 'SIGTERM', waitMs: 10_000 },
      ],
      { onSignalled: (_t, s) => signals.push(s) },
    );
    assert.deepEqual(r, { outcome: 'stopped', stage: 'ask' });
    assert.deepEqual(signals, []);
    assert.equal(c.exitCode, 0);
  });

  it('a child that ignores TERM is killed after the grace, and the last wait lasts until it is reaped', async () => {
    const c = await start("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)");
    const r = await runStopLadder(
      [childTarget(c)],
      [
        { kind: 'signal', signal: 'SIGTERM', waitMs: 200 },
        { kind: 'signal', signal: 'SIGKILL', waitMs: Infinity },
      ],
    );
    assert.deepEqual(r, { outcome: 'stopped', stage: 'SIGKILL' });
    assert.equal(c.signalCode, 'SIGKILL');
  });

  it('a child that has exited is refused, never signalled', async () => {
    const c = await start('setTimeout(() => {}, 10)');
    await new Promise((resolve) => c.once('exit', resolve));
    const signals: string[] = [];
    const r = await runStopLadder([childTarget(c)], [{ kind: 'signal', signal: 'SIGTERM', waitMs: 100 }], {
      onSignalled: (_t, s) => signals.push(s),
    });
    assert.deepEqual(r, { outcome: 'refused', stage: 'SIGTERM', refusal: 'exited' });
    assert.deepEqual(signals, []);
  });
});
