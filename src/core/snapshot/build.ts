import * as fs from 'node:fs';
import { HostEnv, pathFor } from '../base/hostEnv';
import { ClientId, Diagnostic, SCHEMA_VERSION, ScannedFile, ServerConfig, Snapshot } from '../base/model';
import { redactDeep } from '../base/redact';
import { listLocks } from '../locks';
import type { LockRecord } from '../locks/types';
import { lifeguardPaths } from '../base/paths';
import { readHttpLaunch } from '../http/launchRecord';
import { homeProblem } from '../base/privateFs';
import { attachInstances } from '../processes/instances';
import { readEnviron } from '../processes/environ';
import { hostLaunchFacts, LaunchFacts } from '../processes/launchIdentity';
import { runnerHomes } from '../launch/runnerHomes';
import { ProcessTableResult, readProcessTable } from '../pids/table';
import { scanSources } from '../sources/scan';
import { attachVersions, VersionsOptions } from '../versions/attach';
import { attachPss } from '../processes/proportionalMemory';
import { readPss } from '../pids/pss';
import { LIFEGUARD_VERSION } from '../base/version';

export interface SnapshotOptions {
  host: HostEnv;
  /** Absolute paths of the workspace folders whose project-level configs are read. */
  workspaceFolders: string[];
  /** `.code-workspace` files whose `settings.mcp` is read (their folders belong in workspaceFolders). */
  workspaceFiles?: string[];
  /** Injected for tests; defaults to now. */
  now?: () => Date;
  /** Reads the process table; injected for tests (a recorded table). Defaults to this machine's. */
  readProcessTable?: () => Promise<ProcessTableResult>;
  /** Server names declared single-writer: instances run by several clients are flagged "shared". */
  singleWriter?: readonly string[];
  /**
   * What matching may read about candidate processes (executable, working directory) and the PATH.
   * Defaults to this machine's when the process table is this machine's too, else none.
   */
  launchFacts?: LaunchFacts;
  /** Our own pid, excluded with its ancestors. Defaults to process.pid. */
  selfPid?: number;
  /** Live lock records; injected for tests. Defaults to the live records in the lock directory. */
  readLocks?: () => Promise<LockRecord[]>;
  /** Version resolution, staleness and update checks (see src/core/versions); false skips them. */
  versions?: VersionsOptions | false;
}

/** The live records of the lock directory. One that cannot be read means no guard marks and a diagnostic, not a failed snapshot. */
async function liveLockRecords(host: HostEnv, diagnostics: Diagnostic[]): Promise<LockRecord[]> {
  const dir = lifeguardPaths(host).locks;
  try {
    const locks = await listLocks(dir);
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
function readUserNpmrc(host: HostEnv): string | undefined {
  try {
    return fs.readFileSync(host.env.npm_config_userconfig || pathFor(host).join(host.home, '.npmrc'), 'utf8');
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

/** Takes one snapshot: every configured server on this host and what runs of it, as plain data. */
export async function takeSnapshot(options: SnapshotOptions): Promise<Snapshot> {
  const now = options.now ?? (() => new Date());
  // The process table is read once per snapshot, while the config files are scanned. The live lock
  // records are read once too, before matching: they mark guarded instances (and a launch a live
  // lock owns is never an orphan), and they are the versions' best evidence.
  const lockDiagnostics: Diagnostic[] = [];
  const [scan, table, locks] = await Promise.all([
    scanSources({
      host: options.host,
      workspaceFolders: options.workspaceFolders,
      workspaceFiles: options.workspaceFiles,
    }),
    (options.readProcessTable ?? (() => readProcessTable(options.host.platform)))(),
    (options.readLocks ?? (() => liveLockRecords(options.host, lockDiagnostics)))(),
  ]);
  // A client's config error (read before the lock records' are added): its processes are not taken for another client's entries.
  const unreadable = unreadableByClient(scan.diagnostics, scan.files);
  scan.diagnostics.push(...lockDiagnostics);
  const running = await attachInstances(scan.servers, table, {
    unreadableConfig: (client) => unreadable.get(client),
    platform: options.host.platform,
    selfPid: options.selfPid ?? process.pid,
    home: options.host.home,
    homes: runnerHomes(options.host, readUserNpmrc(options.host)),
    // Only this user's processes are anyone's instances: on this machine's table, our uid decides.
    ...(options.readProcessTable ? {} : { ownUid: process.getuid?.() }),
    singleWriter: options.singleWriter,
    locks,
    facts: options.launchFacts ?? (options.readProcessTable ? undefined : hostLaunchFacts(options.host)),
    // Environments are read from this machine's processes only, as the launch facts are.
    ...(options.readProcessTable
      ? {}
      : {
          env: {
            declared: (c: ServerConfig) => scan.launches.get(c.id)?.env,
            ofProcess: (pid: number) => readEnviron(pid, options.host.platform),
          },
          ownRoot: lifeguardPaths(options.host).root,
        }),
  });
  // What each instance really costs the machine (PSS), read for this machine's processes on Linux.
  if (!options.readProcessTable && options.host.platform === 'linux')
    await attachPss([...running.servers.flatMap((s) => s.instances), ...running.notConfigured], (pids) =>
      readPss(pids),
    );
  // A root another user can write to (or a folder of it they own) could redirect or feed what we
  // keep: the snapshot is still taken, but nothing is read from or written there, and it says so once.
  const notPrivate = homeProblem(lifeguardPaths(options.host));
  if (notPrivate) {
    scan.diagnostics.push({
      file: notPrivate.dir,
      severity: 'warning',
      message: `mcp-lifeguard keeps no state, caches or logs, as this folder is not private: it ${notPrivate.problem}; ${notPrivate.fix}`,
    });
  }
  if (options.versions !== false) {
    // Registry checks continue in the background: the snapshot never waits for the network.
    await attachVersions(options.host, running.servers, scan.launches, table.state === 'ok' ? table.processes : [], {
      now,
      readLocks: async () => locks,
      ...options.versions,
      ...(notPrivate ? { persist: false } : {}),
    });
  }
  // What Start would run for an HTTP entry (ensure's own record of its last command line for that port).
  if (!notPrivate) {
    const paths = lifeguardPaths(options.host);
    await Promise.all(
      running.servers
        .filter((s) => s.transport !== 'stdio')
        .map(async (s) => {
          const r = await readHttpLaunch(paths, s.url);
          if (r) s.recordedLaunch = { argv: r.argv, cwd: r.cwd, recordedAt: r.recordedAt };
        }),
    );
  }
  // Every secret value seen in a config is masked wherever else it might have travelled.
  return redactDeep<Snapshot>(
    {
      schemaVersion: SCHEMA_VERSION,
      generator: { name: 'mcp-lifeguard', version: LIFEGUARD_VERSION },
      takenAt: now().toISOString(),
      platform: options.host.platform,
      workspaceFolders: options.workspaceFolders,
      servers: running.servers,
      notConfigured: running.notConfigured,
      processes: running.processes,
      launchGroups: scan.launchGroups,
      files: scan.files,
      diagnostics: [...scan.diagnostics, ...running.diagnostics],
    },
    scan.secrets,
  );
}
