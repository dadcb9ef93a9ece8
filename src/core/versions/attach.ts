import { existsSync, promises as fsp } from 'node:fs';
import { appendPrivate } from '../base/privateFs';
import * as path from 'node:path';
import { HostEnv } from '../base/hostEnv';
import { listLocks } from '../locks';
import type { LockRecord } from '../locks/types';
import type { Instance, InstanceChild, ServerStatus } from '../base/model';
import { lifeguardPaths } from '../base/paths';
import { holderRecordOf, serverDownOf, serverIdleOf } from '../processes/guarded';
import type { ProcessInfo } from '../pids/table';
import type { Launch } from '../sources/scan';
import { MtimeCache } from './cache';
import { DockerCli, dockerCli, parseDockerRun } from './docker';
import { FirstSeenStore, instanceKey } from './firstSeen';
import { nodeFs, VersionFs } from './fs';
import { filesPredateProcess } from './judge';
import { interprets, judgeInstance, needsCwd } from './instanceEvidence';
import { readMaps } from './maps';
import { sightRuntime, RuntimeSighting } from './runtime';
import { Compared, compareReplaced } from './mappedContent';
import { runningBuildInfo } from './goBinary';
import { configDrift, launchedPackage } from './configDrift';
import { inferFromNpmCache } from './firstLook';
import { inferFromPythonHistory } from './pythonFirstLook';
import { stillInstalled } from './outsideClosure';
import { installersIn } from './installers';
import {
  hostScopeReaders,
  installerDone,
  installerHolding,
  InstallerWatch,
  scopedInstallers,
  ScopeReaders,
  ScopedInstaller,
} from './installerScope';
import {
  McpRegistryRef,
  InstalledPackageRef,
  RegistryChecker,
  registryCacheFile,
  RegistryOverrides,
  registryOverrides,
} from './registry';
import { resolveInstalled, Resolution } from './resolve';
import { askServerInfo, ServerInfoAnswer } from './serverInfo';
import { serverInfoFromLock } from './lockServerInfo';
import { Installed, InstanceVersions, ServerInfoStatement } from '../base/versionTypes';
import { ResolveContext } from './lookup';
import { startLagMs } from '../pids/startLag';

/**
 * Adds versions to a snapshot: the installed side of every configured server, each instance's
 * running side and verdict, and update availability from the (cached) registry answers.
 */

export interface VersionsOptions {
  /** File reads (tests: fixture trees). */
  fs?: VersionFs;
  /** Kept across refreshes so a refresh only re-stats; defaults to one per process. */
  cache?: MtimeCache<Resolution>;
  /** The docker CLI; false: docker launches stay unknown. */
  docker?: DockerCli | false;
  /** Where first sightings persist; defaults to `<state>/versions/first-seen.json`. */
  firstSeenFile?: string;
  /** Registry update checks; false turns them off (also `MCP_LIFEGUARD_UPDATE_CHECK=0`). */
  registry?: false | { overrides?: RegistryOverrides; cacheFile?: string; timeoutMs?: number };
  /** Asks a running HTTP server for its serverInfo; false: never. */
  askServerInfo?: false | ((url: string, transport: 'http' | 'sse') => Promise<ServerInfoAnswer>);
  readMaps?: (pid: number) => Promise<string | undefined>;
  /** The process's runtime as /proc shows it (runtime.ts); false: not looked at. */
  sightRuntime?:
    false | ((pid: number, maps: () => Promise<string | undefined>) => Promise<RuntimeSighting | undefined>);
  /** Compares replaced mapped files with the installed ones (tests: a fixed answer). */
  compareReplaced?: (pid: number, mapsText: string, paths: readonly string[]) => Promise<Map<string, Compared>>;
  /** Live lock records (the guard's); defaults to the records in the lock dir. */
  readLocks?: () => Promise<LockRecord[]>;
  /** Failures that are not shown (registry, state files); defaults to `<logs>/versions.log` (nowhere when persist is false). */
  log?: (message: string) => void;
  /**
   * false: nothing is read from or written to our folders (first sightings, the registry cache, the
   * log), and no update checks run, as their answers could not be cached. For a root that is not private.
   */
  persist?: boolean;
  now?: () => Date;
  /** Receives the background registry checks (tests and the CLI's --watch may wait on them; a snapshot never does). */
  onBackground?: (checks: Promise<void>) => void;
  /** How an installer's reach is read (its working directory, interpreter); defaults to this machine's. */
  installerReaders?: ScopeReaders;
  /** The installers seen at work across snapshots; defaults to one per process. */
  installerWatch?: InstallerWatch;
}

