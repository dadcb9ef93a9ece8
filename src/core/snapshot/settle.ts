import type { Snapshot } from '../base/model';
import { SETTLE_MS } from '../versions/judge';

/** Whether some instance's version judgement waits for files that are still changing (an install running). */
export function settling(s: Snapshot): boolean {
  return [...s.servers.flatMap((x) => x.instances), ...s.notConfigured].some(
    (i) => i.versions?.verdict.state === 'unknown' && i.versions.verdict.settling === true,
  );
}

/**
 * A snapshot whose verdicts are not waiting on an install: taken again after the settle time while
 * one is, for at most `maxWaitMs` (then returned as it is, the waiting verdicts saying so). A
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
    const step = Math.min(SETTLE_MS, maxWaitMs - waited);
    await sleep(step);
    waited += step;
    snapshot = await take();
  }
  return snapshot;
}
