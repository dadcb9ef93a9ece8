import * as path from 'node:path';
import type { EngineCache } from '../base/engineCache';
import { memoizedFs } from './fs';
import { resolutionCache } from './kept';
import type { Instance, InstanceChild, ServerStatus } from '../base/model';
import { lifeguardPaths } from '../base/paths';
import type { Installed, InstanceVersions, ServerInfoStatement } from '../base/versionTypes';
import type { LockRecord } from '../locks/types';
import type { Machine } from '../machine/types';
import type { ProcessInfo } from '../pids/table';
import { holderRecordOf, serverDownOf, serverIdleOf } from '../processes/guarded';
import type { Launch } from '../sources/scan';
import { configDrift, launchedPackage } from './configDrift';
import { parseLaunch } from '../launch/parse';
import { DockerCli, parseDockerRun } from './docker';
import { FIRST_SEEN_STORES, FirstSeenStore, instanceKey, LoadedStore } from './firstSeen';
import { inferFromNpmCache } from './firstLook';
import { interprets, judgeInstance, needsCwd } from './instanceEvidence';
import { machineReaders } from './instanceReaders';
import { installersIn } from './installers';
import {
  installerDone,
  installerHolding,
  InstallerWatch,
  machineScopeReaders,
  scopedInstallers,
  ScopedInstaller,
} from './installerScope';
import { filesPredateProcess } from './judge';
import { serverInfoFromLock } from './lockServerInfo';
import type { ResolveContext } from './lookup';
import { inferFromPythonHistory } from './pythonFirstLook';
import {
  InstalledPackageRef,
  McpRegistryRef,
  RegistryChecker,
  registryCacheFile,
  RegistryOverrides,
  registryOverrides,
} from './registry';
import { resolveInstalled, Resolution } from './resolve';
import { procLink } from './runtime';
import type { RegistryStatus, UpdateAvailable } from '../base/versionTypes';

/**
 * The versions step of a snapshot: the installed side of every configured server, each instance's
 * running side and verdict (instanceEvidence.ts, the one judgement), and update availability from
 * the (cached) registry answers. It reads the world only through the Machine, keeps what it keeps
 * in the engine's cache, and changes nothing it is given: its answers come back keyed by server and
 * pid, and the snapshot puts them in place (`withVersions`).
 */

/** How the versions step works, fixed for the life of an Engine. */
export interface VersionsSettings {
  /** Failures that are not shown (registry, state files). */
  log: (message: string) => void;
  /** Whether our files are written: first sightings, the registry cache. Never for a replay or a root that is not private. */
  persist: boolean;
  /** The docker CLI; undefined leaves docker launches unknown. */
  docker: DockerCli | undefined;
  /** How long docker's answers (process spawns, not files) are reused. */
  dockerTtlMs: number;
  /** Registry update checks (in the background, never waited for); false: none. */
  registry: false | { overrides?: RegistryOverrides; cacheFile?: string; timeoutMs?: number; ask: boolean };
  /** Where first sightings persist; defaults to `<state>/versions/first-seen.json`. */
  firstSeenFile?: string;
  /** Receives the background registry checks (tests and the CLI's --watch may wait on them). */
  onBackground?: (checks: Promise<void>) => void;
  /** The quiet period after a change before it is judged (judge.ts SETTLE_MS by default). */
  settleMs?: number;
}

/** What the versions step found, keyed so that nothing it was given changes. */
export interface VersionsFound {
  /** Server id -> what its launch installs. */
  installed: Map<string, Installed>;
  /** `versionsKey(server, pid)` -> an instance's (or a child's) versions. */
  versions: Map<string, InstanceVersions>;
  /** Server id -> a newer release, and what an MCP Registry says of it. */
  updates: Map<string, { updateAvailable?: ServerStatus['updateAvailable']; registryStatus?: RegistryStatus }>;
  /** The registry checks started by this call; the snapshot never waits for them. */
  background: Promise<void>;
}

/** The key of one instance's versions: judged per server (the same process two entries claim is judged by each entry's launch). */
export function versionsKey(serverId: string, pid: number): string {
  return `${serverId}\0${pid}`;
}

/** The servers with what the versions step found put in place, as new objects. */
export function withVersions(servers: readonly ServerStatus[], found: VersionsFound): ServerStatus[] {
  const child = (serverId: string, c: InstanceChild): InstanceChild => {
    const v = found.versions.get(versionsKey(serverId, c.pid));
    return v ? Object.assign({}, c, { versions: v }) : c;
  };
  return servers.map((s) => {
    const installed = found.installed.get(s.id);
    const update = found.updates.get(s.id);
    return Object.assign(
      {},
      s,
      installed ? { installed } : {},
      update?.updateAvailable ? { updateAvailable: update.updateAvailable } : {},
      update?.registryStatus ? { registryStatus: update.registryStatus } : {},
      {
        instances: s.instances.map((i) => {
          const v = found.versions.get(versionsKey(s.id, i.pid));
          return Object.assign(
            {},
            i,
            v ? { versions: v } : {},
            i.children ? { children: i.children.map((c) => child(s.id, c)) } : {},
          );
        }),
      },
    );
  });
}

