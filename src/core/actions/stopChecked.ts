import type { Instance, Snapshot } from '../base/model';
import { StopDeps, StopResult, stopInstance } from './stop';
import { workspaceRefusal } from './workspaceTrust';

/**
 * A stop every face does the same way: the instance as a snapshot saw it, refused when only a
 * workspace's config names it and the workspace is not trusted, else the stop ladder (which
 * re-identifies it exactly before any signal).
 */

export type CheckedStop =
  | { kind: 'refused'; reason: 'not-an-instance' | 'workspace-untrusted'; pid: number; message: string }
  | { kind: 'stopped'; pid: number; stop: StopResult };

export interface CheckedStopOptions {
  trustWorkspace: boolean;
  home: string;
  graceMs: number;
  deps: StopDeps;
}

export async function stopChecked(snapshot: Snapshot, instance: Instance, o: CheckedStopOptions): Promise<CheckedStop> {
  const untrusted = workspaceRefusal(snapshot, instance, o.trustWorkspace, o.home);
  if (untrusted) return { kind: 'refused', reason: 'workspace-untrusted', pid: instance.pid, message: untrusted };
  return { kind: 'stopped', pid: instance.pid, stop: await stopInstance(instance, o.deps, { graceMs: o.graceMs }) };
}

/** `stop PID`: the instance with that pid in the snapshot (configured or not), stopped as above. */
export async function stopPidIn(snapshot: Snapshot, pid: number, o: CheckedStopOptions): Promise<CheckedStop> {
  const instance = [...snapshot.servers.flatMap((s) => s.instances), ...snapshot.notConfigured].find(
    (i) => i.pid === pid,
  );
  if (!instance)
    return {
      kind: 'refused',
      reason: 'not-an-instance',
      pid,
      message: `pid ${pid} is not an MCP server instance in the snapshot; nothing was signalled`,
    };
  return stopChecked(snapshot, instance, o);
}
