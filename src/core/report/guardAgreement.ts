import type { ClientId } from '../base/model';
import type { VmInstance } from './input';

/**
 * How a process and its entry disagree about the guard, when they do: its client started it before
 * Wrap, Share or Unwrap rewrote the entry and keeps it as it started it until it starts the server
 * again. `unguarded`: the entry is wrapped, the process runs without its guard (the engine lists
 * such a process under the entry only when the entry's own client runs it). `guarded`: the entry is
 * unwrapped, the process still runs under the guard its client started, outside the entry's launch
 * (a lock the server holds itself, or another client's guard, is no such state). Either way it stays
 * the entry's, judged as before and counted as running.
 */
export function guardDisagreement(
  i: Pick<VmInstance, 'lock' | 'guardAbove' | 'client'>,
  entry: { wrapped: boolean; client: ClientId },
): 'guarded' | 'unguarded' | undefined {
  const guarded = i.lock !== undefined;
  if (entry.wrapped === guarded) return undefined;
  if (!guarded) return 'unguarded';
  return i.guardAbove === true && i.client.id === entry.client ? 'guarded' : undefined;
}
