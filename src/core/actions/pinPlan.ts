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
