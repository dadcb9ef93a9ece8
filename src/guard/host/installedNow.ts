import { restartRiskText } from '../../core/versions/startRisk';
import type { GuardHostOptions } from './hostOptions';
import type { InstalledVersionProbe, ResolvedVersion } from './staleness';

// What the host asks of what is installed now, beside what serves: whether a restart into it will
// probably fail, a key that tells a changed install from the same one, and the way back to what
// served once the server is down.

/** The way back a down server's reason names, when what is installed is not what served. */
export const ROLL_BACK = 'Roll Back';

/** Why a restart into what is installed will probably fail, if the installed files say so. */
export async function restartRisk(probe: InstalledVersionProbe | undefined): Promise<string | undefined> {
  const installed = await probe?.installed().catch(() => undefined);
  return installed?.state === 'known' ? restartRiskText(installed.startRisks) : undefined;
}

/** What is installed now, as a key (the version probe's answer), to tell a changed install from the same one. */
export async function installedKey(probe: InstalledVersionProbe | undefined): Promise<string | undefined> {
  const installed = await probe?.installed().catch(() => undefined);
  return installed ? JSON.stringify(installed) : undefined;
}

/**
 * When what is installed now is not what the last server that served started with: the way back
 * to it (Roll Back, which installs those versions again), said with the reason the server is down.
 */
export async function wayBack(
  served: ResolvedVersion | undefined,
  o: Pick<GuardHostOptions, 'probe' | 'serverName'>,
): Promise<string> {
  const now = await o.probe?.installed().catch(() => undefined);
  if (served?.state !== 'known' || now?.state !== 'known' || served.dev || now.dev) return '';
  if (served.version === now.version && served.environment?.hash === now.environment?.hash) return '';
  const name = o.serverName;
  const command = /^[\w.@-]+$/.test(name) ? ` (mcp-lifeguard rollback ${name})` : '';
  return `; it served with ${served.name} ${served.version}${served.version === now.version ? ' and other dependencies' : ''}: ${ROLL_BACK}${command} installs that again`;
}
