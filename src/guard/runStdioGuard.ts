import { Readable, Writable } from 'node:stream';
import { ControlServer } from '../core/control';
import { controlEndpointFor } from '../core/locks';
import { serverLogPathFor } from '../core/locks/serverLog';
import { recordIdentity } from '../core/pids/reidentify';
import { acquireGuardLock, ConflictPolicy } from './conflict';
import { CrashLoopOptions } from './host/crashLoop';
import type { RestartCheck } from './host/probe';
import { Guard } from './stdioGuard';
import { serveControl } from './host/control';
import { ServerLog } from './host/serverLog';
import { guardLockRecord, recordHooks, updateRecord } from './host/lockRecord';
import { StopGrace } from './host/supervisor';
import { LaunchVersionProbe } from './host/versionProbe';
import { currentHostEnv } from '../core/machine/live';
import { identityOf, ServerLaunch, launchSecrets } from './launch';
import { stopLeftoverServer } from './leftoverServer';
import { StalePolicy } from './host/staleness';
import { cachedUpdateLookup } from './host/registryCache';
import type { LifeguardPaths } from '../core/base/paths';
import { MAX_MESSAGE_BYTES, ShareHub } from './share/hub';
import type * as ShareFront from './share/httpFront';
import { runShareClient } from './share/client';

