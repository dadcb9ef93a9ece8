import { ChildProcess, ChildProcessByStdio, spawn, StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { descendantTargets } from '../../core/actions/serverTree';
import { newTreeMark, TREE_MARK_VAR } from '../../core/pids/treeMark';
import { childTarget, LadderStage, runStopLadder, termThenKill } from '../../core/actions/stopLadder';
import { ClientStderr } from './clientStderr';
import { diedBecause, OutputTail } from './outputTail';
import type { ProbeResult } from './probe';

/** The process's stderr as the client's side of every child's stderr: one window for them all. */
let sharedClientStderr: ClientStderr | undefined;
function clientStderr(): ClientStderr {
  return (sharedClientStderr ??= new ClientStderr(process.stderr));
}

/**
 * The child supervisor both transports use: spawn the server, watch for its exit (once, whether it
 * ran or never started), and stop it through the shared stop ladder.
 */

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  spawnError?: Error;
}

/** A stdio server's process: the guard writes its stdin and reads its stdout. */
export type PipedProcess = ChildProcessByStdio<Writable, Readable, null>;

export interface ServerChild<P extends ChildProcess = PipedProcess> {
  readonly generation: number;
  readonly proc: P;
  readonly startedAt: number;
  /** Resolves once, when the process is gone (or never started). */
  readonly exited: Promise<ChildExit>;
  exit?: ChildExit;
  /** The end of what it wrote to stderr (the cause, when it goes down): fed where the guard reads its stderr. */
  readonly output: OutputTail;
  /** Its TREE_MARK_VAR: what it starts carries it, so its stop finds what left its tree. */
  readonly treeMark: string;
}

export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Starts the server with piped stdin/stdout. Its stderr is read and passed through to the guard's
 * own, so server logs reach the client; the end of it is kept (`output`), and with `stderrCopy` every
 * byte is copied too (the server log).
 */
export function spawnServer(spec: SpawnSpec, generation: number, stderrCopy?: (chunk: Buffer) => void): ServerChild {
  const child = spawnChild<PipedProcess>(spec, generation, ['pipe', 'pipe', 'pipe']);
  const toClient = clientStderr();
  tapStderr(child, (chunk) => {
    toClient.write(chunk);
    stderrCopy?.(chunk);
  });
  return child;
}

/** Reads a child's piped stderr: each chunk goes to `onChunk` and the end of it into the child's `output`. */
export function tapStderr(child: ServerChild<ChildProcess>, onChunk: (chunk: Buffer) => void): void {
  const stderr = (child.proc as unknown as { stderr: Readable | null }).stderr;
  if (!stderr) return child.output.end();
  stderr.on('data', (chunk: Buffer) => {
    child.output.push(chunk);
    onChunk(chunk);
  });
  stderr.once('close', () => child.output.end());
  stderr.on('error', () => child.output.end());
}

/** Starts the server with the given stdio and watches it until it is gone. */
export function spawnChild<P extends ChildProcess>(
  spec: SpawnSpec,
  generation: number,
  stdio: StdioOptions,
): ServerChild<P> {
  const treeMark = newTreeMark();
  const env = { ...spec.env, [TREE_MARK_VAR]: treeMark };
  const proc = spawn(spec.command, spec.args, { cwd: spec.cwd, env, stdio, windowsHide: true }) as P;
  const child: { -readonly [K in keyof ServerChild<P>]: ServerChild<P>[K] } = {
    generation,
    proc,
    startedAt: Date.now(),
    exited: undefined as never,
    output: new OutputTail(),
    treeMark,
  };
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
  proc.stdin?.on('error', () => undefined);
  proc.stdout?.on('error', () => undefined);
  return child;
}

/** Grace times of the stop stages; injectable so tests use short ones. */
export interface StopGrace {
  /** After stdin EOF, before SIGTERM (a child without a stdin pipe goes straight to SIGTERM). */
  eofMs: number;
  /** After SIGTERM, before SIGKILL. */
  termMs: number;
}

/** How long the processes a server started get to go after SIGKILL: unlike our own child, nothing makes them reaped. */
const TREE_KILL_WAIT_MS = 5000;

/**
 * Stops a child and every process it started, in stages: stdin EOF to the child (a stdio MCP
 * server's normal end), then SIGTERM, then SIGKILL to whatever of the tree is left. The tree is read
 * before the child is asked to end: once it has gone its children are reparented and no longer say
 * whose they were. Resolves with how the child ended.
 */
export async function stopServer(child: ServerChild<ChildProcess>, grace: StopGrace): Promise<ChildExit> {
  // Signals to the child go through our own handle, which names the exact process (stopLadder.ts
  // childTarget); its descendants are known from a record, re-identified before each signal.
  if (child.exit) return child.exit;
  const descendants =
    child.proc.pid === undefined ? [] : await descendantTargets({ pid: child.proc.pid }, child.treeMark);
  const stdin = child.proc.stdin;
  await runStopLadder(
    [childTarget(child.proc, child.exited), ...descendants],
    serverStopStages(process.platform, {
      closeStdin: stdin ? () => void stdin.end() : undefined,
      grace,
      killWaitMs: descendants.length > 0 ? TREE_KILL_WAIT_MS : Infinity,
    }),
  );
  return child.exited;
}

/**
 * The stages of a guarded server's stop, as data. First the MCP spec's stdio shutdown where the
 * guard owns the server's stdin: close it and wait for the server to end. Then the signals: on
 * POSIX SIGTERM, its grace, SIGKILL; on Windows both signals are TerminateProcess, a hard kill with
 * nothing to wait for between two, so closing stdin is the one gentle step and a single terminate
 * follows it.
 */
export function serverStopStages(
  platform: NodeJS.Platform,
  o: { closeStdin?: () => void; grace: StopGrace; killWaitMs: number },
): LadderStage[] {
  const ask: LadderStage[] = o.closeStdin
    ? [{ kind: 'ask', ask: o.closeStdin, waitMs: o.grace.eofMs, waitFor: 'first' }]
    : [];
  if (platform === 'win32') return [...ask, { kind: 'signal', signal: 'SIGKILL', waitMs: o.killWaitMs }];
  return [...ask, ...termThenKill(o.grace.termMs, o.killWaitMs)];
}

/**
 * A probe, whatever the transport: the installed server started beside the serving one, asked by
 * `ask`, and stopped whatever it said. Its stderr is kept only for a failure's reason: `ask` throws
 * to fail the probe, and the reason carries the server's own last error line.
 */
export async function probeChild<P extends ChildProcess>(
  spec: SpawnSpec,
  stdio: StdioOptions,
  o: { grace: StopGrace; secrets: ReadonlySet<string> },
  ask: (child: ServerChild<P>) => Promise<ProbeResult>,
): Promise<ProbeResult> {
  const child = spawnChild<P>(spec, 0, stdio);
  tapStderr(child, () => undefined);
  try {
    return await ask(child);
  } catch (err) {
    return { kind: 'failed', reason: await diedBecause((err as Error).message, child.output, o.secrets) };
  } finally {
    await stopServer(child, o.grace);
  }
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
