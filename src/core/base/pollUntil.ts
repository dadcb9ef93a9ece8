/**
 * The one way the product waits for something to happen that nothing tells it about: a process
 * going after a signal, a guard starting to answer, a port opening. It asks at once, then after
 * pauses that grow (a quick answer is seen quickly; a slow one is not asked about hundreds of times),
 * and never sleeps past its deadline.
 */

/** The pauses between two tries: the first, how each grows from the last, the longest. */
export interface Backoff {
  firstMs: number;
  factor: number;
  maxMs: number;
}

/** 25, 50, 100, 200, 200, ... ms. */
export const DEFAULT_BACKOFF: Backoff = { firstMs: 25, factor: 2, maxMs: 200 };

export interface PollOptions {
  /** When to give up, on `now`'s clock; Infinity asks for as long as it takes. */
  deadline: number;
  backoff?: Partial<Backoff>;
  /** Injectable, so tests run on a fake clock. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What a wait ended with: the answer, or the deadline passed (after `tries` tries, the last at or after it). */
export type Polled<T> = { kind: 'done'; value: T } | { kind: 'timeout'; tries: number };

/**
 * Asks `attempt` until it answers (anything but `undefined`) or the deadline passes. The last try is
 * made at the deadline, so a wait of N ms sees what happened within N ms.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T | undefined> | T | undefined,
  options: PollOptions,
): Promise<Polled<T>> {
  const { firstMs, factor, maxMs } = { ...DEFAULT_BACKOFF, ...options.backoff };
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let pause = Math.min(firstMs, maxMs);
  for (let tries = 1; ; tries++) {
    const value = await attempt();
    if (value !== undefined) return { kind: 'done', value };
    const left = options.deadline - now();
    if (left <= 0) return { kind: 'timeout', tries };
    await sleep(Math.min(pause, left));
    pause = Math.min(pause * factor, maxMs);
  }
}
