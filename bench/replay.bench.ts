import type { MachineRecord } from '../src/core/machine/record';
import { recordedMachine } from '../src/core/machine/recorded';
import { Engine, SnapshotRequest } from '../src/core/snapshot/engine';
import { macCapture, windowsCapture } from '../test/fixtures/captures/machines';
import { storedCaptures } from '../test/support/storedCaptures';
import type { BenchReport } from './run';
import { loadNote } from './support';

/**
 * A whole snapshot replayed from a capture (core/capture): the unit layer's cost of taking a user's
 * machine as a test. Each replay is a fresh engine (nothing kept from the last). Target: under 50 ms.
 */
const RUNS = 30;
const TARGET_MS = 50;

async function medianMs(record: MachineRecord, request: SnapshotRequest): Promise<number> {
  const times: number[] = [];
  for (let k = 0; k < RUNS; k++) {
    const t = process.hrtime.bigint();
    await new Engine(recordedMachine(record), { registry: false, docker: false }).snapshot(request);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

export async function run(report: BenchReport): Promise<void> {
  const captures: Array<{ name: string; record: MachineRecord; request: SnapshotRequest }> = [
    macCapture(),
    windowsCapture(),
  ];
  for (const { name, capture } of storedCaptures())
    captures.push({ name, record: capture.machine, request: capture.request });
  for (const c of captures) {
    const ms = await medianMs(c.record, c.request);
    report.figure(`replay of ${c.name} (median of ${RUNS})`, ms, 'ms');
    report.ratio(`replay of ${c.name} / ${TARGET_MS} ms`, ms / TARGET_MS, { max: 1 });
  }
  report.note(loadNote());
}
