import type { Diagnostic, Instance, Listener, ProcessTableState, ServerConfig, ServerStatus } from '../base/model';
import type { LockRecord } from '../locks/types';
import type { Machine } from '../machine/types';
import { readEnviron, secretEnvValues } from './environ';
import { LockOwners, lockOwners, markGuarded } from './guarded';
import { nameAttachedClients } from './attachedNames';
import { keepAttachedClientsOnly } from './shareAttached';
import type { LaunchFacts } from './launchFacts';
import { findListeners, localPort, provenListener } from './listen';
import { buildInstance } from './buildInstance';
import { descendToMain } from './launchChain';
import { envCandidates, matchProcesses } from './match';
import type { LaunchReadings } from '../launch/parse';
import type { MatchOptions } from './matchOptions';
import { JoinedEnviron, readJoinedEnvirons } from './joinedEnviron';
import { owningClient } from './clients';
import { ProcessInfo, ProcessTableResult } from '../pids/table';
import { ProcessTree } from './tree';
import { markSameData } from './sameData';
import { assignVerdicts, VerdictOptions } from './verdicts';
import { runsScript } from './launchFolder';
import { pathFor } from '../base/hostEnv';
import { markSuperseded } from './generations';

export interface InstanceOptions {
  platform: NodeJS.Platform;
  /** Where environments and listening sockets are read; without one neither is (recorded tables in tests). */
  machine?: Machine;
  selfPid?: number;
  /** Server names declared single-writer: instances from several clients are flagged "shared". */
  singleWriter?: readonly string[];
  /** Values to redact for a process; defaults to its environment values for the config's env keys (Linux). */
  secretsOf?: (pid: number, config: ServerConfig | undefined) => ReadonlySet<string>;
  /** Our uid: only our own processes are searched for listening sockets. Defaults to the machine's. */
  uid?: number;
  /** Our uid for attribution: another user's processes are never this user's instances (see MatchOptions.ownUid). */
  ownUid?: number;
  /** This user's home, for `~` in configured folders. */
  home?: string;
  /** The account's own home, whatever HOME says (see MatchOptions.accountHome). */
  accountHome?: string;
  /** Where this user's runners keep what they fetch (see MatchOptions.homes). */
  homes?: MatchOptions['homes'];
  /** Live lock records: they mark guarded instances, and what they own is never an orphan. */
  locks?: readonly LockRecord[];
  /** Executables, working directories and PATH lookups of this machine, for telling entries of one key apart. */
  facts?: LaunchFacts;
  /** Entries' declared env and processes' environments, to tell apart entries of one command (see MatchOptions.env). */
  env?: MatchOptions['env'];
  /** Our lifeguard root: another root's guard runs a stranger's server (see MatchOptions.ownRoot). */
  ownRoot?: string;
  /** A client's config problem that may have dropped its entries (see MatchOptions.unreadableConfig). */
  unreadableConfig?: MatchOptions['unreadableConfig'];
  /**
   * Entries whose URL only a workspace the user does not trust names: what listens there is not
   * looked for (so it is never their instance, and never asked for its serverInfo), and a note says so.
   */
  untrustedUrl?: (config: ServerConfig) => boolean;
  /** Who listens on each port (tests on recorded tables); defaults to the machine's sockets. */
  findListeners?: (ports: readonly number[], candidatePids: readonly number[]) => Promise<Map<number, Listener>>;
}

export interface InstancesResult {
  servers: ServerStatus[];
  notConfigured: Instance[];
  processes: ProcessTableState;
  /** Entries whose instances cannot be told apart from ordinary processes, each with why. */
  diagnostics: Diagnostic[];
}

/**
 * Everything the snapshot knows about running processes, from one read of the process table: each
 * configured server's instances with their owning client and verdicts, HTTP listeners, and the
 * MCP-looking processes no configuration explains.
 */
