import { InstanceIdentity, StopResult, defaultStopDeps, stopInstance } from '../core/actions/stop';
import {
  controlRestart,
  controlShutdown,
  controlStatus,
  ControlReply,
  GuardStatus,
  RestartAsk,
  GuardRestartReply,
} from '../core/control';
import { HostEnv } from '../core/base/hostEnv';
import { currentHostEnv } from '../core/machine/live';
import { cacheStatsLine } from '../core/base/engineCache';
import { listLocks, LockRecord } from '../core/locks';
import type { Snapshot, WatchedMachine } from '../core/base/model';
import { lifeguardPaths, LifeguardPaths } from '../core/base/paths';
import { holderRecordOf } from '../core/processes/guarded';
import { Engine, engineMachine, EngineOptions } from '../core/snapshot/engine';
import { VmInstance } from '../core/report/input';
import { clientServerLog, ClientLogQuery, ClientServerLog, liveClientLogDeps } from '../core/clientLogs';
import { scanSources } from '../core/sources/scan';
import { gatherVersionFacts, VersionFacts } from '../core/snapshot/versionFacts';

/** Show Server Log's reading of a client's log: the end of a log of any size, never the whole of a huge one. */
export const CLIENT_LOG_LINES = 2000;
export const CLIENT_LOG_MAX_BYTES = 16 * 1024 * 1024;

/**
 * The extension's only door into the engine: snapshots, stop, and the guard's control endpoint.
 * Everything here is src/core; nothing of discovery, matching or versions is decided on this side.
 */
export interface EngineDoor {
  readonly host: HostEnv;
  readonly paths: LifeguardPaths;
  snapshot(options: WindowSnapshotRequest): Promise<Snapshot>;
  /** What the engine keeps between snapshots, as one log line (its cache's counters). */
  cacheStats(): string;
  stop(instance: VmInstance, graceMs: number): Promise<StopResult>;
  /** `force`: even when the installed code will probably not start (the guard refuses that otherwise); `check: 'none'`: without the guard's check. */
  guardRestart(endpoint: string, ask?: RestartAsk): Promise<ControlReply<GuardRestartReply>>;
  guardShutdown(endpoint: string): Promise<ControlReply<unknown>>;
  guardStatus(endpoint: string): Promise<ControlReply<GuardStatus>>;
  /** The instances, each guarded one with its guard's control endpoint from the live lock record. */
  withGuardEndpoints(instances: readonly VmInstance[]): Promise<VmInstance[]>;
  /**
   * The end of the log an unguarded instance's client keeps of it (core/clientLogs), with every
   * env and header value of the configs masked (read afresh from the configs the snapshot reads).
   */
  clientLog(query: ClientLogQuery, envKeys: readonly string[], configs: ConfigsRequest): Promise<ClientServerLog>;
  /**
   * Show Versions' facts of a server (core/snapshot/versionFacts.ts): every copy of its package on
   * disk and the registries' newest release (asked only when `registryChecks`); undefined when no
   * entry of the snapshot has that name.
   */
  versionFacts(
    snapshot: Snapshot,
    name: string,
    request: Pick<WindowSnapshotRequest, 'registryChecks' | 'mcpRegistries' | 'log'>,
  ): Promise<VersionFacts | undefined>;
}

/** The configs a snapshot reads: the workspace folders and files of the window. */
export type ConfigsRequest = Pick<WindowSnapshotRequest, 'workspaceFolders' | 'workspaceFiles'>;

export interface WindowSnapshotRequest {
  workspaceFolders: string[];
  /** The open `.code-workspace` file, whose `settings.mcp` servers are read too. */
  workspaceFiles: string[];
  singleWriter: readonly string[];
  /** Ask package registries for newer releases (in the background; a snapshot never waits). */
  registryChecks: boolean;
  /** MCP Registries' base URLs (the setting; empty: the official one, or `MCP_LIFEGUARD_MCP_REGISTRY`). */
  mcpRegistries?: string[];
  /** Where the engine's quiet failures (registry, state files) go. */
  log: (message: string) => void;
  /** Configs and processes only, no versions: the cheap first look, shown while versions are resolved. */
  withoutVersions?: boolean;
  /** VS Code trusts the workspace: its URL entries may be asked and matched to what listens there. */
  workspaceTrusted: boolean;
  /** The machine this extension host watches: the remote, in a remote window (core/snapshot/sides.ts). */
  watching?: WatchedMachine;
}

