import { execStart } from './execStart';
import { parseLaunch } from '../launch/parse';
import type { VersionFs } from './fs';
// Mapped files are read from /proc/<pid>/maps: Linux's, by POSIX path rules wherever the engine runs.
import { posix as path } from 'node:path';
import type { PathRules } from '../base/hostEnv';
import { JS_RUNTIMES, programName, PYTHON_LIKE } from '../launch/program';
import type { RecordedVersions } from '../locks/types';
import type { Installed, Running, RuntimeReplaced, ServerInfoStatement, VersionVerdict } from '../base/versionTypes';
import { environmentMoves } from './fingerprint';
import { CLOCK_SLACK_MS } from './clockSlack';
import { FirstSeen, VersionEvidence } from './versionEvidence';
import { judge } from './judge';
import { runningOf } from './runningSide';
import { SETTLE_MS } from './settling';
import type { RunningInstaller } from './installerScope';
import { GoBuildInfo, moduleVersion } from './goBuildInfo';
import { isCargoRecordOf } from './cargoInstall';
import { parseDeletedMappings, replacedWithin } from './maps';
import { Compared, ContentCheck, MappedAtSighting } from './mappedContent';
import { isRuntimeFile, RuntimeSighting } from './runtime';
import { digestsDiffer } from './packageDigest';

/**
 * The evidence of one running instance and its judgement: what a snapshot (attach.ts) and a guard
 * asking about its own child (ownInstance.ts) both go through, so that there is one judgement.
 * The mapped files of the process are read only when the installed side changed after it started,
 * and replaced ones compared by content; files the resolution read that changed since are evidence.
 */

export interface InstanceFacts {
  pid: number;
  /** ms since the epoch, when known. */
  startTime?: number;
  /** The process's argv, when read: an exec into an environment built after the start moves when it began (execStart.ts). */
  argv?: readonly string[];
  /** What is installed for the instance's launch, and the files the answer was read from (with change times, ms). */
  installed: Installed;
  reported?: Running;
  files(): Array<{ path: string; at: number }>;
  lock?: { versions: RecordedVersions; startedAt?: string };
  serverInfo?: ServerInfoStatement;
  firstSeen?: FirstSeen;
  /** Asked only when nothing records what the process runs (a record, its own report, a sighting). */
  infer?: (start: number | undefined) => Promise<VersionEvidence['inferred']>;
  /**
   * An installer of the package's ecosystem running now. `known`: already looked up (a snapshot
   * reads the process table anyway). `ask`: looked up only when it could matter, when the verdict
   * would otherwise ask for a restart (a guard, cheap while nothing changed).
   */
  installing: { known: RunningInstaller | undefined } | { ask(): Promise<RunningInstaller | undefined> };
  /** An installer that could write the package, seen at work by an earlier look and gone now. */
  installedBy?: VersionEvidence['installedBy'];
  /** The entry's launch moved since this process started (configDrift.ts): weighed by `judge`. */
  drift?: VersionEvidence['drift'];
  /** The quiet period after a change (settling.ts SETTLE_MS unless the engine says otherwise). */
  settleMs?: number;
  /** ms since the epoch. */
  now: number;
}

