/**
 * The extension's first badge: the cheap first look (configs and the process table, no versions)
 * against the full snapshot (versions resolved with a cold cache), side by side in one run, on a
 * home with 10 configured servers of which 10 run (real server-memory and server-everything from
 * the project's node_modules, each with its own data file). The badge shows after the first look;
 * versions follow. Target: the first look within 2 s (absolute, median), and a fraction of the full.
 * MCP_LIFEGUARD_BENCH_ROUNDS sets the rounds (default 3).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostEnv } from '../src/core/base/hostEnv';
import { Engine, engineMachine } from '../src/core/snapshot';
import { repoRoot } from '../test/support/repo';
import type { BenchReport } from './run';
import { killGroups } from './support';

const ROUNDS = Number(process.env.MCP_LIFEGUARD_BENCH_ROUNDS) || 3;
const SERVERS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function script(pkg: string): string {
  const dir = path.join(repoRoot, 'node_modules', pkg);
  const bin = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> })
    .bin;
  return path.join(dir, Object.values(bin)[0]);
}

export async function run(report: BenchReport): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-first-'));
  const children: ChildProcess[] = [];
  try {
    const servers: Record<string, { command: string; args: string[]; env: Record<string, string> }> = {};
    for (let i = 0; i < SERVERS; i++) {
      const pkg = i % 2 === 0 ? '@modelcontextprotocol/server-memory' : '@modelcontextprotocol/server-everything';
      servers[`s${i}`] = {
        command: process.execPath,
        args: [script(pkg), ...(i % 2 ? ['stdio', `--bench-${i}`] : [])],
        env: { MEMORY_FILE_PATH: path.join(root, `m${i}.json`) },
      };
    }
    const file = path.join(root, '.config', 'Claude', 'claude_desktop_config.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ mcpServers: servers }));
    for (const s of Object.values(servers)) {
      children.push(
        spawn(s.command, s.args, {
          env: { ...process.env, ...s.env },
          stdio: ['pipe', 'ignore', 'ignore'],
          detached: true,
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1500));
    const host: HostEnv = {
      home: root,
      platform: process.platform,
      env: { PATH: process.env.PATH, HOME: root, MCP_LIFEGUARD_HOME: path.join(root, 'lg') },
    };
    fs.mkdirSync(path.join(root, 'lg'), { mode: 0o700 });
    const first: number[] = [];
    const full: number[] = [];
    let running = 0;
    for (let i = 0; i < ROUNDS; i++) {
      // A new engine each round, as the extension has at its start: the first look, then the full
      // snapshot by the same engine (its config scans kept, no version resolved yet: a cold cache).
      const engine = new Engine(engineMachine(host), { registry: false, persist: false });
      const t0 = process.hrtime.bigint();
      const cheap = await engine.snapshot({ workspaceFolders: [], versions: false });
      const t1 = process.hrtime.bigint();
      await engine.snapshot({ workspaceFolders: [] });
      const t2 = process.hrtime.bigint();
      running = cheap.servers.reduce((n, s) => n + s.instances.length, 0);
      first.push(Number(t1 - t0) / 1e6);
      full.push(Number(t2 - t1) / 1e6);
    }
    report.note(
      `${ROUNDS} rounds per figure, median; ${SERVERS} servers configured, ${running} instances found; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores`,
    );
    report.figure('first look (configs + processes)', median(first), 'ms');
    report.figure('full snapshot (versions, cold cache)', median(full), 'ms');
    report.ratio('first look, seconds', median(first) / 1000, { max: 2 });
    report.ratio('first look / full snapshot', median(first) / median(full), { max: 1 });
  } finally {
    killGroups(children);
    fs.rmSync(root, { recursive: true, force: true });
  }
}
