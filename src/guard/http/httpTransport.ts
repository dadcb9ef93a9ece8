import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import {
  ChildExit,
  describeExit,
  probeChild,
  ServerChild,
  spawnChild,
  SpawnSpec,
  StopGrace,
  tapStderr,
} from '../host/supervisor';
import type { ProbeResult } from '../host/probe';
import type { GuardTransport, HostView } from '../host/transport';
import type { UpstreamAddress } from './exchange';
import type { HttpFront } from './front';
import type { UpstreamTarget } from './frontOptions';
import { freePort, LOOPBACK, waitUntilAnswers } from './upstream';

export interface HttpTransportOptions {
  command: string;
  /** May contain `{port}`, replaced by the private port. */
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A fixed private port; otherwise a free one is picked at each start. */
  port?: number;
  /** The path probed to see whether the server answers (any HTTP answer counts). */
  probePath: string;
  /** How long a start may take until the server answers HTTP. */
  startTimeoutMs: number;
  /** Where the server's own stdout/stderr go. */
  stdio: 'inherit' | 'ignore' | number;
}

/**
 * The HTTP transport: the server runs on a private loopback port (passed as `PORT` and as `{port}`
 * in its arguments) behind the front (front.ts), which relays client requests to it. A restart is
 * made invisible by the front: a session the new server does not know is replayed when a request
 * finds it gone. Idleness is the front's count of requests in flight.
 */
export class HttpTransport implements GuardTransport<ChildProcess>, UpstreamTarget {
  private host!: HostView;
  private front: HttpFront | undefined;
  private readonly addresses = new WeakMap<ServerChild<ChildProcess>, UpstreamAddress>();
  /** The child that answers, and where. */
  private serving: { child: ServerChild<ChildProcess>; address: UpstreamAddress } | undefined;
  /** Where each child's stderr goes once the guard has read it (its end is kept: the cause when it goes down). */
  private stderrSink: Writable | undefined;

  constructor(private readonly options: HttpTransportOptions) {}

  bind(host: HostView): void {
    this.host = host;
  }

  /** The front whose requests are counted (it is built with this transport as its upstream). */
  useFront(front: HttpFront): void {
    this.front = front;
  }

  /** The server's launch on `port` (passed as `PORT` and as `{port}` in its arguments). */
  private specFor(port: number): SpawnSpec {
    return {
      command: this.options.command,
      args: this.options.args.map((a) => a.split('{port}').join(String(port))),
      cwd: this.options.cwd,
      env: { ...this.options.env, PORT: String(port) },
    };
  }

  async spawn(generation: number): Promise<ServerChild<ChildProcess>> {
    const port = this.options.port ?? (await freePort());
    const spec = this.specFor(port);
    const stdio = this.options.stdio;
    const child = spawnChild<ChildProcess>(spec, generation, ['ignore', stdio, stdio === 'ignore' ? 'ignore' : 'pipe']);
    const sink = stdio === 'ignore' ? undefined : this.sink(stdio);
    tapStderr(child, (chunk) => sink?.write(chunk));
    this.addresses.set(child, { host: LOOPBACK, port });
    return child;
  }

  /**
   * Starts the installed server on a port of its own beside the one serving and waits until it
   * answers HTTP, then stops it: a restart goes on only when it did. A fixed port cannot hold two
   * servers: then nothing is probed.
   */
  async probe(o: { grace: StopGrace; secrets: ReadonlySet<string> }): Promise<ProbeResult> {
    if (this.options.port !== undefined) return { kind: 'skipped' };
    const port = await freePort();
    return probeChild<ChildProcess>(this.specFor(port), ['ignore', 'ignore', 'pipe'], o, async (child) => {
      const why = await this.untilAnswers(child, { host: LOOPBACK, port });
      if (why !== undefined) throw new Error(why);
      return { kind: 'ok', what: `it answered on port ${port}` };
    });
  }

  /** The guard's stderr, or the file descriptor it was given (a detached guard's log), kept open across children. */
  private sink(stdio: 'inherit' | number): Writable {
    if (stdio === 'inherit' || stdio === 2) return process.stderr;
    return (this.stderrSink ??= createWriteStream('', { fd: stdio, autoClose: false }).on('error', () => undefined));
  }

  async attach(child: ServerChild<ChildProcess>): Promise<void> {
    const address = this.addresses.get(child)!;
    const why = await this.untilAnswers(child, address);
    if (why !== undefined) throw new Error(why);
    this.serving = { child, address };
  }

  /** Waits until a child answers HTTP at `address`; undefined once it does, else why not (it ended, or the start timed out). */
  private async untilAnswers(child: ServerChild<ChildProcess>, address: UpstreamAddress): Promise<string | undefined> {
    const ended = child.exited.then((exit) => `the server ended (${describeExit(exit)}) before answering`);
    const answered = await Promise.race([
      waitUntilAnswers(address, this.options.probePath, this.options.startTimeoutMs),
      ended,
    ]);
    if (answered === true) return undefined;
    return typeof answered === 'string'
      ? answered
      : `the server did not answer on port ${address.port} within ${this.options.startTimeoutMs} ms`;
  }

  noteClientMessage(): void {
    this.host.noteClientMessage();
  }

  idle(): boolean {
    return this.host.state.kind === 'idle';
  }

  /** Where requests go: the serving child's address once it answers; waits while the server (re)starts (or idles). */
  async ready(timeoutMs: number): Promise<UpstreamAddress> {
    let deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.host.state;
      // While draining, the old server still answers: requests go on reaching it until it is stopped.
      if ((s.kind === 'running' || s.kind === 'draining') && this.serving && !this.serving.child.exit)
        return this.serving.address;
      if (s.kind === 'failed') throw new Error(`the server is not running: ${s.reason}`);
      if (s.kind === 'closing' || s.kind === 'exited') throw new Error('the server is shutting down');
      // Stopped for idleness: a client's message starts it (noteClientMessage, before its ready), so
      // what waits here is the guard's own (a listen to re-open): it waits for that start, then has its time.
      const idle = s.kind === 'idle';
      const left = deadline - Date.now();
      if (left <= 0 && !idle) throw new Error(`the server did not become ready within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = idle ? undefined : setTimeout(done, left);
        const off = this.host.onStateChange(done);
        function done(): void {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
      if (idle) deadline = Date.now() + timeoutMs;
    }
  }

  inFlight(): number {
    return this.front?.pending ?? 0;
  }

  waitIdle(timeoutMs: number): Promise<boolean> {
    return this.front ? this.front.waitIdle(timeoutMs) : Promise.resolve(true);
  }

  leaving(): void {
    this.front?.suspendListens();
  }

  childExited(child: ServerChild<ChildProcess>, _exit: ChildExit): void {
    // Requests in flight on it see their connection fail; the front answers them itself.
    if (this.serving?.child === child) this.serving = undefined;
  }

  restartsAfterExit(): boolean {
    return true;
  }

  restarted(): void {
    // Sessions are rebuilt when a request finds its session gone (front.ts recover); modern listens
    // let go of before the stop are re-opened now.
    this.front?.resumeListens();
  }

  refuseHeld(why: 'failed' | 'closing', reason: string): void {
    // Requests waiting in ready() hear the state change and are answered there.
    if (why === 'failed') this.front?.endHeldListens(reason);
  }

  finished(): void {
    // The front is closed by its owner (startHttpGuard.ts), after the control endpoint.
  }
}
