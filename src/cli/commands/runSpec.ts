import * as path from 'node:path';
import { DEFAULT_STALE_POLICY, STALE_POLICIES } from '../../guard';
import { lifeguardPaths, LifeguardPaths, ROOT_ENV_VAR } from '../../core/base/paths';
import { currentHostEnv } from '../../core/machine/live';
import { isLoopbackBindHost, splitListenAddress } from '../../core/net/loopback';
import { UsageError } from '../io';
import { CommandSpec } from '../options';
import { GUARD_OPTIONS, RUN_WHEN_STALE_DESCRIPTION } from './guardOptions';

/** What `--on-conflict` takes (guard/conflict.ts acts on it); here so that parsing `run` loads no guard. */
export const CONFLICT_POLICIES = ['refuse', 'replace', 'wait', 'share'] as const;

/** `run`'s options: parsed by the guard (commands/run.ts) and by a sharing client's relay (relayCli.ts). */
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
    home: {
      type: 'string',
      value: 'DIR',
      description: "MCP Lifeguard's own folder (locks, state, logs) instead of MCP_LIFEGUARD_HOME's",
      check: (v) => (path.isAbsolute(v) ? undefined : 'takes an absolute folder'),
    },
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
    'share-listen': {
      type: 'string',
      value: 'HOST:PORT',
      description:
        'With --on-conflict share: the shared server is also served over streamable HTTP at http://HOST:PORT/mcp (loopback), for clients whose config names a URL',
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
    'restart-check': GUARD_OPTIONS['restart-check'],
    'drain-timeout': GUARD_OPTIONS['drain-timeout'],
    'idle-stop': GUARD_OPTIONS['idle-stop'],
    'lazy-start': GUARD_OPTIONS['lazy-start'],
    'stop-grace': {
      type: 'seconds',
      default: 5,
      description: 'Seconds the server gets after EOF, and again after SIGTERM, before it is killed',
    },
  },
} as const satisfies CommandSpec;

/** `--share-listen HOST:PORT`, checked: a loopback address and a port, or a usage error saying which. */
export function shareListenOf(
  value: string | undefined,
  onConflict: string,
): { host: string; port: number } | undefined {
  if (value === undefined) return undefined;
  if (onConflict !== 'share')
    throw new UsageError('--share-listen serves a shared server: use it with --on-conflict share');
  const address = splitListenAddress(value);
  if (!address) throw new UsageError(`--share-listen takes HOST:PORT, not '${value}'`);
  if (!Number.isInteger(address.port) || address.port < 1 || address.port > 65535)
    throw new UsageError(`--share-listen: ${value.slice(value.lastIndexOf(':') + 1)} is not a port`);
  if (!isLoopbackBindHost(address.host))
    throw new UsageError(
      `--share-listen ${value} is not a loopback address; a shared server is served on loopback only`,
    );
  return address;
}

/**
 * The folders of our own files a guard (or a sharing client's relay) keeps: `--home DIR` when its
 * entry names one (written by a reader whose own is not the default), else MCP_LIFEGUARD_HOME's,
 * else the default. The client that starts it need not set what the reader set.
 */
export function guardPathsOf(env: NodeJS.ProcessEnv, home: string | undefined): LifeguardPaths {
  return lifeguardPaths(currentHostEnv(home === undefined ? env : { ...env, [ROOT_ENV_VAR]: home }));
}
