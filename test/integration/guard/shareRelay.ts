import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { stopChildren } from '../../support/liveness';
import { until } from '../../support/poll';
import { cliPath, repoRoot } from '../../support/repo';
import { guardEnv } from './support';

/**
 * One client's relay of a shared server (`mcp-lifeguard run --on-conflict share --name NAME --
 * CMD`, the built CLI) with its stdin and stdout in the test's hands: every line it writes to its
 * client is kept as bytes, and the test writes any bytes it likes (a hostile client). `sdk()` puts
 * a real SDK 1.x client on the same pipe, so one client can both hold a real session and send
 * what no SDK would.
 */
export class ShareRelay {
  readonly proc: ChildProcessWithoutNullStreams;
  /** Every complete line the relay wrote to its client, bytes without the `\n`. */
  readonly lines: Buffer[] = [];
  private partial: Buffer[] = [];
  private stderrText = '';
  private readonly listeners = new Set<(line: Buffer) => void>();
  readonly exited: Promise<void>;

  constructor(home: string, name: string, command: readonly string[], env: Record<string, string> = {}) {
    this.proc = spawn(process.execPath, [cliPath, 'run', '--on-conflict', 'share', '--name', name, '--', ...command], {
      env: guardEnv(home, env),
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.stdout.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
        this.partial.push(chunk.subarray(start, nl));
        const line = Buffer.concat(this.partial);
        this.partial = [];
        start = nl + 1;
        this.lines.push(line);
        for (const l of this.listeners) l(line);
      }
      if (start < chunk.length) this.partial.push(chunk.subarray(start));
    });
    this.proc.stderr.on('data', (d: Buffer) => {
      this.stderrText += d.toString();
      if (this.stderrText.length > 256 * 1024) this.stderrText = this.stderrText.slice(-128 * 1024);
    });
    // A relay the test ended may close its stdin under a write: that is the test's doing, not a failure.
    this.proc.stdin.on('error', () => undefined);
  }

  get stderr(): string {
    return this.stderrText;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Writes bytes to the relay as its client would, waiting while the pipe is full. */
  async write(bytes: string | Buffer): Promise<void> {
    if (!this.proc.stdin.write(bytes))
      await new Promise<void>((resolve) => {
        const done = () => {
          this.proc.stdin.off('drain', done);
          this.proc.off('exit', done);
          resolve();
        };
        this.proc.stdin.once('drain', done);
        this.proc.once('exit', done);
      });
  }

  /** Waits (bounded) for a line after the `from`-th that `pick` accepts (its parsed JSON); returns the parsed line. */
  async line<T = Record<string, unknown>>(
    what: string,
    pick: (value: unknown) => boolean,
    from = 0,
    timeoutMs = 30_000,
  ): Promise<T> {
    return until(
      () =>
        `${what} (relay ${this.running ? 'running' : `exited ${this.proc.exitCode ?? this.proc.signalCode}`}; stderr: ${this.stderrText.slice(-800)})`,
      () => {
        for (let i = from; i < this.lines.length; i++) {
          let value: unknown;
          try {
            value = JSON.parse(this.lines[i].toString('utf8'));
          } catch {
            continue;
          }
          if (pick(value)) return { value: value as T };
        }
        return undefined;
      },
      timeoutMs,
      5,
    ).then((found) => found.value);
  }

  /** The answer (a result or an error, not a batch) to the request of id `id`. */
  answerTo(id: string | number, from = 0, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    return this.line(
      `the answer to ${JSON.stringify(id)}`,
      (v) => isObject(v) && v.id === id && v.method === undefined,
      from,
      timeoutMs,
    );
  }

  /** A real SDK 1.x client on this relay's pipe. */
  async sdk(name: string): Promise<Client> {
    const transport: Transport & { deliver(line: Buffer): void } = {
      start: async () => undefined,
      send: async (message: JSONRPCMessage) => this.write(`${JSON.stringify(message)}\n`),
      close: async () => {
        this.proc.stdin.end();
      },
      deliver(line: Buffer) {
        let value: unknown;
        try {
          value = JSON.parse(line.toString('utf8'));
        } catch {
          return;
        }
        // The SDK takes single messages only; what the test asked for itself (a batch's answer) it reads from `lines`.
        if (isObject(value)) transport.onmessage?.(value as JSONRPCMessage);
      },
    };
    this.listeners.add((line) => transport.deliver(line));
    this.proc.once('exit', () => transport.onclose?.());
    const client = new Client({ name, version: '1.0.0' });
    // Answers to the test's own raw requests are unknown to the SDK: it reports them and goes on.
    client.onerror = () => undefined;
    await client.connect(transport);
    return client;
  }

  /** Ends the client's side (stdin EOF, as a client leaves) and waits for the relay to exit. */
  async close(): Promise<void> {
    this.proc.stdin.end();
    const gone = await Promise.race([this.exited.then(() => true), new Promise((r) => setTimeout(r, 5_000, false))]);
    if (!gone) await stopChildren([this.proc]);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `[[[...]]]` nested `depth` levels. */
export const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** The resident memory of a pid, in MiB (Linux). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}
