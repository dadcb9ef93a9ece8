import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { ControlServer, startControlServer } from '../core/control';
import { controlEndpointFor, ensureLockDir, HeldLock, processStartTime, RecordedVersions } from '../core/locks';
import { currentHostEnv } from '../core/hostEnv';
import { recordIdentity } from '../core/processes/reidentify';
import { LIFEGUARD_VERSION } from '../core/version';
import { StopGrace } from './child';
import { acquireGuardLock, ConflictPolicy } from './conflict';
import { CrashLoopOptions } from './crashLoop';
import { Guard } from './guard';
import { LaunchVersionProbe } from './installedProbe';
import { identityOf, Launch } from './launch';
import { stopLeftoverServer } from './leftoverServer';
import { ResolvedVersion, StalePolicy } from './staleness';

export interface RunGuardOptions {
  launch: Launch;
  name?: string;
  resource?: string;
  lockDir: string;
  onConflict: ConflictPolicy;
  conflictTimeoutMs: number;
  whenStale: StalePolicy;
  staleIntervalMs: number;
  crashLoop: CrashLoopOptions;
  grace: StopGrace;
  drainTimeoutMs: number;
  initTimeoutMs: number;
  stdin: Readable;
  stdout: Writable;
  log(line: string): void;
  /** Signals to pass on to the child (none in tests that run in process). */
  signals: readonly NodeJS.Signals[];
}

/**
 * `mcp-lifeguard run`: takes the server's lock, serves the control endpoint, runs the guard, and
 * releases the lock on every way out. Returns the exit code (the child's, or 1 when refused).
 */
export async function runGuard(opts: RunGuardOptions): Promise<number> {
  const { launch, log } = opts;
  const probe = new LaunchVersionProbe(currentHostEnv(launch.env), launch);
  const atStart = await probe.installed();
  const identity = await identityOf(launch, { name: opts.name, resource: opts.resource, packageName: atStart.state === 'known' ? atStart.name : undefined });
  const endpoint = controlEndpointFor(opts.lockDir, identity);
  const acquired = await acquireGuardLock({
    dir: opts.lockDir,
    identity,
    record: {
      pid: process.pid,
      startTime: await processStartTime(),
      command: [launch.command, ...launch.args],
      cwd: launch.cwd,
      control: endpoint,
      startedAt: new Date().toISOString(),
      holder: `mcp-lifeguard-guard ${LIFEGUARD_VERSION}`,
      ...(atStart.state === 'known' ? { versions: recordedVersions(atStart) } : {}),
    },
    onConflict: opts.onConflict,
    timeoutMs: opts.conflictTimeoutMs,
    log,
  });
  if (acquired.kind !== 'acquired') {
    log(acquired.message);
    return 1;
  }
  const lock = acquired.lock;
  if (acquired.tookOverFrom) log(`took over the lock of pid ${acquired.tookOverFrom.pid}: ${acquired.takeoverReason ?? 'holder gone'}`);
  // A guard killed with SIGKILL leaves its server behind when that server ignores stdin EOF.
  if (acquired.tookOverFrom?.child) await stopLeftoverServer(acquired.tookOverFrom.child, opts.grace.termMs, log);
  const onSignal = (signal: NodeJS.Signals) => guard.forwardSignal(signal);
  let control: ControlServer | undefined;
  const guard = new Guard({
    spec: launch,
    serverName: identity.serverName,
    input: opts.stdin,
    output: opts.stdout,
    log,
    crashLoop: opts.crashLoop,
    grace: opts.grace,
    drainTimeoutMs: opts.drainTimeoutMs,
    initTimeoutMs: opts.initTimeoutMs,
    stale: { policy: opts.whenStale, probe, intervalMs: opts.staleIntervalMs },
    onChildSpawned: async (pid) => {
      // The child is recorded at once, with all a successor needs to re-identify and stop it should
      // this guard die without doing so.
      const child = await recordIdentity(pid).catch(() => undefined);
      if (child) await lock.update({ child }).catch((err: Error) => log(`could not update ${lock.lockPath}: ${err.message}`));
    },
    onChildStarted: async ({ version }) => {
      if (version?.state !== 'known') return;
      await lock.update({ versions: recordedVersions(version) }).catch((err: Error) => log(`could not update ${lock.lockPath}: ${err.message}`));
    },
  });
  // A process that exits without unwinding (an uncaught error) still frees its lock, unless its
  // server may still run: then the record, which names the server, stays for a successor to act on.
  const releaseOnExit = () => {
    if (!guard.killChildNow()) lock.releaseSync();
  };
  process.once('exit', releaseOnExit);
  try {
    if (atStart.state === 'unknown' && opts.whenStale !== 'warn') log(`--when-stale ${opts.whenStale} has no effect: the version '${launch.command}' runs is unknown (${atStart.reason})`);
    control = await startControl(endpoint, guard, lock, log);
    for (const s of opts.signals) process.on(s, onSignal);
    guard.start();
    return await guard.finished;
  } finally {
    for (const s of opts.signals) process.off(s, onSignal);
    // The lock goes only once no child runs: 'finished' implies it, this makes sure on every way out.
    await guard.stopChild();
    await control?.close().catch((err: Error) => log(`closing the control endpoint failed: ${err.message}`));
    await lock.release();
    process.off('exit', releaseOnExit);
  }
}

/** The versions a lock record carries: the package, and its environment when the resolver read it. */
function recordedVersions(v: ResolvedVersion & { state: 'known' }): RecordedVersions {
  return {
    package: { name: v.name, version: v.version, ecosystem: v.ecosystem },
    ...(v.environment ? { environment: v.environment.hash, dependencies: v.environment.packages } : {}),
  };
}

async function startControl(endpoint: string, guard: Guard, lock: HeldLock, log: (line: string) => void): Promise<ControlServer | undefined> {
  try {
    // The endpoint may be a short fallback path outside the lock dir; it gets the same checks.
    if (process.platform !== 'win32') await ensureLockDir(path.dirname(endpoint));
    return await startControlServer(endpoint, {
      status: () => guard.status(),
      shutdown: (reason) => {
        void guard.shutdown(`asked over the control endpoint${reason ? `: ${reason}` : ''}`);
      },
      restart: (reason) => guard.restart(reason ?? 'asked over the control endpoint'),
    });
  } catch (err) {
    // The lock still prevents a second instance; only restart and replace are lost, so say so and go on.
    log(`no control endpoint at ${endpoint}: ${(err as Error).message}; restart and --on-conflict replace will not reach this guard`);
    await lock.update({ control: undefined }).catch((e: Error) => log(`could not update ${lock.lockPath}: ${e.message}`));
    return undefined;
  }
}
