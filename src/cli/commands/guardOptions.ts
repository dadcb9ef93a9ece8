import { DEFAULT_CRASH_LOOP, RESTART_CHECKS } from '../../guard';

/** The options every guard takes, stdio (`run`) or HTTP (`run --http`, `ensure --http`), written once. */
export const GUARD_OPTIONS = {
  name: {
    type: 'string',
    value: 'NAME',
    description: 'The server name its lock, logs and `restart` use (default: from the command)',
  },
  resource: {
    type: 'string',
    value: 'KEY',
    description: 'What one instance owns (a database, a folder): one guard per name and resource',
  },
  'drain-timeout': {
    type: 'seconds',
    default: 10,
    description: 'Seconds a restart waits for requests in flight to finish',
  },
  'idle-stop': {
    type: 'seconds',
    default: 0,
    description:
      "Seconds without a client message after which the server is stopped; the next message starts it again in the client's session (0: never)",
  },
  'lazy-start': {
    type: 'boolean',
    description:
      'Start the server with the first client message, not with the guard (with --idle-stop: a server that costs nothing unused)',
  },
  'stale-interval': { type: 'seconds', default: 30, description: 'Seconds between checks of the installed version' },
  'crash-window': {
    type: 'seconds',
    default: DEFAULT_CRASH_LOOP.windowMs / 1000,
    description: 'Seconds in which --crash-limit exits count as a crash loop',
  },
  'crash-limit': {
    type: 'integer',
    default: DEFAULT_CRASH_LOOP.limit,
    min: 1,
    description: 'Exits within --crash-window of starting, in a row, that stop the restarts',
  },
  'restart-check': {
    type: 'string',
    choices: RESTART_CHECKS,
    description:
      'Before a restart stops the serving server: probe starts the installed one beside it and asks it first (the default; none with --resource or --on-conflict share, whose server must run once)',
  },
} as const;

/**
 * `--restart-check` as given, else its default: a server that owns a resource (`--resource`) or is
 * shared by every client (`--on-conflict share`) must never run twice, so it is not probed beside itself.
 */
export function restartCheckOf(
  given: string | undefined,
  resource: string | undefined,
  shared = false,
): 'probe' | 'none' {
  if (given === 'probe' || given === 'none') return given;
  return resource === undefined && !shared ? 'probe' : 'none';
}

export const WHEN_STALE_DESCRIPTION = 'What to do once a newer version of the server is installed';

/** `run`'s (stdio) policies: annotate, the default, is said to the model in tool results. */
export const RUN_WHEN_STALE_DESCRIPTION = `${WHEN_STALE_DESCRIPTION}; annotate appends a notice to each tool result, warn writes to stderr only`;
