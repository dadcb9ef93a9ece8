import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { cliPath, fixturesDir, repoRoot } from '../../support/repo';
import { until } from '../../support/poll';
import { processesOfHome } from '../../support/homeProcesses';
import { connectGuarded, guardEnv, memoryBin } from './support';

/** The servers of the era matrix, as `mcp-lifeguard run` arguments after `--`. */
export const servers = {
  dual: [process.execPath, path.join(fixturesDir, 'eras', 'dual-stdio', 'server.mjs')],
  memory: [memoryBin],
  strict: [process.execPath, path.join(fixturesDir, 'eras', 'legacy-strict', 'server.mjs')],
} as const;
export type ServerKind = keyof typeof servers;

/** The clients of the era matrix: the 2.x SDK modern-first (`auto`) and by default (legacy), and the 1.x SDK. */
export type ClientKind = '2.x auto' | '2.x legacy' | '1.x';

/** One client connected through `mcp-lifeguard run --name <name>`, whatever its SDK. */
export interface EraClient {
  era(): string;
  call(name: string, args: Record<string, unknown>): Promise<string>;
  /** How many times the client's SDK reported a tools list change. */
  changed(): number;
  /** The 2.x modern client's auto-opened subscription, settled once it closed. */
  subscriptionClosed(): Promise<string> | undefined;
  /** What the session's guard wrote to stderr. */
  stderr(): string;
  close(): Promise<void>;
}

/** Environment of the guard and its child: the test's home, the server's message log, server-memory's file. */
export function erasEnv(home: string): Record<string, string> {
  return { FIXTURE_LOG: fixtureLog(home), MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') };
}

export function fixtureLog(home: string): string {
  return path.join(home, 'fixture.log');
}

/** What the guarded servers received, one parsed message per line (fixtures with FIXTURE_LOG only). */
export function received(
  home: string,
): Array<{ id?: string | number; method?: string; params?: Record<string, unknown> }> {
  if (!fs.existsSync(fixtureLog(home))) return [];
  return fs
    .readFileSync(fixtureLog(home), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { id?: string | number; method?: string });
}

function textOf(result: unknown): string {
  return ((result as { content: Array<{ text?: string }> }).content[0] ?? {}).text ?? '';
}

export async function connectEra(home: string, kind: ClientKind, name: string, server: ServerKind): Promise<EraClient> {
  const runArgs = ['--name', name, '--', ...servers[server]];
  let changes = 0;
  if (kind === '1.x') {
    const g = await connectGuarded(home, runArgs, { env: erasEnv(home) });
    g.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    return {
      era: () => 'legacy',
      call: async (tool, args) => textOf(await g.client.callTool({ name: tool, arguments: args })),
      changed: () => changes,
      subscriptionClosed: () => undefined,
      stderr: g.stderr,
      close: () => g.client.close(),
    };
  }
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'run', ...runArgs],
    env: guardEnv(home, erasEnv(home)),
    cwd: repoRoot,
    stderr: 'pipe',
  });
  const client = new Client(
    { name: 'eras-integration', version: '1.0.0' },
    {
      ...(kind === '2.x auto' ? { versionNegotiation: { mode: 'auto' as const } } : {}),
      listChanged: { tools: { debounceMs: 0, onChanged: () => void changes++ } },
    },
  );
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await client.connect(transport);
  return {
    stderr: () => stderr,
    era: () => client.getProtocolEra() ?? 'none',
    call: async (tool, args) => textOf(await client.callTool({ name: tool, arguments: args })),
    changed: () => changes,
    subscriptionClosed: () => client.autoOpenedSubscription?.closed,
    close: () => client.close(),
  };
}

/** Processes started for `home` (they inherit its MCP_LIFEGUARD_HOME): guards and the servers they run. */
export function processesOf(home: string): { guards: number; servers: number } {
  const mine = processesOfHome(home).filter((p) => !p.cmdline.includes(`${cliPath}\0restart`));
  const guards = mine.filter((p) => p.cmdline.includes(`${cliPath}\0run`)).length;
  return { guards, servers: mine.length - guards };
}

/** Waits until no guard or server started for `home` is left (a test's clean-up), then removes `home`. */
export async function noneLeftThenRemove(home: string): Promise<void> {
  await until(
    'no process of the test left',
    () => {
      const left = processesOf(home);
      return left.guards === 0 && left.servers === 0;
    },
    20_000,
  );
  fs.rmSync(home, { recursive: true, force: true });
}

/** A client that writes raw lines to `mcp-lifeguard run` and reads what comes back, line by line. */
export class RawGuard {
  readonly lines: Array<Record<string, unknown>> = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly proc;

  constructor(home: string, runArgs: string[]) {
    this.proc = spawn(process.execPath, [cliPath, 'run', ...runArgs], {
      env: guardEnv(home, erasEnv(home)),
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let buf = '';
    this.proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
        buf = buf.slice(i + 1);
      }
    });
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  send(message: Record<string, unknown>): void {
    this.proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  }

  async answer(id: string | number): Promise<Record<string, unknown>> {
    return until(
      `the answer to ${JSON.stringify(id)}`,
      () => this.lines.find((l) => l.id === id && l.method === undefined),
      20_000,
    );
  }

  stop(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
  }
}

/** The modern envelope a 2.x client puts on each request. */
export const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

export function subscriptionOf(line: Record<string, unknown>): unknown {
  return ((line.params as { _meta?: Record<string, unknown> } | undefined)?._meta ?? {})[
    'io.modelcontextprotocol/subscriptionId'
  ];
}
