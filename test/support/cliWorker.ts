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
 * gets exactly the environment it is given. `close()` ends the process (call it in `after`).
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
        done?.({ code: msg.code!, stdout: msg.stdout!, stderr: msg.stderr! });
      });
      child.once('exit', (code, signal) => {
        const err = new Error(`the CLI worker exited (${code ?? signal})`);
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
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child!.send({ id, args, env, cwd });
    });
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
