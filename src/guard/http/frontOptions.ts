import type { HttpLimits } from '../../core/http/limits';
import type { SessionStore } from '../../core/http/sessionStore';
import type { UpstreamAddress } from './exchange';
import type { HttpClients } from './httpClients';

/** Where the front sends requests; `ready` waits while the upstream (re)starts. */
export interface UpstreamTarget {
  /** Resolves with an address that answers, or throws why there is none within `timeoutMs`. */
  ready(timeoutMs: number): Promise<UpstreamAddress>;
  /** A client's message reached the front: `--idle-stop` counts from it, and a server stopped for idleness starts again. */
  noteClientMessage?(): void;
  /** Whether no server runs for want of requests (`--idle-stop`, `--lazy-start`). */
  idle?(): boolean;
}

export interface FrontOptions {
  host: string;
  port: number;
  upstream: UpstreamTarget;
  sessions: SessionStore;
  /** Request bodies above this, of any method, are refused with 413. */
  maxBodyBytes: number;
  /** How long the upstream may take to start answering a request (headers) before the client gets 502. */
  upstreamTimeoutMs: number;
  /** How long a request waits for an upstream that is (re)starting. */
  readyTimeoutMs: number;
  /** Browser origins allowed besides loopback ones. */
  allowedOrigins: readonly string[];
  /** One line of diagnostics. Never given bodies or auth headers. */
  log(line: string): void;
  /** Lower (or raise) the bounds of src/core/http/limits.ts; the defaults apply to what is not given. */
  limits?: Partial<HttpLimits>;
  /** Called each time the last request in flight is over (the stale gate's restart-when-idle waits for it). */
  onIdle?(): void;
  /**
   * `--when-stale annotate`: a `tools/call` arrived (the stale gate checks in the background), and
   * the notices its result gets appended now (staleNotice.ts). Absent under other policies.
   */
  toolResultNotes?: { toolCall(): void; notices(): string[]; delivered(): void };
  /**
   * What the host learns from the traffic (openWork.ts, toolsDiff.ts): each client request before
   * it goes upstream (a string back: the guard answers it with that error instead, GuardErrorCode.TaskLost),
   * and the result and notifications of the answers it wants to see (resultTap.ts).
   */
  work?: {
    request(method: string, params: unknown): string | undefined;
    result(method: string, params: unknown, result: unknown): void;
    notification(method: string, params: unknown): void;
  };
  /** Who the clients are (sessions, and session-less clients by name): the lock record lists them. */
  clients?: HttpClients;
}
