import { thisMachine } from '../../src/core/machine/live';
import { startLagMs } from '../../src/core/pids/startLag';
import { CLOCK_SLACK_MS } from '../../src/core/versions/judge';

/**
 * Waits until a file written now is judged written after a process that started at `startTime`
 * (its recorded start): the engine takes the latest moment the process may have begun (the boot
 * time's dropped fraction of a second, pids/startLag.ts) plus CLOCK_SLACK_MS, so a test that edits
 * sooner would see its edit taken for code the process loaded.
 */
export async function pastJudgedStart(startTime: number | undefined): Promise<void> {
  const wait = (startTime ?? Date.now()) + (await startLagMs(thisMachine())) + CLOCK_SLACK_MS + 300 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
