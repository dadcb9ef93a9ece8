import { pathFor } from '../base/hostEnv';
import type { EngineCache } from '../base/engineCache';
import type { Instance, InstanceChild, ServerStatus } from '../base/model';
import { lifeguardPaths } from '../base/paths';
import type { Installed, ServerInfoStatement } from '../base/versionTypes';
import { parseLaunch } from '../launch/parse';
import type { LockRecord } from '../locks/types';
import type { Machine } from '../machine/types';
import type { ProcessInfo } from '../pids/table';
import { holderRecordOf, serverDownOf, serverIdleOf } from '../processes/guarded';
import type { Launch } from '../sources/scan';
import type { MtimeCache } from './cache';
import { configDrift, launchedPackage, pluginUpdateDrift } from './configDrift';
import { DockerCli, parseDockerRun } from './docker';
import { FIRST_SEEN_STORES, FirstSeenStore, instanceKey, LoadedStore } from './firstSeen';
import { inferFromNpmCache } from './firstLook';
import type { VersionFs } from './fs';
import { InstanceFacts, InstanceReaders, interprets, needsCwd } from './instanceEvidence';
import { machineReaders } from './instanceReaders';
import { scriptRecordsReaders } from './recordsDigest';
import { once, recordedContent, recordFinder } from './installerRecord';
import { FactStore, keptDigests, keptOwners } from './keptFacts';
import { mappedRecordsReader } from './mappedRecords';
import { readMaps } from './maps';
import { installersIn } from './installers';
import {
  installerDone,
  installerHolding,
  InstallerWatch,
  machineScopeReaders,
  scopedInstallers,
  ScopedInstaller,
} from './installerScope';
import type { FirstSeen } from './versionEvidence';
import { serverInfoFromLock } from './lockServerInfo';
import type { ResolveContext } from './lookup';
import { inferFromPythonHistory } from './pythonFirstLook';
import { resolveInstalled, Resolution } from './resolve';
import { procLink } from './runtime';

/**
 * The gathering stage of the versions step (attach.ts): what one snapshot reads once (first
 * sightings, installers at work, the engine's kept answers), then each instance's facts for the
 * judgement (instanceEvidence.ts): what is installed for it and what records what it runs.
 */

/** The engine's buckets of the gathering. */
const INSTALLER_WATCH = { name: 'installer-watch', limit: 1 } as const;
/** serverInfo never changes for one process; a failed answer (still starting, needs credentials) is asked again after this. */
const FAILED_ASK_RETRY_MS = 5 * 60_000;
const SERVER_INFO = { name: 'server-info', limit: 1024 } as const;
export const DOCKER = { name: 'docker', limit: 1024 } as const;

/** How the gathering reads, fixed for the life of an Engine (attach.ts VersionsSettings). */
export interface GatherSettings {
  log: (message: string) => void;
  docker: DockerCli | undefined;
  dockerTtlMs: number;
  firstSeenFile?: string;
  settleMs?: number;
}

/** A resolution and the files its answer was read from (with their change times). */
export type ResolutionRead = Resolution & { files: () => Array<{ path: string; at: number }> };

/** What one snapshot gathers once, and the ways it reads each instance's facts. */
export interface Gathering {
  machine: Machine;
  settings: GatherSettings;
  /** The snapshot's moment (ms). */
  at: number;
  /** The snapshot's reads, shared by the resolutions and the histories inference reads. */
  ctx: ResolveContext;
  byPid: ReadonlyMap<number, ProcessInfo>;
  /** First sightings: read from a replay's record too; undefined when no server has instances. */
  store: FirstSeenStore | undefined;
  /** Lock records that carry versions (only they say what an instance runs). */
  locks: readonly LockRecord[];
  readers: InstanceReaders;
  /** Installers at work now, and those seen earlier that have exited since. */
  installers: readonly ScopedInstaller[];
  exited: readonly ScopedInstaller[];
  /** The package an entry's launch names, parsed once per launch. */
  configuredPackage(launch: Launch): ReturnType<typeof launchedPackage>;
  resolve(launch: Launch, extra: { argv?: readonly string[]; cwd?: string; start?: number }): Promise<ResolutionRead>;
  /** What the server says of itself (HTTP and SSE servers listening here), asked once per process. */
  askServerInfo(server: ServerStatus, memoKey: string): Promise<ServerInfoStatement | undefined>;
}

