/**
 * A one-shot `status` after a same-version reinstall of a data-science server: the content proofs
 * kept in the private state folder (`first-seen.json`) must spare the next runs hashing the
 * replaced libraries again. Target: within 2x an empty home's one-shot `status`, time and memory.
 *
 * Real buckaroo from PyPI (test/support/buckaroo.ts) in a real venv, one instance configured as a
 * Claude Code user entry, started by the SDK client and asked `view_data`, so its data server runs
 * with pandas, numpy and pyarrow loaded. Each round: `pip install --force-reinstall --no-deps` of
 * the same releases of those three (every native library replaced by an identical copy at a new
 * inode, still mapped by the running processes), a wait past the settle window, then interleaved
 * whole-process runs of the built CLI (`node dist/cli.js status`): an empty home, the first run
 * after the reinstall (it proves each replaced file by content, and keeps the proofs), an empty
 * home, the second run (it finds the kept proofs). Wall time, peak RSS (`VmHWM` as it exits:
 * support.ts measuredRun) and CPU time (beside wall time on a busy machine), the median of per-pair
 * ratios. Before the reinstalls, the same pairs with nothing replaced: what the running server alone
 * costs a one-shot status. Linux (/proc).
 * MCP_LIFEGUARD_BENCH_ROUNDS sets the rounds (default 5). MCP_LIFEGUARD_BENCH_BEFORE names another
 * build's `dist/cli.js` (an earlier commit, built): its first and second runs after each reinstall
 * are taken in the same rounds, in the same home with a state folder of its own, first in every other round,
 * and its ratios printed beside these (before and after, side by side under one load).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { buckarooHealth, buckarooVenv, smallCsv } from '../test/support/buckaroo';
import { measuredRun } from './support';
import type { BenchReport } from './run';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const BEFORE = process.env.MCP_LIFEGUARD_BENCH_BEFORE
  ? path.resolve(process.env.MCP_LIFEGUARD_BENCH_BEFORE)
  : undefined;
const ROUNDS = Number(process.env.MCP_LIFEGUARD_BENCH_ROUNDS) || 5;
/** The releases the wheelhouse holds: reinstalled as they are, so nothing changes but the files. */
const NATIVE = ['numpy==2.4.6', 'pandas==3.1.1', 'pyarrow==26.0.1'];
/** Past the engine's settle window (settling.ts SETTLE_MS, 4 s): the run then judges, not "settling". */
const AFTER_INSTALL_MS = 5000;
const PORT = 47_680;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Replaced shared libraries a process still maps (`(deleted)` lines of its maps naming a `.so`), each once. */
function replacedLibraries(pid: number): number {
  const maps = fs.readFileSync(`/proc/${pid}/maps`, 'latin1');
  return new Set(
    maps
      .split('\n')
      .filter((l) => /\.so[^/]*\s\(deleted\)$/.test(l))
      .map((l) => l.slice(l.indexOf('/'))),
  ).size;
}

/** The content proofs a state folder keeps, by key (one per replaced file: the latest replaces the earlier). */
function keptProofs(state: string): Set<string> {
  try {
    const file = path.join(state, 'state', 'versions', 'first-seen.json');
    return new Set(Object.keys((JSON.parse(fs.readFileSync(file, 'utf8')) as { proofs?: object }).proofs ?? {}));
  } catch {
    return new Set();
  }
}

