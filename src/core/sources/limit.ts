/**
 * Runs at most `max` tasks at a time, the rest queued in call order. The scan reads every config
 * file through one of these: a folder of 1,500 Continue blocks read all at once ran out of file
 * descriptors (EMFILE), and every file after that was reported unreadable.
 */
export function limitConcurrency(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
