import type { Readable, Writable } from 'node:stream';
import { AttachDroppedError, ControlUnreachableError } from '../../core/control/client';
import { readHolder } from '../../core/locks/inspect';
import type { ServerIdentity } from '../../core/locks/types';
import { runShareRelay } from './relay';

export interface ShareClientOptions {
  identity: ServerIdentity;
  lockDir: string;
  /** This process's start time, as the lock protocol records it (the holder lists its clients by it). */
  startTime: number;
  conflictTimeoutMs: number;
  stdin: Readable;
  stdout: Writable;
  log(line: string): void;
  /** Starts the detached share host (the CLI knows how); returns how it ended, once it did. */
  startShareHost?(): { exit(): string | undefined; log?: string };
}

/**
 * A client's guard under `--on-conflict share`: attaches to the live sharing holder of its server
 * (starting the detached share host when nobody holds it) and relays its client's lines to it.
 */
export async function runShareClient(opts: ShareClientOptions): Promise<number> {
  const { identity, startTime, log } = opts;
  const deadline = Date.now() + opts.conflictTimeoutMs;
  let host: { exit(): string | undefined; log?: string } | undefined;
  for (;;) {
    const found = await readHolder({ dir: opts.lockDir, identity });
    if (found.state === 'live') {
      const holder = found.record;
      const who = `${holder.serverName} is already running under pid ${holder.pid} for resource ${holder.resourceKey}`;
      if (holder.share !== true) {
        log(
          `${who}, started without --on-conflict share: it does not share its server; start every client's guard of this server with --on-conflict share`,
        );
        return 1;
      }
      if (!holder.control) {
        log(`${who} and has no control endpoint, so it cannot share its server`);
        return 1;
      }
      try {
        return await runShareRelay({
          endpoint: holder.control,
          pid: process.pid,
          startTime,
          stdin: opts.stdin,
          stdout: opts.stdout,
          log,
          timeoutMs: Math.max(1000, deadline - Date.now()),
        });
      } catch (err) {
        // A host still starting listens in a moment; one that is stopping (or died while it answered,
        // e.g. its server could not start) lets go of the lock, and the next read of it says which.
        const retry =
          err instanceof ControlUnreachableError ||
          err instanceof AttachDroppedError ||
          /stopping/.test((err as Error).message);
        if (!retry || Date.now() >= deadline) {
          log(`could not share the server of pid ${holder.pid}: ${(err as Error).message}`);
          return 1;
        }
      }
    } else if (found.state !== 'unreadable') {
      // Free, or its holder is dead: a share host takes it (one wins should several start one).
      const ended = host?.exit();
      // A host that exited 0 lost the lock to another one (since gone, e.g. its last client left): start anew.
      if (ended === 'exited with code 0') host = undefined;
      else if (ended) {
        log(
          `the share host of ${identity.serverName} ${ended} before serving${host?.log ? ` (its log: ${host.log})` : ''}`,
        );
        return 1;
      }
      if (!host) {
        if (!opts.startShareHost) {
          log('--on-conflict share cannot start a share host here');
          return 1;
        }
        host = opts.startShareHost();
      }
    }
    if (Date.now() >= deadline) {
      log(`${identity.serverName} was not shared within ${Math.round(opts.conflictTimeoutMs / 1000)} s`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
