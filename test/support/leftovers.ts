/**
 * What a test run left in its private temp folder, judged from a listing alone (no file system
 * here), so the judgement itself can be tested. The root hook in tempRoot.ts lists and acts on it.
 */
export type LeftoverCheck = { state: 'clean' } | { state: 'left'; count: number; names: string };

/** tsx keeps its compile cache in the temp folder (tsx-<uid>): the runner's, not a test's. */
const RUNNER_OWN = /^tsx-\d+$/;

/**
 * The leftovers among `entries` (the names in the run's temp folder), grouped by prefix: mkdtemp's
 * six random characters are dropped, so the prefix names the test that made the folder.
 */
export function checkLeftovers(entries: readonly string[]): LeftoverCheck {
  const left = entries.filter((name) => !RUNNER_OWN.test(name));
  if (left.length === 0) return { state: 'clean' };
  const byPrefix = new Map<string, number>();
  for (const name of left) {
    const prefix = name.replace(/[A-Za-z0-9]{6}$/, '*');
    byPrefix.set(prefix, (byPrefix.get(prefix) ?? 0) + 1);
  }
  const names = [...byPrefix].map(([prefix, n]) => (n > 1 ? `${prefix} (${n})` : prefix)).join(', ');
  return { state: 'left', count: left.length, names };
}

/** The names in `after` that were not in `before` (a folder's listing at the start and the end of a run). */
export function appeared(before: ReadonlySet<string>, after: readonly string[]): string[] {
  return after.filter((name) => !before.has(name)).sort();
}

/** A process as a listing shows it: its pid and its command line (arguments joined by spaces). */
export interface ListedProcess {
  pid: number;
  cmdline: string;
}

/**
 * The processes a test run left running: those whose command line names the run's private temp
 * folder (every home, project and server a test makes lives there), never the runner itself. One
 * left holding a pipe of the runner keeps mocha from ever exiting, so a failed test's leftover
 * would hang the run instead of failing it.
 */
export function leftoverProcesses(listed: readonly ListedProcess[], runTemp: string, self: number): ListedProcess[] {
  const inRun = `${runTemp.replace(/\/$/, '')}/`;
  return listed.filter((p) => p.pid !== self && p.cmdline.includes(inRun));
}
