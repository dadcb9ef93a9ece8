import type {
  ClientId,
  Diagnostic,
  Instance,
  InstanceChild,
  InstanceClient,
  LauncherStep,
  Scope,
  ServerConfig,
  Verdict,
} from '../base/model';
import { pathFor } from '../base/hostEnv';
import { REDACTED, redactArgs, redactUrl } from '../base/redact';
import {
  effectiveArgv,
  genericProgram,
  isGuard,
  isShareRelay,
  isWrapper,
  LaunchKey,
  launchKeyOf,
  OwnScript,
  looksLikeMcpServer,
  mayHaveKey,
  programName,
  shareHostEntryArgv,
  splitShellWords,
} from './argv';
import { shimScriptPath } from '../launch/binShim';
import { parseLaunch, parsingOnce } from '../launch/parse';
import type { RunnerHomes } from '../launch/runnerHomes';
import { owningClient, SUBREAPERS } from './clients';
import type { LockOwners } from './guarded';
import { commandHash } from '../pids/identity';
import { envContradicts, EnvReading, exactReading } from './environ';
import { JoinedEnviron, joinedValueIs } from './joinedEnviron';
import { guardOfAnotherRoot, guardRootOf, otherRootDiagnostic } from './guardRoot';
import { cwdUndecided, identityAnswers, LaunchFacts, sharedRunFolder } from './launchIdentity';
import { ProcessInfo } from '../pids/table';
import { ProcessTree } from './tree';
import { fromOtherVersion, PluginCache, pluginCacheOf } from './pluginUpdate';

export interface MatchOptions {
  platform: NodeJS.Platform;
  /** Our own pid: it and its ancestors are never listed (nor, later, signalled). */
  selfPid?: number;
  /** Values to redact from an instance's command line (e.g. the values of its config's env keys). */
  secretsOf?: (pid: number, config: ServerConfig | undefined) => ReadonlySet<string>;
  /** Live lock records by the processes they own: a launch a live lock owns is never an orphan. */
  owners?: LockOwners;
  /** Executable, working directory and path lookups for candidates; without them only argv strings are compared. */
  facts?: LaunchFacts;
  /**
   * The env values an entry sets and the environment a process started with: entries that run the
   * same command with different data (`MEMORY_FILE_PATH`) are told apart by them. Without them, or
   * when a process's environment cannot be read, every fitting entry keeps its claim.
   */
  env?: {
    declared(config: ServerConfig): Readonly<Record<string, string>> | undefined;
    ofProcess(pid: number): ReadonlyMap<string, string> | undefined;
    /** Where no exact environment is read (macOS): the one `ps -E` printed, for the processes it was read for. */
    joined?(pid: number): JoinedEnviron | undefined;
  };
  /**
   * Our uid: a process of another user is never one of this user's instances (nor listed as not
   * configured); it cannot be signalled anyway, and counting it would be counting a stranger.
   * Absent (a recorded table): every process is judged.
   */
  ownUid?: number;
  /** This user's home, for `~` in configured folders. */
  home?: string;
  /**
   * Our lifeguard root: a guard whose environment puts its root elsewhere (another home, another
   * MCP_LIFEGUARD_HOME) runs a stranger's server, even on the very same command line. Absent (a
   * recorded table): not compared.
   */
  ownRoot?: string;
  /** Where this user's runners keep what they fetch: a package run from another home's cache is a stranger's. */
  homes?: RunnerHomes;
  /**
   * A client's config problem that may have dropped entries (a file that does not parse, an entry
   * left out): the entry that started one of its processes may be the one missing, so another
   * client's entry of the same command is no proof that the process is that entry's.
   */
  unreadableConfig?: (client: ClientId) => Diagnostic | undefined;
}

/** What reading a process's paths needs: the machine's facts of its files, and its platform's path rules. */
export type PathFacts = Pick<MatchOptions, 'facts' | 'platform'>;

export interface MatchResult {
  /** Server id -> its instances (main processes), verdicts not yet assigned except orphan. */
  byServer: Map<string, Instance[]>;
  notConfigured: Instance[];
  /** Entries that name a general-purpose program (a shell, a bare interpreter, `sleep`): never matched, each with why. */
  diagnostics: Diagnostic[];
}

interface ConfigLaunch {
  config: ServerConfig;
  argv: string[];
  launch: LaunchKey;
  /** The configured program token after peeling, for the path check of plain programs. */
  program: string;
  /** Whether the launch moves to a folder itself (`cd d &&`, `uv --directory d`): a relative script is found there. */
  moves: boolean;
  /**
   * The command a guard-wrapped entry runs under its guard: the process it started before it was
   * wrapped still runs that command unguarded, and stays the entry's until it exits, but only when
   * the entry's own client runs it.
   */
  underGuard?: boolean;
  /** A `pipx run` entry indexed by the app it execs into (`prog:<app>`): its runner's key, for the cache check. */
  pipxApp?: string;
  /**
   * An `npx -p pkg bin` entry indexed by its bin (`npx:<bin>`, as npm's process title `npm exec bin`
   * shows it, its options left out): the package, whose folder the process's script must lie in.
   */
  npxPackage?: string;
}

/** The server command of a guard launch (`mcp-lifeguard run [opts] -- cmd...`, or our bundle by any name), when argv is one. */
function guardedCommand(argv: readonly string[], { facts, platform }: PathFacts): string[] | undefined {
  const bundle = facts?.cliBundle;
  const ours: OwnScript | undefined = bundle
    ? (script) => (pathFor({ platform }).isAbsolute(script) ? bundle(script) : undefined)
    : undefined;
  if (!isGuard(argv, ours)) return undefined;
  const eff = effectiveArgv(argv);
  const dash = eff.indexOf('--');
  return dash >= 0 && dash + 1 < eff.length ? eff.slice(dash + 1) : undefined;
}

