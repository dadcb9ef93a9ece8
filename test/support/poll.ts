/**
 * Waiting for a condition in tests: poll it, bounded, and say what was awaited when it never held.
 * A check "holds" when it returns anything but undefined, null or false; a check that throws is
 * polled again (a server not up yet refuses the connection) and its last error is named on timeout.
 */
export type Check<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

type Outcome<T> = { state: 'held'; value: T } | { state: 'timedOut'; lastError: unknown };

/** What the run's polls cost: checks made and the time spent in them (printed at the end of a run). */
export const pollCost = { checks: 0, ms: 0 };

async function poll<T>(check: Check<T>, timeoutMs: number, everyMs: number): Promise<Outcome<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const started = Date.now();
    pollCost.checks++;
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return { state: 'held', value };
    } catch (err) {
      lastError = err;
    } finally {
      pollCost.ms += Date.now() - started;
    }
    const now = Date.now();
    if (now >= deadline) return { state: 'timedOut', lastError };
    // A check that runs a process (a whole CLI, a status) costs a processor for as long as it takes:
    // the pause after it is at least twice that, so a wait costs at most a third of one processor and
    // leaves the rest to the tests running beside it. A cheap check is polled every `everyMs`.
    await sleep(Math.min(Math.max(everyMs, 2 * (now - started)), deadline - now));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it holds and returns its value; fails after `timeoutMs`, naming `what` (a
 * function when the message should tell what was last seen).
 */
export async function until<T>(
  what: string | (() => string),
  check: Check<T>,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const outcome = await poll(check, timeoutMs, everyMs);
  if (outcome.state === 'held') return outcome.value;
  const last =
    outcome.lastError === undefined
      ? ''
      : ` (last error: ${outcome.lastError instanceof Error ? outcome.lastError.message : String(outcome.lastError)})`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${last}`);
}

/** Polls `check` until it holds or `timeoutMs` pass; returns whether it held (for teardown, which goes on either way). */
export async function waitUntil(check: Check<unknown>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  return (await poll(check, timeoutMs, everyMs)).state === 'held';
}