/** What the gathering found of one instance: the judgement's facts and what the report keeps of them. */
export interface GatheredInstance {
  facts: InstanceFacts;
  installed: Installed;
  /** The first-seen key (pid and start time), when its start time is known. */
  key: string | undefined;
  seen: FirstSeen | undefined;
  serverInfo: ServerInfoStatement | undefined;
}

/** Whether an interpreter runs code given on its command line (an option before the first operand). */
function runsCode(argv: readonly string[]): boolean {
  const end = argv.findIndex((a, k) => k > 0 && !a.startsWith('-'));
  return argv.slice(1, end < 0 ? undefined : end).some((a) => /^(-c|-e|-p|--eval|--print)$/.test(a));
}

/** The first sightings, read only when some server has instances. */
async function firstSeenStore(machine: Machine, cache: EngineCache, settings: GatherSettings): Promise<FirstSeenStore> {
  const paths = lifeguardPaths(machine.host);
  const firstSeenFile = settings.firstSeenFile ?? pathFor(paths).join(paths.state, 'versions', 'first-seen.json');
  return FirstSeenStore.loadCached(firstSeenFile, {
    fs: machine.fs,
    platform: machine.host.platform,
    uid: machine.uid,
    loaded: cache.bucket<string, LoadedStore>(FIRST_SEEN_STORES.name, FIRST_SEEN_STORES),
    report: settings.log,
    ...(settings.firstSeenFile ? {} : { root: paths.root }),
  });
}

/** The snapshot's gathering: what is read once, and the readers of each instance's facts. */
export async function gathering(
  machine: Machine,
  cache: EngineCache,
  settings: GatherSettings,
  servers: readonly ServerStatus[],
  processes: readonly ProcessInfo[],
  liveLocks: readonly LockRecord[],
  at: number,
  reads: VersionFs,
  resolutions: MtimeCache<Resolution>,
): Promise<Gathering> {
  const { host, fs } = machine;
  // What outlives the snapshot (docker answers, registry checkers) gets no pass of it.
  const kept: ResolveContext = { host, fs, cache };
  const hasInstances = servers.some((s) => s.instances.length > 0);
  const store = hasInstances ? await firstSeenStore(machine, cache, settings) : undefined;
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
  // One RECORD finder for the snapshot: the processes of one environment list the same distributions,
  // and the proofs and the distribution lookups of every process ask about the same files, each once.
  const finder = recordFinder(machine.fs);
  const found = new Map<string, ReturnType<typeof finder>>();
  const find = (file: string) => once(found, file, () => finder(file));
  const recorded = recordedContent(machine.fs, find);
  // What files said in earlier runs (their digests, the RECORDs that list them), while they are unchanged.
  const facts: FactStore | undefined = store && {
    get: (key) => store.fact(key, new Date(at)),
    set: (key, sig, value) => store.recordFact(key, sig, value, new Date(at)),
  };
  const readers = machineReaders(
    machine,
    cache,
    host,
    store && {
      get: (key) => store.proof(key, new Date(at)),
      set: (key, check) => {
        if (check !== 'unverified') store.recordProof(key, check, new Date(at));
      },
    },
    recorded,
    facts && keptDigests(machine.fs, facts, at),
  );
  return {
    machine,
    settings,
    at,
    ctx: Object.assign({}, kept, { pass: reads }),
    byPid: new Map(processes.map((p) => [p.pid, p])),
    store,
    locks: liveLocks.filter((r) => r.versions),
    readers: Object.assign(
      readers,
      scriptRecordsReaders(machine.fs, pathFor(host), cache),
      mappedRecordsReader((pid) => readMaps(pid, machine), recorded),
      facts ? { distInfoOf: keptOwners(machine.fs, find, facts, at) } : {},
    ),
    installers,
    exited,
    configuredPackage: (launch) => {
      if (!configured.has(launch)) configured.set(launch, launchedPackage([launch.command, ...launch.args]));
      return configured.get(launch);
    },
    resolve: cachedResolver(kept, cache, settings, resolutions),
    askServerInfo: serverInfoAsker(machine, cache, settings, at),
  };
}

