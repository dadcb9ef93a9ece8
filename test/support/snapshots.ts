import type { Snapshot } from '../../src/core/base/model';

/**
 * A snapshot with its digests named by their order of appearance, for comparing two runs' snapshots
 * of one machine (a capture's and its replay's): identity and launch keys and env digests are keyed
 * afresh by each run (src/core/sources/identity.ts), so two runs spell the same identity
 * differently; what must hold is which entries share one. A command line's hash is left out: a
 * capture keeps the line redacted, so a replay cannot hash it as it ran.
 */
export function sameDigests(s: Snapshot): unknown {
  const names = new Map<string, string>();
  const name = (d: string) => {
    if (!names.has(d)) names.set(d, `digest-${names.size}`);
    return names.get(d) as string;
  };
  return JSON.parse(JSON.stringify(s), (key, value: unknown) => {
    if ((key === 'identityKey' || key === 'launchKey') && typeof value === 'string') return name(value);
    if (key === 'commandHash') return undefined;
    if (key === 'envDigests' && value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, name(String(v))]));
    return value;
  });
}
