import { ChildProcess, spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { childTarget, runStopLadder, termThenKill } from '../../core/actions/stopLadder';
import type { UpstreamAddress } from './exchange';
import type { UpstreamTarget } from './front';

export interface UpstreamSpec {
  command: string;
  /** May contain `{port}`, replaced by the private port. */
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A fixed private port; otherwise a free one is picked at each start. */
  port?: number;
  /** The path probed to see whether the server answers (any HTTP answer counts). */
  probePath: string;
}

export interface UpstreamOptions {
  /** How long a start may take until the server answers HTTP. */
  startTimeoutMs: number;
  /** SIGTERM, then SIGKILL after this long. */
  termGraceMs: number;
  /** Where the server's own stdout/stderr go. */
  stdio: 'inherit' | 'ignore' | number;
  log(line: string): void;
  /** Called after each start that answers (the first one included). */
  onStarted?(info: { pid: number; port: number; startedAt: number }): void;
  /** Consecutive unexpected exits within `crashWindowMs` after which the guard stops restarting. */
  maxCrashes: number;
  crashWindowMs: number;
}

/** The upstream's lifecycle; the child process itself is in `child`. */
type UpstreamState =
  | { kind: 'idle' }
  | { kind: 'starting'; done: Promise<void> }
  | { kind: 'running'; address: UpstreamAddress; pid: number; startedAt: number }
  | { kind: 'failed'; reason: string }
  | { kind: 'stopped' };

export const LOOPBACK = '127.0.0.1';

/**
 * The server behind the front: started on a private loopback port (passed as `PORT` and as
 * `{port}` in its arguments), restarted when asked or when it dies, stopped with TERM then KILL.
 */
export class Upstream implements UpstreamTarget {
  private state: UpstreamState = { kind: 'idle' };
  private child: ChildProcess | undefined;
  /** Set while we stop the child ourselves: its exit is expected. */
  private stopping = false;
  private crashes: number[] = [];
  private waiters: Array<() => void> = [];
  restarts = 0;

  constructor(
    private readonly spec: UpstreamSpec,
    private readonly options: UpstreamOptions,
  ) {}

  get pid(): number | undefined {
    return this.state.kind === 'running' ? this.state.pid : undefined;
  }

  get stateKind(): UpstreamState['kind'] {
    return this.state.kind;
  }

  get startedAt(): number | undefined {
    return this.state.kind === 'running' ? this.state.startedAt : undefined;
  }

  get failure(): string | undefined {
    return this.state.kind === 'failed' ? this.state.reason : undefined;
  }

  /** Starts the server and resolves once it answers HTTP; rejects with why it did not. */
  start(): Promise<void> {
    if (this.state.kind === 'starting') return this.state.done;
    const done = this.launch();
    this.state = { kind: 'starting', done };
    done.catch((err: Error) => {
      if (this.state.kind === 'starting') this.setState({ kind: 'failed', reason: err.message });
    });
    return done;
  }

  async ready(timeoutMs: number): Promise<UpstreamAddress> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.state;
      if (s.kind === 'running') return s.address;
      if (s.kind === 'failed') throw new Error(`the server is not running: ${s.reason}`);
      if (s.kind === 'stopped') throw new Error('the server is shutting down');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the server did not become ready within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Stops the running server, starts a fresh one and waits until it answers. */
  async restart(reason: string): Promise<{ pid: number }> {
    if (this.state.kind === 'stopped') throw new Error('the guard is shutting down');
    if (this.state.kind === 'starting') await this.state.done.catch(() => undefined);
    this.options.log(`restarting the server: ${reason}`);
    // Requests arriving now wait for the new server instead of reaching the one being stopped.
    this.setState({ kind: 'idle' });
    await this.stopChild();
    this.crashes = [];
    await this.start();
    this.restarts++;
    return { pid: this.pid ?? -1 };
  }

  /** Stops the server for good. */
  async stop(): Promise<void> {
    this.setState({ kind: 'stopped' });
    await this.stopChild();
  }

  private setState(state: UpstreamState): void {
    this.state = state;
    for (const w of this.waiters.splice(0)) w();
  }

  private async launch(): Promise<void> {
    const port = this.spec.port ?? (await freePort());
    const args = this.spec.args.map((a) => a.split('{port}').join(String(port)));
    const child = spawn(this.spec.command, args, {
      cwd: this.spec.cwd,
      env: { ...this.spec.env, PORT: String(port) },
      stdio: ['ignore', this.options.stdio, this.options.stdio],
      windowsHide: true,
    });
    this.child = child;
    this.stopping = false;
    const startedAt = Date.now();
    const exited = new Promise<string>((resolve) => {
      child.once('error', (err) => resolve(`could not start ${this.spec.command}: ${err.message}`));
      child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`));
    });
    void exited.then((how) => this.onExit(child, how));
    const answered = await Promise.race([waitUntilAnswers({ host: LOOPBACK, port }, this.spec.probePath, this.options.startTimeoutMs), exited.then((how) => `the server ended (${how}) before answering`)]);
    if (answered !== true) {
      await this.stopChild();
      throw new Error(typeof answered === 'string' ? answered : `the server did not answer on port ${port} within ${this.options.startTimeoutMs} ms`);
    }
    if (this.state.kind === 'stopped') {
      await this.stopChild();
      throw new Error('the guard is shutting down');
    }
    this.setState({ kind: 'running', address: { host: LOOPBACK, port }, pid: child.pid!, startedAt });
    this.options.onStarted?.({ pid: child.pid!, port, startedAt });
  }

  private onExit(child: ChildProcess, how: string): void {
    if (child !== this.child) return;
    this.child = undefined;
    if (this.stopping || this.state.kind !== 'running') return;
    this.options.log(`the server ${how}; restarting it`);
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < this.options.crashWindowMs).concat(now);
    if (this.crashes.length > this.options.maxCrashes) {
      this.setState({ kind: 'failed', reason: `it exited ${this.crashes.length} times within ${this.options.crashWindowMs / 1000} s (last: ${how}); not restarting it again` });
      return;
    }
    this.setState({ kind: 'idle' });
    this.start().then(
      () => this.restarts++,
      (err: Error) => this.options.log(`restart failed: ${err.message}`),
    );
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping = true;
    // Our own child's handle names the exact process (stopLadder.ts childTarget; reidentify.ts
    // covers recorded pids).
    await runStopLadder([childTarget(child)], termThenKill(this.options.termGraceMs, Infinity));
  }
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(host = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until an HTTP request to `path` gets any answer (a 400 or 405 is an answer too). */
export async function waitUntilAnswers(target: UpstreamAddress, path: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answersOnce(target, path, Math.min(2000, Math.max(100, deadline - Date.now())))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function answersOnce(target: UpstreamAddress, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ host: target.host, port: target.port, method: 'GET', path, agent: false, timeout: timeoutMs, headers: { accept: 'text/event-stream' } }, (res) => {
      res.resume();
      req.destroy();
      resolve(true);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}
