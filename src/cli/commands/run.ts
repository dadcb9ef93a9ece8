import { spawn } from 'node:child_process';
import { closeSync, constants } from 'node:fs';
import * as path from 'node:path';
import { LifeguardPaths } from '../../core/base/paths';
import { openPrivateSync } from '../../core/base/privateFs';
import { currentHostEnv } from '../../core/base/hostEnv';
import { lifeguardPaths } from '../../core/base/paths';
import { CONFLICT_POLICIES } from '../../guard/conflict';
import { runStdioGuard } from '../../guard/runStdioGuard';
import { DEFAULT_STALE_POLICY, STALE_POLICIES } from '../../guard/host/staleness';
import { terminalSafe } from '../../core/base/terminalSafe';
import { CliIo, UsageError } from '../io';
import { CommandSpec, parseOptions, splitServerCommand } from '../options';
import { privateHomeReady } from '../privateHome';
import { GUARD_OPTIONS, RUN_WHEN_STALE_DESCRIPTION } from './guardOptions';

export const RUN_COMMAND = {
  name: 'run',
  serverCommand: true,
  summary: [
    'Run a stdio MCP server under the guard: one instance per server,',
    "restarts that keep the client's session, stale writes refused",
  ],
  options: {
    name: GUARD_OPTIONS.name,
    resource: GUARD_OPTIONS.resource,
    'on-conflict': {
      type: 'string',
      default: 'refuse',
      choices: CONFLICT_POLICIES,
      description: 'When a guard of the same server already runs: refuse, replace it, wait, or share its server',
    },
    linger: {
      type: 'seconds',
      default: 0,
      description: 'With --on-conflict share: seconds the shared server keeps running after its last client left',
    },
    'share-host': {
      type: 'boolean',
      description: 'Internal (--on-conflict share starts it): hold the lock and serve every client detached',
    },
    'wait-timeout': { type: 'seconds', default: 60, description: 'Seconds --on-conflict wait waits for the lock' },
    'when-stale': {
      type: 'string',
      default: DEFAULT_STALE_POLICY,
      choices: STALE_POLICIES,
      description: RUN_WHEN_STALE_DESCRIPTION,
    },
    'stale-interval': GUARD_OPTIONS['stale-interval'],
    'crash-window': GUARD_OPTIONS['crash-window'],
    'crash-limit': GUARD_OPTIONS['crash-limit'],
    'drain-timeout': GUARD_OPTIONS['drain-timeout'],
    'stop-grace': {
      type: 'seconds',
      default: 5,
      description: 'Seconds the server gets after EOF, and again after SIGTERM, before it is killed',
    },
  },
} as const satisfies CommandSpec;

/**
 * `mcp-lifeguard run [options] -- <command> [args...]`: the guard. stdout carries the server's
 * protocol bytes and nothing else; every message of our own goes to stderr.
 */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const split = splitServerCommand(args);
  // The HTTP guard is a module of its own, loaded only when asked for.
  if (split.options.includes('--http')) return (await import('./runHttp.js')).runHttpCommand(args, io);
  if (split.command.length === 0)
    throw new UsageError(
      'run needs the server command after --, e.g. mcp-lifeguard run -- npx -y @modelcontextprotocol/server-memory',
    );
  const { values } = parseOptions(split.options, RUN_COMMAND.options);
  const [command, ...commandArgs] = split.command;
  const stopGrace = values['stop-grace'];
  const name = values.name;
  // One log line each: a newline inside one (from a server name, a path) is escaped too.
  const log = (line: string) => io.stderr(`${terminalSafe(`mcp-lifeguard run${name ? ` [${name}]` : ''}: ${line}`)}\n`);
  const paths = lifeguardPaths(currentHostEnv(io.env));
  if (!privateHomeReady(paths, log)) return 1;

  const code = await runStdioGuard({
    launch: { command, args: commandArgs, cwd: path.resolve(io.cwd), env: io.env },
    name,
    resource: values.resource,
    lockDir: paths.locks,
    logs: { root: paths.root, dir: paths.logs },
    onConflict: values['on-conflict'],
    conflictTimeoutMs: values['wait-timeout'],
    lingerMs: values.linger,
    shareHost: values['share-host'] === true,
    startShareHost: () => startShareHost(split.options, split.command, io, paths),
    whenStale: values['when-stale'],
    registryCache: paths,
    staleIntervalMs: values['stale-interval'],
    crashLoop: { windowMs: values['crash-window'], limit: values['crash-limit'] },
    grace: { eofMs: stopGrace, termMs: stopGrace },
    drainTimeoutMs: values['drain-timeout'],
    initTimeoutMs: 60_000,
    stdin: process.stdin,
    stdout: process.stdout,
    log,
    signals: process.platform === 'win32' ? ['SIGINT'] : ['SIGINT', 'SIGTERM', 'SIGHUP'],
  });
  // The client may keep our stdin open after a shutdown over the control endpoint: stop reading it
  // so the process can end once stdout is flushed.
  process.stdin.destroy();
  return code;
}

/**
 * `--on-conflict share`: starts the share host, `mcp-lifeguard run --share-host` with the same
 * options and server, detached (it outlives the client that started it, serving the others), its
 * output appended to a private log file.
 */
function startShareHost(
  options: string[],
  command: string[],
  io: CliIo,
  paths: LifeguardPaths,
): { exit(): string | undefined } {
  const fd = openPrivateSync(
    path.join(paths.logs, 'share-hosts.log'),
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
    { root: paths.root },
  );
  let exit: string | undefined;
  try {
    const child = spawn(
      process.execPath,
      [...process.execArgv, process.argv[1], 'run', '--share-host', ...options, '--', ...command],
      { cwd: path.resolve(io.cwd), env: io.env, detached: true, stdio: ['ignore', 'ignore', fd], windowsHide: true },
    );
    child.once('exit', (code, signal) => (exit = signal ? `was killed by ${signal}` : `exited with code ${code}`));
    child.once('error', (err) => (exit = `could not start: ${err.message}`));
    child.unref();
  } finally {
    closeSync(fd);
  }
  return { exit: () => exit };
}
