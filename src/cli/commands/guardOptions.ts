import { DEFAULT_CRASH_LOOP, RESTART_CHECKS, type RestartCheck } from '../../guard';

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
      'How a restart is checked: predict (the default; none says the same) reads the installed files, then stops the server, starts the new one and verifies it, one copy at a time; probe declares the server safe to run twice: the installed one is started beside the serving one and asked first',
  },
} as const;

/**
 * `--restart-check` as given, else its default. Two copies of one server on one data store are the
 * duplicate that corrupts it (a lock held, a file migrated twice): only a server its entry declares
 * safe to run twice (`probe`) is started beside the serving one; every other restart is `predict`.
 */
export function restartCheckOf(given: string | undefined): RestartCheck {
  return given === 'probe' ? 'probe' : 'predict';
}

export const WHEN_STALE_DESCRIPTION = 'What to do once a newer version of the server is installed';

/** `run`'s (stdio) policies: annotate, the default, is said to the model in tool results. */
export const RUN_WHEN_STALE_DESCRIPTION = `${WHEN_STALE_DESCRIPTION}; annotate appends a notice to each tool result, warn writes to stderr only`;
