import { spawn } from 'node:child_process';
import { closeSync, constants } from 'node:fs';
import * as path from 'node:path';
import { recordedTarget, runStopLadder, termThenKill } from '../../core/actions/stopLadder';
import { controlShutdown } from '../../core/control';
import { currentHostEnv } from '../../core/machine/live';
import { pollUntil } from '../../core/base/pollUntil';
import { readFrontInfo } from '../../core/http/frontInfo';
import { recordHttpLaunch } from '../../core/http/launchRecord';
import {
  acquireLock,
  identityHash,
  judgeRecord,
  LockRecord,
  processStartTime,
  readHolder,
  ServerIdentity,
} from '../../core/locks';
import { lifeguardPaths, LifeguardPaths } from '../../core/base/paths';
import { openPrivateSync, PrivateDirError, PrivateFileError } from '../../core/machine/privateFs';
import { privateHomeReady } from '../privateHome';
import { probeLaunch, describePortHolder, waitUntilAnswers, identityOf } from '../../guard';
import { terminalSafe } from '../../core/base/terminalSafe';
import { isHttpGuardRecord } from '../../core/processes/guarded';
import { CliIo } from '../io';
import { CommandSpec, splitServerCommand } from '../options';
import { HTTP_OPTIONS, HttpCommandLine, parseHttpCommandLine, RUN_HTTP_COMMAND } from './httpOptions';
import { ensureShareCommand } from './ensureShare';
import { portTaken } from './portTaken';

/** The options of ensure's own; the rest are `run --http`'s, handed on to the guard it starts. */
const ENSURE_OPTIONS = {
  timeout: {
    type: 'seconds',
    default: 120,
    positive: true,
    description: 'Seconds to wait for the server to answer (or a running start to finish)',
  },
} as const;

export const ENSURE_COMMAND = {
  ...RUN_HTTP_COMMAND,
  name: 'ensure --http',
  summary: [
    'Print the URL of the guarded server, starting it (or replacing a',
    'stale one) first; concurrent calls start one server',
  ],
  options: { ...HTTP_OPTIONS, ...ENSURE_OPTIONS },
} as const satisfies CommandSpec;

/** What the installed package says, against what the running guard recorded at its start. */
type Freshness = { kind: 'fresh' } | { kind: 'stale'; running: string; installed: string } | { kind: 'unknown' };

/**
 * `mcp-lifeguard ensure --http --listen HOST:PORT -- <command>`: an idempotent start. Prints the URL
 * of the guarded server for this identity when one runs the installed version; replaces a stale
 * one; starts one otherwise. Concurrent calls start one server: starting is done under a second
 * lock (the identity's "ensure" lock), and the guard's own lock arbitrates the rest.
 */
