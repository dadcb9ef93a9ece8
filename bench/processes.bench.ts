/**
 * The process side of a snapshot, side by side in one run:
 * - a full snapshot (config sources + process table + matching + verdicts) against a bare `ps`
 *   listing of the same table, at the machine's own ~100 processes and at ~1,000 (the bench starts
 *   the extra processes itself, in one process group, and ends them);
 * - matching alone on synthetic tables of 1,000 and 10,000 processes with 50 and 500 configured servers.
 */
import { ChildProcess, execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { currentHostEnv } from '../src/core/machine/live';
import type { ServerConfig } from '../src/core/base/model';
import { attachInstances } from '../src/core/processes/instances';
import { ProcessInfo } from '../src/core/pids/table';
import { Engine, engineMachine } from '../src/core/snapshot';
import type { BenchReport } from './run';
import { killGroups, processCount, startExtraProcesses } from './support';

const execFileAsync = promisify(execFile);

const PS_ARGS = ['-e', '-o', 'pid=,ppid=,uid=,rss=,lstart=,args='];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** A fixture home with a handful of configured servers, as a user would have. */
function fixtureHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-'));
  fs.mkdirSync(path.join(home, '.config', 'Claude'), { recursive: true });
  const servers: Record<string, unknown> = {};
  for (let i = 0; i < 10; i++) servers[`srv${i}`] = { command: 'npx', args: ['-y', `@bench/server-${i}`] };
  fs.writeFileSync(
    path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
    JSON.stringify({ mcpServers: servers }),
  );
  return home;
}

/** Full snapshot vs bare ps, interleaved so both see the same machine load. */
async function snapshotVsPs(report: BenchReport, label: string, home: string, rounds: number): Promise<number> {
  const host = currentHostEnv({ ...process.env, HOME: home, MCP_LIFEGUARD_HOME: path.join(home, '.lg') });
  // One engine for every round, as the extension and `status --watch` hold one: the warm-up fills its cache.
  const engine = new Engine(engineMachine(host));
  const snap = () => engine.snapshot({ workspaceFolders: [home] });
  const ps = () => execFileAsync('ps', PS_ARGS, { maxBuffer: 64 * 1024 * 1024 });
  await snap();
  await ps();
  const snaps: number[] = [];
  const pss: number[] = [];
  for (let i = 0; i < rounds; i++) {
    pss.push(await timeMs(ps));
    snaps.push(await timeMs(snap));
  }
  const count = (await snap()).processes;
  report.figure(`${label}: processes in the table`, count.state === 'ok' ? count.count : NaN, '');
  report.figure(`${label}: bare ps listing, median of ${rounds}`, median(pss), 'ms');
  report.figure(`${label}: full snapshot, median of ${rounds}`, median(snaps), 'ms');
  return median(snaps) / median(pss);
}

function endGroup(group: ChildProcess): void {
  killGroups([group]);
}

// ---- synthetic tables for matching alone ----

function config(i: number): ServerConfig {
  const kind = i % 4;
  const [command, args] =
    kind < 2
      ? ['npx', ['-y', `@bench/server-${i}`]]
      : kind === 2
        ? ['uvx', [`mcp-bench-${i}`]]
        : ['node', [`/srv/bench-${i}/index.js`, '--port', String(i)]];
  return {
    id: `vscode:user:/cfg.json#s${i}`,
    name: `s${i}`,
    source: { client: 'vscode', scope: 'user', label: 'VS Code User', file: '/cfg.json' },
    keyPath: ['servers', `s${i}`],
    transport: 'stdio',
    command,
    args,
    envKeys: [],
    headerKeys: [],
    disabled: false,
    unresolved: [],
    launchKey: `k${i}`,
    identityKey: `k${i}`,
  };
}

/**
 * A table of `n` processes: init, a VS Code extension host, running instances (npx -> sh -> node,
 * uvx -> python, node) for up to n/20 of the configs, some of them twice, some orphaned, and
 * ordinary processes in a random tree for the rest.
 */
