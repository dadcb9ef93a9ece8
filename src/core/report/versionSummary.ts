import { isNewer } from '../versions/registry';
import type { DoctorAnswer, DoctorInstance } from './versionDoctor';

/**
 * `doctor`'s answer as a reader takes it in at a glance (the top of Show Versions): what runs
 * against what is installed, one row per pair (the package's own move), the dependencies that
 * moved, and the one next step. The whole answer stays below it; this only groups and picks.
 */

/** Instances that run one version over one installed version, alike in whether they need a restart. */
export interface RunningGroup {
  runs: string;
  /** What is installed where they run from, when it differs from what they run. */
  installed?: string;
  needsRestart: boolean;
  /** Guards that stopped their server for idleness: `runs` says what they start next or last ran. */
  idle?: true;
  /** Each client with how many of these instances it runs, in the order first seen. */
  clients: Array<{ name: string; count: number }>;
  pids: number[];
}

/** The one thing to do next, worst first: a restart that would fail is never advised. */
export type VersionsNextStep =
  /** What is installed will probably not start: put back what the instances started with. */
  | { kind: 'roll-back'; risk: string; pids: number[] }
  | { kind: 'restart'; pids: number[] }
  /** An entry pins an older release than one installed or released: an upgrade elsewhere does not reach it. */
  | { kind: 'unpin'; entry: string; client: string; pin: string }
  | { kind: 'upgrade'; version: string; installed: string }
  /** What some instance runs cannot be told: nothing is advised on a guess. */
  | { kind: 'unknown'; pids: number[] }
  | { kind: 'none' };

export interface VersionsSummary {
  groups: RunningGroup[];
  /** The dependencies that moved under the running instances since they started: `mcp 1.30.0 -> 2.3.0`, each once. */
  moved: string[];
  next: VersionsNextStep;
}

function groupOf(groups: RunningGroup[], i: DoctorInstance): RunningGroup {
  const found = groups.find(
    (g) => g.runs === i.runs && g.installed === i.installed && g.needsRestart === i.needsRestart && g.idle === i.idle,
  );
  if (found) return found;
  const g: RunningGroup = {
    runs: i.runs,
    ...(i.installed !== undefined ? { installed: i.installed } : {}),
    needsRestart: i.needsRestart,
    ...(i.idle ? { idle: true as const } : {}),
    clients: [],
    pids: [],
  };
  groups.push(g);
  return g;
}

function nextStep(a: DoctorAnswer): VersionsNextStep {
  const risky = a.instances.filter((i) => i.restartRisk !== undefined);
  if (risky.length) return { kind: 'roll-back', risk: risky[0].restartRisk!, pids: risky.map((i) => i.pid) };
  const restart = a.instances.filter((i) => i.needsRestart);
  if (restart.length) return { kind: 'restart', pids: restart.map((i) => i.pid) };
  const pinned = a.entries.find((e) => e.heldBackFrom !== undefined);
  if (pinned?.pin !== undefined) return { kind: 'unpin', entry: pinned.name, client: pinned.client, pin: pinned.pin };
  const { package: pkg, newest, newestInstalled: top } = a;
  if (pkg && newest && top !== undefined && isNewer(pkg.ecosystem, newest.version, top))
    return { kind: 'upgrade', version: newest.version, installed: top };
  const unknown = a.instances.filter((i) => i.runs === '?');
  if (unknown.length) return { kind: 'unknown', pids: unknown.map((i) => i.pid) };
  return { kind: 'none' };
}

export function versionsSummary(a: DoctorAnswer): VersionsSummary {
  const groups: RunningGroup[] = [];
  for (const i of a.instances) {
    const g = groupOf(groups, i);
    g.pids.push(i.pid);
    const c = g.clients.find((x) => x.name === i.client);
    if (c) c.count++;
    else g.clients.push({ name: i.client, count: 1 });
  }
  // Those that need a restart first: the rows the next step is about.
  groups.sort((x, y) => Number(y.needsRestart) - Number(x.needsRestart));
  // The package's own move is each row's two versions; what moved besides is said by name.
  const moved = new Set(a.instances.flatMap((i) => i.moved ?? []));
  return { groups, moved: [...moved], next: nextStep(a) };
}
