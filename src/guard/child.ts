import { ChildProcessByStdio, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { childTarget, runStopLadder, termThenKill } from '../core/actions/stopLadder';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  spawnError?: Error;
}

export interface ServerChild {
  readonly generation: number;
  readonly proc: ChildProcessByStdio<Writable, Readable, null>;
  readonly startedAt: number;
  /** Resolves once, when the process is gone (or never started). */
  readonly exited: Promise<ChildExit>;
  exit?: ChildExit;
}

export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Starts the server with piped stdin/stdout; stderr is the guard's own, so server logs pass through. */
export function spawnServer(spec: SpawnSpec, generation: number): ServerChild {
  const proc = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['pipe', 'pipe', 'inherit'], windowsHide: true });
  const child: { -readonly [K in keyof ServerChild]: ServerChild[K] } = { generation, proc, startedAt: Date.now(), exited: undefined as never };
  child.exited = new Promise<ChildExit>((resolve) => {
    proc.once('error', (err) => {
      // 'error' without 'exit' means the process never started; with a pid it was a kill failure.
      if (proc.pid === undefined) {
        child.exit = { code: null, signal: null, spawnError: err };
        resolve(child.exit);
      }
    });
    proc.once('exit', (code, signal) => {
      child.exit = { code, signal };
      resolve(child.exit);
    });
  });
  // A dead child's pipes error with EPIPE/ECONNRESET; its exit is what we act on.
  proc.stdin.on('error', () => undefined);
  proc.stdout.on('error', () => undefined);
  return child;
}

/** Grace times of the stop stages; injectable so tests use short ones. */
export interface StopGrace {
  /** After stdin EOF, before SIGTERM. */
  eofMs: number;
  /** After SIGTERM, before SIGKILL. */
  termMs: number;
}

/**
 * Stops a child in stages: stdin EOF (a stdio MCP server's normal end), then SIGTERM, then SIGKILL.
 * Resolves with how it ended.
 */
export async function stopServer(child: ServerChild, grace: StopGrace): Promise<ChildExit> {
  // Signals go through our own child's handle, which names the exact process (stopLadder.ts
  // childTarget; core/processes/reidentify.ts is for pids known only from a record).
  if (child.exit) return child.exit;
  await runStopLadder([childTarget(child.proc, child.exited)], [
    { kind: 'ask', ask: () => void child.proc.stdin.end(), waitMs: grace.eofMs },
    ...termThenKill(grace.termMs, Infinity),
  ]);
  return child.exited;
}

/** The exit code a shell would report: the code, or 128 + the signal's number. */
export function exitCodeOf(exit: ChildExit): number {
  if (exit.spawnError) return (exit.spawnError as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126;
  if (exit.code !== null) return exit.code;
  const n = exit.signal ? constants.signals[exit.signal] : undefined;
  return n === undefined ? 1 : 128 + n;
}

export function describeExit(exit: ChildExit): string {
  if (exit.spawnError) return `could not start: ${exit.spawnError.message}`;
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