export interface InstanceReaders {
  readMaps(pid: number, startTime: number | undefined): Promise<string | undefined>;
  /** File reads: times, for the evidence of an exec (`pipx_metadata.json`); a distribution's RECORD. */
  fs: VersionFs;
  /** `sighted`: the files it mapped when first seen, as their RECORDs listed them (mappedRecords.ts). */
  compareReplaced(
    pid: number,
    mapsText: string,
    paths: readonly string[],
    sighted?: MappedAtSighting,
  ): Promise<Map<string, Compared>>;
  /**
   * The files a process maps inside `roots` as their RECORDs list them, for its first sighting
   * (mappedRecords.ts). A snapshot's reader.
   */
  mappedRecords?(pid: number, roots: readonly string[]): Promise<MappedAtSighting | undefined>;
  /**
   * The process's runtime as /proc shows it (runtime.ts `sightRuntime`: its executable and the
   * runtime's libraries it maps), given a way to read its maps once; undefined when not a runtime or not known.
   */
  sightRuntime?(pid: number, maps: () => Promise<string | undefined>): Promise<RuntimeSighting | undefined>;
  /** The evidence of a replaced runtime (runtime.ts `readRuntime`); tests inject a fixed answer. */
  readRuntime?(
    pid: number,
    startTime: number | undefined,
    sighting: RuntimeSighting,
    mapsText: string | undefined,
  ): Promise<RuntimeReplaced | undefined>;
  /**
   * Which of the named packages (recorded in the closure, absent from it now) are still installed
   * beside it, with their versions (outsideClosure.ts). Asked only when a recorded closure lost members.
   */
  stillInstalled?(installed: Installed, names: readonly string[]): Promise<Record<string, string>>;
  /**
   * The Go build information of the executable the process runs (goBinary.ts `runningBuildInfo`:
   * `/proc/<pid>/exe`, the file it started from even once replaced); asked only of a Go binary
   * whose file changed after the start, and of every binary `go run` built.
   */
  runningBuild?(pid: number, startTime: number | undefined): Promise<GoBuildInfo | undefined>;
  /** How much later than its start time a process may have begun (pids/startLag.ts); none when absent. */
  startLag?(): Promise<number>;
  /**
   * The digest of a package's own files (packageDigest.ts), as they are while its change time is
   * `changedAt`; none when absent or past its bounds.
   */
  packageDigest?(dir: string, changedAt: number | undefined): Promise<string | undefined>;
  /**
   * The `*.dist-info` folder whose RECORD lists an installed file (mappedContent.ts
   * `distInfoFinder`: instanceReaders.ts), as a snapshot keeps it across runs (keptFacts.ts
   * `keptOwners`). Absent: no distribution is known, and replaced metadata stays a change.
   */
  distInfoOf?(file: string): Promise<string | undefined>;
  /**
   * A Python script's environment rewritten after its start at the version first seen: whether its
   * distributions' RECORDs are the ones first seen (recordsDigest.ts `closureContent`). A snapshot's
   * reader only: a guard keeps no first sightings to compare with.
   */
  closureContent?(
    installed: Installed,
    firstSeen: FirstSeen | undefined,
    start: number,
  ): Promise<VersionEvidence['closureContent']>;
  /** A Python script's closure as its distributions' RECORDs hash it, for its first sighting (recordsDigest.ts). */
  recordsDigest?(installed: Installed): Promise<string | undefined>;
}

export interface InstanceJudgement {
  running: Running;
  verdict: VersionVerdict;
  /** Mapped files replaced on disk whose content differs or could not be compared. */
  replaced: string[];
  /** When the process began running the code it runs: its start, or a later exec (execStart.ts). */
  start?: number;
  /** The runtime it runs was replaced on disk: a restart need of its own, not part of `verdict`. */
  runtime?: RuntimeReplaced;
}

/** Where a package's code and environment live: replaced mapped files under these belong to it. */
export function rootsOf(installed: Installed): string[] {
  if (installed.state === 'unversioned') return [installed.path];
  if (installed.state !== 'installed' && installed.state !== 'missing') return [];
  const loc = installed.location ?? '';
  if (installed.ecosystem === 'npm') {
    const i = loc.lastIndexOf(`${path.sep}node_modules${path.sep}`);
    return [i >= 0 ? loc.slice(0, i + '/node_modules'.length) : loc];
  }
  // A binary is its own code: its file (a Go binary's build information names its version).
  if (installed.ecosystem === 'mcpb' || installed.ecosystem === 'binary') return loc ? [loc] : [];
  if (installed.ecosystem === 'python') {
    // location is `<site-packages>/<dist>.dist-info`: the venv (three up from site-packages) holds its libraries too.
    const sp = loc.endsWith('.dist-info') || loc.endsWith('.egg-info') ? path.dirname(loc) : loc;
    return [sp, path.dirname(path.dirname(path.dirname(sp)))];
  }
  return [];
}

/** Whether the installed side may have changed after `start` (no time known: it may have). */
export function changedSince(installed: Installed, start: number | undefined): boolean {
  if (start === undefined) return true;
  const changed =
    installed.state === 'installed'
      ? installed.changedAt
      : installed.state === 'unversioned'
        ? installed.mtime
        : undefined;
  return changed === undefined || changed > start - CLOCK_SLACK_MS;
}

/**
 * Whether an argv is a runtime or interpreter running a script, module or package (`node x.js`, `bun run x.js`,
 * `deno run npm:pkg@1`, `python -m x`): its own command line says where its code is.
 */
export function interprets(argv: readonly string[]): boolean {
  const prog = programName(argv[0] ?? '');
  return JS_RUNTIMES.test(prog) || PYTHON_LIKE.test(prog);
}

/**
 * A relative script path needs the process's working directory to be found; so does a script inside
 * a zip archive (yarn Plug'n'Play's cache: the project it runs for is the one around that folder).
 * Read by the launch parser: an option's value (`node --require /abs/preflight.cjs s.ts`, tsx's child) is not the script.
 */
