import type { MachineRecord } from '../src/core/machine/record';
import { recordedMachine } from '../src/core/machine/recorded';
import { Engine, SnapshotRequest } from '../src/core/snapshot/engine';
import { macCapture, windowsCapture } from '../test/fixtures/captures/machines';
import { storedCaptures } from '../test/support/storedCaptures';
import type { BenchReport } from './run';
import { loadNote } from './support';

/**
 * A whole snapshot replayed from a capture (core/capture): the unit layer's cost of taking a user's
 * machine as a test, once its code is compiled. Each replay is a fresh engine (nothing kept from the
 * last); the captures take turns. Target: under 50 ms.
 */
const RUNS = 30;
/**
 * Rounds of replays of every capture first, not counted: the first replays compile the code paths
 * they take (a busy Linux capture's first replay takes about three times its steady time, and the
 * next twenty or so come down to it), which a suite of many replays pays once.
 */
const WARM_UP_ROUNDS = 5;
const TARGET_MS = 50;

const replay = (record: MachineRecord, request: SnapshotRequest) =>
  new Engine(recordedMachine(record), { registry: false, docker: false }).snapshot(request);

const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];

export async function run(report: BenchReport): Promise<void> {
  const captures: Array<{ name: string; record: MachineRecord; request: SnapshotRequest }> = [
    macCapture(),
    windowsCapture(),
  ];
  for (const { name, capture } of storedCaptures())
    captures.push({ name, record: capture.machine, request: capture.request });
  for (let round = 0; round < WARM_UP_ROUNDS; round++) for (const c of captures) await replay(c.record, c.request);
  // Round by round, one replay of each capture: a slow stretch of the machine falls on every capture
  // alike instead of on the thirty replays of one.
  const times = captures.map((): number[] => []);
  for (let round = 0; round < RUNS; round++)
    for (const [i, c] of captures.entries()) {
      const t = process.hrtime.bigint();
      await replay(c.record, c.request);
      times[i].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  for (const [i, c] of captures.entries()) {
    const ms = median(times[i]);
    report.figure(`replay of ${c.name} (median of ${RUNS})`, ms, 'ms');
    report.ratio(`replay of ${c.name} / ${TARGET_MS} ms`, ms / TARGET_MS, { max: 1 });
  }
  report.note(loadNote());
}