/** The engine's buckets of the versions step. */
const INSTALLER_WATCH = { name: 'installer-watch', limit: 1 } as const;
const REGISTRY_CHECKERS = { name: 'registry-checkers', limit: 8 } as const;
/** serverInfo never changes for one process; a failed answer (still starting, needs credentials) is asked again after this. */
const FAILED_ASK_RETRY_MS = 5 * 60_000;
const SERVER_INFO = { name: 'server-info', limit: 1024 } as const;
const DOCKER = { name: 'docker', limit: 1024 } as const;

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

/** Whether an interpreter runs code given on its command line (an option before the first operand). */
function runsCode(argv: readonly string[]): boolean {
  const end = argv.findIndex((a, k) => k > 0 && !a.startsWith('-'));
  return argv.slice(1, end < 0 ? undefined : end).some((a) => /^(-c|-e|-p|--eval|--print)$/.test(a));
}

export async function findVersions(
  machine: Machine,
  cache: EngineCache,
  settings: VersionsSettings,
  servers: readonly ServerStatus[],
  launches: ReadonlyMap<string, Launch>,
  processes: readonly ProcessInfo[],
  liveLocks: readonly LockRecord[],
  /** The snapshot's moment (ms): every verdict of one snapshot is judged at one time, so a replay judges alike. */
  at: number,
): Promise<VersionsFound> {
  const { host } = machine;
  const fs = machine.fs;
  const now = () => new Date(at);
  const { log, persist } = settings;
  const resolutions = resolutionCache(machine, cache);
  // The snapshot's reads, made once: resolutions and the histories inference reads share them.
  const reads = memoizedFs(fs);
  // What outlives the snapshot (docker answers, registry checkers) gets no pass of it.
  const kept: ResolveContext = { host, fs, cache };
  const ctx: ResolveContext = Object.assign({}, kept, { pass: reads });
  const found: VersionsFound = {
    installed: new Map(),
    versions: new Map(),
    updates: new Map(),
    background: Promise.resolve(),
  };
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const hasInstances = servers.some((s) => s.instances.length > 0);
  const paths = lifeguardPaths(host);
  const firstSeenFile = settings.firstSeenFile ?? path.join(paths.state, 'versions', 'first-seen.json');
  // Sightings are read from a replay's record too; they are written only where we persist.
  const store = hasInstances
    ? await FirstSeenStore.loadCached(firstSeenFile, {
        fs,
        uid: machine.uid,
        loaded: cache.bucket<string, LoadedStore>(FIRST_SEEN_STORES.name, FIRST_SEEN_STORES),
        report: log,
        ...(settings.firstSeenFile ? {} : { root: paths.root }),
      })
    : undefined;
  // Only records that carry versions say what an instance runs.
  const locks = liveLocks.filter((r) => r.versions);
  const readers = machineReaders(machine, cache);
  // Once per snapshot, not per instance: the process table is scanned for installers once (what
  // each can write read only when there is one), and each entry's launch is parsed once.
  const watch = cache
    .bucket<string, InstallerWatch>(INSTALLER_WATCH.name, INSTALLER_WATCH)
    .getOrSet('', () => new InstallerWatch());
  const seenInstallers = hasInstances ? installersIn(processes) : [];
  const installers: ScopedInstaller[] = seenInstallers.length
    ? await scopedInstallers(processes, host, machineScopeReaders(machine, fs), watch)
    : [];
  const exited = hasInstances ? watch.observe(at, installers) : [];
  const configured = new Map<Launch, ReturnType<typeof launchedPackage>>();
  const configuredPackage = (launch: Launch) => {
    if (!configured.has(launch)) configured.set(launch, launchedPackage([launch.command, ...launch.args]));
    return configured.get(launch);
  };
  const serverInfoAsked = cache.bucket<string, { at: number; answer: ReturnType<Machine['serverInfo']> }>(
    SERVER_INFO.name,
    SERVER_INFO,
  );
  const dockerAnswers = cache.bucket<string, Promise<Resolution>>(
    DOCKER.name,
    Object.assign({}, DOCKER, { ttlMs: settings.dockerTtlMs }),
  );

  /** A resolution and the files its answer was read from (with their change times). */
  const resolveCached = async (
    launch: Launch,
    extra: { argv?: readonly string[]; cwd?: string; start?: number },
  ): Promise<Resolution & { files: () => Array<{ path: string; at: number }> }> => {
    const reading = parseLaunch([launch.command, ...launch.args]);
    // Docker answers come from the engine, not from files: not cached by mtime, reused for a while.
    if (parseDockerRun(launch, reading)) {
      const key = JSON.stringify([launch.command, launch.args, extra.start ?? null]);
      const resolution = dockerAnswers.getOrSet(key, () =>
        resolveInstalled(kept, launch, { docker: settings.docker, processStart: extra.start, reading }),
      );
      return Object.assign({}, await resolution, { files: () => [] });
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
    const resolution = await resolutions.get(key, (tfs) =>
      resolveInstalled({ host, fs: tfs, cache }, launch, {
        processArgv: extra.argv,
        processCwd: extra.cwd,
        reading,
      }),
    );
    // The files are evidence only when something changed after a start: listed on demand.
    return Object.assign({}, resolution, { files: () => resolutions.filesOf(key) });
  };

  /** The `go run pkg@version` argv the instance was started with: a step of its launcher chain. */
  const goRunOf = (instance: Instance | InstanceChild): string[] | undefined => {
    const steps = 'launcherChain' in instance ? instance.launcherChain : [];
    for (const step of steps) {
      const argv = byPid.get(step.pid)?.argv;
      if (argv && launchedPackage(argv)?.runner === 'go-run') return argv;
    }
    return undefined;
  };

  const procCwd = async (pid: number): Promise<string | undefined> => {
    if (host.platform !== 'linux') return undefined;
    // Gone or not ours: the configured cwd is used instead.
    return procLink(fs, `/proc/${pid}/cwd`);
  };

  /** What the server says of itself (HTTP and SSE servers listening here), asked once per process. */
  const askedServerInfo = async (server: ServerStatus, memoKey: string): Promise<ServerInfoStatement | undefined> => {
    if (
      server.transport === 'stdio' ||
      !server.url ||
      server.url.includes('<redacted>') ||
      server.listener?.state !== 'local'
    )
      return undefined;
    const url = server.url;
    let asked = serverInfoAsked.get(memoKey);
    const fresh = !asked || (at - asked.at >= FAILED_ASK_RETRY_MS && !(await asked.answer).ok);
    if (fresh) serverInfoAsked.set(memoKey, (asked = { at, answer: machine.serverInfo(url, server.transport) }));
    const answer = await asked!.answer;
    if (answer.ok) return { name: answer.name, version: answer.version, era: answer.era, how: answer.how };
    if (fresh) log(`serverInfo of ${server.name} (${url}): ${answer.reason}`);
    return undefined;
  };

  const versionsOfInstance = async (
    server: ServerStatus,
    instance: Instance | InstanceChild,
    launch: Launch | undefined,
    child = false,
  ): Promise<void> => {
    // A guard whose server is down or stopped for idleness runs none: there is no version to judge (the instance is the guard).
    if (!child && (serverDownOf(instance as Instance) || serverIdleOf(instance as Instance))) return;
    const proc = byPid.get(instance.pid);
    // A child is judged only when its own command line names a script or module (not `python -c CODE`, `node -e CODE`).
    if (child && !(proc && interprets(proc.argv) && !runsCode(proc.argv))) return;
    // The process's own argv only matters when an interpreter names a script or module (where its
    // code was loaded from); otherwise the instance shares the configured launch's resolution.
    const argv = proc && interprets(proc.argv) ? proc.argv : undefined;
    const cwd = argv && needsCwd(argv) ? await procCwd(instance.pid) : undefined;
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
    const serverInfo: ServerInfoStatement | undefined =
      serverInfoFromLock(lock, instance.pid) ??
      seen?.serverInfo ??
      (child ? undefined : await askedServerInfo(server, key ?? `${instance.pid}`));

    const ecosystem = resolution.installed.ecosystem;
    // The entry now launches another version than this process was started with: a restart runs
    // the new one. Evidence for the judgement, read from the process's own launcher chain.
    const started =
      launch && proc && configuredPackage(launch)
        ? [
            ...('launcherChain' in instance ? instance.launcherChain : []).map((step) => byPid.get(step.pid)?.argv),
            proc.argv,
          ].filter((a): a is string[] => !!a)
        : undefined;
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
            ? inferFromPythonHistory(ctx, resolution.installed, start, log)
            : inferFromNpmCache(ctx, resolution.installed, start, log),
        installing: { known: ecosystem ? installerHolding(installers, resolution.installed) : undefined },
        ...(exited.length ? { installedBy: installerDone(exited, resolution.installed) } : {}),
        ...(started && launch ? { drift: configDrift(configuredPackage(launch), started) } : {}),
        ...(settings.settleMs !== undefined ? { settleMs: settings.settleMs } : {}),
        now: at,
      },
      readers,
    );
    const inst = resolution.installed;
    if (key && store) {
      // Remember what this process loaded, but only when the files provably predate it.
      if (
        !seen &&
        inst.state === 'installed' &&
        filesPredateProcess(inst, judged.start) &&
        judged.replaced.length === 0
      ) {
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
    found.versions.set(versionsKey(server.id, instance.pid), {
      installed: inst,
      running: judged.running,
      verdict: judged.verdict,
      ...(serverInfo ? { serverInfo } : {}),
      ...(judged.runtime ? { runtime: judged.runtime } : {}),
    });
  };

  resolutions.newPass(reads);
  try {
    await eachLimited(servers, RESOLVE_CONCURRENCY, async (server) => {
      const launch = launches.get(server.id);
      if (launch && server.transport === 'stdio')
        found.installed.set(server.id, (await resolveCached(launch, {})).installed);
      await Promise.all(
        server.instances.flatMap((instance) => [
          versionsOfInstance(server, instance, launch),
          // What the server started runs code of its own (`python -m buckaroo.server`): judged by its own command line.
          ...(instance.children ?? []).map((child) => versionsOfInstance(server, child, undefined, true)),
        ]),
      );
    });
  } finally {
    resolutions.endPass();
  }

  if (store && persist) {
    try {
      await store.save(now());
    } catch (err) {
      log(`first-seen versions could not be saved to ${store.file}: ${(err as Error).message}`);
    }
  }

  found.background = (await updateChecks(machine, cache, kept, settings, servers, found)).background;
  settings.onBackground?.(found.background);
  return found;
}

/** Fills the updates from cached registry answers, and starts the checks that are due (only where we persist). */
async function updateChecks(
  machine: Machine,
  cache: EngineCache,
  ctx: ResolveContext,
  settings: VersionsSettings,
  servers: readonly ServerStatus[],
  found: VersionsFound,
): Promise<{ background: Promise<void> }> {
  const none = { background: Promise.resolve() };
  const reg = settings.registry;
  if (reg === false) return none;
  const paths = lifeguardPaths(machine.host);
  const cacheFile = reg.cacheFile ?? registryCacheFile(paths);
  const overrides = registryOverrides(machine.host.env, reg.overrides);
  const checkerKey = JSON.stringify([cacheFile, overrides, reg.timeoutMs ?? null]);
  const checker = cache.bucket<string, RegistryChecker>(REGISTRY_CHECKERS.name, REGISTRY_CHECKERS).getOrSet(
    checkerKey,
    () =>
      new RegistryChecker({
        ctx,
        fs: machine.fs,
        net: machine.net,
        uid: machine.uid,
        cacheFile,
        root: reg.cacheFile ? undefined : paths.root,
        overrides,
        now: () => new Date(machine.now()),
        log: settings.log,
        ...(reg.timeoutMs ? { timeoutMs: reg.timeoutMs } : {}),
      }),
  );
  const refs: Array<{ server: ServerStatus; ref: InstalledPackageRef }> = [];
  const mcpRefs: Array<{ server: ServerStatus; ref: McpRegistryRef }> = [];
  for (const server of servers) {
    const inst = found.installed.get(server.id);
    // A loose script is in no registry (a PyPI project of its name would be someone else's).
    if (inst?.state === 'installed' && (inst.ecosystem === 'npm' || inst.ecosystem === 'python') && !inst.dev?.script) {
      const ref = { ecosystem: inst.ecosystem, name: inst.name, current: inst.version };
      refs.push({ server, ref });
      // The package names its MCP Registry entry: its status (deprecated, deleted) and latest version there.
      if (inst.mcpName) mcpRefs.push({ server, ref: { name: inst.mcpName, package: ref } });
    }
  }
  const update = (id: string) => {
    let u = found.updates.get(id);
    if (!u) found.updates.set(id, (u = {}));
    return u;
  };
  for (const { server, ref } of refs) {
    const u: UpdateAvailable | undefined = await checker.cached(ref);
    if (u) update(server.id).updateAvailable = { package: ref.name, ...u };
  }
  for (const { server, ref } of mcpRefs) {
    const said = await checker.cachedStatus(ref);
    if (!said) continue;
    const u = update(server.id);
    u.registryStatus = said;
    // Newer in the MCP Registry, when the package's own registry said nothing newer (or was not asked).
    if (said.latest && !u.updateAvailable)
      u.updateAvailable = {
        package: ref.package.name,
        current: ref.package.current,
        latest: said.latest,
        checkedAt: said.checkedAt,
        registry: said.registry,
      };
  }
  // Asking the registries (the network) and writing their answers happen only where we persist.
  if (!settings.persist || !reg.ask) return none;
  return {
    background: checker.check(
      refs.map((r) => r.ref),
      mcpRefs.map((r) => r.ref),
    ),
  };
}