export async function attachInstances(
  configs: readonly ServerConfig[],
  table: ProcessTableResult,
  options: InstanceOptions,
): Promise<InstancesResult> {
  if (table.state === 'unavailable') {
    return {
      servers: configs.map((c) => Object.assign({}, c, { instances: [] })),
      notConfigured: [],
      processes: { state: 'unavailable', reason: table.reason },
      diagnostics: [],
    };
  }
  const tree = new ProcessTree(table.processes);
  const environOf = environReader(options);
  const secretsOf =
    options.secretsOf ??
    ((pid: number, config: ServerConfig | undefined) => secretEnvValues(environOf(pid), config?.envKeys ?? []));
  const owners = lockOwners(options.locks ?? []);
  // macOS's environments, read ahead for the candidates that need one (joinedEnvirons, below).
  let joined = new Map<number, JoinedEnviron>();
  const env = options.env && {
    declared: options.env.declared,
    ofProcess: environOf,
    joined: (pid: number) => joined.get(pid),
  };
  const matchOptions: MatchOptions = {
    platform: options.platform,
    selfPid: options.selfPid,
    secretsOf,
    owners,
    facts: options.facts,
    env,
    ownUid: options.ownUid,
    home: options.home,
    accountHome: options.accountHome,
    homes: options.homes,
    ownRoot: options.ownRoot,
    unreadableConfig: options.unreadableConfig,
  };
  // Every command line parsed once for the read ahead and the matching after it.
  const parses: LaunchReadings = new WeakMap();
  joined = await joinedEnvirons(configs, tree, options, matchOptions, parses);
  const { byServer, notConfigured, diagnostics } = matchProcesses(configs, tree, matchOptions, parses);
  const { listeners, ports } = localPorts(configs, options, diagnostics);
  if (ports.size > 0) {
    const { found, byPid } = await listenersOn(ports, table.processes, options);
    for (const [port, list] of ports) {
      const seen = found.get(port) ?? { state: 'unknown', reason: 'the listening process could not be looked up' };
      // Only a socket owner proven to be the process the table lists is anyone's instance.
      const l = await provenListener(seen, seen.state === 'local' ? byPid.get(seen.pid) : undefined, options.machine);
      for (const c of list) {
        listeners.set(c.id, l);
        const p = l.state === 'local' ? tree.get(l.pid) : undefined;
        if (p) byServer.set(c.id, [listenerInstance(p, port, tree, secretsOf(p.pid, c), owners, options)]);
      }
    }
  }

  markGuarded([...[...byServer.values()].flat(), ...notConfigured], owners);
  nameAttachedClients([...[...byServer.values()].flat(), ...notConfigured], tree, options.platform);
  // A share host is the running instance of its attached clients' entries only.
  const notAttached = keepAttachedClientsOnly(configs, byServer, options.locks ?? [], tree, options.platform);
  const path = pathFor(options);
  const runs = (i: Instance) => {
    const p = tree.get(i.pid);
    return p && runsScript(path, p, options.facts);
  };
  judgeByIdentity(configs, byServer, options.singleWriter, runs);
  // Two processes on one data path, whichever entries started them.
  markSameData(configs, byServer);

  // Servers of an agent host that an upgrade left behind (a newer host of its kind runs now).
  markSuperseded([...[...byServer.values()].flat(), ...notConfigured], tree, options.platform, options.facts);

  const servers: ServerStatus[] = configs.map((c) => {
    const status: ServerStatus = Object.assign({}, c, { instances: byServer.get(c.id) ?? [] });
    const l = listeners.get(c.id);
    if (l) status.listener = l;
    const shared = notAttached.get(c.id);
    // Its client is not attached to the share host its entry names: the server runs, for others.
    if (shared && status.instances.length === 0) status.sharedElsewhere = shared;
    return status;
  });
  return { servers, notConfigured, processes: { state: 'ok', count: table.processes.length }, diagnostics };
}

/**
 * macOS gives no process's environment as a file: the environments matching may ask (entries that
 * set env, their candidates and those candidates' parents, this user's only: ps prints no other's)
 * are read in one `ps -E` run. Elsewhere, or without a machine (recorded tables in tests), none.
 */
async function joinedEnvirons(
  configs: readonly ServerConfig[],
  tree: ProcessTree,
  options: InstanceOptions,
  matchOptions: MatchOptions,
  parses: LaunchReadings,
): Promise<Map<number, JoinedEnviron>> {
  if (options.platform !== 'darwin' || !options.machine || !matchOptions.env) return new Map();
  const own = envCandidates(configs, tree, matchOptions, parses).filter(
    (p) => options.ownUid === undefined || p.uid === options.ownUid,
  );
  return readJoinedEnvirons(options.machine, own);
}

/** Each process's environment, read once per snapshot, for its secrets and for attribution alike. */
function environReader(options: InstanceOptions): (pid: number) => ReadonlyMap<string, string> | undefined {
  const environs = new Map<number, ReadonlyMap<string, string> | undefined>();
  const machine = options.machine;
  const read = options.env?.ofProcess ?? ((pid: number) => (machine ? readEnviron(pid, machine) : undefined));
  return (pid: number) => {
    if (!environs.has(pid)) environs.set(pid, read(pid));
    return environs.get(pid);
  };
}

/**
 * HTTP/SSE entries by the local port they name, and the listener state of those that are not looked
 * up (a remote URL, an untrusted workspace's), each untrusted one with a note in diagnostics.
 */
