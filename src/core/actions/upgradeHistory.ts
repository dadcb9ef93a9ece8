import { pathFor } from '../base/hostEnv';
import type { LifeguardPaths } from '../base/paths';
import { readPrivate, writePrivateAtomic } from '../machine/privateFs';

/**
 * What Upgrade changed, kept so that Roll back can undo it after the old processes are gone (a
 * verified restart leaves no process that ran the old version): the server, its package and the
 * versions before and after. A private JSON file of the state folder, the newest records only.
 */

export interface UpgradeRecord {
  server: string;
  package: string;
  from: string;
  to: string;
  /** ISO 8601. */
  at: string;
}

const KEPT = 100;

export function upgradeHistoryFile(paths: LifeguardPaths): string {
  return pathFor(paths).join(paths.state, 'upgrades.json');
}

function parse(text: string | undefined): UpgradeRecord[] {
  if (!text) return [];
  try {
    const doc = JSON.parse(text) as unknown;
    if (!Array.isArray(doc)) return [];
    return doc.filter(
      (r): r is UpgradeRecord =>
        !!r &&
        typeof r === 'object' &&
        ['server', 'package', 'from', 'to', 'at'].every((k) => typeof (r as Record<string, unknown>)[k] === 'string'),
    );
  } catch {
    return [];
  }
}

export async function recordUpgrade(paths: LifeguardPaths, record: UpgradeRecord): Promise<void> {
  const file = upgradeHistoryFile(paths);
  const records = parse(await readPrivate(file, { root: paths.root }));
  records.push(record);
  await writePrivateAtomic(file, `${JSON.stringify(records.slice(-KEPT), null, 2)}\n`, { root: paths.root });
}

/**
 * The newest upgrade of this server, or undefined: the roll back plan (rollback.ts) says whether it
 * is what is there now (it installed what is installed, or wrote the pin the entry has).
 */
export async function lastUpgradeOf(paths: LifeguardPaths, server: string): Promise<UpgradeRecord | undefined> {
  const records = parse(await readPrivate(upgradeHistoryFile(paths), { root: paths.root }).catch(() => undefined));
  return records.reverse().find((r) => r.server === server);
}
