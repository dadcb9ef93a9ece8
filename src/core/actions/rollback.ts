import { normalizeName } from '../base/pythonName';
import type { Instance, ServerStatus } from '../base/model';
import { InstallCommand, installCommandFor, installedOf, InstallFacts, PinPlan, runnerOf } from './installCommand';
import { pinPlan } from './pinPlan';
import { PIN_RUNNERS } from '../launch/pin';
import type { UpgradeRecord } from './upgradeHistory';
import { pinText } from './upgrade';
import { serverDownOf } from '../processes/guarded';
import { versionProblem } from './installArgs';
import { runnerOfEntry } from '../launch/entryRunner';
import { ServedEntry, servesText } from './installServes';
import { canonicalMemberName } from '../versions/fingerprint';
import { parseDistDir } from '../versions/python';
import type { InstalledPackage } from './installCommand';

/**
 * Roll back: install again the versions a server's processes started with, the way it was
 * installed, so that a restart loads what ran (an upgrade that broke it undone). The versions are
 * the evidence's: what the guard recorded of the last server that served (a server that is down),
 * else what a running instance is known to run. Only what moved is pinned. Nothing runs here: the
 * plan is a command, shown before it runs (the CLI runs it on `--yes`), with no shell.
 */

export type RollbackPlan =
  | {
      kind: 'plan';
      serverName: string;
      /** How it was installed, in words: "venv /w/.venv", "npm global prefix /usr/local". */
      where: string;
      /** Whose versions: "what pid 4242 started with", "what the last server of the guard (pid 77) started with". */
      from: string;
      /** `name`, the version it had, the version installed now (`undefined`: no longer installed). */
      pins: Array<{ name: string; version: string; now?: string }>;
      command: InstallCommand;
      /** The command as the user's shell runs it: what is shown before it runs. */
      shown: string;
      /** Guards whose server is down: restarted once the command ran. */
      restart: Array<{ guardPid: number }>;
      /**
       * Packages the server needs now that it did not need when it started (Python: the upgrade
       * brought them). Left installed, and said: whether anything else in the environment uses them
       * is not known here, and the installer does not remove them.
       */
      kept: string[];
      /**
       * Dependencies that moved, left to the installer's resolution for the version rolled back to
       * (a uv tool: uv's receipt names only what the user asked for, so none is pinned there).
       */
      resolved?: string[];
    }
  /** A runner's cache holds it: the entries' pin goes back. */
  | PinPlan
  | { kind: 'refused'; serverName: string; message: string };

interface RanWith {
  version?: string;
  dependencies?: Record<string, string>;
  from: string;
}

/** What a process of the server started with: a down guard's record first, else a running instance's known versions. */
function ranWith(instances: readonly Instance[]): RanWith | undefined {
  for (const i of instances) {
    const down = serverDownOf(i);
    if (down?.ranWith)
      return {
        ...(down.ranWith.package ? { version: down.ranWith.package.version } : {}),
        ...(down.ranWith.dependencies ? { dependencies: down.ranWith.dependencies } : {}),
        from: `what the last server of its guard (pid ${i.pid}) started with`,
      };
  }
  for (const i of instances) {
    const r = i.versions?.running;
    if (r?.state !== 'known') continue;
    return {
      version: r.version,
      ...(r.environment ? { dependencies: r.environment.packages } : {}),
      from: `what pid ${i.pid} started with`,
    };
  }
  return undefined;
}

/**
 * Dependencies that left the closure but are still installed beside it, as the instances' verdicts
 * found them (`name -> version installed`): not gone, so never installed again "from nothing".
 */
function installedBeside(instances: readonly Instance[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of instances) {
    const v = i.versions?.verdict;
    if (v?.state !== 'stale') continue;
    for (const m of v.movedDependencies)
      if (m.to === undefined && m.stillInstalled !== undefined) out.set(m.name, m.stillInstalled);
  }
  return out;
}

/**
 * The distributions of the site-packages a Python server runs from (`normalized name -> version`),
 * read once when first asked: a dependency its closure no longer holds may still be installed there.
 */
function siteDistributions(installed: InstalledPackage, facts: InstallFacts): () => Map<string, string> {
  let read: Map<string, string> | undefined;
  return () => {
    if (read) return read;
    read = new Map();
    const site = installed.sitePackages;
    for (const entry of (site && facts.readdir?.(site)) || []) {
      const d = parseDistDir(entry);
      if (d) read.set(d.name, d.version);
    }
    return read;
  };
}

/**
 * `lastUpgrade`: the newest Upgrade that installed what is installed now (upgradeHistory.ts): what
 * it replaced is the version to go back to when no process is known to have run another.
 */
