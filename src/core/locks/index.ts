/**
 * The lock-file protocol (docs/lock-protocol.md): one holder per server identity, a dead holder
 * taken over by exactly one contender, records anyone on the account can read.
 */
export { acquireLock, UNREADABLE_GRACE_MS } from './acquire';
export type { AcquireOptions } from './acquire';
export { readHolder, listLocks } from './inspect';
export { ensureLockDir, LockDirError } from './lockDir';
export { lockPathFor, controlEndpointFor, defaultResourceKey, identityHash } from './naming';
export { hasExited, judgeRecord, probeProcess, processStartTime, START_TIME_TOLERANCE_MS } from './liveness';
export { PROTOCOL_VERSION } from './record';
export type {
  AcquireResult,
  FreeState,
  HeldLock,
  HolderState,
  LinuxProcessIdentity,
  LockRecord,
  RecordedChild,
  RecordedServerInfo,
  RecordedVersions,
  ServerDown,
  ServerIdentity,
  ServerIdle,
} from './types';
