import type { Snapshot } from '../../core/base/model';

/**
 * What the refresh manager watches for a snapshot: every config file the scan looked at (a missing
 * one by its folder, so creating it is seen) and each installed package's folder, so an upgrade
 * flips the badge at once. Paths come from the engine; nothing is resolved here.
 */
export function watchTargets(
  snapshot: Pick<Snapshot, 'files'> & { servers: { installed?: unknown }[] },
  dirname: (p: string) => string,
  basename: (p: string) => string,
): { base: string; pattern: string }[] {
  const out = new Map<string, { base: string; pattern: string }>();
  const add = (base: string, pattern: string) => out.set(`${base}\0${pattern}`, { base, pattern });
  for (const f of snapshot.files) add(dirname(f.file), basename(f.file));
  for (const s of snapshot.servers) {
    const installed = s.installed as { state?: string; location?: unknown } | undefined;
    if (installed?.state === 'installed' && typeof installed.location === 'string') add(installed.location, '*');
  }
  return [...out.values()];
}
