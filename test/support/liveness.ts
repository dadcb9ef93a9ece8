import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { thisMachine } from '../../src/core/machine/live';
import { readProcessTable } from '../../src/core/pids/table';
import { until } from './poll';

/**
 * Whether a pid runs. A zombie (dead, not yet reaped by whoever adopted it) counts as gone; a
 * process we may not signal (EPERM) still runs.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // "pid (comm) state ...": comm may hold spaces and parentheses, so read after the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // No /proc to ask (not Linux): kill 0 answered. On Linux the process went meanwhile.
    return process.platform !== 'linux';
  }
}

/** Waits (bounded) until the pid is gone. */
export async function waitForExit(pid: number, timeoutMs = 30_000): Promise<void> {
  await until(`pid ${pid} to exit`, () => !isAlive(pid), timeoutMs);
}

/** Signals a pid (SIGKILL unless told) and waits until it is gone; a pid already gone is fine. */
export async function killAndWait(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (pid === undefined || !isAlive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  await waitForExit(pid);
}

/** Sends a signal to a pid or a process group (negative pid) that may be gone already. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * SIGKILLs every pid a test started and every process whose command line carries the test's tag
 * (its temp folder's name, say): what those started, detached or reparented, goes too.
 */
export async function killAll(started: readonly number[], tag: string): Promise<void> {
  const table = await readProcessTable(thisMachine());
  const tagged =
    table.state === 'ok' ? table.processes.filter((p) => p.argv.some((a) => a.includes(tag))).map((p) => p.pid) : [];
  for (const pid of [...started, ...tagged]) {
    if (pid === process.pid || pid <= 1) continue;
    signal(pid, 'SIGKILL');
  }
}

/** Whether a child this process started has exited (its exit seen, so it is reaped). */
export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Stops children this process started: SIGTERM, SIGKILL for any still running after `graceMs`, and
 * resolves once each has exited.
 */
export async function stopChildren(children: readonly ChildProcess[], graceMs = 10_000): Promise<void> {
  const running = children.filter((c) => !exited(c));
  const gone = running.map(
    (c) => new Promise<void>((resolve) => (exited(c) ? resolve() : c.once('exit', () => resolve()))),
  );
  for (const c of running) c.kill('SIGTERM');
  const timer = setTimeout(() => running.forEach((c) => exited(c) || c.kill('SIGKILL')), graceMs);
  await Promise.all(gone);
  clearTimeout(timer);
}
