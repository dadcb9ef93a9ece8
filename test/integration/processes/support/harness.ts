import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance, ServerStatus, Snapshot } from '../../../../src/core/base/model';
import { CliResult, sharedCliWorker } from '../../../support/cliWorker';
import { cliPath, repoRoot } from '../../../support/repo';

export const fakeClientPath = path.join(__dirname, 'fake-client.cjs');

export interface FakeClient {
  client: number;
  holders: number[];
  /** The pids the client spawned (the launch: npx's `npm exec`, `sh`, ...). */
  servers: number[];
}

/**
 * This Node linked as `<home>/bin/<name>`: a fake client started as it (`startFakeClient`'s `app`)
 * shows in the process table as the client of that program name.
 */
export function clientApp(home: string, name = 'claude-desktop'): string {
  const app = path.join(home, 'bin', name);
  fs.mkdirSync(path.dirname(app), { recursive: true });
  fs.symlinkSync(process.execPath, app);
  return app;
}

/** Claude Desktop's config in `home` (Linux's place), with these servers; its path. */
export function claudeDesktopConfig(home: string, servers: Record<string, unknown>): string {
  const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ mcpServers: servers }));
  return file;
}

/**
 * Starts a fake client that spawns `count` copies of a server and reports their pids. `app` is the
 * node executable to run it as: a link named like a client's program (`claude-desktop`) makes the
 * process table show that client.
 */
export async function startFakeClient(
  spec: {
    command: string;
    args: string[];
    env?: Record<string, string>;
    cwd?: string;
    count?: number;
    /** Several servers spawned by this one client, in order (then command/args/env/count are not used). */
    launches?: { command: string; args: string[]; env?: Record<string, string> }[];
    gapMs?: number;
    app?: string;
  },
  started: number[],
): Promise<FakeClient> {
  const { app, ...rest } = spec;
  const proc = spawn(app ?? process.execPath, [fakeClientPath, JSON.stringify({ cwd: repoRoot, ...rest })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(proc.pid as number);
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    proc.once('exit', (code) => reject(new Error(`fake client exited with ${code} before reporting`)));
  });
  proc.stdout.destroy();
  proc.unref();
  const report = JSON.parse(line) as FakeClient;
  started.push(...report.holders, ...report.servers);
  return report;
}

/** The environment `cli` runs the CLI with: this process's, a fixture HOME, its MCP_LIFEGUARD_HOME, `env` on top. */
export function cliEnv(home: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'), ...env };
}

/**
 * Runs the built CLI (`node dist/cli.js`) with a fixture HOME (and `env` on top), in `home`;
 * resolves with its exit code and output. For a test of the command as a program, or of what it
 * does to processes (a stop, kill-duplicates --yes).
 */
export function cli(
  home: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args],
      { cwd: home, env: cliEnv(home, env), maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The same command, environment and folder as `cli`, run on the test process's CLI worker (no
 * Node start): for a command whose answer is the subject (`status --json`, a dry
 * `kill-duplicates --json`), asked many times while a test waits for its processes.
 */
export function cliAnswer(home: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return sharedCliWorker().run(args, cliEnv(home, env), home);
}

export async function statusJson(home: string, env: Record<string, string> = {}): Promise<Snapshot> {
  const r = await cliAnswer(home, ['status', '--json'], env);
  if (r.code !== 0) throw new Error(`status --json exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Snapshot;
}

export function server(s: Snapshot, name: string): ServerStatus {
  const found = s.servers.find((x) => x.name === name);
  if (!found) throw new Error(`no server '${name}' in the snapshot: ${s.servers.map((x) => x.name).join(', ')}`);
  return found;
}

/** The instances a launch the test started became (matched by the pid the fake client spawned). */
export function instancesOf(s: ServerStatus, launchPids: readonly number[]): Instance[] {
  return s.instances.filter((i) => launchPids.includes(i.launcherChain[0]?.pid ?? i.pid));
}
