import type { AcquireOptions, HeldLock, RecordedVersions } from '../../core/locks';
import { processStartTime } from '../../core/locks';
import { LIFEGUARD_VERSION } from '../../core/base/version';
import type { Launch } from '../launch';
import type { ResolvedVersion } from './staleness';

/** Which transport a guard serves: the record's holder says it, so `ensure` knows an HTTP guard. */
export type TransportTag = 'stdio' | 'http';

/** The lock record a guard writes when it takes its server's lock: the same for both transports. */
export async function guardLockRecord(launch: Launch, endpoint: string, transport: TransportTag, atStart: ResolvedVersion | undefined): Promise<AcquireOptions['record']> {
  return {
    pid: process.pid,
    startTime: await processStartTime(),
    command: [launch.command, ...launch.args],
    cwd: launch.cwd,
    control: endpoint,
    startedAt: new Date().toISOString(),
    holder: `mcp-lifeguard-guard ${LIFEGUARD_VERSION}${transport === 'http' ? ' http' : ''}`,
    ...(atStart?.state === 'known' ? { versions: recordedVersions(atStart) } : {}),
  };
}

/** The versions a lock record carries: the package, and its environment when the resolver read it. */
export function recordedVersions(v: ResolvedVersion & { state: 'known' }): RecordedVersions {
  return {
    package: { name: v.name, version: v.version, ecosystem: v.ecosystem },
    ...(v.environment ? { environment: v.environment.hash, dependencies: v.environment.packages, dependenciesScope: 'closure' as const } : {}),
  };
}

/** Records the version a new child started with, when it is known. */
export async function recordChildVersion(lock: HeldLock, version: ResolvedVersion | undefined, log: (line: string) => void): Promise<void> {
  if (version?.state !== 'known') return;
  await lock.update({ versions: recordedVersions(version) }).catch((err: Error) => log(`could not update ${lock.lockPath}: ${err.message}`));
}
