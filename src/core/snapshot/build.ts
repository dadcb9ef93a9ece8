import { isWorkspaceDefined } from '../actions/workspaceTrust';
import { pathFor } from '../base/hostEnv';
import type { EngineCache } from '../base/engineCache';
import {
  ClientId,
  Diagnostic,
  Instance,
  LaunchGroup,
  SCHEMA_VERSION,
  ScannedFile,
  ServerConfig,
  ServerStatus,
  Snapshot,
  WatchedMachine,
} from '../base/model';
import { lifeguardPaths } from '../base/paths';
import { redactDeep } from '../base/redact';
import { LIFEGUARD_VERSION } from '../base/version';
import { readHttpLaunch } from '../http/launchRecord';
import { runnerHomes } from '../launch/runnerHomes';
import { listLocks } from '../locks';
import { lockProbe } from '../locks/liveness';
import type { LockRecord } from '../locks/types';
import { homeProblem } from '../machine/privateFs';
import type { Machine } from '../machine/types';
import { KEPT_PSS, PssReading, readPssKept } from '../pids/pss';
import { engineTableKeeper } from '../pids/keptRows';
import { ProcessInfo, ProcessTableResult, readProcessTable } from '../pids/table';
import { readEnviron } from '../processes/environ';
import { attachInstances } from '../processes/instances';
import { mayBeCandidate } from '../processes/match';
import { machineLaunchFacts } from '../processes/launchFacts';
import { pssAsks, setPss } from '../processes/proportionalMemory';
import { ParseCache } from '../sources/parseCache';
import { FileScan, ScanResult, scanSources } from '../sources/scan';
import { findVersions, VersionsSettings, withVersions } from '../versions/attach';
import { elsewhereStatus, splitBySide, THIS_MACHINE } from './sides';

/** What one snapshot looks at: the workspace, and what the user declared. */
export interface SnapshotRequest {
  /** Absolute paths of the workspace folders whose project-level configs are read. */
  workspaceFolders: string[];
  /** `.code-workspace` files whose `settings.mcp` is read (their folders belong in workspaceFolders too). */
  workspaceFiles?: string[];
  /** Server names declared single-writer: instances run by several clients are flagged "shared". */
  singleWriter?: readonly string[];
  /** false: no version step and no PSS (the first cheap look, which says `checking` until versions come). */
  versions?: boolean;
  /**
   * The user trusts the workspace's own config files (VS Code's workspace trust, the CLI's
   * `--trust-workspace`). Unless true, a URL only they name is never requested (no serverInfo
   * probe, no request of any kind) and what listens on its port is not taken for its server.
   */
  workspaceTrusted?: boolean;
  /**
   * The machine watched (sides.ts): a remote window's extension host watches the remote, where the
   * window's VS Code user servers do not run. Absent: this machine, where every entry read runs.
   */
  watching?: WatchedMachine;
}

/**
 * What a pass read of processes, for a tick that may reuse its snapshot (quietTick.ts): the table,
 * the live lock records, and whether a process may be a candidate of the entries matched.
 */
export interface PassView {
  table: ProcessTableResult;
  locks: readonly LockRecord[];
  mayBeCandidate: (p: ProcessInfo) => boolean;
}

/** The scans of unchanged config files an engine keeps: 64 files or 64 MiB of their text at most, in memory only. */
const PARSED_FILES = { name: 'parsed-config-files', limit: 1 } as const;

/**
 * The live records of the lock directory, judged on `table` where the process table is how a pid's
 * start is read (Windows): one query for the snapshot, however many records. One that cannot be
 * read means no guard marks and a diagnostic, not a failed snapshot.
 */
async function liveLockRecords(
  machine: Machine,
  diagnostics: Diagnostic[],
  table: Promise<ProcessTableResult>,
): Promise<LockRecord[]> {
  const dir = lifeguardPaths(machine.host).locks;
  const rows = table.then((t) => (t.state === 'ok' ? t.processes : Promise.reject(new Error(t.reason))));
  // Unread unless a record is judged: a rejection nobody awaits is not an error.
  rows.catch(() => undefined);
  try {
    const locks = await listLocks(dir, machine, lockProbe(machine, rows));
    return locks.flatMap((l) => (l.state === 'live' ? [l.record] : []));
  } catch (err) {
    diagnostics.push({
      file: dir,
      severity: 'warning',
      message: `lock records could not be read, so guarded instances are not marked: ${(err as Error).message}`,
    });
    return [];
  }
}

/** The user's .npmrc (its `cache=` moves npx's cache), when it can be read. */
function readUserNpmrc(machine: Machine): string | undefined {
  const { env, home } = machine.host;
  try {
    return machine.fs.readTextSync(env.npm_config_userconfig || pathFor(machine.host).join(home, '.npmrc'));
  } catch {
    return undefined;
  }
}