export interface VersionsResult {
  /** The registry checks started by this call; the snapshot never waits for them. */
  background: Promise<void>;
}

const defaultCaches = new WeakMap<VersionFs, MtimeCache<Resolution>>();
const checkers = new Map<string, RegistryChecker>();
/**
 * serverInfo never changes for one process: asked once per pid + start time in this process; a
 * failed answer (still starting, needs credentials) is asked again after FAILED_ASK_RETRY_MS.
 */
const serverInfoMemo = new Map<string, { at: number; answer: Promise<ServerInfoAnswer> }>();
const FAILED_ASK_RETRY_MS = 5 * 60_000;
/** Docker answers come from the engine (process spawns), not from files: reused for this long. */
const DOCKER_TTL_MS = 30_000;
const dockerMemo = new Map<string, { at: number; resolution: Promise<Resolution> }>();
/** Installers seen at work by this process's snapshots: one gone since ends the wait for what it wrote. */
const defaultInstallerWatch = new InstallerWatch();

/**
 * Servers resolved at once: enough to keep the file-system thread pool busy. Thousands started
 * together only pile up half-done resolutions in memory, and the time goes to collecting them.
 */
const RESOLVE_CONCURRENCY = 32;

/** `work` on every item, at most `limit` at a time, in order. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function fileLogger(host: HostEnv): (message: string) => void {
  const { root, logs } = lifeguardPaths(host);
  const file = path.join(logs, 'versions.log');
  return (message) => {
    // Never through a link, never into a folder that is not private; a refused line has nowhere better to go.
    appendPrivate(file, `${new Date().toISOString()} ${message}\n`, { root }).catch(() => undefined);
  };
}

async function liveLockRecords(host: HostEnv, log: (m: string) => void): Promise<LockRecord[]> {
  const dir = lifeguardPaths(host).locks;
  // Most machines run no guard: one cheap synchronous check instead of a trip through the thread pool.
  if (!existsSync(dir)) return [];
  try {
    const locks = await listLocks(dir);
    return locks.flatMap((l) => (l.state === 'live' ? [l.record] : []));
  } catch (err) {
    log(`lock records could not be read: ${(err as Error).message}`);
    return [];
  }
}

/** Whether an interpreter runs code given on its command line (an option before the first operand). */
function runsCode(argv: readonly string[]): boolean {
  const end = argv.findIndex((a, k) => k > 0 && !a.startsWith('-'));
  return argv.slice(1, end < 0 ? undefined : end).some((a) => /^(-c|-e|-p|--eval|--print)$/.test(a));
}

async function procCwd(pid: number, platform: NodeJS.Platform): Promise<string | undefined> {
  if (platform !== 'linux') return undefined;
  try {
    return await fsp.readlink(`/proc/${pid}/cwd`);
  } catch {
    return undefined; // gone or not ours: the configured cwd is used instead
  }
}

