import type { ChildProcess } from 'node:child_process';
import type { ProcessIdentity } from '../pids/identity';
import { liveReidentifyDeps, RecordedProcess, reidentify, ReidentifyDeps, ReidentifyRefusal } from '../pids/reidentify';
import { pollUntil } from '../base/pollUntil';

/**
 * The one way a process is stopped: an optional "ask" (stdin EOF, a shutdown over a control
 * endpoint), then SIGTERM, then SIGKILL, each followed by its wait, and every signal preceded by a
 * check that the target is still exactly the process meant. What a target is (a recorded pid,
 * re-identified by reidentify.ts; or our own child's handle) is abstracted in StopTarget.
 */

export type LadderSignal = 'SIGTERM' | 'SIGKILL';

export type LadderStage =
  /**
   * A request the process may honour; nothing is signalled, so nothing is checked first. With
   * `waitFor: 'first'` the wait is for the first target alone (a server asked to end, whose
   * descendants were not asked and get the signals that follow once it has gone).
   */
  | { kind: 'ask'; ask(): void | Promise<void>; waitMs: number; waitFor?: 'all' | 'first' }
  /** `waitMs` may be Infinity (an own child is always reaped, so waiting for it ends). */
  | { kind: 'signal'; signal: LadderSignal; waitMs: number };

export type StageName = 'ask' | LadderSignal;

/** The signal stages every stop ends with: TERM and its grace, then KILL and the wait for the kernel. */
export function termThenKill(graceMs: number, killWaitMs: number): LadderStage[] {
  return [
    { kind: 'signal', signal: 'SIGTERM', waitMs: graceMs },
    { kind: 'signal', signal: 'SIGKILL', waitMs: killWaitMs },
  ];
}

export type Identified<R> = { ok: true } | { ok: false; refusal: R };

export interface StopTarget<R> {
  /** Right before each signal: whether this is still exactly the process to stop, or why not. */
  identify(): Promise<Identified<R>>;
  /** Sends the signal; throws as process.kill does. */
  signal(signal: LadderSignal): void;
  /** Whether it has gone; polled while waiting unless `exited` is given. */
  isGone(): Promise<boolean>;
  /** Resolves once it has gone: an own child is awaited instead of polled. */
  readonly exited?: Promise<unknown>;
}

/** What a target's check says when it refuses. */
export type RefusalOf<T> = T extends StopTarget<infer R> ? R : never;

export interface LadderOptions<T, R> {
  /** Polling for targets without `exited` (pollUntil); injectable so tests run on a fake clock. */
  sleep?(ms: number): Promise<void>;
  now?(): number;
  /** The longest pause between two checks of a target without `exited`. */
  pollMs?: number;
  /**
   * A signal that throws: 'end' stops the ladder there (a verified process we cannot signal has
   * exited, or will not be stopped by us); 'wait' keeps the target and lets the wait judge it.
   */
  onSignalError?: 'end' | 'wait';
  onRefused?(target: T, signal: LadderSignal, refusal: R): void;
  onSignalled?(target: T, signal: LadderSignal): void;
  onSignalFailed?(target: T, signal: LadderSignal, error: unknown): void;
  /** After each stage's wait: how long it took and what is left. */
  onWaited?(stage: StageName, ms: number, remaining: T[]): void;
}

export type LadderResult<T, R> =
  /** Every target had gone by the end of this stage's wait. */
  | { outcome: 'stopped'; stage: StageName }
  /** The last targets left failed their check before this signal, which was then never sent. */
  | { outcome: 'refused'; stage: LadderSignal; refusal: R }
  | { outcome: 'signal-failed'; stage: LadderSignal; error: unknown }
  /** Still there after the last stage's wait. */
  | { outcome: 'survived'; remaining: T[] };

