import { currentHostEnv } from '../../core/machine/live';
import { lifeguardPaths } from '../../core/base/paths';
import { startHttpGuard, identityOf, probeLaunch } from '../../guard';
import { terminalSafe } from '../../core/base/terminalSafe';
import { CliIo } from '../io';
import { privateHomeReady } from '../privateHome';
import { parseHttpCommandLine } from './httpOptions';

/**
 * `mcp-lifeguard run --http --listen HOST:PORT [options] -- <command>`: the guard for an HTTP
 * server. Runs in the foreground until stopped (a signal, or shutdown over the control endpoint);
 * prints the URL on stdout once the server answers, everything else on stderr.
 */
export async function runHttpCommand(args: string[], io: CliIo): Promise<number> {
  const cl = parseHttpCommandLine('run', args, io);
  const name = cl.name;
  const log = (line: string): void =>
    io.stderr(`${terminalSafe(`mcp-lifeguard run --http${name ? ` [${name}]` : ''}: ${line}`)}\n`);
  const paths = lifeguardPaths(currentHostEnv(io.env));
  if (!privateHomeReady(paths, log)) return 1;
  const { atStart } = await probeLaunch(cl.launch);
  const identity = await identityOf(cl.launch, {
    name: cl.name,
    resource: cl.resource,
    packageName: atStart.state === 'known' ? atStart.name : undefined,
  });
  const started = await startHttpGuard({
    launch: cl.launch,
    identity,
    paths,
    host: cl.host,
    port: cl.port,
    path: cl.path,
    upstreamPort: cl.upstreamPort,
    maxBodyBytes: cl.maxBodyBytes,
    upstreamTimeoutMs: cl.upstreamTimeoutMs,
    startTimeoutMs: cl.startTimeoutMs,
    termGraceMs: cl.termGraceMs,
    drainTimeoutMs: cl.drainTimeoutMs,
    idleStopMs: cl.idleStopMs,
    lazyStart: cl.lazyStart,
    allowedOrigins: cl.allowedOrigins,
    whenStale: cl.whenStale,
    staleIntervalMs: cl.staleIntervalMs,
    crashLoop: cl.crashLoop,
    restartCheck: cl.restartCheck,
    // The server's own output goes to our stderr: stdout is for the URL.
    childStdio: 2,
    log,
  });
  switch (started.kind) {
    case 'held':
      log(
        `${identity.serverName} already runs under mcp-lifeguard (guard pid ${started.holder.pid}); use 'mcp-lifeguard ensure --http ...' to reuse it`,
      );
      return 1;
    case 'error':
      log(started.message);
      return 1;
    case 'running':
      break;
  }
  io.stdout(`${started.url}\n`);
  const signals: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (signal: NodeJS.Signals): void => void started.guard.shutdown(`received ${signal}`);
  for (const s of signals) process.on(s, onSignal);
  try {
    return await started.guard.finished;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
