import type { EngineCache } from '../base/engineCache';
import { memoizedFs } from './fs';
import { resolutionCache } from './kept';
import type { Instance, InstanceChild, ServerStatus } from '../base/model';
import { lifeguardPaths } from '../base/paths';
import type { Installed, InstanceVersions } from '../base/versionTypes';
import type { LockRecord } from '../locks/types';
import type { Machine } from '../machine/types';
import type { ProcessInfo } from '../pids/table';
import type { Launch } from '../sources/scan';
import type { DockerCli } from './docker';
import type { FirstSeenStore } from './firstSeen';
import { GatheredInstance, gatherInstance, Gathering, gathering } from './gathering';
import { InstanceJudgement, InstanceReaders, judgeInstance, rootsOf } from './instanceEvidence';
import { filesPredateProcess } from './clockSlack';
import type { ResolveContext } from './lookup';
import {
  InstalledPackageRef,
  McpRegistryRef,
  RegistryChecker,
  registryCacheFile,
  RegistryOverrides,
  registryOverrides,
} from './registry';
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
  /** The quiet period after a change before it is judged (settling.ts SETTLE_MS by default). */
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

const REGISTRY_CHECKERS = { name: 'registry-checkers', limit: 8 } as const;

/**
 * Servers resolved at once: enough to keep the file-system thread pool busy. Thousands started
 * together only pile up half-done resolutions in memory, and the time goes to collecting them.
 */
const RESOLVE_CONCURRENCY = 32;

/** `work` on every item, at most `limit` at a time; the answers in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await work(items[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** What the versions step found of one server. */
interface ServerVersions {
  installed: Installed | undefined;
  versions: Array<[string, InstanceVersions]>;
}

/**
 * The versions step, in stages: the snapshot's gathering (gathering.ts), then for each instance its
 * facts gathered, judged (instanceEvidence.ts) and reported (its sighting remembered), then the
 * sightings saved and the updates read from the registries' answers.
 */
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
  const resolutions = resolutionCache(machine, cache);
  // The snapshot's reads, made once: resolutions and the histories inference reads share them.
  const reads = memoizedFs(machine.fs);
  const g = await gathering(machine, cache, settings, servers, processes, liveLocks, at, reads, resolutions);
  resolutions.newPass(reads);
  let found: ServerVersions[];
  try {
    found = await mapLimited(servers, RESOLVE_CONCURRENCY, (server) =>
      versionsOfServer(g, server, launches.get(server.id)),
    );
  } finally {
    resolutions.endPass();
  }
  if (g.store && settings.persist) await saveSightings(g.store, settings.log, at);
  const installed = new Map<string, Installed>();
  servers.forEach((server, k) => {
    const inst = found[k].installed;
    if (inst) installed.set(server.id, inst);
  });
  // What outlives the snapshot (registry checkers) gets no pass of it.
  const kept: ResolveContext = { host: machine.host, fs: machine.fs, cache };
  const { updates, background } = await updateChecks(machine, cache, kept, settings, servers, installed);
  settings.onBackground?.(background);
  return { installed, versions: new Map(found.flatMap((f) => f.versions)), updates, background };
}

/** A server's installed side (a stdio launch's) and the versions of its instances and their children. */
async function versionsOfServer(
  g: Gathering,
  server: ServerStatus,
  launch: Launch | undefined,
): Promise<ServerVersions> {
  const installed = launch && server.transport === 'stdio' ? (await g.resolve(launch, {})).installed : undefined;
  const versions = await Promise.all(
    server.instances.flatMap((instance) => [
      versionsOfInstance(g, server, instance, launch),
      // What the server started runs code of its own (`python -m buckaroo.server`): judged by its own command line.
      ...(instance.children ?? []).map((child) => versionsOfInstance(g, server, child, undefined, true)),
    ]),
  );
  return { installed, versions: versions.filter((v): v is [string, InstanceVersions] => v !== undefined) };
}

