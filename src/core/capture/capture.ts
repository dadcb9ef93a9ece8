import type { HostEnv } from '../base/hostEnv';
import type { Snapshot } from '../base/model';
import { LIFEGUARD_VERSION } from '../base/version';
import type { MachineRecord } from '../machine/record';
import { recordedMachine } from '../machine/recorded';
import { recordingMachine } from '../machine/recording';
import type { Machine } from '../machine/types';
import { Engine, engineMachine, EngineOptions, SnapshotRequest } from '../snapshot/engine';
import { scanSources } from '../sources/scan';
import { redactRecord } from './redactRecord';

/**
 * A capture: what one snapshot read of a machine, redacted (redactRecord.ts), with the snapshot it
 * gave. `mcp-lifeguard capture` writes one; `status --replay FILE` takes the snapshot again from it
 * on any machine, so a user's machine (macOS and Windows included) becomes a test and a bench input.
 */
export interface Capture {
  format: 'mcp-lifeguard-capture';
  version: 1;
  generator: { name: 'mcp-lifeguard'; version: string };
  takenAt: string;
  /** What the snapshot looked at. */
  request: SnapshotRequest;
  /** How the engine worked: whether registry answers and docker were asked (a replay does as the capture did). */
  engine: { registry: boolean; docker: boolean };
  /** Every answer the machine gave, redacted. */
  machine: MachineRecord;
  /** The snapshot the capturing run took (a replay gives it again). */
  snapshot: Snapshot;
}

export const CAPTURE_FORMAT = 'mcp-lifeguard-capture';

/** Takes a snapshot of `machine` (this machine by default) and keeps every answer it read. */
export async function takeCapture(o: {
  host: HostEnv;
  request: SnapshotRequest;
  engine?: Pick<EngineOptions, 'registry' | 'docker' | 'log'>;
  machine?: Machine;
}): Promise<Capture> {
  const recording = recordingMachine(o.machine ?? engineMachine(o.host));
  // Its own engine, so every answer is read afresh (nothing from an earlier snapshot's cache).
  const snapshot = await new Engine(recording.machine, { ...o.engine, keepParsedConfigs: false }).snapshot(o.request);
  const raw = recording.record();
  // The secrets the scan saw, read again from the record: what must not leave with it.
  const scan = await scanSources({
    host: o.host,
    fs: recordedMachine(raw).fs,
    workspaceFolders: o.request.workspaceFolders,
    workspaceFiles: o.request.workspaceFiles,
  });
  const configFiles = new Set(scan.files.filter((f) => f.state === 'read').map((f) => f.file));
  const declaredKeys = new Set(scan.servers.flatMap((s) => s.envKeys ?? []));
  const headerKeys = new Set(scan.servers.flatMap((s) => s.headerKeys ?? []));
  return {
    format: CAPTURE_FORMAT,
    version: 1,
    generator: { name: 'mcp-lifeguard', version: LIFEGUARD_VERSION },
    takenAt: snapshot.takenAt,
    request: o.request,
    engine: { registry: o.engine?.registry !== false, docker: o.engine?.docker !== false },
    machine: redactRecord(raw, { secrets: scan.secrets, declaredKeys, headerKeys, configFiles }),
    snapshot,
  };
}

/** A capture read back: a clear message naming what is wrong with a file that is not one. */
export function parseCapture(text: string, file: string): Capture {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not a capture: it is not JSON (${(err as Error).message})`);
  }
  const c = json as Partial<Capture> | null;
  if (!c || typeof c !== 'object' || c.format !== CAPTURE_FORMAT)
    throw new Error(`${file} is not a capture: it has no "format": "${CAPTURE_FORMAT}"`);
  if (c.version !== 1)
    throw new Error(`${file} is a capture of version ${String(c.version)}; this mcp-lifeguard reads version 1`);
  if (!c.machine || typeof c.machine !== 'object' || !c.machine.fs || !c.request)
    throw new Error(`${file} is not a whole capture: its "machine" or "request" is missing`);
  return c as Capture;
}

/**
 * The snapshot a capture gives again: the same engine over the recorded machine. What the record
 * does not answer (a file it never read) is not there; `onMiss` is told of each such question.
 */
export function replayCapture(capture: Capture, onMiss?: (what: string) => void): Promise<Snapshot> {
  const machine = recordedMachine(capture.machine, onMiss ? { onMiss } : {});
  return new Engine(machine, {
    registry: capture.engine.registry ? {} : false,
    docker: capture.engine.docker ? {} : false,
  }).snapshot(capture.request);
}
