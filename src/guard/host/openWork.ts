/**
 * Work of the 2026-07-28 era that outlives a request, and so is not "in flight", yet belongs to one
 * server process (protocol: basic/patterns/mrtr; the tasks extension, SEP-2663, and the 2025-11-25
 * experimental tasks):
 * - a multi-round request: the server answered `resultType: "input_required"` with a `requestState`
 *   it minted (often signed with a key of its own process, as the SDK's `createRequestStateCodec`
 *   does), and the client will retry with it, under a new request id, once it has the input;
 * - a task: the server answered with a task handle (`resultType: "task"` and a `taskId`, or the
 *   2025 `{ task: { taskId } }`), and the client polls `tasks/get` (and `tasks/update`,
 *   `tasks/result`, `tasks/cancel`) until the task ends.
 * A restart between rounds or under a running task loses that work: the new process cannot verify
 * the state, and knows no task of the old one. The host holds a restart while such work is open
 * (bounded), and after one answers polls of the old process's tasks with a clear error.
 */

import { isRecord } from '../../core/base/isRecord';

/** Task states after which nothing more happens (both task designs). */
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/** Methods that name a task by `params.taskId`. */
const TASK_METHODS = new Set(['tasks/get', 'tasks/result', 'tasks/update', 'tasks/cancel']);
/** Methods whose answer may be `input_required` (mrtr: supported requests). */
const MULTI_ROUND = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** How many of each are remembered at most: a client that never comes back leaks nothing. */
const MAX_OPEN = 1000;

export interface OpenWorkCount {
  exchanges: number;
  tasks: number;
}

export class OpenWork {
  /** requestState -> when it was handed out (ms). */
  private readonly exchanges = new Map<string, number>();
  /** taskId -> when it was last seen running (ms). */
  private readonly tasks = new Map<string, number>();
  /** Task ids of processes that are gone, with the pid that ran them. */
  private readonly goneTasks = new Map<string, number | undefined>();
  private waiters: Array<() => void> = [];

  constructor(
    /** How long open work is remembered without news (a client that never comes back). */
    private readonly forgetMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A client request on its way to the server. A retry that echoes a `requestState` continues its
   * exchange (its answer may open the next round). Returns why a request about a task of a process
   * that is gone is answered by the guard instead, or undefined to forward it.
   */
  noteRequest(method: string, params: unknown): string | undefined {
    const p = isRecord(params) ? params : {};
    if (typeof p.requestState === 'string' && this.exchanges.delete(p.requestState)) this.changed();
    if (TASK_METHODS.has(method) && typeof p.taskId === 'string' && this.goneTasks.has(p.taskId)) {
      const pid = this.goneTasks.get(p.taskId);
      return `task ${p.taskId} ran in the server process that was restarted${pid === undefined ? '' : ` (pid ${pid})`}; the new process does not know it, and its work and result are lost: start the request again`;
    }
    return undefined;
  }

  /** The server answered a client request (`method`) with `result`. */
  noteResult(method: string, result: unknown): void {
    if (!isRecord(result)) return;
    if (result.resultType === 'input_required' && MULTI_ROUND.has(method) && typeof result.requestState === 'string') {
      remember(this.exchanges, result.requestState, this.now());
    }
    const task = taskOf(method, result);
    if (task) this.noteTask(task.taskId, task.status);
  }

  /** A server notification (`notifications/tasks/status` carries a task's state). */
  noteNotification(method: string, params: unknown): void {
    if (method !== 'notifications/tasks/status' || !isRecord(params)) return;
    if (typeof params.taskId === 'string') this.noteTask(params.taskId, params.status);
  }

  /** What is open now (work without news for longer than the bound is forgotten). */
  open(): OpenWorkCount {
    const cutoff = this.now() - this.forgetMs;
    for (const map of [this.exchanges, this.tasks]) for (const [key, at] of map) if (at < cutoff) map.delete(key);
    return { exchanges: this.exchanges.size, tasks: this.tasks.size };
  }

  /** Resolves true once nothing is open, false after `timeoutMs`. */
  waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = this.now() + timeoutMs;
    return new Promise((resolve) => {
      const check = () => {
        const { exchanges, tasks } = this.open();
        if (exchanges + tasks === 0) return finish(true);
        if (this.now() >= deadline) return finish(false);
      };
      // Never what keeps a stopping guard alive.
      const timer = setInterval(check, 250);
      timer.unref();
      const finish = (closed: boolean) => {
        clearInterval(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(closed);
      };
      this.waiters.push(check);
      check();
    });
  }

  /**
   * The process that held this work is gone (`pid`): its exchanges cannot be continued and its
   * tasks are unknown to the next one, whose polls are answered by the guard from now on.
   */
  processGone(pid: number | undefined): void {
    for (const id of this.tasks.keys()) remember(this.goneTasks, id, pid);
    this.tasks.clear();
    this.exchanges.clear();
    this.changed();
  }

  private noteTask(taskId: string, status: unknown): void {
    if (typeof status === 'string' && TERMINAL.has(status)) {
      if (this.tasks.delete(taskId)) this.changed();
      return;
    }
    remember(this.tasks, taskId, this.now());
  }

  private changed(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** `{ resultType: "task", taskId, status }` (the tasks extension), `{ task: { taskId, status } }` (2025-11-25), or a polled task (`tasks/get`). */
function taskOf(method: string, result: Record<string, unknown>): { taskId: string; status: unknown } | undefined {
  if ((result.resultType === 'task' || method === 'tasks/get') && typeof result.taskId === 'string')
    return { taskId: result.taskId, status: result.status };
  const task = result.task;
  if (isRecord(task) && typeof task.taskId === 'string') return { taskId: task.taskId, status: task.status };
  return undefined;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_OPEN) map.delete(map.keys().next().value!);
}

/** In words, for the log: what a restart waits for. */
export function describeOpenWork(open: OpenWorkCount): string {
  const parts: string[] = [];
  if (open.exchanges)
    parts.push(
      `${open.exchanges} multi-round request${open.exchanges === 1 ? '' : 's'} waiting for the client's retry (its requestState is this server process's)`,
    );
  if (open.tasks) parts.push(`${open.tasks} task${open.tasks === 1 ? '' : 's'} still running`);
  return parts.join(' and ');
}