/**
 * A configured program that is a bin shim where package managers write them (a `.bin` folder,
 * pnpm's are shell scripts; npm's global prefix on Windows, `%APPDATA%\npm\<bin>.cmd`): the
 * process it leaves running is `node <shim folder>/<target>`, the path spelled as the shim spells
 * it, so the entry is matched as that launch. Anything else is matched as configured.
 */
function throughBinShim(argv: string[], cwd: string | undefined, { facts, platform }: PathFacts): string[] {
  const program = argv[0];
  if (!facts?.binShimTarget || !isPathLike(program)) return argv;
  const path = pathFor({ platform });
  const full = path.isAbsolute(program)
    ? program
    : cwd !== undefined && path.isAbsolute(cwd)
      ? path.resolve(cwd, program)
      : undefined;
  const rel = full !== undefined ? facts.binShimTarget(full) : undefined;
  return rel === undefined ? argv : ['node', shimScriptPath(program, rel), ...argv.slice(1)];
}

/**
 * Whether a configured argument is this running one. Discovery redacts secrets in configured args
 * (`--api-key=<redacted>`), so a `<redacted>` part stands for any non-empty text.
 */
function argMatches(configured: string, running: string): boolean {
  if (configured === running) return true;
  if (!configured.includes(REDACTED)) return false;
  return redactedPattern(configured, '.+').test(running);
}

/** A configured argument as a pattern: its text literal, each `<redacted>` part as `secret`. */
function redactedPattern(configured: string, secret: '.+' | '(.+)'): RegExp {
  const literal = configured.split(REDACTED).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join(secret)}$`, 's');
}

/**
 * The running text a configured argument's `<redacted>` parts stand for (a secret the entry holds
 * masked, or one only the client knows: an extension's encrypted setting, which Claude Desktop
 * decrypts at launch), lined up from the end of the process's argv: masked in its command line too.
 */
function maskedParts(configured: readonly string[], argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 1; k <= Math.min(configured.length, argv.length); k++) {
    const c = configured[configured.length - k];
    const r = argv[argv.length - k];
    if (!c.includes(REDACTED) || c === r) continue;
    const m = redactedPattern(c, '(.+)').exec(r);
    if (m) for (const part of m.slice(1)) if (part && part !== REDACTED) out.push(part);
  }
  return out;
}

/**
 * Whether the running arguments are the configured ones. From a line the OS printed joined (macOS
 * `ps`), a space inside an argument looks like one between two (`--name My Server`): there the
 * configured arguments joined the same way are compared with the running ones joined, what `ps`
 * would print for the entry's launch.
 */
function sameArgs(configured: readonly string[], running: readonly string[], joined = false): boolean {
  if (configured.length === running.length && configured.every((x, i) => argMatches(x, running[i]))) return true;
  return joined && argMatches(configured.join(' '), running.join(' '));
}

function endsWith(running: readonly string[], configured: readonly string[], joined: boolean): boolean {
  if (
    configured.length <= running.length &&
    configured.every((x, i) => argMatches(x, running[running.length - configured.length + i]))
  )
    return true;
  if (!joined || configured.length === 0) return false;
  // The running arguments' tail, as many words as the configured ones hold once joined.
  const words = configured.join(' ').split(' ').length;
  return words <= running.length && argMatches(configured.join(' '), running.slice(running.length - words).join(' '));
}

function isPathLike(token: string): boolean {
  return token.includes('/') || token.includes('\\');
}

/**
 * Whether a candidate root process is this configured launch: same launch key (checked by the
 * caller), same server arguments (on the runner, or at the end of the main process's argv when the
 * runner hides them, as `npm exec` does), and the same program path when both name one.
 */
function launchMatches(
  c: ConfigLaunch,
  rootLaunch: LaunchKey,
  rootEff: readonly string[],
  main: ProcessInfo,
  joined: boolean,
): boolean {
  // `pipx run` execs into its cache's environment (`<pipx home>/.cache/<hash>`), never an installed app's venv.
  if (c.pipxApp)
    return (
      sameArgs(c.launch.args, rootLaunch.args, joined) && main.argv.some((a) => /[\\/]pipx[\\/]\.cache[\\/]/.test(a))
    );
  if (!c.launch.runner && !c.pipxApp && isPathLike(c.program) && isPathLike(rootEff[0] ?? '')) {
    // A launcher script and what it runs may differ by extension (`bin/mcp-lifeguard` runs `bin/mcp-lifeguard.js`).
    const norm = (s: string) => s.replace(/\\/g, '/').replace(/\.(exe|cmd|bat|js|mjs|cjs|py)$/i, '');
    const cfg = norm(c.program);
    const run = norm(rootEff[0]);
    const absolute = cfg.startsWith('/') || /^[A-Za-z]:\//.test(cfg);
    // Absolute paths are compared by the identity questions (real paths: links, pnpm's version folders).
    if (!absolute && !run.endsWith(cfg.replace(/^\.\//, '')) && !c.moves) return false;
  }
  if (sameArgs(c.launch.args, rootLaunch.args, joined)) return true;
  if (rootLaunch.runner && rootLaunch.args.length === 0) {
    const mainArgs = effectiveArgv(main.argv).slice(1);
    return endsWith(mainArgs, c.launch.args, joined && main.argvJoined === true);
  }
  return false;
}

/**
 * Whether a process's script is our CLI bundle, judged by the file (its path as the process names it,
 * made absolute against its working directory); undefined without file facts.
 */
export function ownScriptOf(p: ProcessInfo, { facts, platform }: PathFacts): OwnScript | undefined {
  const bundle = facts?.cliBundle;
  if (!facts || !bundle) return undefined;
  const path = pathFor({ platform });
  return (script) => {
    if (!isPathLike(script)) return undefined;
    const cwd = path.isAbsolute(script) ? undefined : facts.cwd(p.pid);
    const file = path.isAbsolute(script) ? script : cwd !== undefined ? path.resolve(cwd, script) : undefined;
    return file !== undefined ? bundle(file) : undefined;
  };
}

/** From the process a client started, down through wrappers (npx, sh, uv, cmd.exe, our guard) to the one doing the work. */
export function descendToMain(
  root: ProcessInfo,
  tree: ProcessTree,
  read?: PathFacts,
): { main: ProcessInfo; chain: ProcessInfo[] } {
  const chain: ProcessInfo[] = [];
  let cur = root;
  let key: string | null | undefined = null; // the root's launch key, read once when a launcher has several children
  for (let depth = 0; depth < 8 && isWrapper(cur.argv, read && ownScriptOf(cur, read)); depth++) {
    let kids = tree.children(cur.pid);
    // Several children (a pipeline's stages, a watcher's helper): the one that runs what the launch names.
    if (kids.length > 1) {
      if (key === null) key = launchKeyOf(root.argv, false)?.key;
      kids = key === undefined ? [] : kids.filter((k) => launchKeyOf(k.argv, false)?.key === key);
    }
    if (kids.length !== 1) break;
    chain.push(cur);
    cur = kids[0];
  }
  return { main: cur, chain };
}

/**
 * A command line fit for a snapshot: argv redacted, and a shell's command string (`sh -c 'x --token y'`,
 * `cmd /c "..."`) redacted word by word too.
 */
export function redactCommandLine(argv: readonly string[], secrets: ReadonlySet<string>): string {
  return (
    redactArgs(argv, secrets)
      .map((t) => (/\s/.test(t) ? redactArgs(splitShellWords(t), secrets).join(' ') : t))
      // `--conn=postgres://user:pass@host`: a URL as a flag's value.
      .map((t) =>
        t.replace(
          /^(--?[\w.-]+=)([a-z][a-z0-9+.-]*:\/\/.*)$/i,
          (_m, flag: string, url: string) => flag + redactUrl(url),
        ),
      )
      .map((t) => (/\s/.test(t) ? `'${t}'` : t))
      .join(' ')
  );
}

