/**
 * What the engine costs where users run heavy Python servers (issue 42's "the engine's own cost"):
 * real buckaroo from PyPI (its MCP tool `buckaroo-table` and the ~150 MB data server its `view_data`
 * starts), in a real venv, configured as Claude Code user entries.
 * - `status --json` as a whole process (the built CLI) with two buckaroo instances and their data
 *   servers, against the same command on an empty home, interleaved pairs: wall time and peak RSS,
 *   each a ratio (target: at most 1.5x). Taken again after `pip install buckaroo==NEW` under the
 *   running instances, where every replaced file is proved by content.
 * - `status --watch --interval 2` with ten buckaroo instances running (each with its data server):
 *   the watch loop's CPU time over a window after its first looks, as a share of one core (target
 *   at most 0.5 %), side by side with a watch loop that takes a full pass every tick
 *   (`MCP_LIFEGUARD_QUIET_TICKS=0`); and the extension's refresh the same way: one Engine asked for a
 *   snapshot every 5 s, as the extension asks while its view is visible, beside one that never
 *   reuses its last snapshot.
 * Linux (/proc); the wheelhouse is downloaded once and cached (test/support/buckaroo.ts).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { HostEnv } from '../src/core/base/hostEnv';
import { Engine, engineMachine } from '../src/core/snapshot';
import { BUCKAROO_NEW, buckarooHealth, buckarooVenv, smallCsv } from '../test/support/buckaroo';
import { until } from '../test/support/poll';
import { loadNote, measuredRun } from './support';
import type { BenchReport } from './run';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const PAIRS = 7;
const HEAVY = 10;
/** The watch window, s (`MCP_LIFEGUARD_BENCH_WINDOW_S`; the target is over 10 minutes: 600). */
const WINDOW_MS = (Number(process.env.MCP_LIFEGUARD_BENCH_WINDOW_S) || 60) * 1000;
/**
 * Another build's CLI (`MCP_LIFEGUARD_BENCH_BASE_CLI=/path/to/dist/cli.js`, e.g. the commit before a
 * change, built into a folder of its own): its `status --json` runs within each pair and its watch
 * loop beside the others, and both are given against it too.
 */
const BASE_CLI = process.env.MCP_LIFEGUARD_BENCH_BASE_CLI;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TICKS_PER_S = 100;

/** User and system CPU of one process, in seconds, from /proc/PID/stat. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
}

/** One `status --json` as a whole process (this build's CLI, or `which`): wall time (ms) and peak RSS (MiB). */
async function statusRun(env: Record<string, string>, cwd: string, which = cli): Promise<{ ms: number; mib: number }> {
  const r = await measuredRun(`require(${JSON.stringify(which)})`, [which, 'status', '--json'], { env, cwd });
  if (r.code !== 0) throw new Error(`status --json exited ${r.code}`);
  return r;
}

interface Running {
  client: Client;
  transport: StdioClientTransport;
}