export async function run(report: BenchReport): Promise<void> {
  if (process.platform !== 'linux') {
    report.note('skipped: the bench reads /proc (Linux)');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-reinstall-'));
  let client: Client | undefined;
  let dataServer: number | undefined;
  try {
    const venv = await buckarooVenv(dir);
    // The venv is a copy of a per-machine template (`cp -a`: file times kept, change times not),
    // which no installer leaves: its native distributions installed once by pip, as a user's are.
    await venv.pip('--force-reinstall', '--no-deps', ...NATIVE);
    const project = path.join(dir, 'project');
    fs.mkdirSync(project);
    const csv = smallCsv(project);
    const emptyHome = path.join(dir, 'empty');
    const home = path.join(dir, 'home');
    fs.mkdirSync(emptyHome);
    fs.mkdirSync(home);
    fs.writeFileSync(
      path.join(home, '.claude.json'),
      JSON.stringify({
        mcpServers: {
          buckaroo: { type: 'stdio', command: venv.toolBin, args: [], env: { BUCKAROO_PORT: String(PORT) } },
        },
      }),
    );
    // The other build's state folder: the same home (a process another home started is not its
    // entry's), its own first-seen file.
    const stateOf = (h: string, which: string) => path.join(h, which === cli ? 'lg' : 'lg-other');
    const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
    const envOf = (h: string, which: string) => ({ ...base, HOME: h, MCP_LIFEGUARD_HOME: stateOf(h, which) });
    const status = async (h: string, which = cli) => {
      const r = await measuredRun(`require(${JSON.stringify(which)})`, [which, 'status'], {
        env: envOf(h, which),
        cwd: project,
      });
      if (r.code !== 0) throw new Error(`status exited ${r.code}`);
      return r;
    };

    const transport = new StdioClientTransport({
      command: venv.toolBin,
      args: [],
      // BROWSER: Python's webbrowser runs `true` instead of opening the table.
      env: { ...base, HOME: home, BUCKAROO_PORT: String(PORT), BROWSER: 'true' },
      cwd: project,
      stderr: 'ignore',
    });
    client = new Client({ name: 'reinstall-bench', version: '1.0.0' });
    await client.connect(transport);
    await client.callTool({ name: 'view_data', arguments: { path: csv } });
    dataServer = (await buckarooHealth(PORT)).pid;
    // Warm both homes once (the state folder made, the file cache filled) before any figure.
    await status(home);
    await status(emptyHome);
    if (BEFORE) await status(home, BEFORE);

    // What the running server costs a one-shot status before anything is replaced: the part of the
    // figures below that no reinstall causes.
    type Run = { ms: number; mib: number; cpuMs: number };
    const before: { empty: Run; home: Run }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const e = await status(emptyHome);
      const h = await status(home);
      before.push({ empty: e, home: h });
    }
    const rows: { empty1: Run; first: Run; empty2: Run; second: Run }[] = [];
    const beforeRows: { first: Run; second: Run }[] = [];
    let replaced = 0;
    let proven = 0;
    for (let i = 0; i < ROUNDS; i++) {
      await venv.pip('--force-reinstall', '--no-deps', ...NATIVE);
      await sleep(AFTER_INSTALL_MS);
      replaced = replacedLibraries(dataServer);
      const kept = keptProofs(stateOf(home, cli));
      // The other build's run first in every other round: neither always finds the caches the other warmed.
      const otherFirst = BEFORE !== undefined && i % 2 === 0;
      const other = () => status(home, BEFORE);
      const empty1 = await status(emptyHome);
      const firstBefore = otherFirst ? await other() : undefined;
      const first = await status(home);
      const firstBeforeLate = BEFORE && !otherFirst ? await other() : undefined;
      proven = [...keptProofs(stateOf(home, cli))].filter((k) => !kept.has(k)).length;
      const empty2 = await status(emptyHome);
      const secondBefore = otherFirst ? await other() : undefined;
      const second = await status(home);
      const secondBeforeLate = BEFORE && !otherFirst ? await other() : undefined;
      rows.push({ empty1, first, empty2, second });
      const b1 = firstBefore ?? firstBeforeLate;
      const b2 = secondBefore ?? secondBeforeLate;
      if (b1 && b2) beforeRows.push({ first: b1, second: b2 });
    }
    report.note(
      `${ROUNDS} rounds; the data server maps ${replaced} replaced shared libraries; a first run kept ${proven} new content proofs`,
    );
    const emptyRuns = rows.flatMap((r) => [r.empty1, r.empty2]);
    const medians: [string, number[], string][] = [
      ['status, empty home', emptyRuns.map((r) => r.ms), 'ms'],
      ['status, nothing replaced yet', before.map((r) => r.home.ms), 'ms'],
      ['status, first run after the reinstall', rows.map((r) => r.first.ms), 'ms'],
      ['status, second run after the reinstall', rows.map((r) => r.second.ms), 'ms'],
      ['status CPU time, empty home', emptyRuns.map((r) => r.cpuMs), 'ms'],
      ['status CPU time, first run after the reinstall', rows.map((r) => r.first.cpuMs), 'ms'],
      ['status CPU time, second run after the reinstall', rows.map((r) => r.second.cpuMs), 'ms'],
      ['peak RSS, empty home', emptyRuns.map((r) => r.mib), 'MiB'],
      ['peak RSS, nothing replaced yet', before.map((r) => r.home.mib), 'MiB'],
      ['peak RSS, first run after the reinstall', rows.map((r) => r.first.mib), 'MiB'],
      ['peak RSS, second run after the reinstall', rows.map((r) => r.second.mib), 'MiB'],
    ];
    for (const [label, xs, unit] of medians) report.figure(`${label} (median)`, median(xs), unit);
    const perPair = '(median of per-pair ratios)';
    const context: [string, number[]][] = [
      ['status time, nothing replaced yet / empty home', before.map((r) => r.home.ms / r.empty.ms)],
      ['status CPU time, nothing replaced yet / empty home', before.map((r) => r.home.cpuMs / r.empty.cpuMs)],
      ['status peak RSS, nothing replaced yet / empty home', before.map((r) => r.home.mib / r.empty.mib)],
      ['status CPU time, first run after the reinstall / empty home', rows.map((r) => r.first.cpuMs / r.empty1.cpuMs)],
      [
        'status CPU time, second run after the reinstall / empty home',
        rows.map((r) => r.second.cpuMs / r.empty2.cpuMs),
      ],
    ];
    for (const [label, xs] of context) report.figure(`${label} ${perPair}`, median(xs), 'x');
    const targets: [string, number[]][] = [
      ['status time, first run after a same-version reinstall / empty home', rows.map((r) => r.first.ms / r.empty1.ms)],
      [
        'status peak RSS, first run after a same-version reinstall / empty home',
        rows.map((r) => r.first.mib / r.empty1.mib),
      ],
      ['status time, second run (kept proofs) / empty home', rows.map((r) => r.second.ms / r.empty2.ms)],
      ['status peak RSS, second run (kept proofs) / empty home', rows.map((r) => r.second.mib / r.empty2.mib)],
    ];
    if (beforeRows.length) {
      report.note(`the other build (${BEFORE}), with its own state folder, the same rounds:`);
      const other: [string, number[]][] = [
        ['other build: status time, first run / empty home', beforeRows.map((b, i) => b.first.ms / rows[i].empty1.ms)],
        [
          'other build: status CPU time, first run / empty home',
          beforeRows.map((b, i) => b.first.cpuMs / rows[i].empty1.cpuMs),
        ],
        [
          'other build: status peak RSS, first run / empty home',
          beforeRows.map((b, i) => b.first.mib / rows[i].empty1.mib),
        ],
        [
          'other build: status time, second run / empty home',
          beforeRows.map((b, i) => b.second.ms / rows[i].empty2.ms),
        ],
        [
          'other build: status CPU time, second run / empty home',
          beforeRows.map((b, i) => b.second.cpuMs / rows[i].empty2.cpuMs),
        ],
        [
          'other build: status peak RSS, second run / empty home',
          beforeRows.map((b, i) => b.second.mib / rows[i].empty2.mib),
        ],
      ];
      for (const [label, xs] of other) report.figure(`${label} ${perPair}`, median(xs), 'x');
    }
    for (const [label, xs] of targets) report.ratio(`${label} ${perPair}`, median(xs), { max: 2 });
  } finally {
    await client?.close().catch(() => undefined);
    // The tool's watchdog ends its data server with it; one left behind is ended here.
    await sleep(1000);
    try {
      if (dataServer && fs.readFileSync(`/proc/${dataServer}/cmdline`, 'latin1').includes('buckaroo.server'))
        process.kill(dataServer, 'SIGKILL');
    } catch {
      // gone with its tool
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
