import { describeLaunch } from '../../core/launch/describe';
import { splitShellWords } from '../../core/launch/shellWords';
import { VmInstance, VmSnapshot } from '../../core/report/input';

/**
 * The "Not configured" group: processes that look like MCP servers but match no entry. A process
 * younger than a few seconds is left out (a client may be starting it, and the next snapshot
 * matches it), and each row says what the process is: its package, else its program.
 */

/** Younger than this at the snapshot, a process is not listed yet. */
export const SETTLE_MS = 5_000;

export function visibleNotConfigured(snapshot: Pick<VmSnapshot, 'takenAt' | 'notConfigured'>): VmInstance[] {
  const at = Date.parse(snapshot.takenAt);
  return snapshot.notConfigured.filter(
    (i) => i.startTime === undefined || !Number.isFinite(at) || at - i.startTime >= SETTLE_MS,
  );
}

/** Polled while anything is configured or listed: a listed process that exits must leave the view. */
export function shouldPoll(snapshot: Pick<VmSnapshot, 'notConfigured'> & { servers: readonly unknown[] }): boolean {
  return snapshot.servers.length > 0 || snapshot.notConfigured.length > 0;
}

/** What a process is, in a few words, from its (redacted) command line: the core's launch parser reads it. */
export function describeProgram(commandLine: string | undefined): string | undefined {
  return commandLine ? describeLaunch(splitShellWords(commandLine)) : undefined;
}