export async function run(report: BenchReport): Promise<void> {
  if (process.platform !== 'linux') {
    report.note('skipped: the bench reads /proc (Linux)');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-python-'));
  const running: Running[] = [];
  const watchers: ChildProcess[] = [];
  const dataServers: number[] = [];
  try {
    const venv = await buckarooVenv(dir);
    const project = path.join(dir, 'project');
    fs.mkdirSync(project);
    const csv = smallCsv(project);
    const emptyHome = path.join(dir, 'empty');
    const home = path.join(dir, 'home');
    fs.mkdirSync(emptyHome);
    fs.mkdirSync(home);
    const ports = Array.from({ length: HEAVY }, (_, i) => 47_600 + i);
    // Two entries first (the `status` figures), all ten for the watch loop; one data store each.
    const writeConfig = (n: number) =>
      fs.writeFileSync(
        path.join(home, '.claude.json'),
        JSON.stringify({
          mcpServers: Object.fromEntries(
            ports
              .slice(0, n)
              .map((p, i) => [
                `buckaroo-${i}`,
                { type: 'stdio', command: venv.toolBin, args: [], env: { BUCKAROO_PORT: String(p) } },
              ]),
          ),
        }),
      );
    const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
    const envOf = (h: string) => ({ ...base, HOME: h, MCP_LIFEGUARD_HOME: path.join(h, 'lg') });
    const start = async (i: number) => {
      const transport = new StdioClientTransport({
        command: venv.toolBin,
        args: [],
        // BROWSER: Python's webbrowser runs `true` instead of opening the table.
        env: { ...base, HOME: home, BUCKAROO_PORT: String(ports[i]), BROWSER: 'true' },
        cwd: project,
        stderr: 'ignore',
      });
      const client = new Client({ name: 'python-servers-bench', version: '1.0.0' });
      await client.connect(transport);
      running.push({ client, transport });
      await client.callTool({ name: 'view_data', arguments: { path: csv } });
      // Under load the data server may not listen yet when view_data returns: asked again until it answers.
      dataServers.push(
        (await until(`buckaroo's data server on ${ports[i]}`, () => buckarooHealth(ports[i]), 60_000, 250)).pid,
      );
    };

    const compare = async (label: string) => {
      await statusRun(envOf(home), project);
      await statusRun(envOf(emptyHome), project);
      const ms: number[] = [];
      const mib: number[] = [];
      const rawMs: [number, number][] = [];
      const rawMib: [number, number][] = [];
      // With a base build, each pair takes its run too, on the same home: this build / base, run by run.
      const againstBase: number[] = [];
      const baseMs: number[] = [];
      if (BASE_CLI) await statusRun(envOf(home), project, BASE_CLI);
      for (let i = 0; i < PAIRS; i++) {
        const e = await statusRun(envOf(emptyHome), project);
        const b = await statusRun(envOf(home), project);
        ms.push(b.ms / e.ms);
        mib.push(b.mib / e.mib);
        rawMs.push([e.ms, b.ms]);
        rawMib.push([e.mib, b.mib]);
        if (BASE_CLI) {
          const o = await statusRun(envOf(home), project, BASE_CLI);
          againstBase.push(b.ms / o.ms);
          baseMs.push(o.ms);
        }
      }
      if (BASE_CLI) {
        report.figure(`${label}: status --json of ${BASE_CLI}, two buckaroo (median)`, median(baseMs), 'ms');
        report.ratio(`${label}: status --json time, two buckaroo: this build / ${BASE_CLI}`, median(againstBase), {});
      }
      report.figure(`${label}: status --json, empty home (median)`, median(rawMs.map((r) => r[0])), 'ms');
      report.figure(`${label}: status --json, two buckaroo (median)`, median(rawMs.map((r) => r[1])), 'ms');
      report.figure(`${label}: peak RSS, empty home (median)`, median(rawMib.map((r) => r[0])), 'MiB');
      report.figure(`${label}: peak RSS, two buckaroo (median)`, median(rawMib.map((r) => r[1])), 'MiB');
      report.ratio(`${label}: status --json time, two buckaroo / empty home (median of per-pair ratios)`, median(ms), {
        max: 1.5,
      });
      report.ratio(
        `${label}: status --json peak RSS, two buckaroo / empty home (median of per-pair ratios)`,
        median(mib),
        {
          max: 1.5,
        },
      );
    };

    writeConfig(2);
    await start(0);
    await start(1);
    await compare('current');
    await venv.pip(`buckaroo[mcp]==${BUCKAROO_NEW}`);
    await compare('after an upgrade');

    // Ten heavy instances (the eight more start the new release): the watch loop and the refresh.
    writeConfig(HEAVY);
    for (let i = 2; i < HEAVY; i++) await start(i);
    // Side by side, at the same moment (the load falls on both): a watch loop that takes a full
    // pass every tick (MCP_LIFEGUARD_QUIET_TICKS=0, as before quiet ticks) and one that answers a
    // tick where nothing changed from its last snapshot.
    const watch = (quietTicks: boolean, which = cli) => {
      const w = spawn(process.execPath, [which, 'status', '--watch', '--interval', '2'], {
        env: { ...envOf(home), ...(quietTicks ? {} : { MCP_LIFEGUARD_QUIET_TICKS: '0' }) },
        cwd: project,
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      watchers.push(w);
      return w;
    };
    const everyTick = watch(false);
    const quietWatch = watch(true);
    const baseWatch = BASE_CLI ? watch(true, BASE_CLI) : undefined;
    report.note(loadNote('start'));
    await sleep(10_000); // their first looks, which prove every replaced file once
    const e0 = cpuSeconds(everyTick.pid!);
    const q0 = cpuSeconds(quietWatch.pid!);
    const b0 = baseWatch ? cpuSeconds(baseWatch.pid!) : 0;
    await sleep(WINDOW_MS);
    const everyShare = (cpuSeconds(everyTick.pid!) - e0) / (WINDOW_MS / 1000);
    const quietShare = (cpuSeconds(quietWatch.pid!) - q0) / (WINDOW_MS / 1000);
    const baseShare = baseWatch ? (cpuSeconds(baseWatch.pid!) - b0) / (WINDOW_MS / 1000) : undefined;
    for (const w of watchers) w.kill('SIGTERM');
    if (baseShare !== undefined) {
      report.figure(
        `status --watch --interval 2, ${HEAVY} buckaroo, quiet ticks of ${BASE_CLI}: CPU over ${WINDOW_MS / 1000} s`,
        baseShare * 100,
        '% of a core',
      );
      report.ratio(`status --watch, ${HEAVY} buckaroo: this build / ${BASE_CLI}`, quietShare / baseShare, {});
    }
    report.figure(
      `status --watch --interval 2, ${HEAVY} buckaroo, a full pass every tick: CPU over ${WINDOW_MS / 1000} s`,
      everyShare * 100,
      '% of a core',
    );
    report.figure(
      `status --watch --interval 2, ${HEAVY} buckaroo, quiet ticks: CPU over ${WINDOW_MS / 1000} s`,
      quietShare * 100,
      '% of a core',
    );
    report.ratio(
      `status --watch, ${HEAVY} buckaroo: quiet ticks / a full pass every tick`,
      quietShare / everyShare,
      {},
    );
    report.ratio(`status --watch, ${HEAVY} buckaroo: share of a core, in % (target at most 0.5)`, quietShare * 100, {
      max: 0.5,
    });
    report.note(loadNote());

    // The extension's refresh: one Engine, a snapshot every 5 s (its default while the view shows),
    // an engine that takes a full pass every time beside it, asked at the same moments.
    const host: HostEnv = { home, platform: process.platform, env: envOf(home) };
    const engine = new Engine(engineMachine(host), { registry: false });
    const everyTime = new Engine(engineMachine(host), { registry: false, quietTicks: false });
    const request = { workspaceFolders: [project] };
    for (let i = 0; i < 2; i++) {
      await engine.snapshot(request);
      await everyTime.snapshot(request);
    }
    const spent = { quiet: 0, every: 0 };
    const cpuOf = async (e: Engine) => {
      const c0 = process.cpuUsage();
      const snap = await e.snapshot(request);
      const used = process.cpuUsage(c0);
      if (snap.servers.length !== HEAVY) throw new Error(`expected ${HEAVY} servers, found ${snap.servers.length}`);
      return (used.user + used.system) / 1e6;
    };
    const t0 = Date.now();
    let looks = 0;
    while (Date.now() - t0 < WINDOW_MS) {
      // Which goes first alternates: neither always finds the other's reads in the kernel's caches.
      if (looks % 2 === 0) {
        spent.quiet += await cpuOf(engine);
        spent.every += await cpuOf(everyTime);
      } else {
        spent.every += await cpuOf(everyTime);
        spent.quiet += await cpuOf(engine);
      }
      looks++;
      await sleep(5000);
    }
    const seconds = (Date.now() - t0) / 1000;
    report.figure(
      `extension refresh every 5 s, ${HEAVY} buckaroo, a full pass every time (${looks} snapshots)`,
      (spent.every / seconds) * 100,
      '% of a core',
    );
    report.figure(
      `extension refresh every 5 s, ${HEAVY} buckaroo, quiet ticks (${looks} snapshots, ${engine.quietTickStats().reused} answered from the last)`,
      (spent.quiet / seconds) * 100,
      '% of a core',
    );
    report.ratio(
      `extension refresh, ${HEAVY} buckaroo: quiet ticks / a full pass every time`,
      spent.quiet / spent.every,
      {},
    );
    report.ratio(
      `extension refresh, ${HEAVY} buckaroo: share of a core, in % (target at most 0.5)`,
      (spent.quiet / seconds) * 100,
      { max: 0.5 },
    );
    const stats = engine.quietTickStats();
    if (stats.changed) report.note(`the refresh's last full pass: ${stats.changed}`);
    everyTime.stop();
    engine.stop();
    report.note(loadNote());
  } finally {
    for (const w of watchers) w.kill('SIGKILL');
    for (const r of running) await r.client.close().catch(() => undefined);
    // The tool's watchdog ends its data server with it; one left behind is ended here.
    await sleep(1000);
    for (const pid of dataServers) {
      try {
        if (fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('buckaroo.server')) process.kill(pid, 'SIGKILL');
      } catch {
        // gone with its tool
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
