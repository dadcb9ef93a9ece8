import { ControlServer } from '../../core/control';
import {
  FrontInfo,
  frontInfoPath,
  readFrontInfo,
  removeFrontInfo,
  sessionsPath,
  writeFrontInfo,
} from '../../core/http/frontInfo';
import { httpLimits, type HttpLimits } from '../../core/http/limits';
import { SessionStore } from '../../core/http/sessionStore';
import { httpUrl } from '../../core/net/loopback';
import { acquireLock, controlEndpointFor, HeldLock, LockRecord, ServerIdentity } from '../../core/locks';
import type { LifeguardPaths } from '../../core/base/paths';
import { recordIdentity } from '../../core/pids/reidentify';
import { CrashLoopOptions, DEFAULT_CRASH_LOOP } from '../host/crashLoop';
import type { RestartCheck } from '../host/probe';
import { serveControl } from '../host/control';
import { GuardHost } from '../host/host';
import { guardLockRecord, recordHooks, updateRecord } from '../host/lockRecord';
import { probeLaunch } from '../host/versionProbe';
import { ServerLaunch, launchSecrets } from '../launch';
import type { InstalledVersionProbe, ResolvedVersion } from '../host/staleness';
import { stopLeftoverServer } from '../leftoverServer';
import { cachedUpdateLookup } from '../host/registryCache';
import { HttpFront } from './front';
import { HttpTransport } from './httpTransport';
import { describePortHolder } from './portOwner';
import { HttpClients } from './httpClients';
import { PeerLookup } from './peerProcess';

/** The `--when-stale` policies of the HTTP guard: it refuses nothing (its default stays `warn`). */
export type HttpStalePolicy = 'warn' | 'restart-when-idle' | 'annotate';
export const HTTP_STALE_POLICIES: readonly HttpStalePolicy[] = ['warn', 'restart-when-idle', 'annotate'];

export interface HttpGuardOptions {
  launch: ServerLaunch;
  identity: ServerIdentity;
  paths: LifeguardPaths;
  /** The client-facing address. */
  host: string;
  port: number;
  /** The MCP endpoint's path, for the printed URL and the readiness probe. */
  path: string;
  upstreamPort?: number;
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
  startTimeoutMs: number;
  termGraceMs: number;
  drainTimeoutMs: number;
  /** `--idle-stop`: the server is stopped after this long without a client request, started by the next; absent or 0: never. */
  idleStopMs?: number;
  /** `--lazy-start`: no server until the first client request. */
  lazyStart?: boolean;
  allowedOrigins: readonly string[];
  /**
   * `restart-when-idle`: restart the server once it is stale and no request is in flight;
   * `annotate`: append a notice to each `tools/call` result while it is stale (staleNotice.ts).
   */
  whenStale: HttpStalePolicy;
  staleIntervalMs: number;
  /** When a server that keeps exiting right after its start is no longer restarted (default: as `run`). */
  crashLoop?: CrashLoopOptions;
  /** How a restart is checked (probe.ts); default predict: never two copies at once. */
  restartCheck?: RestartCheck;
  childStdio: 'inherit' | 'ignore' | number;
  log(line: string): void;
  /** Bounds of the front and its session store other than the defaults (tests lower them). */
  limits?: Partial<HttpLimits>;
}

export type HttpGuardStart =
  | { kind: 'running'; url: string; guard: RunningHttpGuard }
  | { kind: 'held'; holder: LockRecord }
  | { kind: 'error'; message: string };

export interface RunningHttpGuard {
  readonly url: string;
  /** Resolves with the exit code once the guard has stopped (shutdown over the control endpoint, a signal, or a failure). */
  readonly finished: Promise<number>;
  shutdown(reason: string): Promise<void>;
}

/**
 * `mcp-lifeguard run --http`: takes the server's lock, binds the client-facing address, serves the
 * control endpoint and starts the server on a private port behind the front. On any failure before
 * the server answers, everything taken so far is given back.
 */
