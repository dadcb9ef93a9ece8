import type { Installed } from '../base/versionTypes';

/**
 * Start times and file times come from different clocks (boot time + ticks vs the filesystem's
 * coarse clock), and a process reads its code a little after it began: a file written this soon
 * after the latest moment the process may have begun (its start time plus its precision,
 * pids/startLag.ts) counts as one it loaded.
 */
export const CLOCK_SLACK_MS = 250;

/** Whether a time (ms) is after a process's start beyond the slack: something it did not load. Never when either is unknown. */
export function afterStart(t: number | undefined, start: number | undefined): boolean {
  return start !== undefined && t !== undefined && t > start + CLOCK_SLACK_MS;
}

/** Whether a change at `t` (ms) may be a writer's (an installer's) that began at `writerStart`: it was made once it ran, or either time is unknown. */
export function sinceWriterStart(t: number | undefined, writerStart: number | undefined): boolean {
  return writerStart === undefined || t === undefined || t >= writerStart - CLOCK_SLACK_MS;
}

/** A time as a verdict says it: ISO 8601. */
export function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** Whether the installed files provably predate the process (so it loaded exactly them). */
export function filesPredateProcess(installed: Installed, processStart: number | undefined): boolean {
  if (processStart === undefined || installed.state !== 'installed' || installed.changedAt === undefined) return false;
  return installed.changedAt <= processStart + CLOCK_SLACK_MS;
}
