import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { listLocks, LockRecord } from '../../../src/core/locks';
import { CliResult, CliWorker, sharedCliWorker } from '../../support/cliWorker';
import { cliPath, repoRoot } from '../../support/repo';
import { processesOfHome } from '../../support/homeProcesses';
import { isAlive } from '../../support/liveness';
import { until } from '../../support/poll';
import { testSettleEnv } from '../../support/settle';
import type { LifeguardPaths } from '../../../src/core/base/paths';
import { installGuard } from '../../../src/core/configEdit/guardInstall';

export const everythingBin = path.join(repoRoot, 'node_modules', '.bin', 'mcp-server-everything');
export const memoryBin = path.join(repoRoot, 'node_modules', '.bin', 'mcp-server-memory');

/** A private MCP_LIFEGUARD_HOME with a short path: control sockets must fit in sun_path. */
export function tempHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lg-'));
}

export function locksDir(home: string): string {
  return path.join(home, 'locks');
}

/** A guard's env: this process's, its own home, and the tests' short quiet period after an install (support/settle.ts). */
export function guardEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return { ...env, MCP_LIFEGUARD_HOME: home, ...testSettleEnv, ...extra };
}

export interface GuardedClient {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
}

/** Starts `node dist/cli.js run <runArgs>` and connects the real SDK client to it over stdio. */
export async function connectGuarded(
  home: string,
  runArgs: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<GuardedClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'run', ...runArgs],
    env: guardEnv(home, opts.env),
    cwd: opts.cwd ?? repoRoot,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'guard-integration', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

/** Starts the guard as a plain child (for exit codes and stderr of a refused start). */
export function spawnGuard(
  home: string,
  runArgs: string[],
): ChildProcess & { output: { stderr: string; stdout: string }; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [cliPath, 'run', ...runArgs], {
    env: guardEnv(home),
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = { stderr: '', stdout: '' };
  proc.stderr.on('data', (d: Buffer) => (output.stderr += d.toString()));
  proc.stdout.on('data', (d: Buffer) => (output.stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return Object.assign(proc, { output, exited });
}

/** Runs a CLI command to completion with MCP_LIFEGUARD_HOME and HOME set to `home`. */
export function runCli(home: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // HOME too: a command that takes a snapshot reads the test's (empty) home, not the machine's configs.
    const proc = spawn(process.execPath, [cliPath, ...args], { env: { ...guardEnv(home), HOME: home }, cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * runCli on a CliWorker: the same command, environment and folder, without a Node start. For a
 * test whose subject is what the command does to the guards (a restart, a listing), not the CLI's
 * own process.
 */
export function runCliOn(worker: CliWorker, home: string, args: string[]): Promise<CliResult> {
  return worker.run(args, { ...guardEnv(home), HOME: home }, repoRoot);
}

/** runCliOn the test process's shared CLI worker: for a snapshot or plan read again and again while a test waits. */
export function runCliAnswer(home: string, args: string[]): Promise<CliResult> {
  return runCliOn(sharedCliWorker(), home, args);
}

export async function liveRecords(home: string): Promise<LockRecord[]> {
  return (await listLocks(locksDir(home))).flatMap((l) => (l.state === 'live' ? [l.record] : []));
}

export function textOf(result: unknown): string {
  return ((result as { content: Array<{ text?: string }> }).content[0] ?? {}).text ?? '';
}

/** The guard installed at `<root>/bin` as the extension installs it, run by this Node: its launcher's path. */
export function installedLauncher(paths: Pick<LifeguardPaths, 'bin' | 'root'>): string {
  const installed = installGuard({
    binDir: paths.bin,
    root: paths.root,
    cliSource: cliPath,
    platform: process.platform,
    runtime: { kind: 'node', path: process.execPath },
  });
  if (installed.state !== 'installed') throw new Error(`the guard was not installed: ${installed.reason}`);
  return installed.launcher;
}

/**
 * Ends a test's guard and everything its home started: the client closed, the guard killed if it
 * outlived that, then waits until no process of the home is left and removes the home.
 */
export async function endGuarded(g: GuardedClient | undefined, home: string): Promise<void> {
  const pid = g?.transport.pid;
  await g?.client.close().catch(() => undefined);
  if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
  await until('no process of the home left', () => processesOfHome(home).length === 0, 20_000);
  fs.rmSync(home, { recursive: true, force: true });
}
