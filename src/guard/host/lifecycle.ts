import type { GuardRestartReply } from '../../core/control/protocol';

/**
 * The guard host's lifecycle, the same for every transport. The child process is not part of the
 * state: it is the host's current child, which may exist in any state (a failed guard's child is
 * gone, a draining guard's child still answers what is in flight).
 *
 * starting    the first child is being brought up (HTTP: until it answers; stdio: at once)
 * running     the child serves the client
 * idle        `--idle-stop`: the child was stopped after a while without requests (or, `--lazy-start`,
 *             none was started yet); the next client message starts one (as a restart does, the
 *             client's session replayed to it)
 * draining    a restart waits for requests in flight on the old child (new ones wait or queue)
 * restarting  the old child is stopped and a new one brought up
 * failed      the child crash-looped or would not come up; only a restart the user asks for leaves it
 * closing     the guard is shutting down: the child is being stopped
 * exited      done, with the exit code the guard reports
 */
export type GuardLifecycleState =
  | { kind: 'starting'; done: Promise<void> }
  | { kind: 'running' }
  | { kind: 'idle'; since: string }
  | { kind: 'draining'; reason: string; done: Promise<GuardRestartReply> }
  | { kind: 'restarting'; reason: string; done: Promise<GuardRestartReply> }
  | { kind: 'failed'; reason: string }
  | { kind: 'closing'; reason: string }
  | { kind: 'exited'; code: number };

export type GuardLifecycleKind = GuardLifecycleState['kind'];

/**
 * Which state may follow which. Anything not listed is a bug in the caller and is refused: a
 * closing guard never goes back to restarting, an exited one never comes back.
 */
export const TRANSITIONS: Readonly<Record<GuardLifecycleKind, readonly GuardLifecycleKind[]>> = {
  // starting -> idle: `--lazy-start`, no server until the first client message.
  starting: ['running', 'failed', 'closing', 'idle'],
  // running -> exited: a stdio server that exits before any session exists ends the guard with its code.
  running: ['draining', 'restarting', 'failed', 'closing', 'exited', 'idle'],
  // idle -> restarting: a client line (or a restart asked for) starts the server again.
  idle: ['restarting', 'closing'],
  draining: ['restarting', 'closing'],
  restarting: ['running', 'failed', 'closing'],
  // failed -> restarting: a restart asked for over the control endpoint (the old child is gone).
  failed: ['restarting', 'closing'],
  closing: ['exited'],
  exited: [],
};

export function isAllowed(from: GuardLifecycleKind, to: GuardLifecycleKind): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Holds the state; `to` is the one place it changes. Listeners hear every change that happened. */
export class Lifecycle {
  private current: GuardLifecycleState;
  private readonly listeners = new Set<(state: GuardLifecycleState) => void>();

  constructor(
    initial: GuardLifecycleState,
    private readonly log: (line: string) => void,
  ) {
    this.current = initial;
  }

  get state(): GuardLifecycleState {
    return this.current;
  }

  get kind(): GuardLifecycleKind {
    return this.current.kind;
  }

  /** Whether the guard is on its way out (or out): nothing new is started any more. */
  get isClosing(): boolean {
    return this.current.kind === 'closing' || this.current.kind === 'exited';
  }

  /** Moves to `next`; returns false (and logs) when the table does not allow it from here. */
  to(next: GuardLifecycleState): boolean {
    const from = this.current.kind;
    if (!isAllowed(from, next.kind)) {
      this.log(`internal: refused the guard state change ${from} -> ${next.kind}`);
      return false;
    }
    this.current = next;
    for (const listener of [...this.listeners]) listener(next);
    return true;
  }

  /** Calls `listener` on each change until the returned function is called. */
  onChange(listener: (state: GuardLifecycleState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
