import type { Instance, ServerStatus } from '../base/model';
import { redactArgs } from '../base/redact';
import type { Installed } from '../base/versionTypes';
import { innerArgv, runnerOfEntry } from '../launch/entryRunner';
import { parseLaunch } from '../launch/parse';
import type { PackageRunner } from '../launch/types';
import type { ScriptRuns, VersionFacts } from '../snapshot/versionFacts';
import type { CopyPlace, PackageCopy, PackageRef } from '../versions/copies';
import { describeMove } from '../versions/fingerprint';
import { isNewer, ReleaseSaid } from '../versions/registry';
import { restartRiskText } from '../versions/startRisk';
import { ownerNames } from './state';
import { serverIdleOf } from '../processes/guarded';
import { idleWords } from './evidence';
import { idleVersion, idleVersionWords } from './idleVersion';

/**
 * "Why does this run that version?" in one answer, for `mcp-lifeguard doctor SERVER` and Show
 * Versions: what each running instance runs and the one-line reason, every copy of the package on
 * disk (and which entry uses it, and which shadows which), the version each client's entry pins,
 * the newest release, and what keeps an upgrade from taking effect. A pure reading of the facts
 * snapshot/versionFacts.ts gathered; the faces only word it.
 */

export interface DoctorInstance {
  pid: number;
  client: string;
  /** The entry it was started from: `memory in Cursor`. */
  entry: string;
  /**
   * The version it runs; `?` when that cannot be told. A guard that stopped its server for idleness
   * runs none: what it starts next or last ran, labelled (`starts 1.2.0 (installed)`), or `-`.
   */
  runs: string;
  /** A guard that stopped its server for idleness (`run --idle-stop`): nothing runs, so nothing needs a restart. */
  idle?: true;
  /** The version installed where it runs from now, when it differs. */
  installed?: string;
  /** Where its code is, in words ("npx cache ...", "npm global prefix ..."). */
  from?: string;
  needsRestart: boolean;
  /** One line: why it runs what it runs. */
  reason: string;
  /** The dependencies that moved under it since it started: `mcp 1.30.0 -> 2.3.0`. */
  moved?: string[];
  /** Why a restart into what is installed will probably fail, as every face says it. */
  restartRisk?: string;
}

export interface DoctorCopy extends PackageCopy {
  /** The entries whose launch resolves to this copy now: `memory in Cursor`. */
  usedBy: string[];
  /** A project's copy that npx in that project takes before the global one: the global copy's version. */
  shadows?: string;
}

export interface DoctorEntry {
  name: string;
  /** The client's group: "Cursor", "Claude Code User"... */
  client: string;
  file: string;
  /** Its command line, secrets masked. */
  launch: string;
  /** The runner that fetches the package (`npx`, `uvx`...), when one does. */
  runner?: string;
  /** The version the entry pins for its runner, as written (`2026.7.4`, `2025.x`). */
  pin?: string;
  /** The version its launch resolves to now, when on disk. */
  resolves?: string;
  /** Whether it is named as asked (else it runs the same package under another name). */
  named: boolean;
  reason: string;
  /** The newer version its pin keeps it from (installed elsewhere, else released). */
  heldBackFrom?: string;
}

export interface DoctorAnswer {
  server: string;
  package?: PackageRef;
  noPackage?: string;
  /** A script no package installs: where it is and what it runs, in words. */
  script?: ScriptRuns;
  instances: DoctorInstance[];
  copies: DoctorCopy[];
  entries: DoctorEntry[];
  releases: ReleaseSaid[];
  releasesNotAsked?: string;
  /** The newest release any registry said. */
  newest?: { version: string; source: ReleaseSaid['source'] };
  /** The newest version installed outside the runners' caches (what an upgrade of the package put there). */
  newestInstalled?: string;
  /** What keeps an upgrade from taking effect, what needs a restart, what is newer: each one sentence. */
  findings: string[];
}

const RUNNER_WORDS: Record<PackageRunner, string> = {
  npx: 'npx',
  'pnpm-dlx': 'pnpm dlx',
  'yarn-dlx': 'yarn dlx',
  bunx: 'bunx',
  deno: 'deno run',
  uvx: 'uvx',
  'pipx-run': 'pipx run',
  'go-run': 'go run',
};

/** Where each runner looks first, for an entry that names no version. */
const RUNNER_ORDER: Partial<Record<PackageRunner, string>> = {
  npx: "the project's copy, then the global one, then its cache",
  uvx: 'an installed uv tool, then its cache',
};

const PLACE_WORDS: Record<CopyPlace, string> = {
  'npm-global': 'npm global',
  'npm-project': 'project',
  'npx-cache': 'npx cache',
  'uv-tool': 'uv tool',
  'uvx-cache': 'uvx cache',
  pipx: 'pipx',
  'pipx-run-cache': 'pipx run cache',
  'bunx-cache': 'bunx cache',
  'deno-cache': 'deno npm cache',
  venv: 'venv',
};

