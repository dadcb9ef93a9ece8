import * as assert from 'node:assert/strict';
import type { Instance, Snapshot } from '../../src/core/base/model';
import { recordedMachine } from '../../src/core/machine/recorded';
import { Engine } from '../../src/core/snapshot/engine';
import type { DescribedCapture } from './realMachines';

/**
 * A capture replayed through the engine `status` uses (no registry, no docker): the snapshot it
 * gives, and what it asked of the machine that the record does not answer.
 */
export async function replayCapture(c: DescribedCapture): Promise<{ snap: Snapshot; misses: string[] }> {
  const misses: string[] = [];
  const snap = await new Engine(recordedMachine(c.record, { onMiss: (m) => misses.push(m) }), {
    registry: false,
    docker: false,
  }).snapshot(c.request);
  return { snap, misses };
}

/** The instances of one entry: its name, in one client's config. */
export const instancesOf = (s: Snapshot, name: string, client: string): Instance[] =>
  s.servers.find((x) => x.name === name && x.source.client === client)?.instances ?? [];

/**
 * Each capture replays without reading /proc (what only Linux has: a macOS or Windows capture that
 * asks for it is judged as Linux), lists servers, and every instance has its CPU time.
 */
export async function assertReplaysWithCpuTime(captures: readonly DescribedCapture[]): Promise<void> {
  for (const c of captures) {
    const { snap, misses } = await replayCapture(c);
    assert.deepEqual(
      misses.filter((m) => m.includes('/proc/')),
      [],
      c.name,
    );
    const all = snap.servers.flatMap((s) => s.instances);
    assert.ok(all.length > 0, c.name);
    for (const i of all) assert.ok(typeof i.cpuMs === 'number' && i.cpuMs > 0, `${c.name}: ${i.pid}`);
  }
}
