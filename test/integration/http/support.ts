import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { HttpGuardOptions } from '../../../src/guard/http/startHttpGuard';
import { listLocks, LockRecord, ServerIdentity } from '../../../src/core/locks';
import { lifeguardPaths, type LifeguardPaths } from '../../../src/core/base/paths';
import { controlShutdown, controlStatus } from '../../../src/core/control';
import { isAlive, killAndWait } from '../../support/liveness';
import { until } from '../../support/poll';
import { repoRoot } from '../../support/repo';

export const everythingScript = path.join(
  repoRoot,
  'node_modules',
  '@modelcontextprotocol',
  'server-everything',
  'dist',
  'index.js',
);
export const loopbackPreload = path.join(__dirname, 'fixtures', 'loopback.cjs');

/** `node --require loopback.cjs server-everything streamableHttp`: the real server, on 127.0.0.1 only, port from PORT. */
export function everythingCommand(script = everythingScript): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--require', loopbackPreload, script, 'streamableHttp'] };
}

/** The HTTP guard over server-everything, on loopback, with the defaults the tests share; `overrides` win. */
export function everythingGuardOptions(
  o: { home: string; identity: ServerIdentity; paths: LifeguardPaths; port: number },
  overrides: Partial<HttpGuardOptions> = {},
): HttpGuardOptions {
  return {
    launch: { ...everythingCommand(), cwd: o.home, env: { ...process.env } },
    identity: o.identity,
    paths: o.paths,
    host: '127.0.0.1',
    port: o.port,
    path: '/mcp',
    maxBodyBytes: 4 * 1024 * 1024,
    upstreamTimeoutMs: 60_000,
    startTimeoutMs: 60_000,
    termGraceMs: 5000,
    drainTimeoutMs: 5000,
    allowedOrigins: [],
    whenStale: 'warn',
    staleIntervalMs: 0,
    childStdio: 'ignore',
    log: () => undefined,
    ...overrides,
  };
}

/** A short private temp dir (Unix socket paths are limited to ~104 bytes). */
export function shortTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mlh-'));
}

/**
 * A package of our own around server-everything, with a version we can bump: `ensure` compares
 * the version the guard recorded against this package.json.
 */
export function versionedServerPackage(
  dir: string,
  version: string,
): { command: string; args: string[]; packageJson: string } {
  const pkgDir = path.join(dir, 'pkg');
  fs.mkdirSync(pkgDir, { recursive: true });
  const packageJson = path.join(pkgDir, 'package.json');
  fs.writeFileSync(packageJson, JSON.stringify({ name: 'lifeguard-http-fixture', version }));
  const server = path.join(pkgDir, 'server.mjs');
  fs.writeFileSync(server, `await import(${JSON.stringify(new URL(`file://${everythingScript}`).href)});\n`);
  return { command: process.execPath, args: ['--require', loopbackPreload, server, 'streamableHttp'], packageJson };
}

export async function connectClient(
  url: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const client = new Client({ name: 'lifeguard-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

export async function echo(client: Client, text: string): Promise<string> {
  const result = (await client.callTool({ name: 'echo', arguments: { message: text } }, undefined, {
    timeout: 30_000,
  })) as { content: Array<{ type: string; text?: string }> };
  return result.content.map((c) => c.text ?? '').join('');
}

/** Spawns a process and collects its output. */
export function spawnCollect(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Command lines of this user's processes whose argv mentions `marker`. */
export function processesMentioning(marker: string): string[][] {
  const out: string[][] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv.some((a) => a.includes(marker))) out.push(argv);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Kills every process whose argv mentions `marker` (a test's temp folder): the orphans a SIGKILLed guard leaves. */
export async function killMentioning(marker: string): Promise<void> {
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) await killAndWait(Number(name));
    } catch {
      // gone
    }
  }
}

/** The live guard's lock record under an MCP Lifeguard home (not `ensure`'s own lock); at most one. */
export async function liveGuardOf(home: string): Promise<LockRecord | undefined> {
  const locks = await listLocks(lifeguardPaths({ home, platform: 'linux', env: { MCP_LIFEGUARD_HOME: home } }).locks);
  const live = locks.filter((l) => l.state === 'live' && 'record' in l && !l.record.serverName.endsWith('.ensure'));
  assert.ok(live.length <= 1, `one live guard at most: ${JSON.stringify(live)}`);
  return live[0] && 'record' in live[0] ? live[0].record : undefined;
}

/** The pid of a guard's server, as its control endpoint reports it. */
export async function childPidOf(record: LockRecord): Promise<number | undefined> {
  const reply = await controlStatus(record.control!);
  return reply.ok ? reply.result.childPid : undefined;
}

/**
 * Stops the HTTP guard `ensure` left running under `home`, and its server: asked over its control
 * endpoint, killed if it has not gone within 30 s.
 */
export async function stopEnsuredGuard(home: string): Promise<void> {
  const record = await liveGuardOf(home).catch(() => undefined);
  if (!record) return;
  const child = await childPidOf(record).catch(() => undefined);
  await controlShutdown(record.control!).catch(() => undefined);
  await until('the guard to stop', () => (isAlive(record.pid) ? undefined : true), 30_000).catch(() =>
    killAndWait(record.pid),
  );
  await killAndWait(child);
}
