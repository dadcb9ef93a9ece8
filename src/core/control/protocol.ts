/**
 * The guard's control protocol: one JSON request line, one JSON reply line, then the connection
 * closes. Spoken over a Unix domain socket in the user-private lock dir (a named pipe on Windows),
 * so only the user who runs the guard can connect.
 */

export type ControlRequest =
  | { op: 'status' }
  | { op: 'shutdown'; reason?: string }
  | ({ op: 'restart'; reason?: string } & RestartAsk)
  | AttachRequest;

/** How a restart is asked for, besides why. */
export interface RestartAsk {
  /** Restart even when the installed code will probably not start (a guard refuses that otherwise). */
  force?: boolean;
  /**
   * `none`: do not start the installed server beside the serving one first (a per-server choice),
   * even when the guard's entry declares `--restart-check probe`. No ask makes a guard probe: only its entry.
   */
  check?: 'none';
}

/**
 * `--on-conflict share`: a relay guard asks the holder to serve its client. After the `ok` reply the
 * connection stays open and carries that client's JSON-RPC messages, one per line, both ways.
 */
export interface AttachRequest {
  op: 'attach';
  /** The relay's process id and start time (as the lock protocol records them): the lock record lists it. */
  pid: number;
  startTime: number;
}

/**
 * One client of a shared server, as the holder's lock record lists it: a relay (`--on-conflict
 * share`, pid and start time always known), or a client of an HTTP guard (pid and start time only
 * when the process at the other end of its connection was found exactly).
 */
export interface AttachedClient {
  pid?: number;
  startTime?: number;
  /** The client's name from its `initialize` clientInfo (or a 2026-07-28 request's `_meta`), once it said it. */
  clientName?: string;
}

export type ControlOp = ControlRequest['op'];

/** What `status` reports: enough for the CLI and the extension to show a guarded instance. */
export interface GuardStatus {
  guardPid: number;
  serverName: string;
  /** The running child's pid, when one runs. */
  childPid?: number;
  state: string;
  /** Client requests the server has not answered yet. */
  inFlight: number;
  restarts: number;
  startedAt: string;
  childStartedAt?: string;
  /** The running child's package version as recorded at its start, when known. */
  runningVersion?: string;
  /** A one-line reason when the guard gave up restarting (crash loop): the server is down. */
  failure?: string;
  /** While down: the server's last stderr lines, masked (core/locks ServerDown.output). */
  lastOutput?: string[];
  /** Under `--on-conflict share`: every client the one server serves, oldest first. */
  attached?: AttachedClient[];
}

export interface GuardRestartReply {
  childPid: number;
  restarts: number;
}

export type ControlReply<T = unknown> = { ok: true; result: T } | { ok: false; error: string };

const OPS: readonly ControlOp[] = ['status', 'shutdown', 'restart', 'attach'];

/** Parses one request line; a bad line yields a message for the reply instead of a throw. */
export function parseControlRequest(
  line: string,
): { ok: true; request: ControlRequest } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, error: `request is not JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, error: 'request must be a JSON object' };
  const { op, reason } = value as { op?: unknown; reason?: unknown };
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
    return { ok: false, error: `unknown op ${JSON.stringify(op)}; expected one of ${OPS.join(', ')}` };
  }
  if (reason !== undefined && typeof reason !== 'string') return { ok: false, error: 'reason must be a string' };
  if (op === 'attach') {
    const { pid, startTime } = value as { pid?: unknown; startTime?: unknown };
    if (!Number.isInteger(pid) || (pid as number) <= 0) return { ok: false, error: 'attach needs a pid' };
    if (typeof startTime !== 'number') return { ok: false, error: 'attach needs a startTime' };
    return { ok: true, request: { op, pid: pid as number, startTime } };
  }
  if (op === 'status') return { ok: true, request: { op } };
  if (op === 'restart') {
    const { force, check } = value as { force?: unknown; check?: unknown };
    if (force !== undefined && typeof force !== 'boolean') return { ok: false, error: 'force must be a boolean' };
    if (check !== undefined && check !== 'none') return { ok: false, error: 'check must be "none"' };
    return {
      ok: true,
      request: {
        op,
        ...(reason !== undefined ? { reason } : {}),
        ...(force === true ? { force } : {}),
        ...(check === 'none' ? { check } : {}),
      },
    };
  }
  return {
    ok: true,
    request: reason === undefined ? { op: op as 'shutdown' | 'restart' } : { op: op as 'shutdown' | 'restart', reason },
  };
}