export async function attachVersions(
  host: HostEnv,
  servers: ServerStatus[],
  launches: ReadonlyMap<string, Launch>,
  processes: readonly ProcessInfo[],
  options: VersionsOptions = {},
): Promise<VersionsResult> {
  const fs = options.fs ?? nodeFs;
  const now = options.now ?? (() => new Date());
  const persist = options.persist !== false;
  // How early this machine's start times read, asked once per snapshot (pids/startLag.ts).
  let lag: Promise<number> | undefined;
  const log = options.log ?? (persist ? fileLogger(host) : () => undefined);
  let cache = options.cache ?? defaultCaches.get(fs);
  if (!cache)
    defaultCaches.set(
      fs,
      (cache = new MtimeCache<Resolution>(fs, { recheck: (r) => r.installed.state === 'missing' })),
    );
  const ctx: ResolveContext = { host, fs };
  const docker = options.docker === false ? undefined : (options.docker ?? dockerCli(host));
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const hasInstances = servers.some((s) => s.instances.length > 0);
  const paths = lifeguardPaths(host);
  const firstSeenFile = options.firstSeenFile ?? path.join(paths.state, 'versions', 'first-seen.json');
  const store =
    hasInstances && persist
      ? await FirstSeenStore.loadCached(firstSeenFile, log, options.firstSeenFile ? undefined : paths.root)
      : undefined;
  // Only records that carry versions say what an instance runs.
  const locks = (hasInstances ? await (options.readLocks ?? (() => liveLockRecords(host, log)))() : []).filter(
    (r) => r.versions,
  );
  const mapsOf = options.readMaps ?? ((pid: number) => readMaps(pid, host.platform));
  const runtimeOf =
    options.sightRuntime === false
      ? undefined
      : (options.sightRuntime ??
        ((pid: number, maps: () => Promise<string | undefined>) => sightRuntime(pid, host.platform, maps)));
  const ask = options.askServerInfo === false ? undefined : (options.askServerInfo ?? askServerInfo);
  // Once per snapshot, not per instance: the process table is scanned for installers once (what
  // each can write read only when there is one), and each entry's launch is parsed once.
  const watch = options.installerWatch ?? defaultInstallerWatch;
  const found = hasInstances ? installersIn(processes) : [];
  const installers: ScopedInstaller[] = found.length
    ? await scopedInstallers(processes, host, options.installerReaders ?? hostScopeReaders(host.platform, fs), watch)
    : [];
  const exited = hasInstances ? watch.observe(now().getTime(), installers) : [];
  const configured = new Map<Launch, ReturnType<typeof launchedPackage>>();
  const configuredPackage = (launch: Launch) => {
    if (!configured.has(launch)) configured.set(launch, launchedPackage([launch.command, ...launch.args]));
    return configured.get(launch);
  };

  /** A resolution and the files its answer was read from (with their change times). */
  const resolveCached = async (
    launch: Launch,
    extra: { argv?: readonly string[]; cwd?: string; start?: number },
  ): Promise<Resolution & { files: () => Array<{ path: string; at: number }> }> => {
    // Docker answers come from the engine, not from files: not cached by mtime, reused for DOCKER_TTL_MS.
    if (parseDockerRun(launch)) {
      const key = JSON.stringify([launch.command, launch.args, extra.start ?? null]);
      const hit = dockerMemo.get(key);
      if (hit && Date.now() - hit.at < DOCKER_TTL_MS) return { ...(await hit.resolution), files: () => [] };
      const resolution = resolveInstalled(ctx, launch, { docker, processStart: extra.start });
      dockerMemo.set(key, { at: Date.now(), resolution });
      return { ...(await resolution), files: () => [] };
    }
    const key = JSON.stringify([
      launch.command,
      launch.args,
      launch.cwd ?? null,
      // Where the entry's env moves the code (kept in memory only, as the launch itself is).
      launch.env?.PYTHONPATH ?? null,
      extra.argv ?? null,
      extra.cwd ?? null,
    ]);
    const resolution = await cache.get(key, (tfs) =>
      resolveInstalled({ host, fs: tfs }, launch, { processArgv: extra.argv, processCwd: extra.cwd }),
    );
    // The files are evidence only when something changed after a start: listed on demand.
    return { ...resolution, files: () => cache.filesOf(key) };
  };

  cache.newPass();
  try {
    await eachLimited(servers, RESOLVE_CONCURRENCY, async (server) => {
      const launch = launches.get(server.id);
      if (launch && server.transport === 'stdio') server.installed = (await resolveCached(launch, {})).installed;
      await Promise.all(
        server.instances.flatMap((instance) => [
          versionsOfInstance(server, instance, launch),
          // What the server started runs code of its own (`python -m buckaroo.server`): judged by its own command line.
          ...(instance.children ?? []).map((child) => versionsOfInstance(server, child, undefined, true)),
        ]),
      );
    });
  } finally {
    cache.endPass();
  }

  /** The `go run pkg@version` argv the instance was started with: a step of its launcher chain. */
  function goRunOf(instance: Instance | InstanceChild): string[] | undefined {
    const steps = 'launcherChain' in instance ? instance.launcherChain : [];
    for (const step of steps) {
      const argv = byPid.get(step.pid)?.argv;
      if (argv && launchedPackage(argv)?.runner === 'go-run') return argv;
    }
    return undefined;
  }

  async function versionsOfInstance(
    server: ServerStatus,
    instance: Instance | InstanceChild,
    launch: Launch | undefined,
    child = false,
  ): Promise<void> {
    // A guard whose server is down or stopped for idleness runs none: there is no version to judge (the instance is the guard).
    if (!child && (serverDownOf(instance as Instance) || serverIdleOf(instance as Instance))) return;
    const proc = byPid.get(instance.pid);
    // A child is judged only when its own command line names a script or module (not `python -c CODE`, `node -e CODE`).
    if (child && !(proc && interprets(proc.argv) && !runsCode(proc.argv))) return;
    // The process's own argv only matters when an interpreter names a script or module (where its
    // code was loaded from); otherwise the instance shares the configured launch's resolution.
    const argv = proc && interprets(proc.argv) ? proc.argv : undefined;
    const cwd = argv && needsCwd(argv) ? await procCwd(instance.pid, host.platform) : undefined;
    // `go run pkg@v1.0.0`: the process runs what its own `go run` named (the entry may name another
    // release now, a drift said below), so that launch is what is resolved for it.
    const goRun = launch && !child && configuredPackage(launch)?.runner === 'go-run' ? goRunOf(instance) : undefined;
    const resolution = goRun
      ? await resolveCached(
          { command: goRun[0], args: goRun.slice(1), cwd: launch?.cwd },
          { start: instance.startTime },
        )
      : launch
        ? await resolveCached(launch, { argv, cwd, start: instance.startTime })
        : proc
          ? await resolveCached({ command: proc.argv[0], args: proc.argv.slice(1) }, { argv: proc.argv, cwd })
          : { installed: { state: 'unknown', reason: 'the process argv is not known' } as Installed, files: () => [] };
    if (child && resolution.installed.state !== 'installed') return;
    const key = instance.startTime !== undefined ? instanceKey(instance.pid, instance.startTime) : undefined;
    const seen = key ? store?.get(key) : undefined;
    const lock = holderRecordOf(instance, locks);

    // A guard's record of what this very child said comes first (the only way a stdio server is heard).
    let serverInfo: ServerInfoStatement | undefined = serverInfoFromLock(lock, instance.pid) ?? seen?.serverInfo;
    if (
      !serverInfo &&
      !child &&
      ask &&
      server.transport !== 'stdio' &&
      server.url &&
      !server.url.includes('<redacted>') &&
      server.listener?.state === 'local'
    ) {
      const memoKey = key ?? `${instance.pid}`;
      let asked = serverInfoMemo.get(memoKey);
      const fresh = !asked || (Date.now() - asked.at >= FAILED_ASK_RETRY_MS && !(await asked.answer).ok);
      if (fresh) serverInfoMemo.set(memoKey, (asked = { at: Date.now(), answer: ask(server.url, server.transport) }));
      const answer = await asked!.answer;
      if (answer.ok) serverInfo = { name: answer.name, version: answer.version, era: answer.era, how: answer.how };
      else if (fresh) log(`serverInfo of ${server.name} (${server.url}): ${answer.reason}`);
    }

    const ecosystem = resolution.installed.ecosystem;
    const judged = await judgeInstance(
      {
        pid: instance.pid,
        startTime: instance.startTime,
        ...(proc ? { argv: proc.argv } : {}),
        installed: resolution.installed,
        ...(resolution.running ? { reported: resolution.running } : {}),
        files: resolution.files,
        ...(lock?.versions ? { lock: { versions: lock.versions, startedAt: lock.startedAt } } : {}),
        ...(serverInfo ? { serverInfo } : {}),
        ...(seen ? { firstSeen: seen } : {}),
        infer: (start) =>
          ecosystem === 'python'
            ? inferFromPythonHistory({ host, fs }, resolution.installed, start, log)
            : inferFromNpmCache({ host, fs }, resolution.installed, start, log),
        installing: { known: ecosystem ? installerHolding(installers, resolution.installed) : undefined },
        ...(exited.length ? { installedBy: installerDone(exited, resolution.installed) } : {}),
        now: now().getTime(),
      },
      {
        readMaps: mapsOf,
        stat: (p) => fs.stat(p),
        compareReplaced: options.compareReplaced ?? compareReplaced,
        ...(runtimeOf ? { sightRuntime: runtimeOf } : {}),
        runningBuild: (pid, start) => runningBuildInfo(pid, start, host.platform),
        stillInstalled: (inst, names) => stillInstalled({ host, fs }, inst, names),
        startLag: () => (lag ??= startLagMs(host.platform)),
      },
    );
    const { running } = judged;
    let verdict = judged.verdict;
    const replaced = judged.replaced;
    // The entry now launches another version than this process was started with: a restart runs the new one.
    // (Not while the verdict waits for an install to settle: the wait is said, then the judgement.)
    if (
      launch &&
      proc &&
      verdict.state !== 'stale' &&
      !(verdict.state === 'unknown' && verdict.settling) &&
      configuredPackage(launch)
    ) {
      const started = [
        ...('launcherChain' in instance ? instance.launcherChain : []).map((step) => byPid.get(step.pid)?.argv),
        proc.argv,
      ].filter((a): a is string[] => !!a);
      const drift = configDrift(configuredPackage(launch), started);
      if (drift)
        verdict = {
          state: 'config-changed',
          ...drift,
          summary: `${drift.package}: the configuration now launches ${drift.configured}; this process was started with ${drift.running}: restart it to run the new launch`,
        };
    }
    const inst = resolution.installed;
    if (key && store) {
      // Remember what this process loaded, but only when the files provably predate it.
      if (!seen && inst.state === 'installed' && filesPredateProcess(inst, judged.start) && replaced.length === 0) {
        store.record(
          key,
          {
            name: inst.name,
            version: inst.version,
            ...(inst.environment ? { environment: inst.environment } : {}),
            firstSeenAt: now().toISOString(),
          },
          now(),
        );
      } else store.touch(key, now());
      if (serverInfo) store.rememberServerInfo(key, serverInfo);
    }
    const versions: InstanceVersions = {
      installed: inst,
      running,
      verdict,
      ...(serverInfo ? { serverInfo } : {}),
      ...(judged.runtime ? { runtime: judged.runtime } : {}),
    };
    instance.versions = versions;
  }

  if (store) {
    try {
      await store.save(now());
    } catch (err) {
      log(`first-seen versions could not be saved to ${store.file}: ${(err as Error).message}`);
    }
  }

  const result = await updateChecks(host, ctx, servers, options, log, now);
  options.onBackground?.(result.background);
  return result;
}