export async function startHttpGuard(o: HttpGuardOptions): Promise<HttpGuardStart> {
  const { log } = o;
  const { probe, atStart } = await probeLaunch(o.launch);
  const endpoint = controlEndpointFor(o.paths.locks, o.identity, o.paths.platform);
  const taken = await takeLock(o, endpoint, atStart);
  if (taken.kind !== 'taken') return taken;
  const { lock, undo } = taken;
  const url = httpUrl(o.host, o.port, o.path);
  const giveBack = async (): Promise<void> => {
    for (const step of undo.reverse()) await step().catch((err: Error) => log(`cleanup failed: ${err.message}`));
  };

  let announced = false;
  const announce = async (upstreamPid: number | undefined, treeMark?: string): Promise<void> => {
    const info: FrontInfo = { url, pid: process.pid, host: o.host, port: o.port };
    const upstream = upstreamPid === undefined ? undefined : await recordIdentity(upstreamPid).catch(() => undefined);
    if (upstream) info.upstream = { ...upstream, ...(treeMark ? { treeMark } : {}) };
    await writeFrontInfo(o.paths, o.identity, info);
  };
  const sessions = await SessionStore.open(sessionsPath(o.paths, o.identity), log, o.limits);
  const transport = new HttpTransport({
    command: o.launch.command,
    args: o.launch.args,
    cwd: o.launch.cwd,
    env: o.launch.env,
    port: o.upstreamPort,
    probePath: o.path,
    startTimeoutMs: o.startTimeoutMs,
    stdio: o.childStdio,
  });
  // Every new server is recorded, so a successor of a SIGKILLed guard can stop it.
  const onChildSpawned = (pid: number, treeMark: string): void => {
    if (announced)
      void announce(pid, treeMark).catch((err: Error) => log(`could not record the server pid: ${err.message}`));
  };
  const host = newHost(o, transport, probe, lock, onChildSpawned);
  const clients = httpClients(o, lock, sessions);
  undo.push(async () => clients.close());
  const front = new HttpFront({
    host: o.host,
    port: o.port,
    upstream: transport,
    sessions,
    maxBodyBytes: o.maxBodyBytes,
    upstreamTimeoutMs: o.upstreamTimeoutMs,
    readyTimeoutMs: o.startTimeoutMs + o.drainTimeoutMs,
    allowedOrigins: o.allowedOrigins,
    log,
    limits: o.limits,
    clients,
    onIdle: () => host.onIdle(),
    work: {
      request: (method, params) => {
        const lost = host.noteRequest(method, params);
        return lost === undefined ? undefined : `${o.identity.serverName}: ${lost}`;
      },
      result: (method, params, result) => {
        host.noteResult(method, result);
        const r = result as { tools?: unknown; nextCursor?: unknown };
        // A whole list (no page asked for, none left) is what a restart's tools are compared by.
        if (method === 'tools/list' && Array.isArray(r.tools))
          host.noteTools(
            r.tools,
            (params as { cursor?: unknown } | undefined)?.cursor === undefined && r.nextCursor === undefined,
          );
      },
      notification: (method, params) => host.noteNotification(method, params),
    },
    toolResultNotes:
      o.whenStale === 'annotate'
        ? {
            // The check runs in the background (staleGate.ts): a non-refusing policy never waits for it.
            toolCall: () => host.noteToolCall(),
            notices: () => host.toolResultNotices(),
            delivered: () => host.noticesDelivered(),
          }
        : undefined,
  });
  transport.useFront(front);
  const listening = await listen(front, o);
  if (listening) {
    await giveBack();
    return listening;
  }
  undo.push(() => front.close());

  let resolveFinished!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (resolveFinished = resolve));
  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    if (!stopping) {
      log(`stopping: ${reason}`);
      stopping = (async () => {
        await host.shutdown(reason);
        await host.stopChild();
        await giveBack();
        resolveFinished(0);
      })();
    }
    return stopping;
  };

  const control: ControlServer | undefined = await serveControl(
    endpoint,
    {
      status: () => ({ ...host.status(), attached: clients.list() }),
      shutdown,
      restart: (reason, ask) => host.restart(reason, ask),
    },
    lock,
    log,
    'restart and ensure will not reach this guard',
  );
  if (control) undo.push(() => control.close());

  try {
    await host.start();
  } catch (err) {
    await host.shutdown(`${o.identity.serverName} did not start`);
    await host.stopChild();
    await giveBack();
    return { kind: 'error', message: `${o.identity.serverName} did not start: ${(err as Error).message}` };
  }
  await announce(host.child?.proc.pid, host.child?.treeMark);
  announced = true;
  undo.push(() => removeFrontInfo(frontInfoPath(o.paths, o.identity), process.pid));
  log(`serving ${o.identity.serverName} at ${url} (server pid ${host.child?.proc.pid})`);
  return { kind: 'running', url, guard: { url, finished, shutdown } };
}