export function needsCwd(argv: readonly string[], rules: PathRules): boolean {
  const { target } = parseLaunch(argv);
  return target.kind === 'script' && (!rules.isAbsolute(target.script) || /\.zip[\\/]/i.test(target.script));
}

/** The files a Node tree's installer writes last, once its work is done: npm's hidden lockfile, yarn's integrity file, pnpm's modules file. */
const WRITTEN_LAST = /[\\/]node_modules[\\/](\.package-lock\.json|\.yarn-integrity|\.modules\.yaml)$/;

/**
 * An installer that finished writing the package's tree, as the tree itself says: the file its
 * installer writes last is its newest (every package written before it). Asked only while the
 * quiet period would hold a fresh change; no installer of the tree may still be at work (that one
 * holds the verdict whatever this says).
 */
function treeWrittenLast(
  installed: Installed,
  files: () => Array<{ path: string; at: number }>,
  now: number,
  settleMs = SETTLE_MS,
) {
  if (installed.state !== 'installed' || installed.ecosystem !== 'npm' || installed.changedAt === undefined) return;
  if (now - installed.changedAt >= settleMs) return undefined;
  const mark = files().find((file) => WRITTEN_LAST.test(file.path) && file.at >= installed.changedAt!);
  return mark ? { what: `the install that wrote ${mark.path} last` } : undefined;
}

/**
 * A Go binary whose file changed after the start: the executable the process runs (the file it
 * started from, replaced or not) names the module version it was built as. Only when it is the
 * installed binary's module: a launcher or a guard in between runs another executable.
 */
async function builtRunning(f: InstanceFacts, start: number | undefined, readers: InstanceReaders) {
  const installed = f.installed;
  if (!readers.runningBuild || installed.state !== 'installed' || installed.ecosystem !== 'binary') return undefined;
  // A binary `go run` builds at every start is read always: no file here is what runs.
  if (installed.builtBy !== 'go-run' && !changedSince(installed, start)) return undefined;
  const info = await readers.runningBuild(f.pid, f.startTime);
  const module = moduleVersion(info);
  if (!info || !module || module.path !== installed.name) return undefined;
  const running: Running = {
    state: 'known',
    version: module.version,
    source: 'build-info',
    how: `the Go build information (${info.goVersion}) of the executable the process runs: module ${module.path} ${module.version}`,
    ...(start !== undefined ? { since: new Date(start).toISOString() } : {}),
  };
  return running;
}

/** No reader of distributions: none known. */
const noOwner = async (): Promise<string | undefined> => undefined;