function syntheticTable(n: number, configs: ServerConfig[]): ProcessInfo[] {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const rows: ProcessInfo[] = [
    { pid: 1, ppid: 0, argv: ['/sbin/init'], uid: 0, startTime: 1 },
    { pid: 2, ppid: 1, argv: ['/usr/share/code/code'], uid: 1000, startTime: 2 },
    {
      pid: 3,
      ppid: 2,
      argv: ['/usr/share/code/code', '--type=utility', '--utility-sub-type=node.mojom.NodeService'],
      uid: 1000,
      startTime: 3,
    },
  ];
  let pid = 10;
  const add = (ppid: number, argv: string[]) => {
    rows.push({ pid, ppid, argv, uid: 1000, startTime: 1000 + pid, memoryBytes: 1e6 });
    return pid++;
  };
  const running = Math.min(configs.length, Math.floor(n / 20));
  for (let i = 0; i < running; i++) {
    const c = configs[i];
    const copies = i % 10 === 0 ? 2 : 1;
    for (let k = 0; k < copies; k++) {
      const parent = i % 15 === 7 ? 1 : 3;
      if (c.command === 'npx') {
        const a = add(parent, ['npm', 'exec', c.args[1]]);
        const b = add(a, ['sh', '-c', `bench-server-${i}`]);
        add(b, ['node', `/home/u/.npm/_npx/${i}/node_modules/.bin/bench-server-${i}`]);
      } else if (c.command === 'uvx') {
        const a = add(parent, ['/home/u/.local/bin/uvx', c.args[0]]);
        add(a, ['/home/u/.cache/uv/archive-v0/x/bin/python', `/home/u/.cache/uv/archive-v0/x/bin/${c.args[0]}`]);
      } else add(parent, ['/usr/bin/node', ...c.args]);
    }
  }
  const ordinary = [
    ['/usr/bin/bash'],
    ['/opt/google/chrome/chrome', '--type=renderer', '--lang=en-US'],
    ['/usr/lib/systemd/systemd-journald'],
    ['python3', '/usr/bin/some-daemon', '--foreground'],
    ['node', '/home/u/app/server.js'],
  ];
  while (rows.length < n) {
    const parent = rows[Math.floor(rand() * rows.length)].pid;
    add(parent, ordinary[Math.floor(rand() * ordinary.length)]);
  }
  return rows;
}

/**
 * Matching alone at 1,000 and 10,000 processes, interleaved: each round times ten runs on the 1,000
 * table then one on the 10,000 table, so both see the same load on a shared machine; the ratio is
 * the median of the per-round ratios.
 */
async function matchingScale(c: number, rounds: number): Promise<{ small: number; big: number; ratio: number }> {
  const configs = Array.from({ length: c }, (_, i) => config(i));
  const runner = (n: number) => {
    const table = syntheticTable(n, configs);
    return () =>
      attachInstances(
        configs,
        { state: 'ok', processes: table, method: 'procfs' },
        { platform: 'linux', secretsOf: () => new Set(), findListeners: async () => new Map() },
      );
  };
  const small = runner(1000);
  const big = runner(10000);
  for (let i = 0; i < 3; i++) {
    await small();
    await big();
  }
  const smalls: number[] = [];
  const bigs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const s =
      (await timeMs(async () => {
        for (let k = 0; k < 10; k++) await small();
      })) / 10;
    const b = await timeMs(big);
    smalls.push(s);
    bigs.push(b);
    ratios.push(b / s);
  }
  return { small: median(smalls), big: median(bigs), ratio: median(ratios) };
}

export async function run(report: BenchReport): Promise<void> {
  if (process.platform !== 'linux') {
    report.note('the full-snapshot half of this bench reads /proc to count processes: run it on Linux');
  } else {
    const home = fixtureHome();
    let group: ChildProcess | undefined;
    try {
      const small = await snapshotVsPs(report, '~100 processes', home, 30);
      report.figure('~100 processes: snapshot / ps', small, 'x');
      const extra = Math.max(0, 1000 - processCount());
      group = await startExtraProcesses(extra);
      const big = await snapshotVsPs(report, '~1,000 processes', home, 20);
      report.ratio('~1,000 processes: full snapshot / bare ps listing', big, { max: 1.25 });
    } finally {
      if (group) endGroup(group);
      fs.rmSync(home, { recursive: true, force: true });
    }
  }
  for (const c of [50, 500]) {
    const m = await matchingScale(c, 25);
    report.figure(`matching, 1,000 processes x ${c} servers, median`, m.small, 'ms');
    report.figure(`matching, 10,000 processes x ${c} servers, median`, m.big, 'ms');
    report.ratio(`matching ${c} servers: 10,000 / 1,000 processes (median of 25 interleaved rounds)`, m.ratio, {
      max: 12,
    });
  }
}
