import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isLoopbackBindHost } from '../../core/net/loopback';
import type { Launch } from '../../guard/launch';
import { CliIo, UsageError } from '../io';

/** The options `run --http` and `ensure --http` share; `ensure` passes them on to the guard it starts. */
export const HTTP_OPTIONS = {
  http: { type: 'boolean' },
  listen: { type: 'string' },
  'upstream-port': { type: 'string' },
  path: { type: 'string', default: '/mcp' },
  name: { type: 'string' },
  resource: { type: 'string' },
  'allow-origin': { type: 'string', multiple: true },
  'allow-remote': { type: 'boolean' },
  'max-body': { type: 'string', default: String(4 * 1024 * 1024) },
  'upstream-timeout': { type: 'string', default: '60' },
  'start-timeout': { type: 'string', default: '60' },
  'stop-grace': { type: 'string', default: '5' },
  'drain-timeout': { type: 'string', default: '10' },
  'when-stale': { type: 'string', default: 'warn' },
  'stale-interval': { type: 'string', default: '30' },
} as const;

export interface HttpCommandLine {
  launch: Launch;
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
  whenStale: 'warn' | 'restart-when-idle';
  staleIntervalMs: number;
  /** The option arguments as given (before `--`), for `ensure` to hand to the guard. */
  optionArgs: string[];
  /** Options only the calling command knows (e.g. `--timeout` of ensure). */
  extra: Record<string, string | boolean | undefined>;
}

/** Parses `[options] -- <command> [args...]` of an HTTP command; `extraOptions` are the command's own. */
export function parseHttpCommandLine(
  verb: string,
  args: string[],
  io: CliIo,
  extraOptions: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = {},
): HttpCommandLine {
  const split = args.indexOf('--');
  if (split < 0 || split === args.length - 1) throw new UsageError(`${verb} needs the server command after --, e.g. mcp-lifeguard ${verb} --http --listen 127.0.0.1:3001 -- npx -y @modelcontextprotocol/server-everything streamableHttp`);
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: args.slice(0, split), options: { ...HTTP_OPTIONS, ...extraOptions }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!values.http) throw new UsageError(`${verb} --http is the HTTP mode; pass --http with --listen HOST:PORT`);
  const listen = values.listen;
  if (typeof listen !== 'string') throw new UsageError(`${verb} --http needs --listen HOST:PORT (e.g. 127.0.0.1:3001)`);
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  if (!m) throw new UsageError(`--listen takes HOST:PORT, not '${listen}'`);
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--listen: ${m[3]} is not a port`);
  if (!isLoopbackBindHost(host) && !values['allow-remote']) {
    throw new UsageError(`--listen ${listen} is not a loopback address; the front binds to loopback only unless --allow-remote is given`);
  }
  const seconds = (flag: string): number => {
    const text = String(values[flag]);
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${flag} takes a number of seconds, not '${text}'`);
    return Math.round(n * 1000);
  };
  let upstreamPort: number | undefined;
  if (values['upstream-port'] !== undefined) {
    upstreamPort = Number(values['upstream-port']);
    if (!Number.isInteger(upstreamPort) || upstreamPort < 1 || upstreamPort > 65535) throw new UsageError(`--upstream-port takes a port, not '${String(values['upstream-port'])}'`);
  }
  const maxBodyBytes = Number(values['max-body']);
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) throw new UsageError(`--max-body takes a number of bytes, not '${String(values['max-body'])}'`);
  const whenStale = values['when-stale'];
  if (whenStale !== 'warn' && whenStale !== 'restart-when-idle') throw new UsageError(`--when-stale for HTTP servers must be warn or restart-when-idle, not '${String(whenStale)}'`);
  const mcpPath = String(values.path);
  if (!mcpPath.startsWith('/')) throw new UsageError(`--path must start with /, not '${mcpPath}'`);
  const [command, ...commandArgs] = args.slice(split + 1);
  const extra: Record<string, string | boolean | undefined> = {};
  for (const key of Object.keys(extraOptions)) extra[key] = values[key] as string | boolean | undefined;
  return {
    launch: { command, args: commandArgs, cwd: path.resolve(io.cwd), env: io.env },
    host,
    port,
    path: mcpPath,
    upstreamPort,
    name: values.name as string | undefined,
    resource: values.resource as string | undefined,
    allowedOrigins: (values['allow-origin'] as string[] | undefined) ?? [],
    maxBodyBytes,
    upstreamTimeoutMs: seconds('upstream-timeout'),
    startTimeoutMs: seconds('start-timeout'),
    termGraceMs: seconds('stop-grace'),
    drainTimeoutMs: seconds('drain-timeout'),
    whenStale,
    staleIntervalMs: seconds('stale-interval'),
    optionArgs: dropOptions(args.slice(0, split), Object.keys(extraOptions)),
    extra,
  };
}

/** The option arguments without the named ones (and their values). */
function dropOptions(args: string[], names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = names.find((n) => a === `--${n}` || a.startsWith(`--${n}=`));
    if (name === undefined) {
      out.push(a);
      continue;
    }
    if (!a.includes('=') && i + 1 < args.length && !args[i + 1].startsWith('--')) i++;
  }
  return out;
}