/**
 * Who uses the server, written into the lock record as `attached` (as a share host lists its
 * relays), so `status`, the tree and `list_servers` say "shared by N clients". Each connection's
 * peer process is looked up once, in the background.
 */
function httpClients(o: HttpGuardOptions, lock: HeldLock, sessions: SessionStore): HttpClients {
  const limits = httpLimits(o.limits);
  const peers = new PeerLookup({ maxPending: limits.maxPeerLookups, scanBudgetMs: 2000 });
  const clients = new HttpClients({
    idleMs: limits.clientIdleMs,
    maxListed: limits.maxListedClients,
    maxConnections: limits.maxConnections,
    sessionKnown: (sid) => sessions.get(sid) !== undefined,
    peerOf: (connection) => peers.peerOf(connection),
    notifyMs: 500,
    onChange: (attached) => void updateRecord(lock, { attached }, o.log),
  });
  clients.start();
  return clients;
}

/** The guard host of an HTTP server: the shared one, with the HTTP transport and its crash-loop numbers. */
function newHost(
  o: HttpGuardOptions,
  transport: HttpTransport,
  probe: InstalledVersionProbe,
  lock: HeldLock,
  onChildSpawned: (pid: number, treeMark: string) => void,
): GuardHost {
  const { onIdleStop, ...lockHooks } = recordHooks(lock, o.log);
  return new GuardHost(
    {
      serverName: o.identity.serverName,
      command: o.launch.command,
      log: o.log,
      crashLoop: o.crashLoop ?? DEFAULT_CRASH_LOOP,
      restartCheck: o.restartCheck,
      // The server's stdin is not ours (it talks HTTP): the stop starts at SIGTERM.
      grace: { eofMs: 0, termMs: o.termGraceMs },
      drainTimeoutMs: o.drainTimeoutMs,
      probe,
      stale: { policy: o.whenStale, intervalMs: o.staleIntervalMs },
      updateAvailable: o.whenStale === 'annotate' ? cachedUpdateLookup(o.paths, o.launch.env, o.log) : undefined,
      onChildSpawned,
      ...lockHooks,
      ...(o.idleStopMs || o.lazyStart ? { idleStopMs: o.idleStopMs, lazyStart: o.lazyStart, onIdleStop } : {}),
      secrets: launchSecrets(o.launch),
    },
    transport,
  );
}

type LockTaken =
  { kind: 'taken'; lock: HeldLock; undo: Array<() => Promise<void>> } | Exclude<HttpGuardStart, { kind: 'running' }>;

/**
 * Takes the server's lock and stops a server a SIGKILLed predecessor left behind. `undo` gives the
 * lock back (on exit too, should the process end without unwinding).
 */
async function takeLock(o: HttpGuardOptions, endpoint: string, atStart: ResolvedVersion): Promise<LockTaken> {
  const acquired = await acquireLock({
    dir: o.paths.locks,
    identity: o.identity,
    record: await guardLockRecord(o.launch, endpoint, 'http', atStart, o.restartCheck),
  });
  if (acquired.kind === 'held') return { kind: 'held', holder: acquired.holder };
  if (acquired.kind === 'error') return { kind: 'error', message: acquired.message };
  const lock = acquired.lock;
  if (acquired.tookOverFrom)
    o.log(`took over the lock of pid ${acquired.tookOverFrom.pid}: ${acquired.takeoverReason ?? 'holder gone'}`);
  const previous = await readFrontInfo(o.paths, o.identity);
  if (previous && previous.pid !== process.pid && previous.upstream)
    await stopLeftoverServer(previous.upstream, o.termGraceMs, o.log);
  const releaseOnExit = (): void => lock.releaseSync();
  process.once('exit', releaseOnExit);
  const undo = [
    async () => {
      await lock.release();
      process.off('exit', releaseOnExit);
    },
  ];
  return { kind: 'taken', lock, undo };
}

/** Binds the client-facing address; says why not when it cannot. */
async function listen(front: HttpFront, o: HttpGuardOptions): Promise<{ kind: 'error'; message: string } | undefined> {
  try {
    await front.listen();
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      return { kind: 'error', message: `${o.host}:${o.port} is already in use: ${await describePortHolder(o.port)}` };
    return { kind: 'error', message: `cannot listen on ${o.host}:${o.port}: ${e.message}` };
  }
}
