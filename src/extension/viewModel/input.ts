import type { ClientId, Diagnostic, ScannedFile, ServerConfig } from '../../core/model';

/**
 * What the view-model reads: the engine's snapshot, narrowed to the fields the views use. The
 * configuration side comes straight from core; the running side (instances, verdicts, versions) is
 * declared here so every state can be tested, and the engine's richer types are assignable to it.
 * `toViewInput` is the one place a core snapshot becomes this.
 */

export interface VmClient {
  id: ClientId | 'terminal' | 'unknown';
  /** "VS Code", "Claude Desktop", "terminal", "unknown". */
  name: string;
  pid?: number;
}

export interface VmInstanceRef {
  pid: number;
  startTime?: number;
  client: VmClient;
}

/** A judgement about one instance, with its evidence as plain data. */
export type VmVerdict =
  | { kind: 'duplicate'; launchKey?: string; client: VmClient; keep: VmInstanceRef; instances: VmInstanceRef[] }
  | { kind: 'orphan'; launchPid: number; ppid: number; parentCommand?: string; reason: string }
  | { kind: 'shared'; singleWriter: boolean; instances: VmInstanceRef[] }
  | {
      /** The process runs code an upgrade replaced: installed differs from running. */
      kind: 'stale';
      package: string;
      running: string;
      installed: string;
      /** How each version was learned ("lock record", "serverInfo", "dist-info mtime"...). */
      evidence?: unknown;
    }
  | { kind: 'unknown'; question: string; reason: string };

export interface VmInstance {
  pid: number;
  ppid?: number;
  startTime?: number;
  commandLine?: string;
  /** With pid and start time, what the engine's stop re-identifies a process by. */
  commandHash?: string;
  launcherChain?: { pid: number; startTime?: number; commandLine: string }[];
  client: VmClient;
  memoryBytes?: number;
  verdicts: VmVerdict[];
  /** Set when a lock record names this process: the instance is guarded. `control` is its endpoint. */
  lock?: { serverName: string; resourceKey?: string; holder?: string; control?: string };
  /** The running version when known (lock record, serverInfo). */
  runningVersion?: string;
}

/** A release newer than the installed one, as the registry reports it. */
export interface VmUpdate {
  package: string;
  installed: string;
  latest: string;
}

export type VmServer = ServerConfig & {
  instances: VmInstance[];
  installedVersion?: string;
  updateAvailable?: VmUpdate;
};

export type VmProcesses = { state: 'ok' } | { state: 'unavailable'; reason: string };

export interface VmSnapshot {
  takenAt: string;
  workspaceFolders: string[];
  servers: VmServer[];
  notConfigured: VmInstance[];
  processes: VmProcesses;
  files: ScannedFile[];
  diagnostics: Diagnostic[];
}

/** The loose shape a core snapshot may have while the engine grows: running-side fields optional. */
export interface CoreSnapshotLike {
  takenAt: string;
  workspaceFolders: string[];
  servers: (ServerConfig & { instances?: unknown[]; installed?: unknown; updateAvailable?: unknown })[];
  notConfigured?: unknown[];
  processes?: { state: string; reason?: string };
  files: ScannedFile[];
  diagnostics: Diagnostic[];
}

/**
 * A core snapshot as view input. Until the engine reports processes, servers have no instances and
 * the process table reads as "not read yet", so nothing is flagged on missing evidence.
 */
export function toViewInput(s: CoreSnapshotLike): VmSnapshot {
  const processes: VmProcesses =
    s.processes === undefined
      ? { state: 'unavailable', reason: 'process tracking is not available in this version' }
      : s.processes.state === 'ok'
        ? { state: 'ok' }
        : { state: 'unavailable', reason: s.processes.reason ?? 'the process table could not be read' };
  return {
    takenAt: s.takenAt,
    workspaceFolders: s.workspaceFolders,
    servers: s.servers.map(toVmServer),
    notConfigured: (s.notConfigured ?? []).map((i) => toVmInstance(i as CoreInstanceLike)),
    processes,
    files: s.files,
    diagnostics: s.diagnostics,
  };
}

/**
 * An engine instance: verdicts as the processes layer gives them, and (once version resolution
 * runs) `versions` with the running/installed judgement, read loosely here because the views only
 * need the words and numbers, never the resolution itself.
 */
type CoreInstanceLike = Omit<VmInstance, 'runningVersion'> & { versions?: unknown };

interface VersionsLike {
  installed?: { state?: string; name?: string; version?: string };
  running?: { state?: string; version?: string };
  verdict?: { state?: string; package?: string; running?: string; installed?: string };
}

function toVmInstance(i: CoreInstanceLike): VmInstance {
  const { versions, ...rest } = i;
  const v = (versions ?? {}) as VersionsLike;
  const out: VmInstance = { ...rest, verdicts: [...(i.verdicts ?? [])] };
  if (v.running?.state === 'known' && typeof v.running.version === 'string') out.runningVersion = v.running.version;
  const verdict = v.verdict;
  if (verdict?.state === 'stale' && typeof verdict.package === 'string' && typeof verdict.running === 'string' && typeof verdict.installed === 'string') {
    out.verdicts.push({ kind: 'stale', package: verdict.package, running: verdict.running, installed: verdict.installed, evidence: versions });
  } else if (verdict?.state === 'unknown') {
    out.verdicts.push({ kind: 'unknown', question: 'stale', reason: String((verdict as { reason?: unknown }).reason ?? 'not enough evidence') });
  }
  return out;
}

function toVmServer(server: CoreSnapshotLike['servers'][number]): VmServer {
  const { instances: raw, installed: rawInstalled, updateAvailable: rawUpdate, ...config } = server;
  const coreInstances = (raw ?? []) as CoreInstanceLike[];
  const instances = coreInstances.map(toVmInstance);
  const out: VmServer = { ...config, instances };
  // The installed version is a property of the launch: the server's own, else what an instance reports.
  const candidates = [rawInstalled as VersionsLike['installed'], ...coreInstances.map((i) => ((i.versions ?? {}) as VersionsLike).installed)];
  const installed = candidates.find((x) => x?.state === 'installed' && typeof x.version === 'string');
  if (installed) out.installedVersion = installed.version;
  const u = rawUpdate as { current?: unknown; latest?: unknown; package?: unknown } | undefined;
  if (u && typeof u.latest === 'string') {
    const current = typeof u.current === 'string' ? u.current : installed?.version;
    const pkg = typeof u.package === 'string' ? u.package : installed?.name;
    if (current && pkg) out.updateAvailable = { package: pkg, installed: current, latest: u.latest };
  }
  return out;
}
