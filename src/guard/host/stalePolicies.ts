/** The `--when-stale` policies (what each does: staleness.ts, staleGate.ts), apart so option parsing loads nothing else. */

export type StalePolicy = 'annotate' | 'warn' | 'refuse-writes' | 'refuse-all' | 'restart-when-idle';
export const STALE_POLICIES: readonly StalePolicy[] = [
  'annotate',
  'warn',
  'refuse-writes',
  'refuse-all',
  'restart-when-idle',
];

/**
 * The stdio guard's default: it never blocks or alters a call, and it is the only policy the
 * model (who mostly drives these servers) hears from; `warn` writes to a stderr nobody reads.
 */
export const DEFAULT_STALE_POLICY: StalePolicy = 'annotate';