function localPorts(
  configs: readonly ServerConfig[],
  options: InstanceOptions,
  diagnostics: Diagnostic[],
): { listeners: Map<string, Listener>; ports: Map<number, ServerConfig[]> } {
  const listeners = new Map<string, Listener>();
  const ports = new Map<number, ServerConfig[]>();
  for (const c of configs) {
    if (c.transport === 'stdio' || !c.url) continue;
    const local = localPort(c.url);
    if ('notLocal' in local) listeners.set(c.id, { state: 'not-local', reason: local.notLocal });
    else if (options.untrustedUrl?.(c)) {
      // The workspace's word is all that ties this port to the entry: any of the user's own
      // services may listen there. Nothing is asked of it, and it is no one's instance for it.
      listeners.set(c.id, { state: 'unknown', reason: UNTRUSTED_URL });
      diagnostics.push(untrustedUrlNote(c));
    } else ports.set(local.port, [...(ports.get(local.port) ?? []), c]);
  }
  return { listeners, ports };
}

/** Who listens on each port, among our own processes (by pid, to prove a socket owner is the one the table lists). */
async function listenersOn(
  ports: ReadonlyMap<number, ServerConfig[]>,
  processes: readonly ProcessInfo[],
  options: InstanceOptions,
): Promise<{ found: Map<number, Listener>; byPid: Map<number, ProcessInfo> }> {
  const machine = options.machine;
  const uid = options.uid ?? machine?.uid;
  const mine = processes.filter((p) => uid === undefined || p.uid === uid);
  const lookUp =
    options.findListeners ??
    (async (ports: readonly number[], pids: readonly number[]) =>
      machine ? findListeners(ports, pids, machine) : new Map<number, Listener>());
  const found = await lookUp(
    [...ports.keys()],
    mine.map((p) => p.pid),
  );
  return { found, byPid: new Map(mine.map((p) => [p.pid, p])) };
}

/**
 * The process listening on an entry's port as its instance. The guard in front (`run --http`) is in
 * the chain: its lock record names it. An HTTP server is a standalone daemon: no client starts it or
 * holds its stdio, so being adopted by init is how it runs, not a sign that its client is gone. Never an orphan.
 */
function listenerInstance(
  p: ProcessInfo,
  port: number,
  tree: ProcessTree,
  secrets: ReadonlySet<string>,
  owners: LockOwners,
  options: InstanceOptions,
): Instance {
  const { main, chain } = descendToMain(p, tree, options);
  const client = owningClient(p, tree, options.platform);
  const instance = buildInstance(main, p, chain, tree, client, `port:${port}`, secrets, owners);
  instance.verdicts = instance.verdicts.filter(
    (v) => v.kind !== 'orphan' && !(v.kind === 'unknown' && v.question === 'orphan'),
  );
  return instance;
}

/**
 * Verdicts once per server identity (entries configured in several places share instances; entries
 * of one command with other env are other servers, judged apart).
 */
function judgeByIdentity(
  configs: readonly ServerConfig[],
  byServer: ReadonlyMap<string, Instance[]>,
  singleWriterNames: readonly string[] | undefined,
  runs: VerdictOptions['runs'],
): void {
  const byIdentity = new Map<string, { names: Set<string>; instances: Set<Instance> }>();
  for (const c of configs) {
    const list = byServer.get(c.id);
    if (!list) continue;
    const entry = byIdentity.get(c.identityKey) ?? { names: new Set<string>(), instances: new Set<Instance>() };
    entry.names.add(c.name);
    for (const i of list) entry.instances.add(i);
    byIdentity.set(c.identityKey, entry);
  }
  const singleWriter = new Set(singleWriterNames ?? []);
  for (const [identityKey, { names, instances }] of byIdentity)
    assignVerdicts(identityKey, [...instances], { singleWriter: [...names].some((n) => singleWriter.has(n)), runs });
}

const UNTRUSTED_URL =
  'the workspace that defines this URL is not trusted: it is not requested, and what listens there is not taken for this server';

/** Where an untrusted workspace's URL entry is, and why nothing of it is looked at. */
function untrustedUrlNote(config: ServerConfig): Diagnostic {
  return {
    file: config.source.file,
    ...(config.position ? { line: config.position.line, column: config.position.column } : {}),
    severity: 'info',
    client: config.source.client,
    message: `'${config.name}' is defined by a workspace that is not trusted: its URL is not requested, and no process listening there is listed as its instance, until the workspace is trusted (VS Code: trust the workspace; mcp-lifeguard: --trust-workspace)`,
  };
}
