import type { Capture } from '../../src/core/capture/capture';
import { replayCapture } from '../../src/core/capture/capture';
import type { FsRecord, MachineRecord } from '../../src/core/machine/record';

/**
 * A capture taken by a test, made into a fixture for the unit layer: only the processes the test
 * started are kept (the machine's others, the test runner's own among them, are no part of it), and
 * the checkout's own path is written as a neutral one, consistently in every path and text, so the
 * record answers alike. Its snapshot is taken again from what is kept: the unit layer replays the
 * fixture and holds it to that.
 */
export async function fixtureOf(
  capture: Capture,
  keep: ReadonlySet<number>,
  rename: Record<string, string>,
): Promise<Capture> {
  const kept = (path: string): boolean => {
    const m = /^\/proc\/(\d+)(\/|$)/.exec(path);
    return !m || keep.has(Number(m[1]));
  };
  const fs: Partial<FsRecord> = {};
  for (const [op, table] of Object.entries(capture.machine.fs) as Array<[keyof FsRecord, Record<string, unknown>]>)
    (fs as Record<string, Record<string, unknown>>)[op] = Object.fromEntries(
      Object.entries(table).filter(([p]) => kept(p)),
    );
  const proc = fs.readdir?.['/proc'];
  if (Array.isArray(proc)) fs.readdir!['/proc'] = proc.filter((n) => !/^\d+$/.test(n) || keep.has(Number(n)));
  let machine: MachineRecord = {
    ...capture.machine,
    fs: fs as FsRecord,
    pids: Object.fromEntries(Object.entries(capture.machine.pids).filter(([pid]) => keep.has(Number(pid)))),
  };
  let text = JSON.stringify(machine);
  for (const [from, to] of Object.entries(rename)) text = text.split(from).join(to);
  machine = JSON.parse(text) as MachineRecord;
  const request = JSON.parse(
    Object.entries(rename).reduce((t, [from, to]) => t.split(from).join(to), JSON.stringify(capture.request)),
  ) as Capture['request'];
  const fixture: Capture = { ...capture, request, machine };
  return { ...fixture, snapshot: await replayCapture(fixture) };
}
