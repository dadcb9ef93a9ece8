/**
 * Who waits for "no request in flight" (a restart's drain), for both transports: each wait ends
 * with true once `wake` is called, or false after its timeout, and is forgotten either way (a wait
 * that timed out is not kept for the next wake).
 */
export class IdleWaiters {
  private readonly waiting = new Set<() => void>();

  /** Resolves true at once when `idle` already holds, else at the next wake; false after `timeoutMs`. */
  wait(idle: boolean, timeoutMs: number): Promise<boolean> {
    if (idle) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = (): void => {
        clearTimeout(timer);
        this.waiting.delete(waiter);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiting.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.waiting.add(waiter);
    });
  }

  /** Nothing is in flight any more (or the child is gone): every wait ends with true. */
  wake(): void {
    for (const waiter of [...this.waiting]) waiter();
  }

  /** Waits not ended yet. */
  get size(): number {
    return this.waiting.size;
  }
}
