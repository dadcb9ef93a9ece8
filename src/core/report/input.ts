import type {
  Diagnostic,
  Instance,
  InstanceClient,
  InstanceRef,
  ScannedFile,
  ServerConfig,
  ServerStatus,
  Snapshot,
  Verdict,
  WatchedMachine,
} from '../base/model';
import { runnerOfEntry } from '../launch/entryRunner';
import { PIN_RUNNERS } from '../launch/pin';
import type { InferredSource, Installed, InstanceVersions } from '../base/versionTypes';
import type { RestartCause } from './causes';

/**
 * What the view-model reads: the engine's snapshot, narrowed to the fields the views use. Every
 * field is declared through core's own types (a rename in core fails to compile here, not at run
 * time in the UI); the view adds only what it derives: the version judgement as a verdict, the
 * running and installed versions as plain strings, and the guard's control endpoint once known.
 * `toViewInput` is the one place a core snapshot becomes this.
 */

export type VmClient = InstanceClient;

export type VmInstanceRef = Pick<InstanceRef, 'pid' | 'startTime' | 'client'>;

type UnknownVerdict = Extract<Verdict, { kind: 'unknown' }>;
type StaleVersionVerdict = Extract<InstanceVersions['verdict'], { state: 'stale' }>;

/** A judgement about one instance, with its evidence as plain data. */
export type VmVerdict =
  | Exclude<Verdict, { kind: 'unknown' }>
  | {
      /**
       * The process does not run what a restart would: an upgrade replaced its code (`version`), its
       * files changed since it started (`changed`), its entry now launches another version (`config`),
       * or the runtime it runs on was replaced (`runtime`: `package` is the runtime, `node`, `python3.12`).
       * A guard whose server is down (`down`) is the snapshot's own `down` verdict: nothing runs.
       */
      kind: 'restart';
      cause: Exclude<RestartCause, 'down'>;
      package: StaleVersionVerdict['package'];
      /** What it runs: a version, `pkg@1.0.0` for `config`, `changed since start` for `changed`. */
      running: StaleVersionVerdict['running'];
      /** What a restart loads: the installed version, or the configured spec for `config`; `unknown`, `missing` for `runtime`. */
      installed: StaleVersionVerdict['installed'];
      /** How many of its dependencies moved (`version`), when any did. */
      movedDependencies?: number;
      /** True when the running version is inferred (npm's or uv's cache, pipx's log), not recorded. */
      inferred?: boolean;
      /** Which history it is inferred from, when inferred. */
      inferredFrom?: InferredSource;
      /** One sentence with the evidence, from the engine. */
      summary: string;
      /** The engine's whole version judgement, shown by Show Evidence. */
      evidence?: InstanceVersions;
    }
  | { kind: 'unknown'; question: UnknownVerdict['question'] | 'stale'; reason: string; settling?: boolean }
  /**
   * It runs what is installed as far as its files can be read: it loads code by names computed at
   * run time, which no reader can follow (the code files beside it were checked instead). No
   * restart cause; never plain `ok`.
   */
  | { kind: 'partly-read'; reason: string };

/** The instance fields the views read (all core's; only pid, client and verdicts are always there). */
type InstanceFacts = Partial<
  Pick<Instance, 'ppid' | 'startTime' | 'commandLine' | 'commandHash' | 'memoryBytes' | 'pssBytes' | 'cpuMs'>
>;

export interface VmInstance extends InstanceFacts {
  pid: Instance['pid'];
  client: VmClient;
  launcherChain?: Pick<Instance['launcherChain'][number], 'pid' | 'startTime' | 'commandLine'>[];
  verdicts: VmVerdict[];
  /** Set when a lock record names this process: the instance is guarded. `control` is its endpoint. */
  lock?: Partial<NonNullable<Instance['lock']>> &
    Pick<NonNullable<Instance['lock']>, 'serverName'> & { control?: string };
  /** A guard outside its entry's launch runs it (core's `guardAbove`): unwrapped since its client started it. */
  guardAbove?: Instance['guardAbove'];
  /** The running version when known (lock record, serverInfo). */
  runningVersion?: string;
  /** The processes it started (core's `children`), each judged on its own. */
  childProcesses?: VmChild[];
}

/** A process an instance started; a child whose command line names no package is `unknown` (not judged). */
export type VmChild = Pick<
  VmInstance,
  'pid' | 'ppid' | 'startTime' | 'commandLine' | 'memoryBytes' | 'pssBytes' | 'cpuMs' | 'runningVersion'
