import { createHash } from 'node:crypto';
import { EnvironmentFingerprint, MovedDependency } from '../base/versionTypes';

/** The fingerprint of a set of packages: equal sets, equal hashes, whatever order they were read in. */
export function fingerprint(packages: Record<string, string>): EnvironmentFingerprint {
  const sorted = Object.keys(packages).sort();
  const lines = sorted.map((n) => `${n}==${packages[n]}`).join('\n');
  const ordered: Record<string, string> = {};
  for (const n of sorted) ordered[n] = packages[n];
  return { hash: createHash('sha256').update(lines).digest('hex').slice(0, 16), packages: ordered };
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

/** "chromadb 0.6.3 -> 1.5.7", "left-pad (added) -> 1.3.0". */
export function describeMove(m: MovedDependency): string {
  return `${m.name} ${m.from ?? '(absent)'} -> ${m.to ?? '(removed)'}`;
}
