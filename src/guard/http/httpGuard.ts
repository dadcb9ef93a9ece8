import * as path from 'node:path';
import { ControlServer, GuardStatus, startControlServer } from '../../core/control';
import { FrontInfo, frontInfoPath, readFrontInfo, removeFrontInfo, sessionsPath, writeFrontInfo } from '../../core/http/frontInfo';
import type { HttpLimits } from '../../core/http/limits';
import { SessionStore } from '../../core/http/sessionStore';
import { acquireLock, controlEndpointFor, ensureLockDir, LockRecord, processStartTime, ServerIdentity } from '../../core/locks';
import type { LifeguardPaths } from '../../core/paths';
import { NpmVersion, npmVersionOfLaunch } from '../../core/versions/npm';
import { LIFEGUARD_VERSION } from '../../core/version';
import { Launch } from '../launch';
import { HttpFront } from './front';
import { stopLeftoverServer } from '../leftoverServer';
import { recordIdentity } from '../../core/processes/reidentify';
import { describePortHolder } from './portOwner';
import { Upstream } from './upstream';

export interface HttpGuardOptions {
  launch: Launch;
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
  allowedOrigins: readonly string[];
  /** `restart-when-idle`: restart the server once it is stale and no request is in flight. */
  whenStale: 'warn' | 'restart-when-idle';
  staleIntervalMs: number;
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
  const npm = await npmVersionOfLaunch(o.launch);
  let installedAtStart: NpmVersion | undefined = npm ? await npm.installed() : undefined;
  const endpoint = controlEndpointFor(o.paths.locks, o.identity);
  const acquired = await acquireLock({
    dir: o.paths.locks,
    identity: o.identity,
    record: {
      pid: process.pid,
      startTime: await processStartTime(),
      command: [o.launch.command, ...o.launch.args],
      cwd: o.launch.cwd,
      control: endpoint,
      startedAt: new Date().toISOString(),
      holder: `mcp-lifeguard-guard ${LIFEGUARD_VERSION} http`,
      ...(installedAtStart?.state === 'known' ? { versions: { package: { name: installedAtStart.name, version: installedAtStart.version, ecosystem: 'npm' as const } } } : {}),
    },
  });
  if (acquired.kind === 'held') return { kind: 'held', holder: acquired.holder };
  if (acquired.kind === 'error') return { kind: 'error', message: acquired.message };
  const lock = acquired.lock;
  if (acquired.tookOverFrom) log(`took over the lock of pid ${acquired.tookOverFrom.pid}: ${acquired.takeoverReason ?? 'holder gone'}`);
  const previous = await readFrontInfo(o.paths, o.identity);
  if (previous && previous.pid !== process.pid && previous.upstream) await stopLeftoverServer(previous.upstream, o.termGraceMs, log);
  const releaseOnExit = (): void => lock.releaseSync();
  process.once('exit', releaseOnExit);
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}${o.path}`;
  const undo: Array<() => Promise<void>> = [
    async () => {
      await lock.release();
      process.off('exit', releaseOnExit);
    },
  ];
  const giveBack = async (): Promise<void> => {
    for (const step of undo.reverse()) await step().catch((err: Error) => log(`cleanup failed: ${err.message}`));
  };

  let announced = false;
  const announce = async (upstreamPid: number | undefined): Promise<void> => {
    const info: FrontInfo = { url, pid: process.pid, host: o.host, port: o.port };
    const upstream = upstreamPid === undefined ? undefined : await recordIdentity(upstreamPid).catch(() => undefined);
    if (upstream) info.upstream = upstream;
    await writeFrontInfo(o.paths, o.identity, info);
  };
  const sessions = await SessionStore.open(sessionsPath(o.paths, o.identity), log, o.limits);
  const upstream = new Upstream(
    { command: o.launch.command, args: o.launch.args, cwd: o.launch.cwd, env: o.launch.env, port: o.upstreamPort, probePath: o.path },
    {
      startTimeoutMs: o.startTimeoutMs,
      termGraceMs: o.termGraceMs,
      stdio: o.childStdio,
      log,
      maxCrashes: 3,
      crashWindowMs: 10_000,
      // Every new server is recorded, so a successor of a SIGKILLed guard can stop it.
      onStarted: ({ pid }) => {
        if (!announced) return;
        void announce(pid).catch((err: Error) => log(`could not record the server pid: ${err.message}`));
      },
    },
  );
  const front = new HttpFront({
    host: o.host,
    port: o.port,
    upstream,
    sessions,
    maxBodyBytes: o.maxBodyBytes,
    upstreamTimeoutMs: o.upstreamTimeoutMs,
    readyTimeoutMs: o.startTimeoutMs + o.drainTimeoutMs,
    allowedOrigins: o.allowedOrigins,
    log,
    limits: o.limits,
  });
  try {
    await front.listen();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    await giveBack();
    if (e.code === 'EADDRINUSE') return { kind: 'error', message: `${o.host}:${o.port} is already in use: ${await describePortHolder(o.port)}` };
    return { kind: 'error', message: `cannot listen on ${o.host}:${o.port}: ${e.message}` };
  }
  undo.push(() => front.close());

  let resolveFinished!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (resolveFinished = resolve));
  let stopping: Promise<void> | undefined;
  let staleTimer: NodeJS.Timeout | undefined;
  const startedAt = new Date().toISOString();
  const shutdown = (reason: string): Promise<void> => {
    if (!stopping) {
      log(`stopping: ${reason}`);
      stopping = (async () => {
        if (staleTimer) clearInterval(staleTimer);
        await upstream.stop();
        await giveBack();
        resolveFinished(0);
      })();
    }
    return stopping;
  };
  const restart = async (reason: string) => {
    const idle = await front.waitIdle(o.drainTimeoutMs);
    if (!idle) log(`${front.pending} request(s) still in flight after ${o.drainTimeoutMs} ms; restarting anyway`);
    const { pid } = await upstream.restart(reason);
    if (npm) {
      installedAtStart = await npm.installed();
      if (installedAtStart.state === 'known') {
        await lock.update({ versions: { package: { name: installedAtStart.name, version: installedAtStart.version, ecosystem: 'npm' } } }).catch((err: Error) => log(`could not record the version: ${err.message}`));
      }
    }
    return { childPid: pid, restarts: upstream.restarts };
  };

  let control: ControlServer | undefined;
  try {
    if (process.platform !== 'win32') await ensureLockDir(path.dirname(endpoint));
    control = await startControlServer(endpoint, {
      status: (): GuardStatus => ({
        guardPid: process.pid,
        serverName: o.identity.serverName,
        childPid: upstream.pid,
        state: upstream.stateKind,
        inFlight: front.pending,
        restarts: upstream.restarts,
        startedAt,
        childStartedAt: upstream.startedAt === undefined ? undefined : new Date(upstream.startedAt).toISOString(),
        runningVersion: installedAtStart?.state === 'known' ? `${installedAtStart.name} ${installedAtStart.version}` : undefined,
        failure: upstream.failure,
      }),
      shutdown: (reason) => {
        void shutdown(`asked over the control endpoint${reason ? `: ${reason}` : ''}`);
      },
      restart: (reason) => restart(reason ?? 'asked over the control endpoint'),
    });
    undo.push(() => control!.close());
  } catch (err) {
    log(`no control endpoint at ${endpoint}: ${(err as Error).message}; restart and ensure will not reach this guard`);
    await lock.update({ control: undefined }).catch(() => undefined);
  }

  try {
    await upstream.start();
  } catch (err) {
    await upstream.stop();
    await giveBack();
    return { kind: 'error', message: `${o.identity.serverName} did not start: ${(err as Error).message}` };
  }
  await announce(upstream.pid);
  announced = true;
  undo.push(() => removeFrontInfo(frontInfoPath(o.paths, o.identity), process.pid));

  if (npm && o.whenStale === 'restart-when-idle' && o.staleIntervalMs > 0) {
    staleTimer = setInterval(() => {
      void (async () => {
        const now = await npm.installed();
        if (stopping || now.state !== 'known' || installedAtStart?.state !== 'known' || now.version === installedAtStart.version) return;
        if (front.pending > 0 || upstream.stateKind !== 'running') return;
        await restart(`${now.name} ${installedAtStart.version} -> ${now.version} was installed (--when-stale restart-when-idle)`);
      })().catch((err: Error) => log(`stale check failed: ${err.message}`));
    }, o.staleIntervalMs);
    staleTimer.unref();
  }
  log(`serving ${o.identity.serverName} at ${url} (server pid ${upstream.pid})`);
  return { kind: 'running', url, guard: { url, finished, shutdown } };
}