export function placeWords(place: CopyPlace): string {
  return PLACE_WORDS[place];
}

function installedVersion(x: Installed | undefined): string | undefined {
  return x?.state === 'installed' ? x.version : undefined;
}

/** Why an entry resolves to what it does, in words. */
function entryReason(s: ServerStatus, pkg: PackageRef | undefined, where: WhereOf): string {
  const r = runnerOfEntry(s);
  const i = s.installed;
  const found = i?.state === 'installed' ? `${i.version} in ${where(i)}` : undefined;
  // What is not known is said with its reason, never left as a bare `?`.
  const notFound =
    i?.state === 'missing'
      ? `no copy is on disk yet (${i.how}): its next start fetches one`
      : i?.state === 'unknown'
        ? `what it resolves to is unknown: ${i.reason}`
        : undefined;
  if (r) {
    const runner = RUNNER_WORDS[r.runner];
    if (r.pin)
      return `pins ${r.spec} for ${runner}: it runs that version whatever else is installed${found ? ` (${found})` : notFound ? `; ${notFound}` : ''}`;
    return `runs ${pkg?.name ?? r.spec} through ${runner} without a version: ${runner} takes ${RUNNER_ORDER[r.runner] ?? 'the newest copy in its cache'}${found ? `, now ${found}` : notFound ? `; ${notFound}` : ''}`;
  }
  const program = whatRuns(s);
  if (i?.state === 'installed') return `runs ${program}${versionFound(i, where)}`;
  if (i?.state === 'missing') return `runs ${program}, whose package is gone (${i.how})`;
  if (i?.state === 'unknown') return `runs ${program}: ${i.reason}`;
  return `runs ${program}`;
}

/**
 * What an entry runs, apart from the version found: `/w/srv.py with /w/.venv/bin/python` for an
 * interpreter's script or module, else the program as written.
 */
function whatRuns(s: ServerStatus): string {
  const argv = innerArgv(s);
  const { interpreter, target } = parseLaunch(argv);
  if (interpreter && target.kind === 'script') return `${target.script} with ${interpreter}`;
  if (interpreter && target.kind === 'module') return `the module ${target.module} with ${interpreter}`;
  return argv[0] ?? '';
}

/**
 * The version found where it runs, said apart from the program: `; mcp 2.3.0 is installed there`
 * for a script (named by the SDK it imports: the head says where its environment is), else the
 * package, its version and where (`; @scope/pkg 2026.8.31 is installed there (npm global prefix /usr/local)`).
 * A script with no version of its own names none.
 */
function versionFound(i: Extract<Installed, { state: 'installed' }>, where: WhereOf): string {
  if (i.dev?.script) return i.version === 'script' ? '' : `; ${i.version} is installed there`;
  const at = where(i);
  return `; ${i.name} ${i.version} is installed there${at ? ` (${at})` : ''}`;
}

/** Where a copy is, in the words the search used for its folder (the resolvers may say "package.json above ..."). */
type WhereOf = (installed: Installed | undefined) => string | undefined;

/** An entry in words, `memory in VS Code (workspace)`: a label may hold brackets of its own. */
function entryWords(s: ServerStatus): string {
  return `${s.name} in ${s.source.label}`;
}

function instanceLine(s: ServerStatus, i: Instance, entryWhy: string, where: WhereOf): DoctorInstance {
  const idle = serverIdleOf(i);
  if (idle) {
    const installedNow = installedVersion(s.installed);
    const next = idleVersion(idle, installedNow);
    return {
      pid: i.pid,
      client: clientWords(i),
      entry: entryWords(s),
      runs: next ? idleVersionWords(next) : '-',
      ...(next?.kind === 'starts' ? { installed: next.version } : {}),
      idle: true,
      needsRestart: false,
      reason: `${idleWords(idle)}; its entry ${entryWords(s)} ${entryWhy}`,
    };
  }
  const v = i.versions;
  const verdict = v?.verdict;
  const installed = installedVersion(v?.installed);
  const runs =
    v?.running.state === 'known'
      ? v.running.version
      : verdict?.state === 'current' && installed
        ? installed
        : verdict?.state === 'stale'
          ? verdict.running
          : '?';
  const from = where(v?.installed);
  const because = `its entry ${entryWords(s)} ${entryWhy}`;
  let reason: string;
  let needsRestart = true;
  switch (verdict?.state) {
    case 'stale':
      reason = `it started before ${
        verdict.installed === 'missing'
          ? 'its package was removed'
          : verdict.installed === verdict.running
            ? 'its dependencies moved'
            : `${verdict.installed} was installed there`
      } (${staleWhy(verdict, i.pid)}): restart it to run what is installed; ${because}`;
      break;
    case 'changed':
      reason = `files of it changed after it started (${verdict.summary}): restart it; ${because}`;
      break;
    case 'config-changed':
      reason = `${verdict.summary}: it still runs what its entry named when it started (${verdict.running}); its client must restart it`;
      break;
    case 'current':
      needsRestart = false;
      reason = because;
      break;
    case 'unknown':
      needsRestart = false;
      reason = `what it loaded cannot be told (${verdict.reason}); ${because}`;
      break;
    case undefined:
      needsRestart = false;
      reason = because;
      break;
  }
  const moved = verdict?.state === 'stale' ? verdict.movedDependencies.map(describeMove) : [];
  const risk =
    (verdict?.state === 'stale' || verdict?.state === 'changed') && v?.installed.state === 'installed'
      ? restartRiskText(v.installed.startRisks)
      : undefined;
  return {
    pid: i.pid,
    client: clientWords(i),
    entry: entryWords(s),
    runs,
    ...(moved.length ? { moved } : {}),
    ...(risk ? { restartRisk: risk } : {}),
    ...(installed && installed !== runs ? { installed } : {}),
    ...(from ? { from } : {}),
    needsRestart,
    reason,
  };
}

