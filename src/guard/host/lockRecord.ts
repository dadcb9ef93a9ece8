import type {
  AcquireOptions,
  HeldLock,
  RecordedServerInfo,
  RecordedVersions,
  ServerDown,
  ServerIdle,
  LockRecord,
} from '../../core/locks';
import { processStartTime } from '../../core/locks';
import { LIFEGUARD_VERSION } from '../../core/base/version';
import type { ServerLaunch } from '../launch';
import type { ResolvedVersion } from './staleness';
import type { RestartCheck } from './probe';

/** Which transport a guard serves: the record's holder says it, so `ensure` knows an HTTP guard. */
export type TransportTag = 'stdio' | 'http';

/** The lock record a guard writes when it takes its server's lock: the same for both transports. */
export async function guardLockRecord(
  launch: ServerLaunch,
  endpoint: string,
  transport: TransportTag,
  atStart: ResolvedVersion | undefined,
  restartCheck: RestartCheck = 'predict',
): Promise<AcquireOptions['record']> {
  return {
    pid: process.pid,
    startTime: await processStartTime(),
    command: [launch.command, ...launch.args],
    cwd: launch.cwd,
    control: endpoint,
    startedAt: new Date().toISOString(),
    holder: `mcp-lifeguard-guard ${LIFEGUARD_VERSION}${transport === 'http' ? ' http' : ''}`,
    ...(atStart?.state === 'known' ? { versions: recordedVersions(atStart) } : {}),
    // Said only when the entry declared its server safe to run twice: every face shows it.
    ...(restartCheck === 'probe' ? { restartCheck } : {}),
  };
}

/** The versions a lock record carries: the package, and its environment when the resolver read it. */
export function recordedVersions(v: ResolvedVersion & { state: 'known' }): RecordedVersions {
  return {
    package: { name: v.name, version: v.version, ecosystem: v.ecosystem },
    ...(v.environment
      ? { environment: v.environment.hash, dependencies: v.environment.packages, dependenciesScope: 'closure' as const }
      : {}),
  };
}

/**
 * Records the version a new child started with. The versions are rewritten, so what an earlier
 * child said about itself (`serverInfo`) goes; what this child (`pid`) already said stays.
 */
export async function recordChildVersion(
  lock: HeldLock,
  version: ResolvedVersion | undefined,
  log: (line: string) => void,
  pid?: number,
): Promise<void> {
  const { serverInfo: said, ...before } = lock.record.versions ?? {};
  if (version?.state !== 'known' && !said) return;
  // An unresolved version leaves the rest as it was (as before serverInfo existed).
  const versions: RecordedVersions = {
    ...(version?.state === 'known' ? recordedVersions(version) : before),
    ...(said && said.pid === pid ? { serverInfo: said } : {}),
  };
  await updateRecord(lock, { versions }, log);
}

/** Records what the running child said about itself through MCP (its pid ties it to that child). */
export async function recordServerInfo(
  lock: HeldLock,
  info: RecordedServerInfo,
  log: (line: string) => void,
): Promise<void> {
  await updateRecord(lock, { versions: { ...lock.record.versions, serverInfo: info } }, log);
}

/** Records that the server is down and why, or (undefined) that it is back: status and the tree read it. */
const recordDown = (lock: HeldLock, down: ServerDown | undefined, log: (line: string) => void) =>
  updateRecord(lock, { down }, log);

/** Records that the server was stopped for idleness (`--idle-stop`), or (undefined) that it runs again. */
const recordIdle = (lock: HeldLock, idle: ServerIdle | undefined, log: (line: string) => void) =>
  updateRecord(lock, { idle }, log);

/**
 * The host's hooks that keep the lock record current, the same for every transport: the version
 * each child started with, what the server said it is, and whether it is down or idle.
 */
export function recordHooks(lock: HeldLock, log: (line: string) => void) {
  return {
    onChildStarted: ({ pid, version }: { pid: number; version: ResolvedVersion | undefined }) =>
      recordChildVersion(lock, version, log, pid),
    onServerInfo: (info: RecordedServerInfo) => recordServerInfo(lock, info, log),
    onDown: (down: ServerDown | undefined) => recordDown(lock, down, log),
    onIdleStop: (idle: ServerIdle | undefined) => recordIdle(lock, idle, log),
  };
}

/** One change of the record; a failure is logged, never thrown (the guard serves on with the record as it was). */
export async function updateRecord(
  lock: HeldLock,
  patch: Partial<Omit<LockRecord, 'protocol' | 'pid' | 'startTime'>>,
  log: (line: string) => void,
): Promise<void> {
  await lock.update(patch).catch((err: Error) => log(`could not update ${lock.lockPath}: ${err.message}`));
}