function toStep(p: ProcessInfo, secrets: ReadonlySet<string>): LauncherStep {
  return {
    pid: p.pid,
    startTime: p.startTime,
    commandLine: redactCommandLine(p.argv, secrets),
    commandHash: commandHash(p.argv),
  };
}

/**
 * The orphan verdict when no client or terminal owns the launch and what started it is gone: its
 * parent is init or a subreaper (the OS handed it on), or, where the OS does not reparent (Windows),
 * its parent pid no longer runs or names a process younger than it (the pid was reused). Without
 * the start times that tell a reused pid, whether it is an orphan is unknown. A launch a live lock
 * owns (the guard, or the server it runs) is not one: `ensure` detaches its guard to init on
 * purpose, and the lock says a live holder answers for it.
 */
function orphanVerdict(
  root: ProcessInfo,
  tree: ProcessTree,
  client: InstanceClient,
  ownedByLock: boolean,
): Verdict | undefined {
  if (client.id !== 'unknown' || ownedByLock) return undefined;
  const orphan = (parentCommand: string | undefined, reason: string): Verdict => ({
    kind: 'orphan',
    launchPid: root.pid,
    ppid: root.ppid,
    ...(parentCommand !== undefined ? { parentCommand } : {}),
    reason,
  });
  if (root.ppid === 1 || root.ppid === 0)
    return orphan(
      tree.get(root.ppid)?.argv[0],
      `reparented to pid ${root.ppid} (init): the process that started it is gone`,
    );
  const named = tree.get(root.ppid);
  if (!named)
    return orphan(undefined, `its parent, pid ${root.ppid}, no longer runs: the process that started it is gone`);
  const parentProg = programName(named.argv[0] ?? '');
  if (tree.reusedParent(root))
    return orphan(
      named.argv[0],
      `its parent pid ${root.ppid} now names ${parentProg || 'another process'}, started after it: the pid was reused, the process that started it is gone`,
    );
  if (SUBREAPERS.test(parentProg))
    return orphan(
      named.argv[0],
      `reparented to ${parentProg} (pid ${root.ppid}), a subreaper: the process that started it is gone`,
    );
  if (root.startTime === undefined || named.startTime === undefined)
    return {
      kind: 'unknown',
      question: 'orphan',
      reason: `its parent pid ${root.ppid} names ${parentProg || 'a process'}, but without both start times whether that is the process that started it (pids are reused) is unknown`,
    };
  return undefined;
}

export function buildInstance(
  main: ProcessInfo,
  root: ProcessInfo,
  chain: ProcessInfo[],
  tree: ProcessTree,
  client: InstanceClient,
  matchedBy: string,
  secrets: ReadonlySet<string>,
  owners?: LockOwners,
): Instance {
  const ownedByLock = !!owners && [root, ...chain, main].some((p) => owners.ownerOf(p.pid, p.startTime) !== undefined);
  const orphan = orphanVerdict(root, tree, client, ownedByLock);
  const children = tree.descendants(main.pid).map((p): InstanceChild => ({
    pid: p.pid,
    ppid: p.ppid,
    startTime: p.startTime,
    startedAt: p.startTime !== undefined ? new Date(p.startTime).toISOString() : undefined,
    commandLine: redactCommandLine(p.argv, secrets),
    commandHash: commandHash(p.argv),
    memoryBytes: p.memoryBytes,
    ...(p.cpuMs !== undefined ? { cpuMs: p.cpuMs } : {}),
  }));
  return {
    pid: main.pid,
    ppid: main.ppid,
    startTime: main.startTime,
    startedAt: main.startTime !== undefined ? new Date(main.startTime).toISOString() : undefined,
    commandLine: redactCommandLine(main.argv, secrets),
    commandHash: commandHash(main.argv),
    uid: main.uid,
    client,
    launcherChain: chain.map((p) => toStep(p, secrets)),
    memoryBytes: main.memoryBytes,
    ...(main.cpuMs !== undefined ? { cpuMs: main.cpuMs } : {}),
    matchedBy,
    verdicts: orphan ? [orphan] : [],
    ...(children.length ? { children } : {}),
  };
}