/** Fills `updateAvailable` from cached registry answers, and starts the checks that are due. */
async function updateChecks(
  host: HostEnv,
  ctx: ResolveContext,
  servers: ServerStatus[],
  options: VersionsOptions,
  log: (m: string) => void,
  now: () => Date,
): Promise<{ background: Promise<void> }> {
  if (options.registry === false || options.persist === false || host.env.MCP_LIFEGUARD_UPDATE_CHECK === '0')
    return { background: Promise.resolve() };
  const reg = options.registry || {};
  const paths = lifeguardPaths(host);
  const cacheFile = reg.cacheFile ?? registryCacheFile(paths);
  const overrides = registryOverrides(host.env, reg.overrides);
  const checkerKey = JSON.stringify([cacheFile, overrides, reg.timeoutMs ?? null]);
  let checker = checkers.get(checkerKey);
  if (!checker)
    checkers.set(
      checkerKey,
      (checker = new RegistryChecker({
        ctx,
        cacheFile,
        root: reg.cacheFile ? undefined : paths.root,
        overrides,
        now,
        log,
        ...(reg.timeoutMs ? { timeoutMs: reg.timeoutMs } : {}),
      })),
    );
  const c = checker;
  const refs: Array<{ server: ServerStatus; ref: InstalledPackageRef }> = [];
  const mcpRefs: Array<{ server: ServerStatus; ref: McpRegistryRef }> = [];
  for (const server of servers) {
    const inst = server.installed;
    // A loose script is in no registry (a PyPI project of its name would be someone else's).
    if (inst?.state === 'installed' && (inst.ecosystem === 'npm' || inst.ecosystem === 'python') && !inst.dev?.script) {
      const ref = { ecosystem: inst.ecosystem, name: inst.name, current: inst.version };
      refs.push({ server, ref });
      // The package names its MCP Registry entry: its status (deprecated, deleted) and latest version there.
      if (inst.mcpName) mcpRefs.push({ server, ref: { name: inst.mcpName, package: ref } });
    }
  }
  for (const { server, ref } of refs) {
    const u = await c.cached(ref);
    if (u) server.updateAvailable = { package: ref.name, ...u };
  }
  for (const { server, ref } of mcpRefs) {
    const said = await c.cachedStatus(ref);
    if (!said) continue;
    server.registryStatus = said;
    // Newer in the MCP Registry, when the package's own registry said nothing newer (or was not asked).
    if (said.latest && !server.updateAvailable)
      server.updateAvailable = {
        package: ref.package.name,
        current: ref.package.current,
        latest: said.latest,
        checkedAt: said.checkedAt,
        registry: said.registry,
      };
  }
  return {
    background: c.check(
      refs.map((r) => r.ref),
      mcpRefs.map((r) => r.ref),
    ),
  };
}