/**
 * The engine's sentence, or where the moved dependencies are many: their count, since each is
 * listed under the instance (`moved since it started`) and a Why line that repeats them all is
 * read twice.
 */
function staleWhy(verdict: Extract<NonNullable<Instance['versions']>['verdict'], { state: 'stale' }>, pid: number) {
  const n = verdict.movedDependencies.length;
  if (n === 0) return verdict.summary;
  const inferred = verdict.inferred ? `; inferred: ${verdict.runningHow}` : '';
  return `${n} ${n === 1 ? 'dependency' : 'dependencies'} moved since it started, listed under pid ${pid}${inferred}`;
}

/** Newer of two versions of the package's ecosystem (a version that does not parse never wins). */
function newer(pkg: PackageRef, a: string, b: string): boolean {
  return isNewer(pkg.ecosystem, a, b);
}

/**
 * Whom an instance serves, as the tree says it: a shared server's clients, else the client that
 * started it; one started outside every known client (a terminal, a test harness) is said so,
 * never by the id `unknown`.
 */
function clientWords(i: Instance): string {
  const names = ownerNames(i);
  if (names.length === 0) return 'no known client';
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function versionDoctor(facts: VersionFacts): DoctorAnswer {
  const pkg = facts.package;
  const where: WhereOf = (x) =>
    x?.state === 'installed' ? (facts.copies.find((c) => c.location === x.location)?.how ?? x.how) : undefined;
  // Each entry's reason once: its instances' lines and its own row say the same. A shared process is
  // every sharing entry's instance: listed once, under the first entry that has it.
  const reasons = facts.entries.map((s) => entryReason(s, pkg, where));
  const instances = facts.entries
    .flatMap((s, k) => s.instances.map((i) => instanceLine(s, i, reasons[k], where)))
    .filter((line, at, all) => all.findIndex((l) => l.pid === line.pid) === at);
  const global = facts.copies.find((c) => c.place === 'npm-global');
  const copies: DoctorCopy[] = facts.copies.map((c) => {
    const usedBy = facts.entries
      .filter((s) =>
        [s.installed, ...s.instances.map((i) => i.versions?.installed)].some(
          (x) => x?.state === 'installed' && x.location === c.location,
        ),
      )
      .map(entryWords);
    return {
      ...c,
      usedBy: [...new Set(usedBy)],
      ...(c.place === 'npm-project' && global && global.version !== c.version ? { shadows: global.version } : {}),
    };
  });
  const answered = facts.releases.filter((r) => r.latest !== undefined);
  const newest = pkg
    ? answered.reduce<DoctorAnswer['newest']>(
        (best, r) => (!best || newer(pkg, r.latest!, best.version) ? { version: r.latest!, source: r.source } : best),
        undefined,
      )
    : undefined;
  const top = pkg ? newestInstalledCopy(pkg, copies) : undefined;
  const entries: DoctorEntry[] = facts.entries.map((s, k) => {
    const r = runnerOfEntry(s);
    const resolves = installedVersion(s.installed);
    const back = pkg ? heldBack(pkg, s, top, newest) : undefined;
    return {
      name: s.name,
      client: s.source.label,
      file: s.source.file,
      launch: redactArgs(innerArgv(s)).join(' '),
      ...(r ? { runner: RUNNER_WORDS[r.runner] } : {}),
      ...(r?.pin ? { pin: r.pin } : {}),
      ...(resolves ? { resolves } : {}),
      named: s.name === facts.server,
      reason: reasons[k],
      ...(back ? { heldBackFrom: back.version } : {}),
    };
  });
  return {
    server: facts.server,
    ...(pkg ? { package: pkg } : {}),
    ...(facts.noPackage ? { noPackage: facts.noPackage } : {}),
    ...(facts.script ? { script: facts.script } : {}),
    instances,
    copies,
    entries,
    releases: facts.releases,
    ...(facts.releasesNotAsked ? { releasesNotAsked: facts.releasesNotAsked } : {}),
    ...(newest ? { newest } : {}),
    ...(top ? { newestInstalled: top.version } : {}),
    findings: pkg ? findings(pkg, facts, copies, instances, newest) : scriptFindings(facts, instances),
  };
}

/**
 * A server no package installs (a script): what `status` says of it, one sentence each: what moved
 * under each instance, whether a restart will start, and the way back where there is one.
 */
function scriptFindings(facts: VersionFacts, instances: readonly DoctorInstance[]): string[] {
  const out: string[] = [];
  for (const i of instances) {
    if (i.needsRestart) out.push(`pid ${i.pid} (${i.client}) runs ${i.runs}: ${i.reason}`);
    if (i.restartRisk)
      out.push(
        `${i.restartRisk}: do not restart pid ${i.pid} yet; mcp-lifeguard rollback ${facts.server} installs again what it started with`,
      );
    else if (i.moved?.length)
      out.push(
        `mcp-lifeguard rollback ${facts.server} installs again what pid ${i.pid} started with, if the new versions misbehave`,
      );
  }
  return out;
}

/** The newest copy outside the runners' caches: what an upgrade of the installed package put there. */
function newestInstalledCopy(pkg: PackageRef, copies: readonly DoctorCopy[]): DoctorCopy | undefined {
  return copies
    .filter(
      (c) =>
        c.place !== 'npx-cache' &&
        c.place !== 'bunx-cache' &&
        c.place !== 'deno-cache' &&
        c.place !== 'uvx-cache' &&
        c.place !== 'pipx-run-cache',
    )
    .reduce<DoctorCopy | undefined>((best, c) => (!best || newer(pkg, c.version, best.version) ? c : best), undefined);
}

/** The newer version an entry's pin keeps it from, and where that version is, if any. */
function heldBack(
  pkg: PackageRef,
  s: ServerStatus,
  top: DoctorCopy | undefined,
  newest: DoctorAnswer['newest'],
): { held: string; version: string; where: string } | undefined {
  const r = runnerOfEntry(s);
  if (!r?.pin) return undefined;
  const held = installedVersion(s.installed) ?? r.pin;
  if (top && newer(pkg, top.version, held))
    return { held, version: top.version, where: `${placeWords(top.place)} install has ${top.version} (${top.how})` };
  if (newest && newer(pkg, newest.version, held))
    return { held, version: newest.version, where: `${newest.version} is released` };
  return undefined;
}

function findings(
  pkg: PackageRef,
  facts: VersionFacts,
  copies: readonly DoctorCopy[],
  instances: readonly DoctorInstance[],
  newest: DoctorAnswer['newest'],
): string[] {
  const out: string[] = [];
  const top = newestInstalledCopy(pkg, copies);
  for (const s of facts.entries) {
    const r = runnerOfEntry(s);
    const back = r?.pin ? heldBack(pkg, s, top, newest) : undefined;
    if (r?.pin && back)
      out.push(
        `${s.source.label}'s entry ${s.name} (${s.source.file}) pins ${r.spec} for ${RUNNER_WORDS[r.runner]}: it runs ${back.held} while the ${back.where}; upgrading elsewhere does not change it (mcp-lifeguard upgrade ${s.name} rewrites the pin)`,
      );
  }
  for (const c of copies)
    if (c.shadows !== undefined)
      out.push(
        `the project copy ${c.version} (${c.how}) shadows the npm global ${c.shadows}: npx and the project's own bin run it there`,
      );
  for (const i of instances)
    if (i.needsRestart)
      out.push(
        `pid ${i.pid} (${i.client}) runs ${i.runs}${i.installed ? ` while ${i.installed} is installed` : ''}: ${i.reason}`,
      );
  const named = facts.entries.filter((s) => s.name === facts.server);
  const versions = [...new Set(named.flatMap((s) => installedVersion(s.installed) ?? []))];
  if (versions.length > 1)
    out.push(
      `the entries named ${facts.server} run different versions: ${named
        .map((s) => `${s.source.label} ${installedVersion(s.installed) ?? '?'}`)
        .join(', ')}`,
    );
  if (newest && top && newer(pkg, newest.version, top.version))
    out.push(
      `${pkg.name} ${newest.version} is the newest release (${newest.source}); the newest installed here is ${top.version} (mcp-lifeguard upgrade ${facts.server} installs it the way it was installed)`,
    );
  return out;
}
