import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { currentHostEnv } from '../../core/hostEnv';
import { lifeguardPaths } from '../../core/paths';
import { CONFLICT_POLICIES, ConflictPolicy } from '../../guard/conflict';
import { runGuard } from '../../guard/runGuard';
import { STALE_POLICIES, StalePolicy } from '../../guard/staleness';
import { terminalSafe } from '../../core/terminalSafe';
import { CliIo, UsageError } from '../io';
import { privateHomeReady } from '../privateHome';
import { runHttpCommand } from './runHttp';

/**
 * `mcp-lifeguard run [options] -- <command> [args...]`: the guard. stdout carries the server's
 * protocol bytes and nothing else; every message of our own goes to stderr.
 */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const split = args.indexOf('--');
  if ((split < 0 ? args : args.slice(0, split)).includes('--http')) return runHttpCommand(args, io);
  if (split < 0 || split === args.length - 1) throw new UsageError('run needs the server command after --, e.g. mcp-lifeguard run -- npx -y @modelcontextprotocol/server-memory');
  let values;
  try {
    ({ values } = parseArgs({
      args: args.slice(0, split),
      options: {
        name: { type: 'string' },
        resource: { type: 'string' },
        'on-conflict': { type: 'string', default: 'refuse' },
        'wait-timeout': { type: 'string', default: '60' },
        'when-stale': { type: 'string', default: 'warn' },
        'stale-interval': { type: 'string', default: '30' },
        'crash-window': { type: 'string', default: '10' },
        'crash-limit': { type: 'string', default: '3' },
        'drain-timeout': { type: 'string', default: '10' },
        'stop-grace': { type: 'string', default: '5' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const onConflict = oneOf<ConflictPolicy>('--on-conflict', values['on-conflict'], CONFLICT_POLICIES);
  const whenStale = oneOf<StalePolicy>('--when-stale', values['when-stale'], STALE_POLICIES);
  const seconds = (flag: string, text: string) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} takes a number of seconds, not '${text}'`);
    return Math.round(n * 1000);
  };
  const crashLimit = Number(values['crash-limit']);
  if (!Number.isInteger(crashLimit) || crashLimit < 1) throw new UsageError(`--crash-limit takes a whole number >= 1, not '${values['crash-limit']}'`);
  const [command, ...commandArgs] = args.slice(split + 1);
  const stopGrace = seconds('--stop-grace', values['stop-grace']);
  const name = values.name;
  // One log line each: a newline inside one (from a server name, a path) is escaped too.
  const log = (line: string) => io.stderr(`${terminalSafe(`mcp-lifeguard run${name ? ` [${name}]` : ''}: ${line}`)}\n`);
  const paths = lifeguardPaths(currentHostEnv(io.env));
  if (!privateHomeReady(paths, log)) return 1;

  const code = await runGuard({
    launch: { command, args: commandArgs, cwd: path.resolve(io.cwd), env: io.env },
    name,
    resource: values.resource,
    lockDir: paths.locks,
    onConflict,
    conflictTimeoutMs: seconds('--wait-timeout', values['wait-timeout']),
    whenStale,
    staleIntervalMs: seconds('--stale-interval', values['stale-interval']),
    crashLoop: { windowMs: seconds('--crash-window', values['crash-window']), limit: crashLimit },
    grace: { eofMs: stopGrace, termMs: stopGrace },
    drainTimeoutMs: seconds('--drain-timeout', values['drain-timeout']),
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

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not '${value}'`);
  return value as T;
}