/**
 * Matches configured servers to running processes in one pass over the table: every process's
 * launch key is computed once and looked up in an index of configured keys (no configs x processes
 * scan). Then each match is walked down to its main process, attributed to its client, and checked
 * for orphaning. Processes that look like MCP servers but match nothing go to `notConfigured`.
 */
export function matchProcesses(
  configs: readonly ServerConfig[],
  tree: ProcessTree,
  options: MatchOptions,
): MatchResult {
  return parsingOnce(() => matchEach(configs, tree, options));
}

/**
 * The processes whose environment matching may ask: each candidate of an entry that sets env, and
 * its parent (whether the client carries the value itself). Read ahead where each read alone would
 * cost a command (macOS's `ps -E`, one run for them all).
 */
export function envCandidates(
  configs: readonly ServerConfig[],
  tree: ProcessTree,
  options: MatchOptions,
): ProcessInfo[] {
  if (!configs.some((c) => setsEnv(options.env, c))) return [];
  return parsingOnce(() => {
    const { byKey, plugins } = indexConfigs(configs, options);
    const candidates = findCandidates(tree, byKey, plugins, excludedPids(tree, options.selfPid), options);
    const roots = [...candidates.values()]
      .filter((cand) => cand.configs.some((c) => setsEnv(options.env, c.config)))
      .map((cand) => cand.p);
    return [...roots, ...roots.flatMap((p) => tree.get(p.ppid) ?? [])];
  });
}

/**
 * Whether a process may be a candidate of one of these entries: findCandidates' test by launch key
 * and plugin folder, nothing read of the process (a superset: share relays and other users' count
 * too). What a tick that reuses its last snapshot asks of a process that started or exited.
 */
export function mayBeCandidate(configs: readonly ServerConfig[], read: PathFacts): (p: ProcessInfo) => boolean {
  const { byKey, plugins } = parsingOnce(() => indexConfigs(configs, read));
  return (p) =>
    parsingOnce(
      () =>
        (plugins.length > 0 && pluginCandidate(p, byKey, plugins, read.platform) !== undefined) ||
        (mayHaveKey(p.argv, byKey) && byKey.has(launchKeyOf(p.argv, false)?.key ?? '')),
    );
}

function matchEach(configs: readonly ServerConfig[], tree: ProcessTree, options: MatchOptions): MatchResult {
  const { byKey, plugins, diagnostics } = indexConfigs(configs, options);
  const excluded = excludedPids(tree, options.selfPid);
  const candidates = findCandidates(tree, byKey, plugins, excluded, options);
  const byServer = new Map<string, Instance[]>();
  const roots = new Set<number>();
  for (const cand of candidates.values()) {
    // The topmost match of a chain is the launch (`sh -c x` above `node x`): skip those below another.
    if (hasAncestorIn(cand.p, candidates, tree)) continue;
    const attributed = attribute(cand, tree, options, diagnostics);
    if (!attributed) continue;
    for (const c of attributed.owners) {
      let list = byServer.get(c.config.id);
      if (!list) byServer.set(c.config.id, (list = []));
      list.push(attributed.instance);
    }
    roots.add(cand.p.pid);
  }
  const notConfigured = notConfiguredInstances(tree, excluded, claimedUnder(roots, tree), options);
  return { byServer, notConfigured, diagnostics };
}

/**
 * Configured stdio launches by launch key, each parsed once, and the cache folders of the plugins
 * they run from (pluginUpdate.ts); entries that run a general-purpose program become diagnostics.
 */
function indexConfigs(
  configs: readonly ServerConfig[],
  read: PathFacts,
): { byKey: Map<string, ConfigLaunch[]>; plugins: PluginCache[]; diagnostics: Diagnostic[] } {
  const byKey = new Map<string, ConfigLaunch[]>();
  const plugins = new Map<string, PluginCache>();
  const diagnostics: Diagnostic[] = [];
  for (const config of configs) {
    if (config.transport !== 'stdio' || !config.command) continue;
    const plugin = pluginCacheOf(config.source.addOn, read.platform);
    if (plugin) plugins.set(plugin.folder, plugin);
    const argv = throughBinShim([config.command, ...config.args], config.cwd, read);
    const generic = genericProgram(argv);
    if (generic !== undefined) {
      diagnostics.push(genericDiagnostic(config, generic));
      continue;
    }
    for (const entry of launchesOf(config, argv, read)) {
      let list = byKey.get(entry.launch.key);
      if (!list) byKey.set(entry.launch.key, (list = []));
      list.push(entry);
    }
  }
  return { byKey, plugins: [...plugins.values()], diagnostics };
}

/**
 * The launches an entry is matched as: its command as configured, the app a `pipx run` entry execs
 * into, and the command a guard-wrapped entry runs under its guard.
 */
function launchesOf(config: ServerConfig, argv: string[], read: PathFacts): ConfigLaunch[] {
  const launch = launchKeyOf(argv);
  if (!launch) return [];
  const parsed = parseLaunch(argv);
  const moves = parsed.cwd !== undefined;
  const out: ConfigLaunch[] = [{ config, argv, launch, program: effectiveArgv(argv)[0] ?? '', moves }];
  // `pipx run` replaces itself with the app in its cached environment: the process is that app.
  const target = parsed.target;
  if (target.kind === 'package' && target.runner === 'pipx-run' && target.command) {
    const app = programName(target.command);
    out.push({
      config,
      argv,
      launch: { key: `prog:${app}`, args: target.args, runner: false },
      program: app,
      moves,
      pipxApp: launch.key,
    });
  }
  // npm titles its exec process `npm exec bin args`, leaving `--package` out: the bin is the key it shows.
  if (target.kind === 'package' && target.runner === 'npx' && target.command) {
    const bin = `npx:${target.command.toLowerCase()}`;
    if (bin !== launch.key)
      out.push({
        config,
        argv,
        launch: { key: bin, args: target.args, runner: true },
        program: target.command,
        moves,
        npxPackage: target.name,
      });
  }
  const inner = guardedCommand(argv, read);
  const innerLaunch = inner && genericProgram(inner) === undefined ? launchKeyOf(inner) : undefined;
  if (inner && innerLaunch)
    out.push({
      config,
      argv: inner,
      launch: innerLaunch,
      program: effectiveArgv(inner)[0] ?? '',
      moves: parseLaunch(inner).cwd !== undefined,
      underGuard: true,
    });
  return out;
}

