import type { Instance, ServerStatus, Snapshot } from '../../core/base/model';
import { describeMove } from '../../core/versions/fingerprint';
import type { Installed } from '../../core/base/versionTypes';

/** The installed side in a cell: a version, `missing`, or `?` when it could not be told. */
export function installedCell(installed: Installed | undefined): string {
  if (!installed) return '-';
  switch (installed.state) {
    case 'installed':
      return installed.ecosystem === 'docker' ? shortImageId(installed.version) : installed.version;
    case 'missing':
      return 'missing';
    case 'unversioned':
      return 'no version';
    case 'unknown':
      return '?';
  }
}

/** The running side in a cell; `?` when not known (never a guess). */
export function runningCell(i: Instance): string {
  const r = i.versions?.running;
  if (!r || r.state !== 'known') return '?';
  return i.versions?.installed.state === 'installed' && i.versions.installed.ecosystem === 'docker' ? shortImageId(r.version) : r.version;
}

/** The label in the VERDICTS column: `STALE` first, so the eye finds it. */
export function versionVerdictLabel(i: Instance): string | undefined {
  const v = i.versions?.verdict;
  if (v?.state !== 'stale') return undefined;
  const moved = v.movedDependencies.length ? ` (${v.movedDependencies.length} dependenc${v.movedDependencies.length === 1 ? 'y' : 'ies'} moved)` : '';
  return `STALE: runs ${v.running}, installed ${v.installed}${moved}`;
}

function shortImageId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** The evidence of every stale instance, one block each: what moved, and how each side was learned. */
export function formatStaleEvidence(snapshot: Snapshot): string[] {
  const blocks: string[] = [];
  const seen = new Set<number>();
  for (const s of snapshot.servers) {
    for (const i of s.instances) {
      const v = i.versions?.verdict;
      if (v?.state !== 'stale' || seen.has(i.pid)) continue;
      seen.add(i.pid);
      blocks.push(`  ${s.name} (pid ${i.pid}): ${v.summary}`);
      blocks.push(`    running:   ${v.running}, learned from ${v.runningHow}`);
      blocks.push(`    installed: ${v.installed}, from ${v.installedHow}`);
      for (const m of v.movedDependencies) blocks.push(`    moved:     ${describeMove(m)}`);
      for (const f of v.replacedFiles) blocks.push(`    replaced:  ${f} (still mapped by the process)`);
      if (v.since) blocks.push(`    since:     ${v.since}`);
    }
  }
  if (blocks.length === 0) return [];
  return ['', `Stale (${seen.size}): the code on disk differs from the code these processes loaded; restart them.`, ...blocks];
}

/** Newer releases in the registries (a cached, at most daily check). */
export function formatUpdates(servers: readonly ServerStatus[]): string[] {
  const lines = servers.filter((s) => s.updateAvailable).map((s) => `  ${s.name}: ${s.updateAvailable!.package} ${s.updateAvailable!.latest} is available (installed: ${s.updateAvailable!.current})`);
  return lines.length ? ['', `Updates available (${lines.length}):`, ...lines] : [];
}
