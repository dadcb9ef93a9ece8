/**
 * Waiting for a condition in tests: poll it, bounded, and say what was awaited when it never held.
 * A check "holds" when it returns anything but undefined, null or false; a check that throws is
 * polled again (a server not up yet refuses the connection) and its last error is named on timeout.
 */
export type Check<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

type Outcome<T> = { state: 'held'; value: T } | { state: 'timedOut'; lastError: unknown };

async function poll<T>(check: Check<T>, timeoutMs: number, everyMs: number): Promise<Outcome<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return { state: 'held', value };
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) return { state: 'timedOut', lastError };
    await sleep(everyMs);
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