/**
 * Each client's first config error in a file of its own (a file that does not parse, an entry left
 * out): the entry that started one of its processes may be the one missing.
 */
function unreadableByClient(
  diagnostics: readonly Diagnostic[],
  files: readonly ScannedFile[],
): Map<ClientId, Diagnostic> {
  const own = new Set(files.map((f) => `${f.client}\0${f.file}`));
  const out = new Map<ClientId, Diagnostic>();
  for (const d of diagnostics)
    if (d.severity === 'error' && d.client !== undefined && !out.has(d.client) && own.has(`${d.client}\0${d.file}`))
      out.set(d.client, d);
  return out;
}

/**
 * One snapshot, as a pipeline over what the Machine says: scan (the config files, the process
 * table and the live lock records, read at once) -> match (processes to entries, clients,
 * duplicates, orphans: processes/instances.ts) -> gather and judge (versions/attach.ts: evidence
 * read through the Machine, the one judgement) -> report (the snapshot, redacted as a whole). Every
 * face reads the result; nothing here changes what an earlier stage returned.
 */
export async function snapshotOf(
  machine: Machine,
  cache: EngineCache,
  settings: VersionsSettings,
  request: SnapshotRequest,
  keepParsedConfigs = true,
  observe?: (view: PassView) => void,
  /** The process table, when the caller read it just now (a tick that looked for a change first). */
  tableNow?: ProcessTableResult,
): Promise<Snapshot> {
  // The snapshot's moment, read first: every verdict of the snapshot is judged at it (a replay reads the same first).
  const at = machine.now();
  const host = machine.host;
  const paths = lifeguardPaths(host);
  const { scan, table, locks, lockDiagnostics } = await scanAtOnce(
    machine,
    cache,
    request,
    keepParsedConfigs,
    tableNow,
  );
  // A client's config error (read before the lock records' are added): its processes are not taken for another client's entries.
  const unreadable = unreadableByClient(scan.diagnostics, scan.files);
  const diagnostics = [...scan.diagnostics, ...lockDiagnostics];
  // Entries that run on the other side of a remote window are listed, never matched nor judged here.
  const watched = request.watching ?? THIS_MACHINE;
  const sides = splitBySide(scan.servers, scan.runsOn, watched);
  const running = await matchRunning(
    machine,
    request,
    Object.assign({}, scan, { servers: sides.here }),
    table,
    locks,
    unreadable,
  );
  observe?.({
    table,
    locks,
    mayBeCandidate: mayBeCandidate(sides.here, {
      platform: host.platform,
      facts: machineLaunchFacts(machine, runnerHomes(host, readUserNpmrc(machine)).npmShimFolders),
    }),
  });
  const instancesOf = (servers: readonly ServerStatus[]) => [
    ...servers.flatMap((s) => s.instances),
    ...running.notConfigured,
  ];
  const measured = request.versions !== false ? measurePss(machine, cache, instancesOf(running.servers)) : undefined;
  // A root another user can write to (or a folder of it they own) could redirect or feed what we
  // keep: the snapshot is still taken, but nothing is read from or written there, and it says so once.
  const notPrivate = homeProblem(paths, { platform: host.platform, lstat: machine.fs.lstatSync, uid: machine.uid });
  if (notPrivate)
    diagnostics.push({
      file: notPrivate.dir,
      severity: 'warning',
      message: `mcp-lifeguard keeps no state, caches or logs, as this folder is not private: it ${notPrivate.problem}; ${notPrivate.fix}`,
    });

  // Gather and judge. Registry checks continue in the background: the snapshot never waits for the network.
  let servers = running.servers;
  if (request.versions !== false) {
    const found = await findVersions(
      machine,
      cache,
      notPrivate ? Object.assign({}, settings, { persist: false, registry: false }) : settings,
      servers,
      scan.launches,
      table.state === 'ok' ? table.processes : [],
      locks,
      at,
    );
    servers = withVersions(servers, found);
  }
  if (measured) setPss(instancesOf(servers), await measured);
  if (!notPrivate) servers = await withRecordedLaunches(servers, paths, machine);
  if (sides.elsewhere.length > 0)
    servers = inScanOrder(scan.servers, [...servers, ...sides.elsewhere.map(elsewhereStatus)]);

  // Report: every secret value seen in a config is masked wherever else it might have travelled.
  return redactDeep<Snapshot>(
    {
      schemaVersion: SCHEMA_VERSION,
      generator: { name: 'mcp-lifeguard', version: LIFEGUARD_VERSION },
      takenAt: new Date(at).toISOString(),
      platform: host.platform,
      ...(watched.kind === 'local' ? {} : { machine: watched }),
      workspaceFolders: request.workspaceFolders,
      servers,
      notConfigured: running.notConfigured,
      processes: running.processes,
      launchGroups: sides.elsewhere.length > 0 ? groupsOf(scan.launchGroups, sides.here) : scan.launchGroups,
      files: scan.files,
      diagnostics: [...diagnostics, ...running.diagnostics],
    },
    scan.secrets,
  );
}