export async function judgeInstance(f: InstanceFacts, readers: InstanceReaders): Promise<InstanceJudgement> {
  const installed = f.installed;
  // Judged against the latest moment it may have begun: a start time read early would take a file
  // written just after the process began for one it loaded.
  const begun = f.startTime === undefined ? undefined : f.startTime + ((await readers.startLag?.()) ?? 0);
  const start = await execStart(f.argv, begun, (p) => readers.fs.stat(p));
  const roots = rootsOf(installed);
  // The maps are read once: for the runtime's libraries, and for the package's files.
  let maps: Promise<string | undefined> | undefined;
  const readMaps = () => (maps ??= readers.readMaps(f.pid, f.startTime));
  const sighting = await readers.sightRuntime?.(f.pid, readMaps);
  // A replaced file inside the environment changes it (pip and npm rewrite their metadata), so the
  // maps are only read for it when the environment changed after the process started.
  const mapsText = roots.length && changedSince(installed, start) ? await readMaps() : undefined;
  // The runtime's own files (a venv's copied interpreter, libpython) are never the package's evidence.
  const deleted = mapsText
    ? replacedWithin(parseDeletedMappings(mapsText), roots).filter((file) => !isRuntimeFile(file, sighting))
    : [];
  const runtime = sighting ? await readers.readRuntime?.(f.pid, f.startTime, sighting, await readMaps()) : undefined;
  // A replaced file is a change only when its content differs from the one installed now.
  const checks =
    mapsText && deleted.length
      ? await readers.compareReplaced(f.pid, mapsText, deleted, f.firstSeen?.mapped)
      : new Map<string, Compared>();
  const withCheck = (c: ContentCheck) => deleted.filter((file) => (checks.get(file)?.check ?? 'unverified') === c);
  const changedFiles =
    start === undefined || !changedSince(installed, start)
      ? []
      : f
          .files()
          .filter((file) => file.at > start + CLOCK_SLACK_MS)
          .map((file) => ({ path: file.path, at: new Date(file.at).toISOString() }));
  // Identical mapped files vouch for their distributions: when every file that changed after the
  // start is metadata of those, the change was a reinstall of the same code.
  const identical = withCheck('identical');
  let changeExplained = false;
  // Not for code under development (the server's own, or a closure member's): its files are not metadata.
  const dev = installed.state === 'installed' && (installed.dev || installed.devMembers?.length);
  if (identical.length && changedFiles.length && !dev) {
    const counterparts = identical.map((file) => checks.get(file)?.counterpart ?? file);
    // A binary is its own code: its file replaced by the same bytes (a reinstall) is no change, nor
    // are the records cargo rewrote beside it.
    const location =
      installed.state === 'installed' && installed.ecosystem === 'binary' ? installed.location : undefined;
    changeExplained = changedFiles.every(
      (file) =>
        counterparts.includes(file.path) ||
        (location !== undefined && counterparts.includes(location) && isCargoRecordOf(file.path, location, path.sep)),
    );
    if (!changeExplained) {
      const owners = (await Promise.all(counterparts.map(readers.distInfoOf ?? noOwner))).filter(
        (d): d is string => !!d,
      );
      changeExplained =
        owners.length > 0 && changedFiles.every((file) => owners.some((d) => file.path.startsWith(`${d}${path.sep}`)));
    }
  }
  // Its files changed after the start under the version first seen: their content says whether it is the same code.
  const seenDigest = f.firstSeen?.digest;
  const contentMoved =
    seenDigest !== undefined &&
    changedFiles.length > 0 &&
    installed.state === 'installed' &&
    installed.version === f.firstSeen?.version &&
    !installed.dev
      ? await readers
          .packageDigest?.(installed.location, installed.changedAt)
          .then((now) => now !== undefined && digestsDiffer(seenDigest, now))
      : undefined;
  const closureContent =
    start !== undefined && changedFiles.length
      ? await readers.closureContent?.(installed, f.firstSeen, start)
      : undefined;
  const inferred = f.lock?.versions || f.serverInfo || f.firstSeen ? undefined : await f.infer?.(start);
  const installedBy = f.installedBy ?? treeWrittenLast(installed, f.files, f.now, f.settleMs);
  const reported = f.reported ?? (await builtRunning(f, start, readers));
  const evidence: VersionEvidence = {
    installed,
    processStart: start,
    ...(f.lock ? { lock: f.lock } : {}),
    ...(f.serverInfo ? { serverInfo: f.serverInfo } : {}),
    ...(f.firstSeen ? { firstSeen: f.firstSeen } : {}),
    ...(reported ? { reported } : {}),
    replacedFiles: withCheck('differs'),
    unverifiedFiles: withCheck('unverified'),
    identicalFiles: identical,
    changedFiles,
    changeExplained,
    ...(contentMoved || closureContent?.check === 'differs' ? { contentMoved: true } : {}),
    ...(closureContent ? { closureContent } : {}),
    ...(inferred ? { inferred } : {}),
    ...(installedBy ? { installedBy } : {}),
    ...(f.drift ? { drift: f.drift } : {}),
    ...(f.settleMs !== undefined ? { settleMs: f.settleMs } : {}),
    now: f.now,
  };
  // Members a recorded closure had and the closure now lacks: gone, or only no longer required?
  const recorded = runningOf(evidence);
  const left =
    recorded.state === 'known' && recorded.environment && installed.state === 'installed' && installed.environment
      ? environmentMoves(recorded.environment, installed.environment)
          .filter((m) => m.to === undefined)
          .map((m) => m.name)
      : [];
  if (left.length && readers.stillInstalled) {
    const beside = await readers.stillInstalled(installed, left);
    if (Object.keys(beside).length) evidence.stillInstalled = beside;
  }
  const replaced = [...withCheck('differs'), ...withCheck('unverified')];
  const extra = { replaced, start, ...(runtime ? { runtime } : {}) };
  if ('known' in f.installing) {
    const installing = f.installing.known;
    return Object.assign({}, judge(Object.assign({}, evidence, installing ? { installing } : {})), extra);
  }
  // An installer only ever holds a verdict back (settling): it is looked for only when there is one to hold.
  const first = judge(evidence);
  if (first.verdict.state !== 'stale' && first.verdict.state !== 'changed') return Object.assign({}, first, extra);
  const installing = await f.installing.ask();
  return Object.assign({}, installing ? judge(Object.assign({}, evidence, { installing })) : first, extra);
}
