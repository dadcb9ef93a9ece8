import type { ChildProcess } from 'node:child_process';
import type { RecordedServerInfo } from '../../core/locks';
import type { ChildExit, ServerChild, StopGrace } from './supervisor';
import type { ProbeResult } from './probe';
import type { GuardLifecycleState } from './lifecycle';
import type { NoticeAudience } from './staleGate';

/**
 * What the host lets a transport see and ask for: its state, the stale gate's verdict on a
 * request, and the news it needs (tools listed, requests all answered).
 */
export interface HostView {
  readonly state: GuardLifecycleState;
  readonly serverName: string;
  log(line: string): void;
  /**
   * The refusal message of the `--when-stale` policy for a client request, or undefined to forward
   * it: a promise only when the policy waits for a verdict (StaleGate.refusal).
   */
  staleRefusal(method: string, params: Record<string, unknown> | undefined): Promise<string | undefined> | undefined;
  /**
   * Under `--when-stale annotate` (and the stale notice under `refuse-writes` and `refuse-all`): the
   * text blocks a `tools/call` result passing now gets appended (staleNotice.ts); empty under other
   * policies or when there is nothing to say. Never waits.
   * `audience`: which client of a shared server the result goes to (absent: the guard's one client).
   */
  toolResultNotices(audience?: NoticeAudience): string[];
  /** The notices went out on a result to `audience` (the update-available one is said once to each). */
  noticesDelivered(audience?: NoticeAudience): void;
  /** The server's tools/list answer passed by: the stale gate learns which tools are read-only. */
  noteTools(tools: unknown[], complete?: boolean): void;
  /** Whether the tools of the child before the last restart are known: the transport may ask the new child for its own to compare. */
  readonly comparesTools: boolean;
  /**
   * A client request is on its way to the server (before it is written). Returns why the guard
   * answers it itself (a poll of a task of a process that was restarted), or undefined to forward it.
   */
  noteRequest(method: string, params: unknown): string | undefined;
  /** The server answered a client request of `method` with `result` (multi-round requests, task handles: openWork.ts). */
  noteResult(method: string, result: unknown): void;
  /** A server notification passed by (a task's status). */
  noteNotification(method: string, params: unknown): void;
  /** The child said who it is through MCP (a modern result's `_meta`, `server/discover`, an `initialize` answer). */
  noteServerInfo(info: RecordedServerInfo): void;
  /** No client request is in flight any more. */
  onIdle(): void;
  /** A line came from the client (`--idle-stop` counts from it; a server stopped for idleness starts again). */
  noteClientMessage(): void;
  /** Calls `listener` on each state change until the returned function is called. */
  onStateChange(listener: (state: GuardLifecycleState) => void): () => void;
}

/**
 * What differs between the transports: how the server is started and reached, how client traffic
 * gets to it, how a restart is made invisible to the client, and how idleness is known. The host
 * does everything else (lifecycle, restarts, crash loop, stale gate, status, control).
 *
 * Nothing here assumes an `initialize`: a transport whose protocol has no handshake to replay
 * simply has nothing to do in `attach`.
 */
export interface GuardTransport<P extends ChildProcess = ChildProcess> {
  /** Called once, before anything else: the host the transport reports to. */
  bind(host: HostView): void;
  /** Starts a child the way this transport talks to it (stdio pipes; a private port). */
  spawn(generation: number): ServerChild<P> | Promise<ServerChild<P>>;
  /**
   * Makes a freshly spawned child serve. `restart` is false for the guard's first child. stdio:
   * replays the client's handshake to a restarted child, if there was one; HTTP: waits until the
   * server answers (sessions are replayed lazily, when a client's request finds its session gone).
   * Rejects with why the child could not serve.
   */
  attach(child: ServerChild<P>, restart: boolean): Promise<void>;
  /**
   * Starts the installed server beside the serving one, asks it what a client would and stops it
   * (probe.ts): before a restart stops the server that serves. Absent: the transport cannot.
   */
  probe?(o: { grace: StopGrace; secrets: ReadonlySet<string> }): Promise<ProbeResult>;
  /** Client requests the server has not answered yet. */
  inFlight(): number;
  /**
   * Whether the client holds something open on the server that is no request in flight (a
   * subscription, a request of the server's awaiting the client's answer): no idle stop then.
   */
  holdsOpen?(): boolean;
  /** Resolves true once no request is in flight (or the child died), false after `timeoutMs`. */
  waitIdle(timeoutMs: number): Promise<boolean>;
  /**
   * The host is about to stop this child. What the guard keeps open on it for the client ends
   * quietly first: a server that sees its stdin close may answer an open subscription with an
   * error, which would end the client's subscription instead of moving it to the next child.
   */
  leaving?(child: ServerChild<P>): void;
  /** The child exited (`stopping`: the host stopped it): what was in flight on it is answered with an error. */
  childExited(child: ServerChild<P>, exit: ChildExit, stopping: boolean): void;
  /**
   * Whether an unexpected exit is worth a restart. stdio: only once the client has a session to
   * keep (before it, the guard behaves like the server and exits with its code); HTTP: always.
   */
  restartsAfterExit(): boolean;
  /** A restart is done: the client may be told that lists may have changed, held traffic goes on. */
  restarted(): void;
  /** The guard failed or is closing: traffic held for a restart is answered with `why`. */
  refuseHeld(why: 'failed' | 'closing', reason: string): void;
  /** The guard is done; stop reading the client. */
  finished(): void;
}