/** Resolutions kept by the files their answers were read from; docker's kept for a while. */
function cachedResolver(
  kept: ResolveContext,
  cache: EngineCache,
  settings: GatherSettings,
  resolutions: MtimeCache<Resolution>,
): Gathering['resolve'] {
  const dockerAnswers = cache.bucket<string, Promise<Resolution>>(
    DOCKER.name,
    Object.assign({}, DOCKER, { ttlMs: settings.dockerTtlMs }),
  );
  return async (launch, extra) => {
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
      resolveInstalled({ host: kept.host, fs: tfs, cache: kept.cache }, launch, {
        processArgv: extra.argv,
        processCwd: extra.cwd,
        reading,
      }),
    );
    // The files are evidence only when something changed after a start: listed on demand.
    return Object.assign({}, resolution, { files: () => resolutions.filesOf(key) });
  };
}

/** The server's own statement, asked once per process (again after a while when it failed). */
function serverInfoAsker(
  machine: Machine,
  cache: EngineCache,
  settings: GatherSettings,
  at: number,
): Gathering['askServerInfo'] {
  const serverInfoAsked = cache.bucket<string, { at: number; answer: ReturnType<Machine['serverInfo']> }>(
    SERVER_INFO.name,
    SERVER_INFO,
  );
  return async (server, memoKey) => {
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
    if (fresh) settings.log(`serverInfo of ${server.name} (${url}): ${answer.reason}`);
    return undefined;
  };
}

/** The `go run pkg@version` argv the instance was started with: a step of its launcher chain. */
function goRunOf(g: Gathering, instance: Instance | InstanceChild): string[] | undefined {
  const steps = 'launcherChain' in instance ? instance.launcherChain : [];
  for (const step of steps) {
    const argv = g.byPid.get(step.pid)?.argv;
    if (argv && launchedPackage(argv)?.runner === 'go-run') return argv;
  }
  return undefined;
}

async function procCwd(g: Gathering, pid: number): Promise<string | undefined> {
  if (g.machine.host.platform !== 'linux') return undefined;
  // Gone or not ours: the configured cwd is used instead.
  return procLink(g.machine.fs, `/proc/${pid}/cwd`);
}

/** What is installed for an instance: its `go run`'s own launch, the entry's, or its own command line's. */
async function instanceResolution(
  g: Gathering,
  instance: Instance | InstanceChild,
  launch: Launch | undefined,
  proc: ProcessInfo | undefined,
  child: boolean,
): Promise<ResolutionRead> {
  // The process's own argv only matters when an interpreter names a script or module (where its
  // code was loaded from); otherwise the instance shares the configured launch's resolution.
  const argv = proc && interprets(proc.argv) ? proc.argv : undefined;
  const cwd = argv && needsCwd(argv, pathFor(g.machine.host)) ? await procCwd(g, instance.pid) : undefined;
  // `go run pkg@v1.0.0`: the process runs what its own `go run` named (the entry may name another
  // release now, a drift said below), so that launch is what is resolved for it.
  const goRun = launch && !child && g.configuredPackage(launch)?.runner === 'go-run' ? goRunOf(g, instance) : undefined;
  if (goRun)
    return g.resolve({ command: goRun[0], args: goRun.slice(1), cwd: launch?.cwd }, { start: instance.startTime });
  if (launch) return g.resolve(launch, { argv, cwd, start: instance.startTime });
  if (proc) return g.resolve({ command: proc.argv[0], args: proc.argv.slice(1) }, { argv: proc.argv, cwd });
  return { installed: { state: 'unknown', reason: 'the process argv is not known' } as Installed, files: () => [] };
}

