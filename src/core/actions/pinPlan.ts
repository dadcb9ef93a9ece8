import type { InstalledPackage, PinPlan } from './installCommand';
import type { PackageRunner } from '../launch/types';

/** The runners whose entries' pins an Upgrade or a Roll back changes, as their commands are said. */
export const PIN_RUNNERS: Partial<Record<PackageRunner, string>> = {
  npx: 'npx',
  uvx: 'uvx',
  'pipx-run': 'pipx run',
  deno: 'deno',
};

/** The plan that sets a runner's pin of the installed package from its version to `to`. */
export function pinPlan(
  serverName: string,
  installed: Pick<InstalledPackage, 'name' | 'version'>,
  ecosystem: PinPlan['ecosystem'],
  runner: string,
  to: string,
): PinPlan {
  return { kind: 'pin', serverName, package: installed.name, ecosystem, runner, from: installed.version, to };
}

/**
 * Whether an instance already runs the version a pin change sets (its running version, when known):
 * its client need not start it again (a roll back while the client still runs what it started with).
 */
export function runsPinnedVersion(running: string | undefined, plan: Pick<PinPlan, 'to'>): boolean {
  return running !== undefined && running === plan.to;
}