/** Our own process and its ancestors: never listed (nor, later, signalled). */
function excludedPids(tree: ProcessTree, selfPid: number | undefined): Set<number> {
  const excluded = new Set<number>();
  if (selfPid !== undefined) {
    excluded.add(selfPid);
    for (const a of tree.ancestors(selfPid)) excluded.add(a.pid);
  }
  return excluded;
}

/** A process of another user: never one of this user's instances. */
function isForeign(p: ProcessInfo, ownUid: number | undefined): boolean {
  return ownUid !== undefined && p.uid !== undefined && p.uid !== ownUid;
}

/** A process whose launch key some entry has, with its launch read in full and those entries. */
interface Candidate {
  p: ProcessInfo;
  launch: LaunchKey;
  configs: ConfigLaunch[];
  /** A share host as the entry its clients configure (its command line without `--share-host`). */
  asEntry?: ProcessInfo;
  /** A process run from another version folder of a plugin's cache, as its entry launches it now. */
  asPlugin?: ProcessInfo;
}

/**
 * One pass: candidate roots by launch key (the cheap form; arguments only for candidates).
 * A shared server's relays run no server (they are its clients' ends, listed in its lock record):
 * never instances. Its share host is matched as the entry the clients configure (its command
 * line without `--share-host`), so the one server it runs is the entries' one instance.
 */
function findCandidates(
  tree: ProcessTree,
  byKey: Map<string, ConfigLaunch[]>,
  plugins: readonly PluginCache[],
  excluded: ReadonlySet<number>,
  options: MatchOptions,
): Map<number, Candidate> {
  const candidates = new Map<number, Candidate>();
  for (const p of tree.processes) {
    if (excluded.has(p.pid) || isForeign(p, options.ownUid)) continue;
    const updated = plugins.length > 0 ? pluginCandidate(p, byKey, plugins, options.platform) : undefined;
    if (updated) {
      candidates.set(p.pid, updated);
      continue;
    }
    if (!mayHaveKey(p.argv, byKey)) continue;
    const key = launchKeyOf(p.argv, false)?.key;
    const configsForKey = key !== undefined ? byKey.get(key) : undefined;
    // (`--share-host` is an option of the guard: the launch key is the guard's program either way.)
    const ours = ownScriptOf(p, options);
    if (!configsForKey || isShareRelay(p.argv, ours)) continue;
    const hostEntry = shareHostEntryArgv(p.argv, ours);
    const argv = hostEntry ?? p.argv;
    candidates.set(p.pid, {
      p,
      launch: launchKeyOf(argv) as LaunchKey,
      configs: configsForKey,
      ...(hostEntry ? { asEntry: Object.assign({}, p, { argv: hostEntry }) } : {}),
    });
  }
  return candidates;
}

/**
 * A process run from another version folder of a plugin's cache: a candidate of that plugin's
 * entries only, matched as the launch they make now (the entry's folder in place of its own).
 */
function pluginCandidate(
  p: ProcessInfo,
  byKey: Map<string, ConfigLaunch[]>,
  plugins: readonly PluginCache[],
  platform: NodeJS.Platform,
): Candidate | undefined {
  for (const plugin of plugins) {
    const moved = fromOtherVersion(p.argv, plugin, platform);
    const launch = moved && launchKeyOf(moved.argv);
    if (!moved || !launch) continue;
    const configs = (byKey.get(launch.key) ?? []).filter(
      (c) => pluginCacheOf(c.config.source.addOn, platform)?.folder === plugin.folder,
    );
    if (configs.length > 0) return { p, launch, configs, asPlugin: Object.assign({}, p, { argv: moved.argv }) };
  }
  return undefined;
}

function hasAncestorIn(p: ProcessInfo, set: { has(pid: number): boolean }, tree: ProcessTree): boolean {
  let cur = tree.parent(p);
  for (let depth = 0; cur && depth < 64; depth++) {
    if (set.has(cur.pid)) return true;
    cur = tree.parent(cur);
  }
  return false;
}

/** A candidate walked down to its main process and attributed to its client. */
interface Launched {
  cand: Candidate;
  /** The process as the entry configures it (a share host without `--share-host`). */
  entry: ProcessInfo;
  main: ProcessInfo;
  chain: ProcessInfo[];
  client: InstanceClient;
  /** The guard just above the candidate, when one runs it (the candidate is then the server it runs). */
  guardAbove?: ProcessInfo;
}

/** An entry that fits a launch, with the identity questions' answers. */
interface Judged {
  c: ConfigLaunch;
  answers: ReturnType<typeof identityAnswers>;
}

/**
 * A candidate root as an instance of the entries it is proven to be, or undefined when none is:
 * walked down to its main process, its entries narrowed by arguments and guard, by launch
 * identity, by environment, then by client and proof.
 */
function attribute(
  cand: Candidate,
  tree: ProcessTree,
  options: MatchOptions,
  notes: Diagnostic[],
): { instance: Instance; owners: ConfigLaunch[] } | undefined {
  const { main, chain } = descendToMain(cand.p, tree, options);
  const parent = tree.parent(cand.p);
  const launched: Launched = {
    cand,
    entry: cand.asEntry ?? cand.asPlugin ?? cand.p,
    main,
    chain,
    client: owningClient(cand.p, tree, options.platform),
    ...(parent && isGuard(parent.argv, ownScriptOf(parent, options)) ? { guardAbove: parent } : {}),
  };
  const keyed = keyedEntries(launched, options, notes);
  if (keyed.length === 0) return undefined;
  const judged = judgeIdentity(launched, keyed, options);
  if (judged.length === 0) return undefined;
  const fitting = byEnvironment(judged, cand.p, options.env);
  // Its environment says no entry of the command started it: another server (other data).
  if (fitting.length === 0) return undefined;
  return instanceOfOwners(launched, fitting, tree, options);
}

