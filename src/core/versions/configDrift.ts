import { parseLaunch } from '../launch/parse';
import { isGuard } from '../processes/argv';
import type { LaunchTarget } from '../launch/types';

/**
 * Config drift: the entry was edited while an instance kept running (`npx pkg@1.0.0` became
 * `pkg@2.0.0`). The instance matches the entry (same package), runs what it was started with, and
 * a restart would run the new launch. Told from the package spec the process was started with (the
 * launcher chain keeps it: `npm exec pkg@1.0.0`) against the one configured now. Only a requested
 * version is compared: other arguments are rewritten by runners (npm retitles its process) and
 * would raise false alarms.
 */

export interface Drift {
  package: string;
  /** What the process was started with, `pkg@1.0.0` (`pkg` when it named no version). */
  running: string;
  configured: string;
}

type PackageTarget = Extract<LaunchTarget, { kind: 'package' }>;

/** The package a command runs, seen through the guard (`mcp-lifeguard run [opts] -- cmd`). */
export function launchedPackage(argv: readonly string[]): PackageTarget | undefined {
  let words = argv;
  if (isGuard(words)) {
    const i = words.indexOf('--');
    if (i < 0) return undefined;
    words = words.slice(i + 1);
  }
  const { target } = parseLaunch(words);
  return target.kind === 'package' ? target : undefined;
}

const label = (t: PackageTarget) => (t.version ? `${t.name}@${t.version}` : t.name);

/**
 * `configured`: the package the entry launches now (`launchedPackage` of its command);
 * `started`: argvs of the launcher chain, outermost first, then the instance's own.
 */
export function configDrift(
  configured: PackageTarget | undefined,
  started: ReadonlyArray<readonly string[]>,
): Drift | undefined {
  const now = configured;
  if (!now) return undefined;
  for (const argv of started) {
    const then = launchedPackage(argv);
    if (!then || then.ecosystem !== now.ecosystem || then.name.toLowerCase() !== now.name.toLowerCase()) continue;
    if ((then.version ?? '') === (now.version ?? '')) return undefined;
    return { package: now.name, running: label(then), configured: label(now) };
  }
  return undefined;
}