export async function ensureCommand(args: string[], io: CliIo): Promise<number> {
  if (splitServerCommand(args).options.includes('--share')) return ensureShareCommand(args, io);
  const cl = parseHttpCommandLine('ensure', args, io, ENSURE_OPTIONS);
  const timeoutMs = cl.extra.timeout as number;
  const log = (line: string): void => io.stderr(`${terminalSafe(`mcp-lifeguard ensure: ${line}`)}\n`);
  const paths = lifeguardPaths(currentHostEnv(io.env));
  if (!privateHomeReady(paths, log)) return 1;
  // The guard's own probe (npm, Python, docker): what it records is what this compares against.
  const { probe, atStart } = await probeLaunch(cl.launch);
  const identity = await identityOf(cl.launch, {
    name: cl.name,
    resource: cl.resource,
    packageName: atStart.state === 'known' ? atStart.name : undefined,
  });
  const freshness = async (record: LockRecord): Promise<Freshness> => {
    const installed = await probe.installed();
    const running = record.versions?.package;
    if (installed?.state !== 'known' || !running || running.name !== installed.name) return { kind: 'unknown' };
    return running.version === installed.version
      ? { kind: 'fresh' }
      : { kind: 'stale', running: running.version, installed: installed.version };
  };
  // What Start (in VS Code) runs again for an HTTP entry at this port: this very command line.
  const remember = async (): Promise<void> => {
    const r = await recordHttpLaunch(paths, {
      host: cl.host,
      port: cl.port,
      argv: ['ensure', ...args],
      cwd: cl.launch.cwd ?? io.cwd,
      recordedAt: new Date().toISOString(),
    }).catch((err: Error) => ({ recorded: false as const, reason: err.message }));
    if (!r.recorded) log(`not recorded for Start: ${r.reason}`);
  };
  const deadline = Date.now() + timeoutMs;
  const ensureIdentity: ServerIdentity = {
    serverName: `${identity.serverName}.ensure`,
    resourceKey: identity.resourceKey,
  };

  // One try: an exit code when done, undefined to look again (pollUntil's pauses) until the deadline.
  const attempt = async (): Promise<number | undefined> => {
    const holder = await readHolder({ dir: paths.locks, identity });
    if (holder.state === 'live' && !isHttpGuardRecord(holder.record)) {
      log(
        `${identity.serverName} already runs (pid ${holder.record.pid}, ${holder.record.holder ?? 'holder unnamed'}), but not under 'mcp-lifeguard run --http'; stop it first`,
      );
      return 1;
    }
    if (holder.state === 'live' && (await freshness(holder.record)).kind !== 'stale') {
      const served = await servedUrl(paths, identity, holder.record, cl);
      if (served.kind === 'ok') {
        await remember();
        io.stdout(`${served.url}\n`);
        return 0;
      }
      if (served.kind === 'mismatch') {
        log(served.message);
        return 1;
      }
      return undefined; // the guard holds the lock but does not answer yet
    }
    const mutex = await acquireLock({
      dir: paths.locks,
      identity: ensureIdentity,
      record: {
        pid: process.pid,
        startTime: await processStartTime(),
        command: [cl.launch.command, ...cl.launch.args],
        cwd: cl.launch.cwd,
        startedAt: new Date().toISOString(),
        holder: 'mcp-lifeguard-ensure',
      },
    });
    if (mutex.kind === 'error') {
      log(mutex.message);
      return 1;
    }
    if (mutex.kind === 'held') {
      return undefined; // another ensure is starting it: wait for its result
    }
    try {
      const now = await readHolder({ dir: paths.locks, identity });
      if (now.state === 'live') {
        const f = await freshness(now.record);
        if (f.kind !== 'stale') return undefined; // a fresh guard took the lock meanwhile: look again
        log(
          `${identity.serverName} runs ${f.running} but ${f.installed} is installed: replacing it (guard pid ${now.record.pid})`,
        );
        const stopped = await stopGuard(now.record, cl.termGraceMs, log);
        if (!stopped) {
          log(`guard pid ${now.record.pid} did not stop; giving up`);
          return 1;
        }
      }
      if (await portTaken(cl.host, cl.port)) {
        log(
          `cannot start ${identity.serverName}: ${cl.host}:${cl.port} is in use: ${await describePortHolder(cl.port)}`,
        );
        return 1;
      }
      const started = await startGuard(cl, paths, identity, deadline, log);
      if (started.kind === 'error') {
        log(started.message);
        return 1;
      }
      await remember();
      io.stdout(`${started.url}\n`);
      return 0;
    } finally {
      await mutex.lock.release();
    }
  };
  const ended = await pollUntil(attempt, { deadline, backoff: { maxMs: 100 } });
  if (ended.kind === 'done') return ended.value;
  log(`${identity.serverName} was not ready within ${Math.round(timeoutMs / 1000)} s`);
  return 1;
}

type Served = { kind: 'ok'; url: string } | { kind: 'mismatch'; message: string } | { kind: 'not-yet' };

/** The URL a live guard serves, once it answers there. */
async function servedUrl(
  paths: LifeguardPaths,
  identity: ServerIdentity,
  record: LockRecord,
  cl: HttpCommandLine,
): Promise<Served> {
  const info = await readFrontInfo(paths, identity);
  if (!info || info.pid !== record.pid) return { kind: 'not-yet' };
  if (info.port !== cl.port || info.host !== cl.host) {
    return {
      kind: 'mismatch',
      message: `${identity.serverName} already runs at ${info.url} (guard pid ${record.pid}), not at ${cl.host}:${cl.port}; stop it first (mcp-lifeguard stop) or ask for ${info.host}:${info.port}`,
    };
  }
  return (await waitUntilAnswers({ host: info.host, port: info.port }, cl.path, 2000))
    ? { kind: 'ok', url: info.url }
    : { kind: 'not-yet' };
}

