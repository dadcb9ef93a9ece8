import * as path from 'node:path';
import { startShareHost } from '../shareHost';
import type { runStdioGuard as RunStdioGuard } from '../../guard';
import { terminalSafe } from '../../core/base/terminalSafe';
import { CliIo, UsageError } from '../io';
import { parseOptions, splitServerCommand } from '../options';
import { guardPathsOf, RUN_COMMAND, shareListenOf } from './runSpec';
import { restartCheckOf } from './guardOptions';
import { privateHomeReady } from '../privateHome';

export { RUN_COMMAND };

/**
 * `mcp-lifeguard run [options] -- <command> [args...]`: the guard. stdout carries the server's
 * protocol bytes and nothing else; every message of our own goes to stderr.
 */
export async function runCommand(args: string[], io: CliIo, runStdioGuard: typeof RunStdioGuard): Promise<number> {
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
  const shareListen = shareListenOf(values['share-listen'], values['on-conflict']);
  // One log line each: a newline inside one (from a server name, a path) is escaped too.
  const log = (line: string) => io.stderr(`${terminalSafe(`mcp-lifeguard run${name ? ` [${name}]` : ''}: ${line}`)}\n`);
  const paths = guardPathsOf(io.env, values.home);
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
    shareListen,
    startShareHost: () => startShareHost(split.options, split.command, io, paths),
    whenStale: values['when-stale'],
    registryCache: paths,
    staleIntervalMs: values['stale-interval'],
    crashLoop: { windowMs: values['crash-window'], limit: values['crash-limit'] },
    restartCheck: restartCheckOf(values['restart-check']),
    grace: { eofMs: stopGrace, termMs: stopGrace },
    drainTimeoutMs: values['drain-timeout'],
    idleStopMs: values['idle-stop'],
    lazyStart: values['lazy-start'] === true,
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
