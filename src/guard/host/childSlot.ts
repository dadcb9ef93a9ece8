import type { ChildProcess } from 'node:child_process';
import type { InstanceVersions } from '../../core/base/versionTypes';
import type { RecordedServerInfo, RecordedVersions } from '../../core/locks';
import { recordedVersions } from './lockRecord';
import type { InstalledVersionProbe, ResolvedVersion } from './staleness';
import type { ServerChild } from './supervisor';

/** One child and what the host knows of it. */
export interface Slot<P extends ChildProcess> {
  child: ServerChild<P>;
  /** Set when the host itself stops this child: its exit is expected. */
  stopping: boolean;
  version: Promise<ResolvedVersion | undefined>;
  knownVersion?: ResolvedVersion;
  /** What this child said about itself through MCP (the engine weighs it as its lock record would carry it). */
  serverInfo?: RecordedServerInfo;
  /** Its whole tools list, once seen (a client's or the guard's own `tools/list`). */
  tools?: unknown[];
}

/**
 * The engine's judgement of the running child (core/versions/ownInstance.ts), from what this
 * guard recorded when it started it (the versions its lock record carries) and what it said.
 */
export async function judgeSlot<P extends ChildProcess>(
  slot: Slot<P> | undefined,
  probe: InstalledVersionProbe | undefined,
): Promise<{ child: object; versions: InstanceVersions } | undefined> {
  const pid = slot?.child.proc.pid;
  if (!slot || !probe || pid === undefined || slot.child.exit) return undefined;
  const atStart = await slot.version;
  const versions: RecordedVersions | undefined =
    atStart?.state === 'known' || slot.serverInfo
      ? {
          ...(atStart?.state === 'known' ? recordedVersions(atStart) : {}),
          ...(slot.serverInfo ? { serverInfo: slot.serverInfo } : {}),
        }
      : undefined;
  return {
    child: slot,
    versions: await probe.judge({ pid, spawnedAt: slot.child.startedAt, ...(versions ? { versions } : {}) }),
  };
}
