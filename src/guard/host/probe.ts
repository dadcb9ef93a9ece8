/**
 * What a probe of the installed server found: it started and answered as a server should (`ok`),
 * or why not (its last output's error line included). `skipped`: nothing could be asked of it (its
 * client never started a session), so nothing was proven either way.
 */
export type ProbeResult = { kind: 'ok'; what: string } | { kind: 'failed'; reason: string } | { kind: 'skipped' };

/**
 * How a restart is checked. `predict` (the default): the installed files are read for what will not
 * start (core/versions/startRisk.ts), then the serving server is stopped, the new one started and
 * verified as it serves (the client's handshake replayed, its tools listed); one copy at a time, so
 * a server that locks its data or a fixed port restarts like any other. `probe`: the server is
 * declared safe to run twice, and the installed one is first started beside the serving one and
 * asked. `none` is what earlier entries say for `predict` (never beside), read as it.
 */
export type RestartCheck = 'predict' | 'probe';
export const RESTART_CHECKS = ['predict', 'probe', 'none'] as const;

/** How every face begins the message of a restart a probe stopped (the old server keeps serving). */
export const PROBE_FAILED = 'The new server did not start: ';
