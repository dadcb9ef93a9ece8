import type { HostEnv } from '../base/hostEnv';
import type { Snapshot } from '../base/model';
import { liveMachine } from '../machine/live';
import type { Machine } from '../machine/types';
import { EngineCore, EngineOptions } from '../versions/engineCore';
import { askServerInfo } from '../machine/serverInfo';
import { snapshotOf, SnapshotRequest } from './build';

export type { SnapshotRequest } from './build';
export type { EngineOptions } from '../versions/engineCore';

/**
 * The engine of one process (the extension host, a CLI run, the agent face): the judging core
 * (versions/engineCore.ts: its Machine, its cache, `judgeOne`, `installed`) and `snapshot()`, the
 * whole picture every face reads.
 */
export class Engine extends EngineCore {
  /** One snapshot of what the Machine shows now (core/snapshot/build.ts). */
  snapshot(request: SnapshotRequest): Promise<Snapshot> {
    return snapshotOf(this.machine, this.cache, this.settings, request, this.keepParsedConfigs);
  }
}

/** This machine as an engine reads it: its files, its processes, and its HTTP servers asked for their serverInfo. */
export function engineMachine(host: HostEnv): Machine {
  return liveMachine(host, { serverInfo: (url, transport) => askServerInfo(url, transport) });
}

/** One snapshot of this machine by an engine of its own: for a face that asks once (a CLI command). */
export function takeSnapshot(
  options: SnapshotRequest & { host: HostEnv; machine?: Machine; engine?: EngineOptions },
): Promise<Snapshot> {
  const { host, machine, engine, ...request } = options;
  return new Engine(machine ?? engineMachine(host), engine).snapshot(request);
}
