import * as path from 'node:path';
import { ControlServer, startControlServer } from '../../core/control';
import { ensureLockDir, HeldLock } from '../../core/locks';
import type * as net from 'node:net';
import type { AttachRequest, GuardStatus, RestartAsk, GuardRestartReply } from '../../core/control/protocol';

/** What the control endpoint asks of a guard host. */
export interface ControlledGuard {
  status(): GuardStatus;
  shutdown(reason: string): Promise<void>;
  restart(reason: string, ask?: RestartAsk): Promise<GuardRestartReply>;
  /** `--on-conflict share`: a relay's client attaches (share/hub.ts). */
  attach?(socket: net.Socket, request: AttachRequest, rest: string): void;
}

/**
 * Serves the guard's control endpoint (status, shutdown, restart). When it cannot listen, the
 * lock still keeps a second instance out; the record stops naming the endpoint, and `lost` says
 * in the log what no longer reaches this guard.
 */
export async function serveControl(
  endpoint: string,
  guard: ControlledGuard,
  lock: HeldLock,
  log: (line: string) => void,
  lost: string,
): Promise<ControlServer | undefined> {
  try {
    // The endpoint may be a short fallback path outside the lock dir; it gets the same checks.
    if (process.platform !== 'win32') await ensureLockDir(path.dirname(endpoint));
    return await startControlServer(
      endpoint,
      {
        status: () => guard.status(),
        shutdown: (reason) => {
          void guard.shutdown(`asked over the control endpoint${reason ? `: ${reason}` : ''}`);
        },
        restart: (reason, ask) => guard.restart(reason ?? 'asked over the control endpoint', ask),
        ...(guard.attach ? { attach: guard.attach.bind(guard) } : {}),
      },
      process.platform,
    );
  } catch (err) {
    log(`no control endpoint at ${endpoint}: ${(err as Error).message}; ${lost}`);
    await lock
      .update({ control: undefined })
      .catch((e: Error) => log(`could not update ${lock.lockPath}: ${e.message}`));
    return undefined;
  }
}