> & {
  verdicts: VmVerdict[];
};

/** A child whose command line names no package: what it runs is not judged. */
export const NOT_JUDGED: VmVerdict = {
  kind: 'unknown',
  question: 'stale',
  reason: 'its command line names no package (a script or module of an environment), so what it runs is not judged',
};

/** A release newer than the installed one, as the registry reports it. */
export interface VmUpdate {
  package: string;
  installed: string;
  latest: string;
}

export type VmServer = ServerConfig & {
  instances: VmInstance[];
  /** http/sse: what `ensure` last ran for the URL's port, which Start runs again (shown; re-read from disk to run). */
  recordedLaunch?: ServerStatus['recordedLaunch'];
  installedVersion?: string;
  /** Its package is a release of npm or PyPI (not a checkout, not a script): another version can be installed. */
  upgradable?: true;
  /**
   * Roll Back has versions to go back to: an upgradable package, a Python server (a script's
   * included) whose dependencies moved under a running instance, or a guard whose server is down
   * with the versions its last server started with recorded.
   */
  rollbackable?: true;
  updateAvailable?: VmUpdate;
  /** What the MCP Registry says of the installed package's entry (deprecated, deleted, with why). */
  registryStatus?: ServerStatus['registryStatus'];
  /** It runs on another machine than the one watched: listed, never judged (machineWords.ts says why). */
  elsewhere?: ServerStatus['elsewhere'];
  /** Its share host runs for other clients; its own client is not attached to it (sharedElsewhere.ts words it). */
  sharedElsewhere?: ServerStatus['sharedElsewhere'];
};

export type VmProcesses = { state: 'ok' } | { state: 'unavailable'; reason: string };

export interface VmSnapshot {
  takenAt: Snapshot['takenAt'];
  /** The first look: configs and processes, versions still being resolved (no verdict on them yet). */
  versionsPending?: true;
  /** The machine watched; absent: this one. */
  machine?: WatchedMachine;
  workspaceFolders: Snapshot['workspaceFolders'];
  servers: VmServer[];
  notConfigured: VmInstance[];
  processes: VmProcesses;
  files: ScannedFile[];
  diagnostics: Diagnostic[];
}

/** What an instance of the first, cheap snapshot says until versions are resolved. */
export const PENDING: VmVerdict = {
  kind: 'unknown',
  question: 'stale',
  reason: 'versions are being checked',
  settling: true,
};

/** A core snapshot as view input. */
export function toViewInput(s: Snapshot, options: { versionsPending?: boolean } = {}): VmSnapshot {
  const processes: VmProcesses =
    s.processes.state === 'ok' ? { state: 'ok' } : { state: 'unavailable', reason: s.processes.reason };
  // Versions not resolved yet: every instance says so (never "ok" by omission) until the full snapshot.
  const pending = (i: VmInstance): VmInstance =>
    options.versionsPending
      ? {
          ...i,
          verdicts: [...i.verdicts, PENDING],
          ...(i.childProcesses ? { childProcesses: i.childProcesses.map((c) => ({ ...c, verdicts: [PENDING] })) } : {}),
        }
      : i;
  return {
    takenAt: s.takenAt,
    ...(options.versionsPending ? { versionsPending: true } : {}),
    ...(s.machine ? { machine: s.machine } : {}),
    workspaceFolders: s.workspaceFolders,
    servers: s.servers.map(toVmServer).map((server) => ({ ...server, instances: server.instances.map(pending) })),
    notConfigured: s.notConfigured.map(toVmInstance),
    processes,
    files: s.files,
    diagnostics: s.diagnostics,
  };
}

function toVmInstance(i: Instance): VmInstance {
  const { versions, children, ...rest } = i;
  const out: VmInstance = { ...rest, ...withVersions(versions, [...i.verdicts]) };
  if (children)
    out.childProcesses = children.map(({ versions: v, commandHash: _hash, startedAt: _at, ...c }) => ({
      ...c,
      ...withVersions(v, v ? [] : [NOT_JUDGED]),
    }));
  return out;
}

/** The verdicts with the version judgement's, and the running version when known. */
function withVersions(versions: InstanceVersions | undefined, verdicts: VmVerdict[]) {
  const said = versions && versionVerdict(versions);
  const runtime = versions && runtimeVerdict(versions);
  return {
    verdicts: [...verdicts, ...(said ? [said] : []), ...(runtime ? [runtime] : [])],
    ...(versions?.running.state === 'known' ? { runningVersion: versions.running.version } : {}),
  };
}