export interface RunStdioGuardOptions {
  launch: ServerLaunch;
  name?: string;
  resource?: string;
  lockDir: string;
  /** MCP Lifeguard's root and logs folder: the server's stderr is kept there (absent: not kept). */
  logs?: { root: string; dir: string };
  onConflict: ConflictPolicy;
  conflictTimeoutMs: number;
  /** `--on-conflict share`: how long the server keeps running after its last client left (default 0). */
  lingerMs?: number;
  /**
   * `--on-conflict share`: this process is the share host (started detached by the first client's
   * guard): it holds the lock, runs the server and serves every client's relay; it has no client itself.
   */
  shareHost?: boolean;
  /**
   * `--share-listen HOST:PORT`: the share host also serves the shared server over streamable HTTP
   * there (share/httpFront.ts), for clients whose config names a URL: no relay process for them.
   */
  shareListen?: { host: string; port: number };
  /** `--on-conflict share`: starts the detached share host (the CLI knows how); returns how it ended, once it did. */
  startShareHost?(): { exit(): string | undefined; log?: string };
  whenStale: StalePolicy;
  /** Where the daily registry check's cache is: `--when-stale annotate` tells the model of a newer release it found (absent: never). */
  registryCache?: Pick<LifeguardPaths, 'cache' | 'root' | 'platform'>;
  staleIntervalMs: number;
  crashLoop: CrashLoopOptions;
  /** How a restart is checked (probe.ts); default predict: never two copies at once. */
  restartCheck?: RestartCheck;
  grace: StopGrace;
  drainTimeoutMs: number;
  /** `--idle-stop`: the server is stopped after this long without a client message, started again by the next; 0: never. */
  idleStopMs?: number;
  /** `--lazy-start`: no server until the first client message. */
  lazyStart?: boolean;
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
export async function runStdioGuard(opts: RunStdioGuardOptions): Promise<number> {
  const { launch } = opts;
  const probe = new LaunchVersionProbe(currentHostEnv(launch.env), launch);
  // Before the lock, the installed version is read only to name the server when --name does not
  // (wrapped configs pass --name). Otherwise the server starts first: the guard host reads the
  // version as it starts the server and records it in the lock.
  const atStart = opts.name === undefined ? await probe.installed() : undefined;
  const identity = await identityOf(launch, {
    name: opts.name,
    resource: opts.resource,
    packageName: atStart?.state === 'known' ? atStart.name : undefined,
  });
  const endpoint = controlEndpointFor(opts.lockDir, identity, process.platform);
  // The server's stderr, and the guard's lines about it, in a bounded private file the lock names.
  const serverLog = opts.logs
    ? new ServerLog(serverLogPathFor(opts.logs.dir, identity), opts.logs.root, opts.log)
    : undefined;
  const log = (line: string) => {
    opts.log(line);
    serverLog?.note(line);
  };
  const share = opts.onConflict === 'share';
  const record = {
    ...(await guardLockRecord(launch, endpoint, 'stdio', atStart, opts.restartCheck)),
    ...(serverLog ? { serverLog: serverLog.file } : {}),
    ...(share ? { share: true } : {}),
    ...(share && opts.shareHost && opts.shareListen ? { shareFront: 'starting' as const } : {}),
  };
  // A client's guard of a shared server is a relay; the server runs in a host of its own (below).
  if (share && !opts.shareHost) {
    try {
      return await runShareClient({ ...opts, identity, startTime: record.startTime, log });
    } finally {
      serverLog?.close();
    }
  }
  const acquired = await acquireGuardLock({
    dir: opts.lockDir,
    identity,
    record,
    onConflict: opts.onConflict,
    timeoutMs: opts.conflictTimeoutMs,
    log,
  });
  // A share host that lost the race to another: that one serves, and this one has nothing to do.
  if (acquired.kind === 'attach') {
    serverLog?.close();
    return 0;
  }
  if (acquired.kind !== 'acquired') {
    log(acquired.message);
    return 1;
  }
  const lock = acquired.lock;
  if (acquired.tookOverFrom)
    log(`took over the lock of pid ${acquired.tookOverFrom.pid}: ${acquired.takeoverReason ?? 'holder gone'}`);
  // A guard killed with SIGKILL leaves its server behind when that server ignores stdin EOF.
  if (acquired.tookOverFrom?.child) await stopLeftoverServer(acquired.tookOverFrom.child, opts.grace.termMs, log);
  const onSignal = (signal: NodeJS.Signals) => guard.forwardSignal(signal);
  let control: ControlServer | undefined;
  let front: ShareFront.ShareHttpFront | undefined;
  // The share host: every attached relay's client, as one client of the transport.
  const hub = share
    ? new ShareHub({
        lingerMs: opts.lingerMs ?? 0,
        log,
        onClients: (attached) => void updateRecord(lock, { attached }, log),
      })
    : undefined;
  const guard = new Guard({
    spec: launch,
    serverName: identity.serverName,
    input: hub ? hub.toServer : opts.stdin,
    output: hub ? hub.fromServer : opts.stdout,
    log,
    crashLoop: opts.crashLoop,
    restartCheck: opts.restartCheck,
    grace: opts.grace,
    drainTimeoutMs: opts.drainTimeoutMs,
    initTimeoutMs: opts.initTimeoutMs,
    stale: { policy: opts.whenStale, probe, intervalMs: opts.staleIntervalMs },
    updateAvailable: opts.registryCache ? cachedUpdateLookup(opts.registryCache, launch.env, log) : undefined,
    onChildSpawned: async (pid, treeMark) => {
      // The child is recorded at once, with all a successor needs to re-identify and stop it, and
      // what it starts, should this guard die without doing so.
      const child = await recordIdentity(pid).catch(() => undefined);
      if (child) await updateRecord(lock, { child: { ...child, treeMark } }, log);
    },
    ...recordHooks(lock, log),
    idleStopMs: opts.idleStopMs,
    lazyStart: opts.lazyStart,
    secrets: launchSecrets(launch),
    serverStderr: serverLog ? (chunk) => serverLog.write(chunk) : undefined,
    ...(hub
      ? {
          onReplayedInitialize: (result: Record<string, unknown>) => hub.restartedWith(result),
          audienceOf: (id: string | number) => hub.audienceOf(id),
        }
      : {}),
  });
  // A process that exits without unwinding (an uncaught error) still frees its lock, unless its
  // server may still run: then the record, which names the server, stays for a successor to act on.
  const releaseOnExit = () => {
    if (!guard.killChildNow()) lock.releaseSync();
  };
  process.once('exit', releaseOnExit);
  try {
    for (const s of opts.signals) process.on(s, onSignal);
    // The server first: its client is waiting for it. The control endpoint follows while it starts.
    guard.start();
    hub?.start();
    if (hub && opts.shareListen) front = await startShareFront(hub, opts.shareListen, lock, log);
    // The quiet policies (annotate is the default) say nothing about a server whose version is unknown.
    if (opts.whenStale !== 'warn' && opts.whenStale !== 'annotate') {
      const policy = opts.whenStale;
      void (atStart ? Promise.resolve(atStart) : probe.installed()).then(
        (v) =>
          v.state === 'unknown' &&
          log(`--when-stale ${policy} has no effect: the version '${launch.command}' runs is unknown (${v.reason})`),
        () => undefined,
      );
    }
    control = await serveControl(
      endpoint,
      hub
        ? {
            status: () => ({ ...guard.status(), attached: hub.clients() }),
            shutdown: (reason) => guard.shutdown(reason),
            restart: (reason, ask) => guard.restart(reason, ask),
            attach: (socket, request, rest) => hub.attach(socket, request, rest),
          }
        : guard,
      lock,
      log,
      `restart, --on-conflict replace${hub ? ' and share' : ''} will not reach this guard`,
    );
    return await guard.finished;
  } finally {
    for (const s of opts.signals) process.off(s, onSignal);
    // The lock goes only once no child runs: 'finished' implies it, this makes sure on every way out.
    await guard.stopChild();
    await front?.close();
    hub?.close();
    await control?.close().catch((err: Error) => log(`closing the control endpoint failed: ${err.message}`));
    await lock.release();
    process.off('exit', releaseOnExit);
    serverLog?.close();
  }
}

/**
 * The share host's HTTP front, loaded only when asked for (the package ships it as a bundle of its
 * own, `cli-share-front.js`: no stdio guard carries it). A port it cannot take is said in the log
 * and the lock record stays without a URL; the relays' clients are served either way.
 */
async function startShareFront(
  hub: ShareHub,
  listen: { host: string; port: number },
  lock: Parameters<typeof updateRecord>[0],
  log: (line: string) => void,
): Promise<ShareFront.ShareHttpFront | undefined> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ShareHttpFront } = require('./share/httpFront') as typeof ShareFront;
  const front = new ShareHttpFront(hub, { ...listen, maxMessageBytes: MAX_MESSAGE_BYTES, log });
  try {
    const url = await front.listen();
    log(`serving the shared server over HTTP at ${url}`);
    await updateRecord(lock, { shareUrl: url, shareFront: undefined }, log);
    return front;
  } catch (err) {
    log(`could not serve the shared server over HTTP on ${listen.host}:${listen.port}: ${(err as Error).message}`);
    await updateRecord(lock, { shareFront: 'failed' }, log);
    await front.close().catch(() => undefined);
    return undefined;
  }
}