export function rollbackPlan(server: ServerStatus, facts: InstallFacts, lastUpgrade?: UpgradeRecord): RollbackPlan {
  const refuse = (message: string): RollbackPlan => ({ kind: 'refused', serverName: server.name, message });
  const installed = installedOf(server);
  if (!installed)
    return (
      recordedPinBack(server, lastUpgrade) ?? refuse('what it runs is not known, so there is nothing to roll back to')
    );
  const ran = ranWith(server.instances);
  const pins: Array<{ name: string; version: string; now?: string }> = [];
  const kept: string[] = [];
  // A script has no version of its own (its label names the SDK it runs on): its dependencies say it all.
  if (ran && !installed.dev?.script && ran.version && ran.version !== installed.version)
    pins.push({ name: installed.name, version: ran.version, now: installed.version });
  // npm resolves a package's dependencies again on install; Python's are pinned one by one.
  if (ran && installed.ecosystem === 'python') {
    const beside = installedBeside(server.instances);
    const site = siteDistributions(installed, facts);
    for (const [name, version] of Object.entries(ran.dependencies ?? {})) {
      // One that only left the closure is still installed beside it: at its version, nothing to do.
      // A server that is down has no verdict that says so: its site-packages does.
      const now = installed.environment?.packages[name] ?? beside.get(name) ?? site().get(normalizeName(name));
      if (now !== version) pins.push({ name, version, ...(now !== undefined ? { now } : {}) });
    }
  }
  if (ran && installed.dev?.script && installed.nodeProject) pins.push(...scriptImportPins(installed, ran));
  if (ran?.dependencies && installed.ecosystem === 'python')
    for (const name of Object.keys(installed.environment?.packages ?? {}).sort())
      if (!(name in ran.dependencies) && normalizeName(name) !== normalizeName(installed.name)) kept.push(name);
  let from = ran?.from;
  // The newest upgrade of this server, where it put what is installed now, or (a runner's entry)
  // the pin its entry has now: while its client still runs the release from before the pin moved,
  // what runs and what resolves agree, and only the record says the pin was the product's doing.
  const pinNow = runnerOfEntry(server)?.pin;
  const upgraded =
    lastUpgrade &&
    samePackageName(installed.ecosystem, lastUpgrade.package, installed.name) &&
    (lastUpgrade.to === installed.version || (pinNow !== undefined && lastUpgrade.to === pinNow))
      ? lastUpgrade
      : undefined;
  // A runner's entry pinned by the upgrade: its pin goes back, whatever runs meanwhile.
  const pinnedByUpgrade = upgraded !== undefined && pinNow === upgraded.to && runnerOf(server, installed) !== undefined;
  if (pinnedByUpgrade) pins.length = 0;
  if (pins.length === 0 && upgraded) {
    pins.push({ name: installed.name, version: upgraded.from, now: installed.version });
    from = `what it had before the upgrade of ${upgraded.at}`;
  }
  if (pins.length === 0 || !from)
    return refuse(
      ran
        ? `it already has what ${ran.from.replace(/^what /, '')}`
        : 'no process of it is known to have started with other versions than are installed, and no upgrade of it is recorded',
    );
  const runner = runnerOf(server, installed);
  if (runner) {
    const own = pins.find((x) => x.name === installed.name);
    const badVersion =
      own && (installed.ecosystem === 'npm' || installed.ecosystem === 'python')
        ? versionProblem(installed.ecosystem, own.version)
        : undefined;
    if (badVersion) return refuse(badVersion);
    if (!own || (installed.ecosystem !== 'npm' && installed.ecosystem !== 'python'))
      return refuse(`it runs from ${runner}'s cache, where only the version its entry pins can change`);
    // The pin moves from what the entry pins now (while its client still runs the release from
    // before an upgrade's pin, that is not what is installed there).
    const pinned = pinnedByUpgrade && pinNow !== undefined ? { ...installed, version: pinNow } : installed;
    return pinPlan(server.name, pinned, installed.ecosystem, runner, own.version);
  }
  const restart = server.instances.filter((i) => i.lock && serverDownOf(i)).map((i) => ({ guardPid: i.pid }));
  // Exact: a range would let the project's next update bring back what was rolled back from.
  const how = installCommandFor(installed, pins, facts, 'exact', server);
  if ('refused' in how) return refuse(how.refused);
  const resolved = how.unpinned ?? [];
  return {
    kind: 'plan',
    serverName: server.name,
    where: how.where,
    from,
    pins: pins.filter((x) => !resolved.includes(x.name)),
    command: how.command,
    shown: how.shown,
    restart,
    // An installer that syncs the environment removes what the release rolled back to does not need.
    kept: how.exact ? [] : kept,
    ...(resolved.length ? { resolved } : {}),
  };
}

