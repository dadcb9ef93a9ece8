import { assertNever } from '../base/assertNever';
import type { Instance } from '../base/model';
import { thisMachine } from '../machine/live';
import type { Machine } from '../machine/types';
import type { ProcessIdentity } from '../pids/identity';
import { EnvironReader, markedPids, ownTreeMark, selectServerTree } from './serverTree';
import { readEnviron } from '../processes/environ';
import { liveIdentityReader, missingIdentityFields, RecordedProcess, ReidentifyRefusal } from '../pids/reidentify';
import { identifyRecorded, RecordedTarget, recordedTarget, runStopLadder, termThenKill } from './stopLadder';
import { ProcessInfo, readProcessTable } from '../pids/table';
import { ProcessTree } from '../processes/tree';

/** Why an action left a process alone: the re-identification rule's reasons, and our ancestors. */
export type RefusalReason = Exclude<ReidentifyRefusal, 'gone'> | 'ancestor'; // a process we run under: killing it would kill us

export type StopStep =
  | { step: 'reidentify'; pid: number; ok: true; detail: string }
  | { step: 'refuse'; pid: number; reason: RefusalReason; detail: string }
  | { step: 'skip'; pid: number; detail: string }
  | { step: 'signal'; pid: number; signal: 'SIGTERM' | 'SIGKILL'; ok: boolean; detail?: string }
  | { step: 'wait'; ms: number; remaining: number[] }
  | { step: 'verify'; ok: boolean; remaining: number[] };

export interface StopResult {
  pid: number;
  /** stopped: every process of its tree is gone; refused: nothing was signalled; gone: it had already exited. */
  outcome: 'stopped' | 'refused' | 'gone' | 'failed';
  reason?: RefusalReason;
  /** One line a person can read: what happened, or why not. */
  message: string;
  steps: StopStep[];
}

/** Whether a stop did what was asked: no process of its tree runs (it stopped, or had already exited). */
export function stopSucceeded(result: Pick<StopResult, 'outcome'>): boolean {
  switch (result.outcome) {
    case 'stopped':
    case 'gone':
      return true;
    case 'refused':
    case 'failed':
      return false;
    default:
      return assertNever(result.outcome);
  }
}

