import { ChildProcess, spawn } from 'node:child_process';
import * as readline from 'node:readline';
import { stopChildren } from './liveness';

/**
 * A child driven by stdin lines that answers with JSON lines on stdout (the Python SDK clients in
 * test/fixtures/python): lines are queued until read, so none is lost between two reads.
 */
export interface JsonLinesChild {
  child: ChildProcess;
  /** The next JSON line, or undefined once the child has exited and every line was read. */
  next<T = Record<string, unknown>>(): Promise<T | undefined>;
  send(line: string): void;
  /** The end of its stderr, for failure messages. */
  stderrTail(): string;
  exited(): boolean;
  /** Ends stdin and stops the child (bounded). */
  close(): Promise<void>;
}

export function jsonLinesChild(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): JsonLinesChild {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...env, PYTHONUNBUFFERED: '1' } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: Array<(line: string | undefined) => void> = [];
  const queued: string[] = [];
  lines.on('line', (l) => (waiting.length ? waiting.shift()!(l) : queued.push(l)));
  // 'close' of the line reader comes after its last line: nothing queued is dropped.
  let ended = false;
  lines.once('close', () => {
    ended = true;
    waiting.splice(0).forEach((w) => w(undefined));
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    async next<T>() {
      const line = queued.length
        ? queued.shift()
        : ended
          ? undefined
          : await new Promise<string | undefined>((r) => waiting.push(r));
      return line === undefined ? undefined : (JSON.parse(line) as T);
    },
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    stderrTail: () => stderr.trim().split('\n').slice(-3).join('\n'),
    exited,
    async close() {
      child.stdin!.end();
      await stopChildren([child], 5000);
    },
  };
}
