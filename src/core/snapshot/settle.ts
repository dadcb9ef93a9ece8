import type { Snapshot } from '../base/model';

/**
 * How soon a settling verdict is looked at again: the wait ends as soon as the installer that
 * wrote the change has exited (or the files have been quiet for the settle time), so it is checked
 * often; a look with a warm resolution cache costs a few milliseconds.
 */
export const SETTLING_RECHECK_MS = 500;

/** Whether some instance's version judgement waits for files that are still changing (an install running). */
export function settling(s: Snapshot): boolean {
  return [...s.servers.flatMap((x) => x.instances), ...s.notConfigured].some(
    (i) => i.versions?.verdict.state === 'unknown' && i.versions.verdict.settling === true,
  );
}

/**
 * A snapshot whose verdicts are not waiting on an install: taken again every SETTLING_RECHECK_MS
 * while one is, for at most `maxWaitMs` (then returned as it is, the waiting verdicts saying so). A
 * one-shot answer (`status`) should not report half of an install; it should not hang on a long
 * one either.
 */
export async function takeSettled(
  take: () => Promise<Snapshot>,
  options: { maxWaitMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<Snapshot> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxWaitMs = options.maxWaitMs ?? 20_000;
  let waited = 0;
  let snapshot = await take();
  while (settling(snapshot) && waited < maxWaitMs) {
    const step = Math.min(SETTLING_RECHECK_MS, maxWaitMs - waited);
    await sleep(step);
    waited += step;
    snapshot = await take();
  }
  return snapshot;
}
