import type { Installed, InstanceVersions } from '../../src/core/base/versionTypes';
import { fingerprint } from '../../src/core/versions/fingerprint';
import { judge } from '../../src/core/versions/judge';
import type { OwnChild } from '../../src/core/versions/ownInstance';
import { recordedVersions } from '../../src/guard/host/lockRecord';
import type { InstalledVersionProbe, ResolvedVersion } from '../../src/guard/host/staleness';

/**
 * A version probe for tests of what the guard does with a verdict: the installed side is the test's,
 * the verdict is the engine's own pure judgement (core/versions/judge.ts) of it against the versions
 * the guard recorded for its child. (The real probe's evidence gathering has tests of its own.)
 */
export function engineProbe(installed: () => ResolvedVersion): InstalledVersionProbe {
  return {
    installed: async () => installed(),
    judge: async (child: OwnChild) => engineVersions(child.versions?.package ? child.versions : undefined, installed()),
  };
}

/** The engine's judgement of a child whose guard recorded `recorded` at its start, with `now` installed. */
export function engineVersions(
  recorded: ResolvedVersion | NonNullable<OwnChild['versions']> | undefined,
  now: ResolvedVersion,
): InstanceVersions {
  const versions =
    recorded && 'state' in recorded ? (recorded.state === 'known' ? recordedVersions(recorded) : undefined) : recorded;
  const inst = asInstalled(now);
  const { running, verdict } = judge({
    installed: inst,
    processStart: 0,
    ...(versions ? { lock: { versions } } : {}),
    now: Date.now(),
  });
  return { installed: inst, running, verdict };
}

function asInstalled(v: ResolvedVersion): Installed {
  if (v.state === 'unknown') return { state: 'unknown', reason: v.reason };
  return {
    state: 'installed',
    ecosystem: v.ecosystem,
    name: v.name,
    version: v.version,
    how: 'the test',
    location: `/test/node_modules/${v.name}`,
    ...(v.environment ? { environment: fingerprint(v.environment.packages) } : {}),
  };
}