export function createEngine(host: HostEnv = currentHostEnv()): EngineDoor {
  const machine = engineMachine(host);
  const deps = defaultStopDeps(machine);
  // One engine of the core for this extension host: its cache lives as long as the window. A
  // change of the settings it is made with (registry checks, MCP Registries) makes a new one.
  let core: { key: string; engine: Engine } | undefined;
  const engineFor = (r: WindowSnapshotRequest): Engine => {
    const registry: EngineOptions['registry'] = !r.registryChecks
      ? false
      : r.mcpRegistries?.length
        ? { overrides: { mcp: r.mcpRegistries } }
        : {};
    const key = JSON.stringify(registry);
    if (core?.key !== key) core = { key, engine: new Engine(machine, { log: r.log, registry }) };
    return core.engine;
  };
  return {
    host,
    paths: lifeguardPaths(host),
    snapshot: (r) =>
      engineFor(r).snapshot({
        workspaceFolders: r.workspaceFolders,
        workspaceFiles: r.workspaceFiles,
        singleWriter: r.singleWriter,
        workspaceTrusted: r.workspaceTrusted,
        ...(r.watching ? { watching: r.watching } : {}),
        ...(r.withoutVersions ? { versions: false } : {}),
      }),
    cacheStats: () => (core ? cacheStatsLine(core.engine.cacheStats()) : 'no engine yet'),
    // The snapshot's identity (pid + start time + command hash + launcher chain) is what stop re-checks.
    // A missing command hash (an older snapshot) skips that one check; pid + start time still hold.
    stop: (i, graceMs) =>
      stopInstance(
        {
          pid: i.pid,
          startTime: i.startTime,
          commandHash: i.commandHash,
          launcherChain: i.launcherChain ?? [],
        } as InstanceIdentity,
        deps,
        { graceMs },
      ),
    guardRestart: (endpoint, ask) => controlRestart(endpoint, 'restart requested from VS Code', ask),
    guardShutdown: (endpoint) => controlShutdown(endpoint, 'stop requested from VS Code'),
    guardStatus: (endpoint) => controlStatus(endpoint, { timeoutMs: 5000 }),
    withGuardEndpoints: async (instances) => {
      if (!instances.some((i) => i.lock && !i.lock.control)) return [...instances];
      let live: LockRecord[];
      try {
        live = (await listLocks(lifeguardPaths(host).locks, machine)).flatMap((l) =>
          l.state === 'live' ? [l.record] : [],
        );
      } catch {
        // An untrustworthy lock dir: the instances are then handled as unguarded, which the plan says.
        return [...instances];
      }
      // Only a live record whose holder is this instance's guard names the right endpoint. Records
      // are found by their holder, not by the resource key: that is stored masked.
      return instances.map((i) => {
        if (!i.lock || i.lock.control) return i;
        const control = holderRecordOf(i, live)?.control;
        return control ? { ...i, lock: { ...i.lock, control } } : i;
      });
    },
    versionFacts: (snapshot, name, r) =>
      gatherVersionFacts(snapshot, name, {
        machine,
        workspaceFolders: snapshot.workspaceFolders,
        registry: r.registryChecks
          ? { log: r.log, ...(r.mcpRegistries?.length ? { overrides: { mcp: r.mcpRegistries } } : {}) }
          : false,
      }),
    clientLog: async (query, envKeys, configs) => {
      const scan = await scanSources({ host, fs: machine.fs, ...configs });
      return clientServerLog(query, host, {
        lines: CLIENT_LOG_LINES,
        maxBytes: CLIENT_LOG_MAX_BYTES,
        secrets: scan.secrets,
        envKeys,
        deps: liveClientLogDeps(machine),
      });
    },
  };
}