/** A replaced runtime as a verdict of its own (a restart need beside the package's verdict, never part of it). */
export function runtimeVerdict(versions: InstanceVersions): Extract<VmVerdict, { kind: 'restart' }> | undefined {
  const r = versions.runtime;
  if (!r) return undefined;
  return {
    kind: 'restart',
    cause: 'runtime',
    package: r.runtime,
    running: r.running,
    installed: r.installed,
    summary: r.summary,
    evidence: versions,
  };
}

/**
 * An instance's version judgement as a verdict (none when it runs what is installed): the one place
 * the engine's version state becomes a restart cause. The guard says its own child's in these words
 * too, and `status` its VERDICTS column.
 */
export function versionVerdict(
  versions: InstanceVersions,
): Extract<VmVerdict, { kind: 'restart' | 'unknown' | 'partly-read' }> | undefined {
  const verdict = versions.verdict;
  switch (verdict.state) {
    case 'stale':
      return {
        kind: 'restart',
        cause: 'version',
        package: verdict.package,
        running: verdict.running,
        installed: verdict.installed,
        ...(verdict.movedDependencies.length ? { movedDependencies: verdict.movedDependencies.length } : {}),
        ...(verdict.inferred
          ? {
              inferred: true,
              inferredFrom: (verdict.runningLearnedFrom === 'uv-cache' || verdict.runningLearnedFrom === 'pipx-log'
                ? verdict.runningLearnedFrom
                : 'npm-cache') as InferredSource,
            }
          : {}),
        summary: verdict.summary,
        evidence: versions,
      };
    case 'changed':
      return {
        kind: 'restart',
        cause: 'changed',
        package: verdict.package,
        running: 'changed since start',
        installed: verdict.installed,
        summary: verdict.summary,
        evidence: versions,
      };
    case 'config-changed':
      return {
        kind: 'restart',
        cause: 'config',
        package: verdict.package,
        running: verdict.running,
        installed: verdict.configured,
        summary: verdict.summary,
        evidence: versions,
      };
    case 'unknown':
      return {
        kind: 'unknown',
        question: 'stale',
        reason: verdict.reason,
        ...(verdict.settling ? { settling: true } : {}),
      };
    case 'current':
      return versions.installed.state === 'installed' && versions.installed.dev?.computedLoads?.length
        ? { kind: 'partly-read', reason: verdict.reason }
        : undefined;
  }
}

function toVmServer(server: ServerStatus): VmServer {
  const { instances, installed: serverInstalled, updateAvailable, listener: _listener, ...config } = server;
  const out: VmServer = { ...config, instances: instances.map(toVmInstance) };
  // The installed version is a property of the launch: the server's own, else what an instance reports.
  const candidates: (Installed | undefined)[] = [serverInstalled, ...instances.map((i) => i.versions?.installed)];
  const installed = candidates.find((x): x is Extract<Installed, { state: 'installed' }> => x?.state === 'installed');
  if (installed) out.installedVersion = installed.version;
  // A released package (npm, PyPI; not a checkout or a script): Upgrade and Roll Back can install another version.
  if (installed && (installed.ecosystem === 'npm' || installed.ecosystem === 'python') && !installed.dev)
    out.upgradable = true;
  // An entry that pins a runner's release (`uvx pkg@1.2.3`) is upgraded by its pin, even while the
  // pinned release is nowhere on disk (uvx fetches it at its next start).
  const pinned = installed ? undefined : runnerOfEntry(server);
  if (pinned?.pin && PIN_RUNNERS[pinned.runner] && pinned.ecosystem !== 'go') out.upgradable = true;
  const movedUnder = instances.some(
    (i) => i.versions?.verdict.state === 'stale' && i.versions.verdict.movedDependencies.length > 0,
  );
  if (
    out.upgradable ||
    // Dependencies moved under a Python server, or under a JavaScript script (its project's installer puts them back).
    ((installed?.ecosystem === 'python' || installed?.nodeProject !== undefined) && movedUnder) ||
    instances.some((i) => i.verdicts.some((v) => v.kind === 'down' && v.ranWith !== undefined))
  )
    out.rollbackable = true;
  if (updateAvailable)
    out.updateAvailable = {
      package: updateAvailable.package,
      installed: updateAvailable.current,
      latest: updateAvailable.latest,
    };
  return out;
}