/** Whether the instance runs a version to judge at all. */
function judged(g: Gathering, instance: Instance | InstanceChild, child: boolean): boolean {
  // A guard whose server is down or stopped for idleness runs none: there is no version to judge (the instance is the guard).
  if (!child) return !(serverDownOf(instance as Instance) || serverIdleOf(instance as Instance));
  // A child is judged only when its own command line names a script or module (not `python -c CODE`, `node -e CODE`).
  const proc = g.byPid.get(instance.pid);
  return !!(proc && interprets(proc.argv) && !runsCode(proc.argv));
}

/** One instance's facts for the judgement; undefined when it runs nothing to judge. */
export async function gatherInstance(
  g: Gathering,
  server: ServerStatus,
  instance: Instance | InstanceChild,
  launch: Launch | undefined,
  child = false,
): Promise<GatheredInstance | undefined> {
  if (!judged(g, instance, child)) return undefined;
  const proc = g.byPid.get(instance.pid);
  const resolution = await instanceResolution(g, instance, launch, proc, child);
  if (child && resolution.installed.state !== 'installed') return undefined;
  const key = instance.startTime !== undefined ? instanceKey(instance.pid, instance.startTime) : undefined;
  const seen = key ? g.store?.get(key) : undefined;
  const lock = holderRecordOf(instance, g.locks);
  // A guard's record of what this very child said comes first (the only way a stdio server is heard).
  const serverInfo: ServerInfoStatement | undefined =
    serverInfoFromLock(lock, instance.pid) ??
    seen?.serverInfo ??
    (child ? undefined : await g.askServerInfo(server, key ?? `${instance.pid}`));
  const installed = resolution.installed;
  const ecosystem = installed.ecosystem;
  const configured = launch ? g.configuredPackage(launch) : undefined;
  // The entry now launches another version than this process was started with: a restart runs
  // the new one. Evidence for the judgement, read from the process's own launcher chain.
  const chain = proc
    ? [
        ...('launcherChain' in instance ? instance.launcherChain : []).map((step) => g.byPid.get(step.pid)?.argv),
        proc.argv,
      ].filter((a): a is string[] => !!a)
    : undefined;
  const started = launch && configured ? chain : undefined;
  const { ctx, settings } = g;
  // A plugin updated under it: its entry names the new version folder, the process runs from the old one.
  const updated = !child && chain ? pluginUpdateDrift(server.source.addOn, chain, g.machine.host.platform) : undefined;
  const facts: InstanceFacts = {
    pid: instance.pid,
    startTime: instance.startTime,
    ...(proc ? { argv: proc.argv } : {}),
    installed,
    ...(resolution.running ? { reported: resolution.running } : {}),
    files: resolution.files,
    ...(lock?.versions ? { lock: { versions: lock.versions, startedAt: lock.startedAt } } : {}),
    ...(serverInfo ? { serverInfo } : {}),
    ...(seen ? { firstSeen: seen } : {}),
    infer: (start) =>
      ecosystem === 'python'
        ? inferFromPythonHistory(ctx, installed, start, settings.log)
        : inferFromNpmCache(ctx, installed, start, settings.log),
    installing: { known: ecosystem ? installerHolding(g.installers, installed) : undefined },
    ...(g.exited.length ? { installedBy: installerDone(g.exited, installed) } : {}),
    ...(started && launch
      ? {
          drift: configDrift(
            configured,
            started,
            installed.state === 'installed' && installed.name && installed.version
              ? { name: installed.name, version: installed.version }
              : undefined,
          ),
        }
      : {}),
    ...(updated ? { drift: updated } : {}),
    ...(settings.settleMs !== undefined ? { settleMs: settings.settleMs } : {}),
    now: g.at,
  };
  return { facts, installed, key, seen, serverInfo };
}
