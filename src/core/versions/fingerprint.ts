import { createHash } from 'node:crypto';
import { EnvironmentFingerprint, MovedDependency } from '../base/versionTypes';

/** The fingerprint of a set of packages: equal sets, equal hashes, whatever order they were read in. */
export function fingerprint(packages: Record<string, string>): EnvironmentFingerprint {
  const sorted = Object.keys(packages).sort();
  const lines = sorted.map((n) => `${n}==${packages[n]}`).join('\n');
  const ordered: Record<string, string> = {};
  for (const n of sorted) ordered[n] = packages[n];
  return { hash: createHash('sha256').update(lines).digest('hex').slice(0, 16), packages: ordered, scope: 'closure' };
}

/**
 * Dependencies that moved between what the process loaded and what is installed. A record from
 * before closures (no `scope`) may name packages outside the server's closure (a Python
 * environment's every distribution): only the closure installed now is compared against it.
 */
export function environmentMoves(
  running: EnvironmentFingerprint,
  installed: EnvironmentFingerprint,
): MovedDependency[] {
  if (running.hash === installed.hash || samePackages(running.packages, installed.packages)) return [];
  const was = canonicalPackages(running.packages);
  const now = canonicalPackages(installed.packages);
  if (running.scope === 'closure') return movedDependencies(was, now);
  const before: Record<string, string> = {};
  for (const name of Object.keys(now)) if (was[name] !== undefined) before[name] = was[name];
  const after: Record<string, string> = {};
  for (const name of Object.keys(before)) after[name] = now[name];
  return movedDependencies(before, after);
}

/**
 * The same members at the same versions. A hash is taken of the paths as they were when recorded
 * (a capture replays them renamed): equal sets are equal, whatever their hashes say.
 */
function samePackages(a: Record<string, string>, b: Record<string, string>): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  for (const name of names) if (!Object.hasOwn(b, name) || a[name] !== b[name]) return false;
  return true;
}

/**
 * A closure member's name as npm's lockfile keys give it, whichever way the tree was read:
 * `/dev/srv/node_modules/a/node_modules/b` -> `a > b`. A tree walked from a folder outside every
 * node_modules (a checkout, a workspace package) once named its members by their absolute folders,
 * and records of that naming are kept: read either way, the same member has the same name. A name
 * that is no such path (`a > b`, a linked package's own folder) is itself.
 */
export function canonicalMemberName(name: string): string {
  if (!isAbsoluteName(name)) return name;
  const at = name.search(/[\\/]node_modules[\\/]/);
  if (at < 0) return name;
  return name
    .slice(at + 1)
    .split(/node_modules[\\/]/)
    .filter(Boolean)
    .map((s) => s.replace(/[\\/]$/, '').replace(/\\/g, '/'))
    .join(' > ');
}

/** Whether a member is named by an absolute folder (`/dev/srv/node_modules/a`, `C:\\srv\\node_modules\\a`). */
function isAbsoluteName(name: string): boolean {
  return /^(\/|[A-Za-z]:[\\/])/.test(name);
}

function canonicalPackages(packages: Record<string, string>): Record<string, string> {
  // Records name members as npm does, mostly: then there is nothing to rename (and nothing to copy).
  if (!Object.keys(packages).some(isAbsoluteName)) return packages;
  const out: Record<string, string> = {};
  for (const [name, version] of Object.entries(packages)) {
    const key = canonicalMemberName(name);
    if (!Object.hasOwn(out, key)) out[key] = version;
  }
  return out;
}

/** Dependencies whose version differs between two environments, by name. */
export function movedDependencies(before: Record<string, string>, after: Record<string, string>): MovedDependency[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const moved: MovedDependency[] = [];
  for (const name of names) {
    const from = before[name];
    const to = after[name];
    if (from === to) continue;
    moved.push({ name, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  }
  return moved;
}

/**
 * "chromadb 0.6.3 -> 1.5.7", "left-pad (absent) -> 1.3.0", "six 1.16.0 -> (removed)", and for one
 * that left the closure but is still installed "six 1.16.0 -> (no longer a dependency, still installed)".
 */
export function describeMove(m: MovedDependency): string {
  const to =
    m.to ??
    (m.stillInstalled !== undefined
      ? `(no longer a dependency, still installed${m.stillInstalled !== m.from ? ` at ${m.stillInstalled}` : ''})`
      : '(removed)');
  return `${m.name} ${m.from ?? '(absent)'} -> ${to}`;
}

/** The moves, with each dependency that left the closure but is still installed (`installedBeside`: name -> version) said so. */
export function markStillInstalled(
  moves: MovedDependency[],
  installedBeside: Readonly<Record<string, string>> | undefined,
): MovedDependency[] {
  if (!installedBeside) return moves;
  return moves.map((m) =>
    m.to === undefined && installedBeside[m.name] !== undefined ? { ...m, stillInstalled: installedBeside[m.name] } : m,
  );
}