/**
 * Stops a guard: shutdown over its control endpoint, then TERM, then KILL after the grace period,
 * each signal only after re-identifying the pid exactly (reidentify.ts); a record that cannot name
 * its holder exactly is never signalled.
 */
async function stopGuard(record: LockRecord, graceMs: number, log: (line: string) => void): Promise<boolean> {
  const gone = async () => (await judgeRecord(record).catch(() => undefined))?.state === 'dead';
  const result = await runStopLadder(
    [recordedTarget(record, { isGone: gone })],
    [
      {
        kind: 'ask',
        ask: async () => {
          if (!record.control) return;
          try {
            await controlShutdown(record.control, 'replaced by a fresh start (ensure: stale)', { timeoutMs: 5000 });
          } catch (err) {
            log(`shutdown over ${record.control} failed (${(err as Error).message}); signalling pid ${record.pid}`);
          }
        },
        // The guard itself stops its server within its own grace; allow for that before signalling.
        waitMs: graceMs * 2 + 5000,
      },
      ...termThenKill(graceMs, 5000),
    ],
    { pollMs: 50 },
  );
  if (result.outcome !== 'refused') return result.outcome !== 'survived';
  const { reason, detail } = result.refusal;
  if (reason === 'gone' || reason === 'pid-reused' || reason === 'other-boot') return true;
  log(`not signalling guard pid ${record.pid}: ${detail}`);
  return false;
}

/** Is anything listening on host:port? A refused connection means the port is free. */
/**
 * Starts `mcp-lifeguard run --http` detached (it outlives this command), its output appended to a
 * private log file, and waits until it holds the lock and answers, or exits.
 */
async function startGuard(
  cl: HttpCommandLine,
  paths: LifeguardPaths,
  identity: ServerIdentity,
  deadline: number,
  log: (line: string) => void,
): Promise<{ kind: 'ok'; url: string } | { kind: 'error'; message: string }> {
  const logFile = path.join(paths.logs, `${identityHash(identity)}.http.log`);
  let fd: number;
  try {
    // Never through a planted link, never someone else's file.
    fd = openPrivateSync(logFile, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, { root: paths.root });
  } catch (err) {
    if (err instanceof PrivateDirError || err instanceof PrivateFileError)
      return { kind: 'error', message: `cannot start ${identity.serverName}: ${err.message}` };
    throw err;
  }
  const argv = [
    ...process.execArgv,
    process.argv[1],
    'run',
    ...cl.optionArgs,
    '--',
    cl.launch.command,
    ...cl.launch.args,
  ];
  const child = spawn(process.execPath, argv, {
    cwd: cl.launch.cwd,
    env: cl.launch.env,
    detached: true,
    stdio: ['ignore', fd, fd],
    windowsHide: true,
  });
  closeSync(fd);
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = signal ? `was killed by ${signal}` : `exited with code ${code}`));
  child.once('error', (err) => (exit = `could not start: ${err.message}`));
  log(`started ${identity.serverName} under mcp-lifeguard (guard pid ${child.pid}; log ${logFile})`);
  try {
    const ready = await pollUntil<{ kind: 'ok'; url: string } | { kind: 'error'; message: string }>(
      async () => {
        if (exit)
          return { kind: 'error', message: `the guard ${exit} before ${identity.serverName} answered; see ${logFile}` };
        const holder = await readHolder({ dir: paths.locks, identity });
        if (holder.state !== 'live' || holder.record.pid !== child.pid) return undefined;
        const served = await servedUrl(paths, identity, holder.record, cl);
        if (served.kind === 'ok') return served;
        if (served.kind === 'mismatch') return { kind: 'error', message: served.message };
        return undefined;
      },
      { deadline, backoff: { maxMs: 100 } },
    );
    return ready.kind === 'done'
      ? ready.value
      : { kind: 'error', message: `${identity.serverName} did not answer in time; see ${logFile}` };
  } finally {
    child.unref();
  }
}