/**
 * The candidate's entries with its arguments (and program path). A guarded entry's old unguarded
 * process is the entry's only when the entry's own client runs it. A guard in the launch keeps its
 * lock under a root: another root's guard is another home's. The guard may also be just above what
 * matched: a guard or share host runs the server itself (another root's shared server matched by an
 * unwrapped entry of the same command).
 */
function keyedEntries(launched: Launched, options: MatchOptions, notes: Diagnostic[]): ConfigLaunch[] {
  const { cand, main, chain, client, guardAbove } = launched;
  const rootEff = effectiveArgv(launched.entry.argv);
  const guard = [...(guardAbove ? [guardAbove] : []), cand.p, ...chain].find((x) =>
    isGuard(x.argv, ownScriptOf(x, options)),
  );
  const guardRoot =
    guard && options.ownRoot !== undefined
      ? guardRootOf(options.env?.ofProcess(guard.pid), options.platform, guard.argv)
      : undefined;
  return cand.configs.filter((c) => {
    const ownClient = c.config.source.client === client.id;
    if (!launchMatches(c, cand.launch, rootEff, main, cand.p.argvJoined === true) || (c.underGuard && !ownClient))
      return false;
    if (!guardOfAnotherRoot(guardRoot, options.ownRoot, options.env?.declared(c.config), options.platform)) return true;
    // Never claimed; but its own client running it under another root is an entry written without its root: said.
    const note = ownClient && otherRootDiagnostic(c.config, guard!.pid, guardRoot!, options.ownRoot!);
    if (note && !notes.some((n) => n.message === note.message)) notes.push(note);
    return false;
  });
}

/** Same key and arguments: now the launch identity (executable, script, interpreter, runner's cache, working directory). */
function judgeIdentity(launched: Launched, keyed: readonly ConfigLaunch[], options: MatchOptions): Judged[] {
  const { entry, main, client } = launched;
  return keyed
    .map((c) => ({
      c,
      answers: identityAnswers(
        {
          config: c.config,
          configArgv: c.argv,
          runner: c.launch.runner || c.pipxApp !== undefined,
          key: c.pipxApp ?? c.launch.key,
          ...(c.npxPackage !== undefined ? { npxPackage: c.npxPackage } : {}),
          root: entry,
          main,
          platform: options.platform,
          home: options.home,
          homes: options.homes,
          runnerEnv: () => ({
            declared: options.env?.declared(c.config),
            client: client.pid !== undefined ? options.env?.ofProcess(client.pid) : undefined,
          }),
        },
        options.facts,
      ),
    }))
    .filter((x) => !x.answers.includes('different'));
}

/**
 * The instance, under the entries it belongs to: those of the client that runs it, if any (a share
 * host serves every client that shares it, not only the one whose relay started it), then those
 * whose identity is proven on most counts; with the verdicts of an unproven or undecided owner.
 */
function instanceOfOwners(
  launched: Launched,
  fitting: readonly Judged[],
  tree: ProcessTree,
  options: MatchOptions,
): { instance: Instance; owners: ConfigLaunch[] } {
  const { cand, main, chain, client } = launched;
  const own = cand.asEntry ? [] : fitting.filter((x) => x.c.config.source.client === client.id);
  const pool = own.length > 0 ? own : fitting;
  const score = (x: Judged) => x.answers.filter((a) => a === 'same').length;
  const best = Math.max(...pool.map(score));
  const fits = dedupe(pool.filter((x) => score(x) === best).map((x) => x.c));
  const secretsOf = options.secretsOf ?? (() => new Set<string>());
  const instance = buildInstance(
    main,
    cand.p,
    chain,
    tree,
    client,
    cand.launch.key,
    new Set([...secretsOf(main.pid, fits[0].config), ...maskedParts(fits[0].config.args, main.argv)]),
    options.owners,
  );
  // A guard its entries do not name runs it: they were unwrapped since its client started it.
  if (launched.guardAbove) instance.guardAbove = true;
  // Its files can prove no one's launch, whatever else matches (the folder it runs in): listed, never acted on.
  const shared = sharedRunFolder(main);
  if (shared !== undefined) instance.verdicts.push(unprovableRun(fits, main, shared));
  // Nothing proves it runs the entry's code (a shared name only): listed, never acted on.
  else if (best === 0) instance.verdicts.push(unproven(fits, main));
  else {
    const ambiguous = undecidedOwner(launched, fits, own.length > 0, options);
    if (ambiguous) instance.verdicts.push(ambiguous);
  }
  // A share host serves every entry that shares it; a process its own client's entries fit is theirs.
  const owners = own.length > 0 || cand.asEntry ? fits : listedOnce(instance, fits);
  return { instance, owners };
}

/** Scopes whose entries a client starts only when it is open on their folder. */
const FOLDER_SCOPES: ReadonlySet<Scope> = new Set(['workspace', 'project', 'local']);

/**
 * A process no entry of its own client fits (its client gone, a terminal, or a client none of whose
 * entries fit) that fits several entries: nothing tells which entry's it is, so it is listed once,
 * not as each entry's running server (counted once, acted on from one row). Under an entry every
 * session of its client starts before one only a client open on that folder starts (the window
 * showing the view is alive and lists its own folder's entry as stopped), else in the table's order.
 * Its evidence names every entry it fits: an orphan's orphan verdict, else its undecided owner's
 * (one added when the entries are one server, which no other rule finds undecided), so no bulk
 * action touches it. Judged as before, with the same entries (ambiguousOwner still sees them all).
 */