/** The statuses in the order the scan found their entries (the source table's order, which the faces keep). */
function inScanOrder(scanned: readonly ServerConfig[], statuses: readonly ServerStatus[]): ServerStatus[] {
  const byId = new Map(statuses.map((s) => [s.id, s]));
  return scanned.flatMap((c) => byId.get(c.id) ?? []);
}

/** The launch groups among `servers` only: an entry that runs on another machine configures no server of this one. */
function groupsOf(groups: readonly LaunchGroup[], servers: readonly ServerConfig[]): LaunchGroup[] {
  const here = new Set(servers.map((s) => s.id));
  return groups
    .map((g) => Object.assign({}, g, { serverIds: g.serverIds.filter((id) => here.has(id)) }))
    .filter((g) => g.serverIds.length > 1);
}

/**
 * Scan: the process table is read once per snapshot, while the config files are scanned. The live
 * lock records are read once too, before matching: they mark guarded instances (and a launch a
 * live lock owns is never an orphan), and they are the versions' best evidence.
 */
async function scanAtOnce(
  machine: Machine,
  cache: EngineCache,
  request: SnapshotRequest,
  keepParsedConfigs: boolean,
  tableNow: ProcessTableResult | undefined,
) {
  const lockDiagnostics: Diagnostic[] = [];
  const tableRead = tableNow ? Promise.resolve(tableNow) : readProcessTable(machine, engineTableKeeper(machine, cache));
  const [scan, table, locks] = await Promise.all([
    scanSources({
      host: machine.host,
      fs: machine.fs,
      workspaceFolders: request.workspaceFolders,
      workspaceFiles: request.workspaceFiles,
      cache:
        keepParsedConfigs &&
        cache
          .bucket<string, ParseCache<FileScan>>(PARSED_FILES.name, PARSED_FILES)
          .getOrSet('', () => new ParseCache()),
    }),
    tableRead,
    liveLockRecords(machine, lockDiagnostics, tableRead),
  ]);
  return { scan, table, locks, lockDiagnostics };
}

/** Match: the running processes to the scanned entries, as this user's and this root's. */
function matchRunning(
  machine: Machine,
  request: SnapshotRequest,
  scan: ScanResult,
  table: ProcessTableResult,
  locks: LockRecord[],
  unreadable: ReadonlyMap<ClientId, Diagnostic>,
) {
  const host = machine.host;
  const homes = runnerHomes(host, readUserNpmrc(machine));
  return attachInstances(scan.servers, table, {
    machine,
    unreadableConfig: (client) => unreadable.get(client),
    platform: host.platform,
    selfPid: machine.selfPid,
    home: host.home,
    // A process under another home than this one and the account's is that home's client's.
    ...(machine.accountHome !== undefined ? { accountHome: machine.accountHome } : {}),
    homes,
    // Only this user's processes are anyone's instances.
    ownUid: machine.uid,
    untrustedUrl: request.workspaceTrusted
      ? undefined
      : (c: ServerConfig) => isWorkspaceDefined(c.source, request.workspaceFolders, host.home),
    singleWriter: request.singleWriter,
    locks,
    facts: machineLaunchFacts(machine, homes.npmShimFolders),
    env: {
      declared: (c: ServerConfig) => scan.launches.get(c.id)?.env,
      ofProcess: (pid: number) => readEnviron(pid, machine),
    },
    ownRoot: lifeguardPaths(host).root,
  });
}

/**
 * What each instance really costs the machine (PSS), where the OS says (Linux): read by the kernel
 * while the versions are gathered, set on the instances after. Not on the first look: the kernel
 * walks every page a process maps to say it (about a millisecond for a small Node server, five for
 * a Python one with pandas), and the badge needs none of it; the full snapshot right after reads it.
 */
export function measurePss(machine: Machine, cache: EngineCache, instances: Instance[]) {
  return machine.host.platform === 'linux'
    ? readPssKept(pssAsks(instances), machine, cache.bucket<string, PssReading>(KEPT_PSS.name, KEPT_PSS))
    : undefined;
}

/** What Start would run for an HTTP entry (ensure's own record of its last command line for that port). */
function withRecordedLaunches(
  servers: ServerStatus[],
  paths: ReturnType<typeof lifeguardPaths>,
  machine: Machine,
): Promise<ServerStatus[]> {
  return Promise.all(
    servers.map(async (s) => {
      if (s.transport === 'stdio') return s;
      const r = await readHttpLaunch(paths, s.url, machine.fs, machine.uid);
      return r ? Object.assign({}, s, { recordedLaunch: { argv: r.argv, cwd: r.cwd, recordedAt: r.recordedAt } }) : s;
    }),
  );
}
