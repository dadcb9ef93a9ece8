import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stopChildren } from '../support/liveness';
import { until } from '../support/poll';
import { cliPath, fixturesDir } from '../support/repo';

/**
 * The built CLI's stdio guard (`mcp-lifeguard run`, annotate by default) in front of
 * test/fixtures/guard/scripted-server.mjs, a server that writes exactly the bytes a test gives it,
 * with a raw client that keeps every line it receives as bytes. The server's package.json sits
 * beside it: `makeStale` raises its version, as an upgrade would, so the guard annotates.
 */
export class ScriptedGuard {
  readonly child: ChildProcess;
  /** Every complete line the client received, bytes without the `\n`. */
  readonly lines: Buffer[] = [];
  private partial: Buffer[] = [];
  private stderrText = '';
  private nextId = 1;
  private readonly packageJson: string;

  constructor(dir: string, extraArgs: string[] = [], options: { readStderr?: boolean } = {}) {
    const pkg = path.join(dir, 'pkg');
    fs.mkdirSync(pkg, { recursive: true });
    this.packageJson = path.join(pkg, 'package.json');
    fs.writeFileSync(this.packageJson, JSON.stringify({ name: 'lifeguard-scripted-fixture', version: '1.0.0' }));
    fs.copyFileSync(path.join(fixturesDir, 'guard', 'scripted-server.mjs'), path.join(pkg, 'server.mjs'));
    const home = path.join(dir, 'home');
    fs.mkdirSync(home, { recursive: true });
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      MCP_LIFEGUARD_HOME: path.join(home, 'lg'),
      MCP_LIFEGUARD_UPDATE_CHECK: '0',
    };
    this.child = spawn(
      process.execPath,
      [
        cliPath,
        'run',
        '--name',
        'scripted',
        '--stale-interval',
        '1',
        ...extraArgs,
        '--',
        process.execPath,
        path.join(pkg, 'server.mjs'),
      ],
      { env, cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    if (options.readStderr !== false) this.readStderr();
  }

  /** Reads the guard's stderr from now on (keeping its first MiB and its last 64 KiB); a client that does not leaves it unread. */
  readStderr(): void {
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString('latin1');
      if (this.stderrText.length > 2 * 1024 * 1024)
        this.stderrText = this.stderrText.slice(0, 1024 * 1024) + this.stderrText.slice(-64 * 1024);
    });
  }

  get stderr(): string {
    return this.stderrText;
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      this.partial.push(chunk.subarray(start, nl));
      this.lines.push(Buffer.concat(this.partial));
      this.partial = [];
      start = nl + 1;
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
  }

  send(message: unknown): void {
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /** Sends a request and returns its id. */
  request(method: string, params: Record<string, unknown> = {}): number {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return id;
  }

  /** Waits (bounded) until `count` lines beyond `from` arrived; returns them. */
  async linesAfter(from: number, count: number, timeoutMs = 30_000): Promise<Buffer[]> {
    await until(
      () =>
        `${count} lines from the guard (have ${this.lines.length - from}; guard ${this.child.exitCode === null ? 'running' : `exited ${this.child.exitCode}`}; stderr: ${this.stderrText.slice(-500)})`,
      () => this.lines.length - from >= count || this.child.exitCode !== null,
      timeoutMs,
      2,
    );
    if (this.lines.length - from < count)
      throw new Error(
        `the guard exited (${this.child.exitCode}) before relaying ${count} lines; stderr: ${this.stderrText.slice(-2000)}`,
      );
    return this.lines.slice(from, from + count);
  }

  /** initialize, initialized, tools/list. */
  async handshake(): Promise<void> {
    const from = this.lines.length;
    this.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'relay-test', version: '1.0.0' },
    });
    await this.linesAfter(from, 1);
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const at = this.lines.length;
    this.request('tools/list');
    await this.linesAfter(at, 1);
  }

  /**
   * Has the server write `chunks` (its whole output for this call, `id` given so the answer can
   * name it) and returns the lines the client got for them: as many as the chunks hold.
   */
  async call(
    build: (id: number) => Buffer[],
    gapMs = 0,
    timeoutMs = 30_000,
  ): Promise<{ sent: Buffer; received: Buffer[] }> {
    const id = this.nextId;
    const chunks = build(id);
    const sent = Buffer.concat(chunks);
    let count = 0;
    for (const b of sent) if (b === 0x0a) count++;
    const from = this.lines.length;
    this.request('tools/call', {
      name: 'write',
      arguments: { chunks: chunks.map((c) => c.toString('base64')), gapMs },
    });
    return { sent, received: await this.linesAfter(from, count, timeoutMs) };
  }

  /** The server's package now says 2.0.0 while 1.0.0 runs: waits until a result carries the notice. */
  async makeStale(): Promise<void> {
    fs.writeFileSync(this.packageJson, JSON.stringify({ name: 'lifeguard-scripted-fixture', version: '2.0.0' }));
    await until(
      'a result with the stale notice',
      async () => {
        const { received } = await this.call((id) => [
          Buffer.from(
            `${JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'probe' }] } })}\n`,
          ),
        ]);
        return received[0].includes('[MCP Lifeguard]');
      },
      30_000,
      200,
    );
  }

  async stop(): Promise<void> {
    this.child.stdin!.end();
    await stopChildren([this.child]);
  }
}

/** Our block's JSON, as the guard appends it: one or more text blocks starting with the prefix. */
export const OUR_BLOCKS =
  /^,?\{"type":"text","text":"\[MCP Lifeguard\](?:[^"\\]|\\.)*"\}(?:,\{"type":"text","text":"\[MCP Lifeguard\](?:[^"\\]|\\.)*"\})*$/;

/**
 * Whether `received` is `sent` as the server wrote it, or with our blocks inserted at one place
 * (where `result.content` closes; the caller checks where when it cares): the relay's property.
 */
export function sameOrAnnotated(sent: Buffer, received: Buffer): 'same' | 'annotated' | 'changed' {
  if (sent.equals(received)) return 'same';
  if (received.length <= sent.length) return 'changed';
  let prefix = 0;
  while (prefix < sent.length && sent[prefix] === received[prefix]) prefix++;
  const inserted = received.length - sent.length;
  // The inserted bytes end where the rest of the server's line begins again; they start at most
  // their own length before the first difference (which they may share a few bytes with).
  for (let start = prefix; start >= Math.max(0, prefix - inserted); start--) {
    if (!received.subarray(start + inserted).equals(sent.subarray(start))) continue;
    if (!received.subarray(0, start).equals(sent.subarray(0, start))) continue;
    if (OUR_BLOCKS.test(received.subarray(start, start + inserted).toString('utf8')) && sent[start] === 0x5d /* ] */)
      return 'annotated';
  }
  return 'changed';
}
