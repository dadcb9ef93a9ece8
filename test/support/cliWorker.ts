import { ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import { cliPath, fixturesDir, repoRoot } from './repo';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * One long-lived process that runs the built CLI's commands in turn (test/fixtures/cli-worker/worker.cjs:
 * dist/cli-commands.js's runCli, as `node dist/cli.js` calls it), for a test that runs a command tens
 * or hundreds of times: each run then costs the command's own work, not a Node start. Each run
 * gets exactly the environment and working folder it is given, and nothing of the run before it
 * (each command builds its own engine; the worker puts back its own environment and folder). The
 * commands run one at a time, in the order asked. A command's answer comes when its process would
 * have exited: once all the work it started has settled, also what it never waits for (the registry
 * checks a snapshot starts), so a test may remove the home it ran in as soon as it has the answer.
 * While no command runs, the worker does not keep the test process alive, and it ends with it;
 * `close()` ends it at once (call it in `after`).
 * For a test whose subject is a command's answer (a snapshot, a plan, a file written), not the
 * CLI's own process (its exit, stdio, signals, start-up): those spawn `node dist/cli.js`.
 */
export class CliWorker {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private pending = new Map<number, (r: CliResult) => void>();

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = fork(path.join(fixturesDir, 'cli-worker', 'worker.cjs'), [cliPath], {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (msg: { ready?: true } & Partial<CliResult> & { id?: number }) => {
        if (msg.ready) return resolve();
        const done = this.pending.get(msg.id!);
        this.pending.delete(msg.id!);
        if (this.pending.size === 0) this.idle(child);
        done?.({ code: msg.code!, stdout: msg.stdout!, stderr: msg.stderr! });
      });
      child.once('exit', (code, signal) => {
        const err = new Error(`the CLI worker exited (${code ?? signal})`);
        // The next command starts a new worker.
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
        reject(err);
        for (const done of this.pending.values()) done({ code: -1, stdout: '', stderr: err.message });
        this.pending.clear();
      });
    });
    return this.ready;
  }

  /** `mcp-lifeguard ARGS` with exactly `env`, in `cwd` (the repository's root unless told). */
  async run(args: string[], env: NodeJS.ProcessEnv, cwd: string = repoRoot): Promise<CliResult> {
    await this.start();
    const id = this.nextId++;
    const child = this.child!;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      // A command under way keeps the test process alive until its answer comes.
      child.ref();
      child.channel?.ref();
      child.send({ id, args, env, cwd });
    });
  }

  /** Nothing asked: the worker alone does not keep the test process running (it exits with it, on the IPC channel's end). */
  private idle(child: ChildProcess): void {
    child.unref();
    child.channel?.unref();
  }

  /** The worker's pid while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

let shared: CliWorker | undefined;

/**
 * The test process's one CliWorker, for helpers that many files share (a snapshot polled until it
 * shows a test's processes): one Node start for them all. It is never closed by a test; it ends
 * with the test process.
 */
export function sharedCliWorker(): CliWorker {
  return (shared ??= new CliWorker());
}