/** Runs the stages in order over the targets until none is left. */
export async function runStopLadder<T extends StopTarget<unknown>>(
  targets: readonly T[],
  stages: readonly LadderStage[],
  options: LadderOptions<T, RefusalOf<T>> = {},
): Promise<LadderResult<T, RefusalOf<T>>> {
  type R = RefusalOf<T>;
  const now = options.now ?? (() => Date.now());
  const pollMs = options.pollMs ?? 100;
  let left = [...targets];

  const waitGone = async (list: T[], ms: number): Promise<T[]> => {
    if (list.length > 0 && list.every((t) => t.exited)) {
      await exitedWithin(Promise.all(list.map((t) => t.exited)), ms);
    } else {
      // Checked at once and then more and more slowly (up to pollMs apart): most processes go within
      // a few ms of TERM, and are seen to as quickly.
      await pollUntil(
        async () => {
          const gone = await Promise.all(list.map((t) => t.isGone()));
          list = list.filter((_, i) => !gone[i]);
          return list.length === 0 ? true : undefined;
        },
        { deadline: now() + ms, backoff: { maxMs: pollMs }, now, sleep: options.sleep },
      );
      return list;
    }
    const gone = await Promise.all(list.map((t) => t.isGone()));
    return list.filter((_, i) => !gone[i]);
  };

  for (const stage of stages) {
    const name: StageName = stage.kind === 'ask' ? 'ask' : stage.signal;
    let refusal: { value: R } | undefined;
    if (stage.kind === 'ask') await stage.ask();
    else {
      const signalled: T[] = [];
      // Every target checked together right before the signals (between two signals a pid can die
      // and be reused): where the process table names a pid (Windows), one read checks them all.
      const ids = await Promise.all(left.map((t) => t.identify()));
      for (const [i, t] of left.entries()) {
        const id = ids[i];
        if (!id.ok) {
          refusal = { value: id.refusal as R };
          options.onRefused?.(t, stage.signal, id.refusal as R);
          continue;
        }
        try {
          t.signal(stage.signal);
          options.onSignalled?.(t, stage.signal);
        } catch (error) {
          options.onSignalFailed?.(t, stage.signal, error);
          if ((options.onSignalError ?? 'end') === 'end')
            return { outcome: 'signal-failed', stage: stage.signal, error };
        }
        signalled.push(t);
      }
      left = signalled;
      if (left.length === 0 && refusal) {
        options.onWaited?.(name, 0, []);
        return { outcome: 'refused', stage: stage.signal, refusal: refusal.value };
      }
    }
    const started = now();
    if (stage.kind === 'ask' && stage.waitFor === 'first' && left.length > 1) {
      const [first, ...rest] = left;
      const firstLeft = await waitGone([first], stage.waitMs);
      const gone = await Promise.all(rest.map((t) => t.isGone()));
      left = [...firstLeft, ...rest.filter((_, i) => !gone[i])];
    } else left = await waitGone(left, stage.waitMs);
    options.onWaited?.(name, now() - started, left);
    if (left.length === 0) return { outcome: 'stopped', stage: name };
  }
  return { outcome: 'survived', remaining: left };
}

/** Waits for `exited` up to `ms` (Infinity: for as long as it takes), leaving no timer behind. */
function exitedWithin(exited: Promise<unknown>, ms: number): Promise<void> {
  if (ms === Infinity) return exited.then(() => undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void exited.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface TargetRefusal {
  reason: ReidentifyRefusal | 'ancestor'; // a process we run under: killing it would kill us
  detail: string;
}

export interface RecordedTargetDeps extends ReidentifyDeps {
  kill(pid: number, signal: LadderSignal): void;
}

function liveRecordedDeps(): RecordedTargetDeps {
  return { ...liveReidentifyDeps(), kill: (pid, signal) => process.kill(pid, signal) };
}

/** Whether a live pid is still the recorded process, and one we may signal (reidentify.ts, and never an ancestor of ours). */
export async function identifyRecorded(
  record: Partial<RecordedProcess>,
  deps: ReidentifyDeps = liveReidentifyDeps(),
  ancestors: ReadonlySet<number> = new Set(),
): Promise<{ ok: true; live: ProcessIdentity } | { ok: false; refusal: TargetRefusal }> {
  const pid = record.pid ?? 0;
  if (pid > 1 && pid !== deps.selfPid && ancestors.has(pid))
    return { ok: false, refusal: { reason: 'ancestor', detail: `pid ${pid} is an ancestor of this process` } };
  const r = await reidentify(record, deps);
  return r.ok ? r : { ok: false, refusal: { reason: r.reason, detail: r.detail } };
}

export type RecordedTarget = StopTarget<TargetRefusal> & { readonly record: Partial<RecordedProcess> };

/**
 * A process known only from a record: signalled only while reidentify.ts names it exactly, checked
 * again before each signal. It has gone once it no longer re-identifies, unless `isGone` says otherwise.
 */
export function recordedTarget(
  record: Partial<RecordedProcess>,
  options: { deps?: RecordedTargetDeps; ancestors?: ReadonlySet<number>; isGone?(): Promise<boolean> } = {},
): RecordedTarget {
  const deps = options.deps ?? liveRecordedDeps();
  const identify = () => identifyRecorded(record, deps, options.ancestors);
  return {
    record,
    identify,
    signal: (signal) => deps.kill(record.pid as number, signal),
    isGone: options.isGone ?? (async () => !(await identify()).ok),
  };
}

/**
 * Our own child, through its handle: its pid cannot be reused before we reap it, and Node sends
 * nothing once the exit is seen, so the handle names the exact process.
 */
export function childTarget(proc: ChildProcess, exited?: Promise<unknown>): StopTarget<'exited'> {
  const done = () => proc.exitCode !== null || proc.signalCode !== null;
  const whenExited =
    exited ?? (done() ? Promise.resolve() : new Promise<void>((resolve) => proc.once('exit', () => resolve())));
  return {
    identify: async () => (done() ? { ok: false, refusal: 'exited' } : { ok: true }),
    signal: (signal) => void proc.kill(signal),
    isGone: async () => done(),
    exited: whenExited,
  };
}