/**
 * A JavaScript script's packages that moved under it, put back at what it started with: the ones it
 * imports first, then the project's other top-level members still installed at another version
 * (npm keeps a version already there that satisfies a range, so naming the import alone can leave
 * them where the upgrade put them). npm records each in the project's package.json, as it does any
 * package it is told to install; the plan names every one before it runs. Nested copies (`a > b`)
 * cannot be named to npm; members the upgrade removed come back with what needs them.
 */
function scriptImportPins(
  installed: InstalledPackage,
  ran: RanWith,
): Array<{ name: string; version: string; now?: string }> {
  const was = canonicalNames(ran.dependencies ?? {});
  const now = canonicalNames(installed.environment?.packages ?? {});
  const moved = (name: string) => was[name] !== undefined && was[name] !== now[name];
  const imports = (installed.nodeProject?.imports ?? []).filter(moved);
  const others = Object.keys(was)
    .filter((name) => !name.includes(' > ') && !imports.includes(name) && now[name] !== undefined && moved(name))
    .sort();
  return [...imports, ...others].map((name) => ({
    name,
    version: was[name],
    ...(now[name] !== undefined ? { now: now[name] } : {}),
  }));
}

/** A closure's members by npm's names (`a > b`), whichever way the tree was read. */
function canonicalNames(packages: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, version] of Object.entries(packages)) out[canonicalMemberName(name)] ??= version;
  return out;
}

/**
 * A runner's pin that the product's Upgrade wrote, with nothing of it installed (its client quit
 * before it fetched that release): the record names the pin it replaced, so the pin goes back. Only
 * when the entry still pins what the upgrade wrote: a pin moved since is not the record's.
 */
function recordedPinBack(server: ServerStatus, lastUpgrade: UpgradeRecord | undefined): RollbackPlan | undefined {
  const entry = runnerOfEntry(server);
  const runner = entry && PIN_RUNNERS[entry.runner];
  if (!lastUpgrade || !entry || !runner || entry.ecosystem === 'go' || entry.pin !== lastUpgrade.to) return undefined;
  if (!samePackageName(entry.ecosystem, lastUpgrade.package, entry.name)) return undefined;
  const bad = versionProblem(entry.ecosystem, lastUpgrade.from);
  if (bad) return { kind: 'refused', serverName: server.name, message: bad };
  const plan = pinPlan(
    server.name,
    { name: lastUpgrade.package, version: entry.pin },
    entry.ecosystem,
    runner,
    lastUpgrade.from,
  );
  return { ...plan, recordedAt: lastUpgrade.at };
}

/** One package by the rule of its ecosystem: PyPI names compare normalized (PEP 503), npm's as written. */
function samePackageName(ecosystem: string, a: string, b: string): boolean {
  const norm = (n: string) => (ecosystem === 'python' ? normalizeName(n) : n);
  return norm(a) === norm(b);
}

/** The plan in words, every command shown before it runs; `serves`: every entry the install runs (installServes). */
export function rollbackText(plan: RollbackPlan, serves: readonly ServedEntry[] = []): string[] {
  if (plan.kind === 'refused') return [`${plan.serverName}: not rolled back: ${plan.message}`];
  if (plan.kind === 'pin') return pinText(plan);
  return [
    `${plan.serverName}: back to ${plan.from} (${plan.where}):`,
    ...plan.pins.map((x) => `  ${x.name} ${x.now ?? '(absent)'} -> ${x.version}`),
    `  ${plan.shown}`,
    ...servesText(serves, 'rollback'),
    ...(plan.restart.length
      ? [
          `  then restart its guard${plan.restart.length === 1 ? '' : 's'} (pid ${plan.restart.map((r) => r.guardPid).join(', ')}): its server is down`,
        ]
      : []),
    ...(plan.kept.length ? [`  ${keptText(plan.kept)}`] : []),
    ...(plan.resolved?.length ? [`  ${resolvedText(plan.resolved)}`] : []),
  ];
}

/** The dependencies a roll back leaves to the installer's resolution, in words. */
export function resolvedText(resolved: readonly string[]): string {
  return `as uv resolves them for that version, not pinned: ${resolved.join(', ')} (a pin would stay in uv's receipt, held by every later uv tool upgrade)`;
}

/** What a roll back leaves installed that the release it goes back to does not need, in words. */
export function keptText(kept: readonly string[]): string {
  return `left installed: ${kept.join(', ')} (the newer release brought ${kept.length === 1 ? 'it' : 'them'}; remove ${kept.length === 1 ? 'it' : 'them'} with the environment's pip if nothing else uses ${kept.length === 1 ? 'it' : 'them'})`;
}