/** What stop needs from the OS: injected so tests can play "another user" or a slow process. */
export interface StopDeps {
  readIdentity(pid: number): Promise<ProcessIdentity | undefined>;
  /** The live process table, to find the server's descendants right before signalling. */
  readTable(): Promise<ProcessInfo[]>;
  /**
   * A process's starting environment (Linux): a server a guard started carries its tree mark there,
   * so what it started that left its tree is found even once the guard is gone. Absent: the tree
   * is found by parent pid alone.
   */
  readEnviron?: EnvironReader;
  kill(pid: number, signal: 'SIGTERM' | 'SIGKILL'): void;
  getuid(): number | undefined;
  selfPid: number;
  /** Our ancestors' pids (we never signal them). */
  ancestorPids(): Promise<Set<number>>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface StopOptions {
  /** How long processes get to exit after SIGTERM before SIGKILL. Default 5 s. */
  graceMs?: number;
  /** How long to wait for the kernel to remove processes after SIGKILL. Default 2 s. */
  killWaitMs?: number;
  pollMs?: number;
}

export const DEFAULT_GRACE_MS = 5000;

export function defaultStopDeps(machine: Machine = thisMachine()): StopDeps {
  const readTable = async () => {
    const t = await readProcessTable(machine);
    if (t.state !== 'ok') throw new Error(t.reason);
    return t.processes;
  };
  return {
    readIdentity: liveIdentityReader(machine),
    readTable,
    readEnviron: (pid) => readEnviron(pid, machine),
    kill: (pid, signal) => process.kill(pid, signal),
    getuid: () => process.getuid?.(),
    selfPid: process.pid,
    ancestorPids: async () => new Set(new ProcessTree(await readTable()).ancestors(process.pid).map((p) => p.pid)),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
  };
}

/** The part of an instance that re-identifies it (all of it is in `status --json`). */
export type InstanceIdentity = Pick<Instance, 'pid' | 'startTime' | 'commandHash' | 'launcherChain'>;

type Check = { ok: true; live: ProcessIdentity } | { ok: false; reason: RefusalReason | 'gone'; detail: string };

/** Whether a live pid is still the process the snapshot saw, and one we may signal (stopLadder.ts). */
async function reidentify(
  pid: number,
  expected: Omit<RecordedProcess, 'pid'>,
  deps: StopDeps,
  ancestors: ReadonlySet<number>,
): Promise<Check> {
  const r = await identifyRecorded({ ...expected, pid }, deps, ancestors);
  return r.ok ? r : { ok: false, ...r.refusal };
}

/**
 * Stops one instance and the processes of its launch: re-identifies it (reidentify.ts: pid + exact
 * start + command line hash + current user; a missing field refuses), sends SIGTERM to the launcher chain, the server and its descendants, waits
 * up to the grace period, sends SIGKILL to what is left (each re-checked first), and verifies that
 * everything is gone. Never throws for an OS answer: every outcome is in the result, step by step.
 */
export async function stopInstance(
  instance: InstanceIdentity,
  deps: StopDeps,
  options: StopOptions = {},
): Promise<StopResult> {
  const steps: StopStep[] = [];
  const ancestors = await deps.ancestorPids();

  const main = await reidentify(instance.pid, instance, deps, ancestors);
  if (!main.ok) return notStopped(instance.pid, main, steps);
  steps.push({
    step: 'reidentify',
    pid: instance.pid,
    ok: true,
    detail: `pid ${instance.pid}, started ${new Date(main.live.startTime).toISOString()}, same command line, current user`,
  });

  // Every target carries the full identity of reidentify.ts and is re-identified before each signal.
  const server: RecordedProcess = {
    pid: instance.pid,
    startTime: main.live.startTime,
    commandHash: instance.commandHash,
    ...(main.live.linux ? { linux: main.live.linux } : {}),
  };
  const table = await readTree(instance.pid, deps, steps);
  const launchers = await launcherTargets(instance, table, deps, ancestors, steps);
  const descendants = table
    ? serverDescendants({ pid: instance.pid, startTime: main.live.startTime }, table, deps, ancestors, steps)
    : [];
  const targets = [...descendants, server, ...launchers];

  const left = await signalTargets(targets, deps, ancestors, options, steps);
  const ok = left.length === 0;
  steps.push({ step: 'verify', ok, remaining: left });
  return ok
    ? {
        pid: instance.pid,
        outcome: 'stopped',
        message: `stopped pid ${instance.pid} (${targets.length} process${targets.length === 1 ? '' : 'es'})`,
        steps,
      }
    : { pid: instance.pid, outcome: 'failed', message: `pid(s) ${left.join(', ')} still running after SIGKILL`, steps };
}

/** The server failed its re-identification: it had exited (gone), or is not one we may signal (refused). */
function notStopped(pid: number, check: Extract<Check, { ok: false }>, steps: StopStep[]): StopResult {
  if (check.reason === 'gone') {
    steps.push({ step: 'skip', pid, detail: check.detail });
    return { pid, outcome: 'gone', message: check.detail, steps };
  }
  steps.push({ step: 'refuse', pid, reason: check.reason, detail: check.detail });
  return { pid, outcome: 'refused', reason: check.reason, message: `refused: ${check.detail}`, steps };
}

/** The live process table; undefined (and a step saying why) when it cannot be read: the server alone is stopped. */
async function readTree(pid: number, deps: StopDeps, steps: StopStep[]): Promise<ProcessTree | undefined> {
  try {
    return new ProcessTree(await deps.readTable());
  } catch (err) {
    steps.push({
      step: 'skip',
      pid,
      detail: `launchers and descendants could not be listed: ${err instanceof Error ? err.message : String(err)}`,
    });
    return undefined;
  }
}

/**
 * The launcher chain (npx, sh, uv...) goes too, but only a launcher re-identified exactly by the
 * one rule (pid, exact start, the command line hash the snapshot recorded, current user) that is,
 * right now, an ancestor of the server just re-identified. A saved snapshot is input: a step that
 * lacks a field names no process, and the server is still stopped without it.
 */
async function launcherTargets(
  instance: InstanceIdentity,
  table: ProcessTree | undefined,
  deps: StopDeps,
  ancestors: ReadonlySet<number>,
  steps: StopStep[],
): Promise<RecordedProcess[]> {
  const targets: RecordedProcess[] = [];
  const liveAncestors = new Set((table?.ancestors(instance.pid) ?? []).map((p) => p.pid));
  for (const step of [...(Array.isArray(instance.launcherChain) ? instance.launcherChain : [])].reverse()) {
    const recorded: Partial<RecordedProcess> = {
      pid: step?.pid,
      startTime: step?.startTime,
      commandHash: step?.commandHash,
    };
    const missing = missingIdentityFields(recorded);
    const c: Check =
      missing.length > 0
        ? {
            ok: false,
            reason: 'missing-identity',
            detail: `the snapshot's launcher step has no ${missing.join(', no ')}, so it cannot be re-identified`,
          }
        : !liveAncestors.has(step.pid)
          ? { ok: false, reason: 'gone', detail: `pid ${step.pid} is no longer an ancestor of pid ${instance.pid}` }
          : await reidentify(step.pid, recorded as RecordedProcess, deps, ancestors);
    if (c.ok) {
      targets.push({
        pid: step.pid,
        startTime: c.live.startTime,
        commandHash: step.commandHash,
        ...(c.live.linux ? { linux: c.live.linux } : {}),
      });
      steps.push({ step: 'reidentify', pid: step.pid, ok: true, detail: `launcher pid ${step.pid}` });
    } else
      steps.push({
        step: 'skip',
        pid: Number.isInteger(step?.pid) ? step.pid : 0,
        detail: `launcher pid ${String(step?.pid)} left alone: ${c.detail}`,
      });
  }
  return targets;
}

/**
 * Descendants of the server, read before any signal (serverTree.ts): they are its work. A server
 * a guard started carries its own tree mark, and what it started that left its tree (a daemon that
 * forked twice) carries it too: found by it, so a leftover whose guard is gone goes whole.
 */
function serverDescendants(
  server: { pid: number; startTime: number },
  table: ProcessTree,
  deps: StopDeps,
  ancestors: ReadonlySet<number>,
  steps: StopStep[],
): RecordedProcess[] {
  const uid = deps.getuid();
  const envOf = deps.readEnviron;
  const mark = envOf ? ownTreeMark(table.processes, server.pid, envOf) : undefined;
  const marked =
    envOf && mark !== undefined
      ? markedPids(table.processes, mark, server.startTime, uid, envOf, server.pid)
      : undefined;
  const tree = selectServerTree(table.processes, server, { uid, selfPid: deps.selfPid, ancestors }, marked);
  for (const left of tree.leftAlone) steps.push({ step: 'skip', pid: left.pid, detail: left.detail });
  return tree.members;
}

/** TERM, grace, KILL: each target re-identified right before each signal (stopLadder.ts). The pids still running. */
async function signalTargets(
  targets: readonly RecordedProcess[],
  deps: StopDeps,
  ancestors: ReadonlySet<number>,
  options: StopOptions,
  steps: StopStep[],
): Promise<number[]> {
  const pidOf = (t: RecordedTarget) => t.record.pid as number;
  const result = await runStopLadder(
    targets.map((t) => recordedTarget(t, { deps, ancestors })),
    termThenKill(options.graceMs ?? DEFAULT_GRACE_MS, options.killWaitMs ?? 2000),
    {
      sleep: deps.sleep,
      now: deps.now,
      pollMs: options.pollMs ?? 100,
      onSignalError: 'wait',
      onRefused: (t, signal, r) =>
        steps.push({ step: 'skip', pid: pidOf(t), detail: `${signal} not sent: ${r.detail}` }),
      onSignalled: (t, signal) => steps.push({ step: 'signal', pid: pidOf(t), signal, ok: true }),
      onSignalFailed: (t, signal, err) => {
        const code = (err as NodeJS.ErrnoException).code;
        steps.push({
          step: 'signal',
          pid: pidOf(t),
          signal,
          ok: code === 'ESRCH',
          detail: code === 'ESRCH' ? 'already exited' : String((err as Error).message),
        });
      },
      onWaited: (stage, ms, remaining) => {
        if (stage === 'SIGTERM') steps.push({ step: 'wait', ms, remaining: remaining.map(pidOf) });
      },
    },
  );
  return result.outcome === 'survived' ? result.remaining.map(pidOf) : [];
}