function listedOnce(instance: Instance, fits: ConfigLaunch[]): ConfigLaunch[] {
  if (fits.length < 2) return fits;
  const ranked = [...fits].sort(
    (a, b) => Number(FOLDER_SCOPES.has(a.config.source.scope)) - Number(FOLDER_SCOPES.has(b.config.source.scope)),
  );
  const names = ranked.map((c) => `'${c.config.name}' (${c.config.source.label})`);
  const alike = `it fits ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} alike`;
  const orphan = instance.verdicts.find(
    (v): v is Extract<Verdict, { reason: string }> =>
      v.kind === 'orphan' || (v.kind === 'unknown' && v.question === 'orphan'),
  );
  const owner = instance.verdicts.find(
    (v): v is Extract<Verdict, { kind: 'unknown' }> => v.kind === 'unknown' && v.question === 'owner',
  );
  if (orphan)
    orphan.reason = `${orphan.reason}; ${alike}: which client started it is not known, so it is listed once, under the first`;
  else if (owner) owner.reason = `${owner.reason}; it is listed once, under ${names[0]}`;
  else
    instance.verdicts.push({
      kind: 'unknown',
      question: 'owner',
      reason: `${startedBy(instance.client)}, and ${alike}: which entry's process it is is not known, so it is listed once, under the first, and never stopped in bulk`,
    });
  return [ranked[0]];
}

/** Who started a process no entry of its own client fits, in words. */
function startedBy(client: InstanceClient): string {
  switch (client.id) {
    case 'terminal':
      return 'it was started from a terminal';
    case 'unknown':
      return 'no known client started it';
    default:
      return `${client.name} started it, and none of ${client.name}'s entries fits it`;
  }
}

/**
 * Why a proven instance's owner is undecided, if it is: entries of different servers, its own
 * client's config that could not be read (the entry that started it may be the one missing), or a
 * working directory the entry does not set.
 */
function undecidedOwner(
  launched: Launched,
  owners: readonly ConfigLaunch[],
  ownClients: boolean,
  options: MatchOptions,
): Verdict | undefined {
  const { cand, client } = launched;
  const broken =
    !ownClients && !cand.asEntry && client.id !== 'unknown' && client.id !== 'terminal'
      ? options.unreadableConfig?.(client.id)
      : undefined;
  return (
    ambiguousOwner(owners) ?? (broken && ownedElsewhere(client, broken, owners)) ?? undecidedByCwd(owners, options)
  );
}

/**
 * Whether a process is under a matched launch: everything under one is that launch's work. One
 * memoised walk up per process (linear in the table, however big a server's subtree is).
 */
function claimedUnder(roots: ReadonlySet<number>, tree: ProcessTree): (start: ProcessInfo) => boolean {
  const underRoot = new Map<number, boolean>();
  return (start) => {
    const path: number[] = [];
    let cur: ProcessInfo | undefined = start;
    let result = false;
    while (cur) {
      const known = underRoot.get(cur.pid);
      if (known !== undefined) {
        result = known;
        break;
      }
      path.push(cur.pid);
      if (roots.has(cur.pid)) {
        result = true;
        break;
      }
      const parent: ProcessInfo | undefined = tree.parent(cur);
      if (parent && path.includes(parent.pid)) break; // a cycle from a pid reused between reads
      cur = parent;
    }
    for (const pid of path) underRoot.set(pid, result);
    return result;
  };
}

/** Not configured: MCP-looking processes outside every matched launch, topmost of each chain. */
function notConfiguredInstances(
  tree: ProcessTree,
  excluded: ReadonlySet<number>,
  isClaimed: (p: ProcessInfo) => boolean,
  options: MatchOptions,
): Instance[] {
  const loose = new Map<number, LaunchKey>();
  for (const p of tree.processes) {
    if (excluded.has(p.pid) || isForeign(p, options.ownUid) || !looksLikeMcpServer(p.argv)) continue;
    if (isClaimed(p)) continue;
    loose.set(p.pid, launchKeyOf(p.argv, false) as LaunchKey);
  }
  const secretsOf = options.secretsOf ?? (() => new Set<string>());
  const notConfigured: Instance[] = [];
  for (const [pid, launch] of loose) {
    const p = tree.get(pid) as ProcessInfo;
    if (hasAncestorIn(p, loose, tree)) continue;
    const top = underItsGuard(p, tree, options);
    const { main, chain } = descendToMain(top, tree, options);
    notConfigured.push(
      buildInstance(
        main,
        top,
        chain,
        tree,
        owningClient(top, tree, options.platform),
        launch.key,
        secretsOf(main.pid, undefined),
        options.owners,
      ),
    );
  }
  return notConfigured;
}

/** A guard above a process is part of its launch (the guard's lock marks the instance as guarded). */
function underItsGuard(p: ProcessInfo, tree: ProcessTree, read: PathFacts): ProcessInfo {
  let top = p;
  for (
    let parent = tree.parent(top);
    parent && isGuard(parent.argv, ownScriptOf(parent, read)) && tree.children(parent.pid).length === 1;
    parent = tree.parent(top)
  )
    top = parent;
  return top;
}

/**
 * Of several entries that fit a process, those of the server identity its environment proves: the
 * process carries what its entry set, so an entry whose `MEMORY_FILE_PATH` it lacks or has otherwise
 * did not start it, and of the identities it does not contradict, the one whose env it carries on
 * most keys is its own (`memory-cc` with `MEMORY_FILE_PATH` over `memory-proj` with no env). A key
 * counts as proof only where the process's parent (the client, or its launcher) does not carry the
 * same value itself: then any entry's process would. Identities that stay equal are all kept, and the
 * process is undecided between them (ambiguousOwner); so are all where the environment (the
 * process's or its parent's) leaves a declared value unknown (macOS's joined text). Only ever
 * narrows a choice; with one identity, an unreadable environment, or every identity contradicted (a
 * launcher that rewrites env), the claim stays as it was.
 */
