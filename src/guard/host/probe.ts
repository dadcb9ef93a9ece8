/**
 * What a probe of the installed server found: it started and answered as a server should (`ok`),
 * or why not (its last output's error line included). `skipped`: nothing could be asked of it (its
 * client never started a session), so nothing was proven either way.
 */
export type ProbeResult = { kind: 'ok'; what: string } | { kind: 'failed'; reason: string } | { kind: 'skipped' };

/** How a restart is checked first: `probe` starts the new server beside the old one and asks it; `none` does not. */
export type RestartCheck = 'probe' | 'none';
export const RESTART_CHECKS: readonly RestartCheck[] = ['probe', 'none'];

/** How every face begins the message of a restart a probe stopped (the old server keeps serving). */
export const PROBE_FAILED = 'The new server did not start: ';
