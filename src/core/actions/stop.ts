import type { Instance } from '../model';
import { ProcessIdentity, readProcessIdentity } from '../processes/identity';
import { commandHash } from '../processes/match';
import { ProcessInfo, readProcessTable } from '../processes/table';
import { ProcessTree } from '../processes/tree';

/** Why an action left a process alone. */
export type RefusalReason =
  | 'protected-pid' // pid 0 or 1
  | 'self' // our own process
  | 'ancestor' // a process we run under: killing it would kill us
  | 'no-start-time' // the snapshot has no start time, so the pid cannot be re-identified
  | 'pid-reused' // same pid, different start time: another process took the slot
  | 'command-changed' // same pid and start time, different command line
  | 'other-user' // not the current user's process
  | 'unverifiable'; // the OS would not tell us who the process is

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

/** What stop needs from the OS: injected so tests can play "another user" or a slow process. */
export interface StopDeps {
  readIdentity(pid: number): Promise<ProcessIdentity | undefined>;
  /** The live process table, to find the server's descendants right before signalling. */
  readTable(): Promise<ProcessInfo[]>;
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

export function defaultStopDeps(platform: NodeJS.Platform = process.platform): StopDeps {
  const readTable = async () => {
    const t = await readProcessTable(platform);
    if (t.state !== 'ok') throw new Error(t.reason);
    return t.processes;
  };
  // Windows has no per-pid start time query of its own here: the CIM table has it (and the command line).
  const readIdentityWin = async (pid: number): Promise<ProcessIdentity | undefined> => {
    const p = (await readTable()).find((x) => x.pid === pid);
    return p && p.startTime !== undefined ? { pid, startTime: p.startTime, commandLine: p.argv.join(' '), uid: p.uid } : undefined;
  };
  return {
    readIdentity: platform === 'win32' ? readIdentityWin : (pid) => readProcessIdentity(pid, platform),
    readTable,
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

/** Whether a live pid is still the process the snapshot saw, and one we may signal. */
async function reidentify(
  pid: number,
  expected: { startTime?: number; commandHash?: string },
  deps: StopDeps,
  ancestors: ReadonlySet<number>,
): Promise<Check> {
  if (pid <= 1) return { ok: false, reason: 'protected-pid', detail: `pid ${pid} is never signalled` };
  if (pid === deps.selfPid) return { ok: false, reason: 'self', detail: `pid ${pid} is this process` };
  if (ancestors.has(pid)) return { ok: false, reason: 'ancestor', detail: `pid ${pid} is an ancestor of this process` };
  if (expected.startTime === undefined) return { ok: false, reason: 'no-start-time', detail: `the snapshot has no start time for pid ${pid}, so it cannot be re-identified` };
  let live: ProcessIdentity | undefined;
  try {
    live = await deps.readIdentity(pid);
  } catch (err) {
    return { ok: false, reason: 'unverifiable', detail: `pid ${pid} could not be re-identified: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!live || live.zombie) return { ok: false, reason: 'gone', detail: `pid ${pid} has exited` };
  if (live.startTime !== expected.startTime) {
    return {
      ok: false,
      reason: 'pid-reused',
      detail: `pid ${pid} started at ${new Date(live.startTime).toISOString()}, not ${new Date(expected.startTime).toISOString()} as recorded: it is another process`,
    };
  }
  if (expected.commandHash !== undefined && commandHash(live.commandLine) !== expected.commandHash) {
    return { ok: false, reason: 'command-changed', detail: `pid ${pid} no longer runs the recorded command line` };
  }
  const uid = deps.getuid();
  if (uid !== undefined && live.uid !== uid) {
    return { ok: false, reason: 'other-user', detail: `pid ${pid} belongs to uid ${live.uid ?? 'unknown'}, not to the current user (uid ${uid})` };
  }
  return { ok: true, live };
}

/**
 * Stops one instance and the processes of its launch: re-identifies it (pid + start time + command
 * line, current user), sends SIGTERM to the launcher chain, the server and its descendants, waits
 * up to the grace period, sends SIGKILL to what is left (each re-checked first), and verifies that
 * everything is gone. Never throws for an OS answer: every outcome is in the result, step by step.
 */
export async function stopInstance(instance: InstanceIdentity, deps: StopDeps, options: StopOptions = {}): Promise<StopResult> {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const killWaitMs = options.killWaitMs ?? 2000;
  const pollMs = options.pollMs ?? 100;
  const steps: StopStep[] = [];
  const ancestors = await deps.ancestorPids();

  const main = await reidentify(instance.pid, instance, deps, ancestors);
  if (!main.ok) {
    if (main.reason === 'gone') {
      steps.push({ step: 'skip', pid: instance.pid, detail: main.detail });
      return { pid: instance.pid, outcome: 'gone', message: main.detail, steps };
    }
    steps.push({ step: 'refuse', pid: instance.pid, reason: main.reason, detail: main.detail });
    return { pid: instance.pid, outcome: 'refused', reason: main.reason, message: `refused: ${main.detail}`, steps };
  }
  steps.push({ step: 'reidentify', pid: instance.pid, ok: true, detail: `pid ${instance.pid}, started ${new Date(main.live.startTime).toISOString()}, same command line, current user` });

  // The launcher chain (npx, sh, uv...) goes too, each re-identified by its own start time.
  const targets: { pid: number; startTime: number }[] = [{ pid: instance.pid, startTime: main.live.startTime }];
  for (const step of [...instance.launcherChain].reverse()) {
    const c = await reidentify(step.pid, { startTime: step.startTime }, deps, ancestors);
    if (c.ok) {
      targets.push({ pid: step.pid, startTime: c.live.startTime });
      steps.push({ step: 'reidentify', pid: step.pid, ok: true, detail: `launcher pid ${step.pid}` });
    } else steps.push({ step: 'skip', pid: step.pid, detail: `launcher left alone: ${c.detail}` });
  }
  // Descendants of the server, found now: they are its children, so they are its work.
  try {
    const tree = new ProcessTree(await deps.readTable());
    const uid = deps.getuid();
    for (const d of tree.descendants(instance.pid)) {
      if (d.pid <= 1 || d.pid === deps.selfPid || ancestors.has(d.pid) || d.startTime === undefined) continue;
      if (uid !== undefined && d.uid !== undefined && d.uid !== uid) {
        steps.push({ step: 'skip', pid: d.pid, detail: `child pid ${d.pid} belongs to another user` });
        continue;
      }
      targets.unshift({ pid: d.pid, startTime: d.startTime });
    }
  } catch (err) {
    steps.push({ step: 'skip', pid: instance.pid, detail: `descendants could not be listed: ${err instanceof Error ? err.message : String(err)}` });
  }

  const alive = async (t: { pid: number; startTime: number }) => {
    try {
      const id = await deps.readIdentity(t.pid);
      return !!id && !id.zombie && id.startTime === t.startTime;
    } catch {
      return false;
    }
  };
  const send = (t: { pid: number }, signal: 'SIGTERM' | 'SIGKILL') => {
    try {
      deps.kill(t.pid, signal);
      steps.push({ step: 'signal', pid: t.pid, signal, ok: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      steps.push({ step: 'signal', pid: t.pid, signal, ok: code === 'ESRCH', detail: code === 'ESRCH' ? 'already exited' : String((err as Error).message) });
    }
  };
  const waitGone = async (list: { pid: number; startTime: number }[], ms: number) => {
    const until = deps.now() + ms;
    let left = list;
    for (;;) {
      const flags = await Promise.all(left.map(alive));
      left = left.filter((_, i) => flags[i]);
      if (left.length === 0 || deps.now() >= until) return left;
      await deps.sleep(pollMs);
    }
  };

  for (const t of targets) send(t, 'SIGTERM');
  const started = deps.now();
  let left = await waitGone(targets, graceMs);
  steps.push({ step: 'wait', ms: deps.now() - started, remaining: left.map((t) => t.pid) });
  if (left.length > 0) {
    // Re-checked by waitGone just now: each is still the same process.
    for (const t of left) send(t, 'SIGKILL');
    left = await waitGone(left, killWaitMs);
  }
  const ok = left.length === 0;
  steps.push({ step: 'verify', ok, remaining: left.map((t) => t.pid) });
  return ok
    ? { pid: instance.pid, outcome: 'stopped', message: `stopped pid ${instance.pid} (${targets.length} process${targets.length === 1 ? '' : 'es'})`, steps }
    : { pid: instance.pid, outcome: 'failed', message: `pid(s) ${left.map((t) => t.pid).join(', ')} still running after SIGKILL`, steps };
}
