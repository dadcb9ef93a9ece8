import { controlShutdown, ControlUnreachableError } from '../core/control';
import { acquireLock, AcquireOptions, HeldLock, LockRecord } from '../core/locks';

/** What a guard does when another live process holds its server's lock. */
export type ConflictPolicy = 'refuse' | 'replace' | 'wait' | 'share';
export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ['refuse', 'replace', 'wait', 'share'];

export type GuardLockResult =
  | { kind: 'acquired'; lock: HeldLock; tookOverFrom?: LockRecord; takeoverReason?: string }
  /** `share`: a live holder that shares its server; attach to it at `endpoint`. */
  | { kind: 'attach'; holder: LockRecord; endpoint: string }
  | { kind: 'refused'; message: string }
  | { kind: 'error'; message: string };

export interface GuardLockOptions extends AcquireOptions {
  onConflict: ConflictPolicy;
  /** How long `wait` and `replace` wait for the holder to go. */
  timeoutMs: number;
  pollMs?: number;
  log(line: string): void;
}

/** Acquires the server's lock, resolving a live holder by the `--on-conflict` policy. */
export async function acquireGuardLock(opts: GuardLockOptions): Promise<GuardLockResult> {
  const pollMs = opts.pollMs ?? 100;
  const deadline = Date.now() + opts.timeoutMs;
  let askedToStop: number | undefined;
  let saidWaiting = false;
  for (;;) {
    const r = await acquireLock(opts);
    if (r.kind !== 'held') return r;
    const holder = r.holder;
    // The resource names what the two would share (a palace, a database): the record's, masked as written.
    const who = `${holder.serverName} is already running under pid ${holder.pid} (lock ${r.lockPath}) for resource ${holder.resourceKey}`;
    if (opts.onConflict === 'refuse') {
      return {
        kind: 'refused',
        message: `${who}; not starting a second instance (--on-conflict replace, wait or share changes this)`,
      };
    }
    if (opts.onConflict === 'share') {
      if (holder.share !== true)
        return {
          kind: 'refused',
          message: `${who}, started without --on-conflict share: it does not share its server; start every client's guard of this server with --on-conflict share`,
        };
      if (!holder.control)
        return { kind: 'refused', message: `${who} and has no control endpoint, so it cannot share its server` };
      return { kind: 'attach', holder, endpoint: holder.control };
    }
    if (opts.onConflict === 'replace' && askedToStop !== holder.pid) {
      askedToStop = holder.pid;
      if (!holder.control)
        return { kind: 'refused', message: `${who} and has no control endpoint, so it cannot be asked to stop` };
      try {
        const reply = await controlShutdown(holder.control, `replaced by pid ${process.pid}`, {
          timeoutMs: opts.timeoutMs,
        });
        if (!reply.ok) return { kind: 'refused', message: `${who} and refused to stop: ${reply.error}` };
        opts.log(`asked pid ${holder.pid} to stop; waiting for it to release ${r.lockPath}`);
      } catch (err) {
        const why =
          err instanceof ControlUnreachableError ? 'its control endpoint does not answer' : (err as Error).message;
        return { kind: 'refused', message: `${who} and cannot be asked to stop: ${why}` };
      }
    }
    if (opts.onConflict === 'wait' && !saidWaiting) {
      saidWaiting = true;
      opts.log(`${who}; waiting up to ${Math.round(opts.timeoutMs / 1000)} s for it to go`);
    }
    if (Date.now() >= deadline) {
      return { kind: 'refused', message: `${who}; it did not go within ${Math.round(opts.timeoutMs / 1000)} s` };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