/** One instance through the stages: its facts gathered, judged, then reported (and its sighting remembered). */
async function versionsOfInstance(
  g: Gathering,
  server: ServerStatus,
  instance: Instance | InstanceChild,
  launch: Launch | undefined,
  child = false,
): Promise<[string, InstanceVersions] | undefined> {
  const gathered = await gatherInstance(g, server, instance, launch, child);
  if (!gathered) return undefined;
  const judged = await judgeInstance(gathered.facts, g.readers);
  if (g.store) await rememberSighting(g.store, gathered, judged, g.at, g.readers);
  const { installed, serverInfo } = gathered;
  return [
    versionsKey(server.id, instance.pid),
    {
      installed,
      running: judged.running,
      verdict: judged.verdict,
      ...(serverInfo ? { serverInfo } : {}),
      ...(judged.runtime ? { runtime: judged.runtime } : {}),
    },
  ];
}

/** Remember what this process loaded, but only when the files provably predate it; else that it was seen again. */
async function rememberSighting(
  store: FirstSeenStore,
  gathered: GatheredInstance,
  judged: InstanceJudgement,
  at: number,
  readers: InstanceReaders,
): Promise<void> {
  const { key, seen, installed: inst, serverInfo } = gathered;
  if (!key) return;
  const now = new Date(at);
  if (!seen && inst.state === 'installed' && filesPredateProcess(inst, judged.start) && judged.replaced.length === 0) {
    // A released package's own files as it loaded them: a later repack under the same version is told by them.
    const digest = inst.dev ? undefined : await readers.packageDigest?.(inst.location, inst.changedAt);
    // A script's closure as its distributions' RECORDs hash it: a reinstall of the same wheels is told by them.
    const records = await readers.recordsDigest?.(inst);
    // Its native libraries as their RECORDs list them: a reinstall that replaces them is proven without reading them.
    const mapped =
      inst.ecosystem === 'python' ? await readers.mappedRecords?.(gathered.facts.pid, rootsOf(inst)) : undefined;
    store.record(
      key,
      {
        name: inst.name,
        version: inst.version,
        ...(inst.environment ? { environment: inst.environment } : {}),
        firstSeenAt: now.toISOString(),
        ...(digest ? { digest } : {}),
        ...(records ? { recordsDigest: records } : {}),
        ...(mapped ? { mapped } : {}),
      },
      now,
    );
  } else store.touch(key, now);
  if (serverInfo) store.rememberServerInfo(key, serverInfo);
}

async function saveSightings(store: FirstSeenStore, log: (message: string) => void, at: number): Promise<void> {
  try {
    await store.save(new Date(at));
  } catch (err) {
    log(`first-seen versions could not be saved to ${store.file}: ${(err as Error).message}`);
  }
}

/** The updates read from cached registry answers, and the checks that are due started (only where we persist). */
async function updateChecks(
  machine: Machine,
  cache: EngineCache,
  ctx: ResolveContext,
  settings: VersionsSettings,
  servers: readonly ServerStatus[],
  installed: ReadonlyMap<string, Installed>,
): Promise<Pick<VersionsFound, 'updates' | 'background'>> {
  const updates: VersionsFound['updates'] = new Map();
  const none = { updates, background: Promise.resolve() };
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
    const inst = installed.get(server.id);
    // A loose script is in no registry (a PyPI project of its name would be someone else's).
    if (inst?.state === 'installed' && (inst.ecosystem === 'npm' || inst.ecosystem === 'python') && !inst.dev?.script) {
      const ref = { ecosystem: inst.ecosystem, name: inst.name, current: inst.version };
      refs.push({ server, ref });
      // The package names its MCP Registry entry: its status (deprecated, deleted) and latest version there.
      if (inst.mcpName) mcpRefs.push({ server, ref: { name: inst.mcpName, package: ref } });
    }
  }
  const update = (id: string) => {
    let u = updates.get(id);
    if (!u) updates.set(id, (u = {}));
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
    updates,
    background: checker.check(
      refs.map((r) => r.ref),
      mcpRefs.map((r) => r.ref),
    ),
  };
}
