import * as path from 'node:path';
import { isLoopbackBindHost, splitListenAddress } from '../../core/net/loopback';
import {
  HTTP_STALE_POLICIES,
  HttpStalePolicy,
  type CrashLoopOptions,
  type RestartCheck,
  type ServerLaunch,
} from '../../guard';
import { CliIo, UsageError } from '../io';
import { GUARD_OPTIONS, restartCheckOf, WHEN_STALE_DESCRIPTION } from './guardOptions';
import { CommandSpec, OptionSpecs, OptionValues, parseOptions, splitServerCommand, withoutOptions } from '../options';

/** The options `run --http` and `ensure --http` share; `ensure` passes them on to the guard it starts. */
export const HTTP_OPTIONS = {
  http: {
    type: 'boolean',
    description: 'The HTTP mode: a front on --listen that keeps client sessions across restarts',
  },
  listen: {
    type: 'string',
    value: 'HOST:PORT',
    description: 'Where the front listens (loopback only unless --allow-remote)',
  },
  'upstream-port': {
    type: 'integer',
    min: 1,
    max: 65535,
    value: 'N',
    description: 'The private port of the server (default: a free one), given to it as PORT and {port}',
  },
  path: {
    type: 'string',
    default: '/mcp',
    value: 'PATH',
    check: (p) => (p.startsWith('/') ? undefined : 'must start with /'),
    description: 'The MCP endpoint path',
  },
  name: GUARD_OPTIONS.name,
  resource: GUARD_OPTIONS.resource,
  'allow-origin': {
    type: 'repeatable',
    value: 'ORIGIN',
    description: 'A browser Origin allowed besides loopback ones',
  },
  'allow-remote': { type: 'boolean', description: 'Let --listen take an address that is not loopback' },
  'max-body': {
    type: 'integer',
    default: 4 * 1024 * 1024,
    min: 1,
    unit: 'bytes',
    value: 'BYTES',
    description: 'The largest request body passed on',
  },
  'upstream-timeout': { type: 'seconds', default: 60, description: 'Seconds a request may wait for the server' },
  'start-timeout': { type: 'seconds', default: 60, description: 'Seconds the server has to start answering' },
  'stop-grace': {
    type: 'seconds',
    default: 5,
    description: 'Seconds between SIGTERM and SIGKILL when the server is stopped',
  },
  'drain-timeout': GUARD_OPTIONS['drain-timeout'],
  'idle-stop': GUARD_OPTIONS['idle-stop'],
  'lazy-start': GUARD_OPTIONS['lazy-start'],
  'when-stale': { type: 'string', default: 'warn', choices: HTTP_STALE_POLICIES, description: WHEN_STALE_DESCRIPTION },
  'stale-interval': GUARD_OPTIONS['stale-interval'],
  'crash-window': GUARD_OPTIONS['crash-window'],
  'crash-limit': GUARD_OPTIONS['crash-limit'],
  'restart-check': GUARD_OPTIONS['restart-check'],
} as const satisfies OptionSpecs;

export const RUN_HTTP_COMMAND = {
  name: 'run --http',
  operands: '--listen HOST:PORT',
  implied: ['http', 'listen'],
  serverCommand: true,
  summary: [
    'Run an HTTP MCP server behind a front that keeps client sessions',
    'across restarts; the server gets its private port as PORT and {port}',
  ],
  options: HTTP_OPTIONS,
} as const satisfies CommandSpec;

export interface HttpCommandLine {
  launch: ServerLaunch;
  host: string;
  port: number;
  path: string;
  upstreamPort?: number;
  name?: string;
  resource?: string;
  allowedOrigins: string[];
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
  startTimeoutMs: number;
  termGraceMs: number;
  drainTimeoutMs: number;
  /** `--idle-stop`: the server is stopped after this long without a client request; 0: never. */
  idleStopMs: number;
  /** `--lazy-start`: no server until the first client request. */
  lazyStart: boolean;
  whenStale: HttpStalePolicy;
  staleIntervalMs: number;
  crashLoop: CrashLoopOptions;
  restartCheck: RestartCheck;
  /** The option arguments as given (before `--`), for `ensure` to hand to the guard. */
  optionArgs: string[];
  /** Options only the calling command knows (e.g. `--timeout` of ensure), parsed by their specs. */
  extra: Record<string, string | boolean | number | string[] | undefined>;
}

/** Parses `[options] -- <command> [args...]` of an HTTP command; `extraOptions` are the command's own. */
export function parseHttpCommandLine(
  verb: string,
  args: string[],
  io: CliIo,
  extraOptions: OptionSpecs = {},
): HttpCommandLine {
  const split = splitServerCommand(args);
  if (split.command.length === 0)
    throw new UsageError(
      `${verb} needs the server command after --, e.g. mcp-lifeguard ${verb} --http --listen 127.0.0.1:3001 -- npx -y @modelcontextprotocol/server-everything streamableHttp`,
    );
  const all = parseOptions(split.options, { ...HTTP_OPTIONS, ...extraOptions }).values as Record<string, unknown>;
  const values = all as OptionValues<typeof HTTP_OPTIONS>;
  if (!values.http) throw new UsageError(`${verb} --http is the HTTP mode; pass --http with --listen HOST:PORT`);
  const listen = values.listen;
  if (typeof listen !== 'string') throw new UsageError(`${verb} --http needs --listen HOST:PORT (e.g. 127.0.0.1:3001)`);
  const address = splitListenAddress(listen);
  if (!address) throw new UsageError(`--listen takes HOST:PORT, not '${listen}'`);
  const { host, port } = address;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--listen: ${listen.slice(listen.lastIndexOf(':') + 1)} is not a port`);
  if (!isLoopbackBindHost(host) && !values['allow-remote']) {
    throw new UsageError(
      `--listen ${listen} is not a loopback address; the front binds to loopback only unless --allow-remote is given`,
    );
  }
  const [command, ...commandArgs] = split.command;
  const extra: HttpCommandLine['extra'] = {};
  for (const key of Object.keys(extraOptions)) extra[key] = all[key] as HttpCommandLine['extra'][string];
  return {
    launch: { command, args: commandArgs, cwd: path.resolve(io.cwd), env: io.env },
    host,
    port,
    path: values.path,
    upstreamPort: values['upstream-port'],
    name: values.name,
    resource: values.resource,
    allowedOrigins: values['allow-origin'],
    maxBodyBytes: values['max-body'],
    upstreamTimeoutMs: values['upstream-timeout'],
    startTimeoutMs: values['start-timeout'],
    termGraceMs: values['stop-grace'],
    drainTimeoutMs: values['drain-timeout'],
    idleStopMs: values['idle-stop'],
    lazyStart: values['lazy-start'] === true,
    whenStale: values['when-stale'],
    staleIntervalMs: values['stale-interval'],
    crashLoop: { windowMs: values['crash-window'], limit: values['crash-limit'] },
    restartCheck: restartCheckOf(values['restart-check']),
    optionArgs: withoutOptions(split.options, { ...HTTP_OPTIONS, ...extraOptions }, Object.keys(extraOptions)),
    extra,
  };
}
