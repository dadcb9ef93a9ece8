/**
 * The scheduling core of the refresh manager, without VS Code: automatic requests are debounced,
 * manual ones run at once, one load runs at a time, and requests made while a load waits to start
 * join it (so a burst of file events costs one snapshot).
 */
export class RefreshQueue {
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly load: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly debounceMs: number,
  ) {}

  /** Runs a load soon; calls within `debounceMs` of each other make one. */
  soon(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.now(), this.debounceMs);
  }

  /** Runs a load as soon as the current one (if any) ends; resolves when it is done. */
  now(): Promise<void> {
    if (this.closed) return Promise.resolve();
    clearTimeout(this.debounce);
    if (this.queued) return this.queued;
    const run = this.chain.then(async () => {
      this.queued = undefined;
      try {
        await this.load();
      } catch (err) {
        this.onError(err);
      }
    });
    this.queued = run;
    this.chain = run;
    return run;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.debounce);
  }
}
