import * as assert from 'node:assert/strict';
import type { Instance, Snapshot } from '../../../../src/core/base/model';
import { lifeguardPaths } from '../../../../src/core/base/paths';
import { listLocks } from '../../../../src/core/locks';
import { recordedMachine } from '../../../../src/core/machine/recorded';
import type { Machine } from '../../../../src/core/machine/types';
import { Engine } from '../../../../src/core/snapshot/engine';
import type { RealCapture, WindowsProcess } from '../../../support/realMachines';
import { codexDesktopPools, recycledPids, zcodeAppServer } from '../../../fixtures/captures/real/windowsProofs';

/** The capture replayed through the engine, counting how many times the process query ran. */
async function replayCounting(c: RealCapture): Promise<{ snap: Snapshot; queries: number; machine: Machine }> {
  const inner = recordedMachine(c.record);
  let queries = 0;
  const machine: Machine = {
    ...inner,
    run: (command) => {
      if (command.command === 'powershell.exe') queries++;
      return inner.run(command);
    },
  };
  const snap = await new Engine(machine, { registry: false, docker: false }).snapshot(c.request);
  return { snap, queries, machine };
}

const everyInstance = (s: Snapshot): Instance[] => [...s.servers.flatMap((x) => x.instances), ...s.notConfigured];

/** What a user reads of each process: its pid, memory and CPU time. */
const figures = (instances: readonly Pick<Instance, 'pid' | 'memoryBytes' | 'cpuMs'>[]) =>
  instances.map((i) => [i.pid, i.memoryBytes, i.cpuMs]).sort((a, b) => Number(a[0]) - Number(b[0]));

/** The figures the listing gives: private bytes, and kernel + user time. */
const given = (rows: readonly WindowsProcess[]) =>
  figures(rows.map((r) => ({ pid: r.pid, memoryBytes: r.privateBytes, cpuMs: (r.kernelMs ?? 0) + (r.userMs ?? 0) })));

describe('real Windows machines: the figures and the pid proofs Windows gives', () => {
  it("openai/codex#31499: each copy Codex Desktop's app-server left shows its private bytes and CPU time, from one process query", async () => {
    const c = codexDesktopPools();
    const { snap, queries } = await replayCounting(c);
    assert.deepEqual(figures(everyInstance(snap)), given(c.servers));
    // The oldest copy has worked the most: CPU time tells the sets apart where the command lines cannot.
    assert.deepEqual(
      figures(everyInstance(snap)).map(([, , cpu]) => cpu),
      [8590, 3265, 1890],
    );
    assert.equal(queries, 1, 'the snapshot reads the table once');
  });

  it('noemica-io/open-claude-in-chrome#41: a lock whose guard pid Windows gave to a Python daemon is free; the live guard holds its own', async () => {
    const c = recycledPids();
    const { snap, queries, machine } = await replayCounting(c);
    const locks = await listLocks(lifeguardPaths(machine.host).locks, machine);
    const state = (lockFile: string) => locks.find((l) => lockFile.startsWith(l.lockPath));
    const dead = state(c.deadLock);
    assert.equal(dead?.state, 'dead', 'the daemon holding pid 14452 is not the guard that took the lock');
    assert.match(dead?.state === 'dead' ? dead.reason : '', /pid 14452 is alive but started at .*: the pid was reused/);
    assert.equal(state(c.liveLock)?.state, 'live');
    // Only the server the live guard runs is guarded; the one left by the dead guard is not.
    const guarded = everyInstance(snap).filter((i) => i.lock !== undefined);
    assert.deepEqual(
      guarded.map((i) => i.pid),
      [c.guardedChild.pid],
    );
    assert.ok(everyInstance(snap).some((i) => i.pid === 14460 && i.lock === undefined));
    assert.equal(queries, 1, 'two lock records judged on the table the snapshot read');
  });

  it("zai-org/feedback#25: the copies under ZCode's app-server show their private bytes and CPU time", async () => {
    const c = zcodeAppServer();
    const { snap, queries } = await replayCounting(c);
    assert.deepEqual(figures(everyInstance(snap)), given(c.servers));
    assert.equal(queries, 1);
  });
});