function byEnvironment<T extends { c: ConfigLaunch }>(entries: T[], root: ProcessInfo, env: MatchOptions['env']): T[] {
  // No entry sets a variable: the environment has nothing to tell (and is not read).
  if (!env || !entries.some((x) => setsEnv(env, x.c.config))) return entries;
  const actual = readingOf(env, root.pid);
  if (!actual) return entries;
  // An entry whose env the process lacks or has with another value did not start it: the same
  // script run with other data (another home's, another tool's) is another server, even when no
  // other entry of the command is configured.
  const fitting = entries.filter((x) => !envContradicts(env.declared(x.c.config) ?? {}, actual));
  if (new Set(fitting.map((x) => x.c.config.identityKey)).size < 2) return fitting;
  const inherited = readingOf(env, root.ppid);
  const proof = new Map<string, number>();
  for (const x of fitting) {
    const id = x.c.config.identityKey;
    if (proof.has(id)) continue;
    const declared = Object.entries(env.declared(x.c.config) ?? {});
    const answers = declared.map(([k, v]) => [actual(k, v), inherited?.(k, v)]);
    if (answers.flat().includes('unknown')) return fitting;
    proof.set(id, answers.filter(([, parent]) => parent !== 'same').length);
  }
  const best = Math.max(...proof.values());
  return fitting.filter((x) => proof.get(x.c.config.identityKey) === best);
}

/** Whether an entry sets any variable: only then can a process's environment say whether it started the process. */
function setsEnv(env: MatchOptions['env'], config: ServerConfig): boolean {
  return Object.keys(env?.declared(config) ?? {}).length > 0;
}

/** A process's starting environment as matching reads it: exact where the OS gives it, else as `ps -E` joined it, else unknown. */
function readingOf(env: NonNullable<MatchOptions['env']>, pid: number): EnvReading | undefined {
  const exact = env.ofProcess(pid);
  if (exact) return exactReading(exact);
  const joined = env.joined?.(pid);
  return joined === undefined ? undefined : (key, value) => joinedValueIs(joined, key, value);
}

/**
 * Entries of different servers (not one server configured in several places) that all fit a
 * process: which one started it is undecided, so it is listed under each and never acted on in bulk.
 */
function ambiguousOwner(owners: readonly ConfigLaunch[]): Verdict | undefined {
  if (new Set(owners.map((c) => c.config.identityKey)).size < 2) return undefined;
  const names = owners.map((c) => `'${c.config.name}' (${c.config.source.file})`).join(', ');
  const sameLaunch = new Set(owners.map((c) => c.config.launchKey)).size === 1;
  return {
    kind: 'unknown',
    question: 'owner',
    reason: sameLaunch
      ? `claimed by ${names}: they run the same command with different env, and its environment does not tell which entry started it, so it is never stopped in bulk`
      : `claimed by ${names}: its executable, interpreter and working directory do not tell which entry started it, so it is never stopped in bulk`,
  };
}

/**
 * A process its client started while that client's config cannot be read: the entry that started it
 * may be the one the problem left out, so another client's entry of the same command is no proof.
 * Listed under that entry as undecided, never counted as its copy, never acted on in bulk.
 */
function ownedElsewhere(client: InstanceClient, problem: Diagnostic, owners: readonly ConfigLaunch[]): Verdict {
  const where = `${problem.file}${problem.line !== undefined ? `:${problem.line}${problem.column !== undefined ? `:${problem.column}` : ''}` : ''}`;
  const names = owners.map((c) => `'${c.config.name}' (${c.config.source.label})`).join(', ');
  return {
    kind: 'unknown',
    question: 'owner',
    reason: `${client.name} started it, and ${client.name}'s config ${where} cannot be read (${problem.message}): its own entry may be the one left out, so it is not taken for ${names} of the same command, and never stopped in bulk`,
  };
}

/** One entry once, though it matched both as configured and as the command under its guard. */
function dedupe(owners: ConfigLaunch[]): ConfigLaunch[] {
  const seen = new Set<string>();
  return owners.filter((c) => !seen.has(c.config.id) && (seen.add(c.config.id), true));
}

/**
 * Why a process that fits an entry's launch by name is not proven to be the entry's: no path,
 * interpreter, runner's cache or folder answered "same". It is listed under the entry and never acted on.
 */
function unproven(owners: readonly ConfigLaunch[], main: ProcessInfo): Verdict {
  const names = owners.map((c) => `'${c.config.name}' (${c.config.source.file})`).join(', ');
  return {
    kind: 'unknown',
    question: 'owner',
    reason: `pid ${main.pid} runs a launch named like ${names}, but nothing shows it runs that entry's code (its program, script, interpreter or package folder could not be compared), so it is never stopped or restarted for it`,
  };
}

/**
 * Why a process that runs from yarn dlx's temporary project is not proven any entry's: the project is
 * made anew for each run in the temp folder every home shares, so this home's run and another's look alike.
 */
function unprovableRun(owners: readonly ConfigLaunch[], main: ProcessInfo, folder: string): Verdict {
  const names = owners.map((c) => `'${c.config.name}' (${c.config.source.file})`).join(', ');
  return {
    kind: 'unknown',
    question: 'owner',
    reason: `pid ${main.pid} runs the package of ${names} from yarn dlx's temporary project ${folder}, which yarn makes for each run in the temp folder every home shares, so nothing shows whose run it is; it is never stopped or restarted for it`,
  };
}

/** An entry whose launch depends on a working directory it does not set claims every such process: whose it is stays undecided. */
function undecidedByCwd(
  owners: readonly ConfigLaunch[],
  { home, platform }: Pick<MatchOptions, 'home' | 'platform'>,
): Verdict | undefined {
  for (const c of owners) {
    const reason = cwdUndecided({ config: c.config, configArgv: c.argv, runner: c.launch.runner, home, platform });
    if (reason) return { kind: 'unknown', question: 'owner', reason };
  }
  return undefined;
}

function genericDiagnostic(config: ServerConfig, program: string): Diagnostic {
  return {
    file: config.source.file,
    ...(config.position ? { line: config.position.line, column: config.position.column } : {}),
    severity: 'info',
    client: config.source.client,
    message: `'${config.name}' runs ${program}, a general-purpose program: its instances cannot be told apart from ordinary ${program} processes, so none are listed, and none are ever stopped for it`,
  };
}
