import type { InstalledPackage, PinPlan } from './installCommand';

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
