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
 * home, the second run (it finds the kept proofs). Wall time and peak RSS (`VmHWM` as it exits:
 * support.ts measuredRun), the median of per-pair ratios. Linux (/proc).
 * MCP_LIFEGUARD_BENCH_ROUNDS sets the rounds (default 5).
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
const ROUNDS = Number(process.env.MCP_LIFEGUARD_BENCH_ROUNDS) || 5;
/** The releases the wheelhouse holds: reinstalled as they are, so nothing changes but the files. */
const NATIVE = ['numpy==2.4.6', 'pandas==3.1.1', 'pyarrow==26.0.1'];
/** Past the engine's settle window (judge.ts SETTLE_MS, 4 s): the run then judges, not "settling". */
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

/** How many content proofs the home's state folder keeps. */
function keptProofs(home: string): number {
  try {
    const file = path.join(home, 'lg', 'state', 'versions', 'first-seen.json');
    return Object.keys((JSON.parse(fs.readFileSync(file, 'utf8')) as { proofs?: object }).proofs ?? {}).length;
  } catch {
    return 0;
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
    const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
    const envOf = (h: string) => ({ ...base, HOME: h, MCP_LIFEGUARD_HOME: path.join(h, 'lg') });
    const status = async (h: string) => {
      const r = await measuredRun(`require(${JSON.stringify(cli)})`, [cli, 'status'], { env: envOf(h), cwd: project });
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

    const rows: { empty1: number; first: number; empty2: number; second: number }[] = [];
    const mem: typeof rows = [];
    let replaced = 0;
    let proofs = 0;
    for (let i = 0; i < ROUNDS; i++) {
      await venv.pip('--force-reinstall', '--no-deps', ...NATIVE);
      await sleep(AFTER_INSTALL_MS);
      replaced = replacedLibraries(dataServer);
      const empty1 = await status(emptyHome);
      const first = await status(home);
      proofs = keptProofs(home);
      const empty2 = await status(emptyHome);
      const second = await status(home);
      rows.push({ empty1: empty1.ms, first: first.ms, empty2: empty2.ms, second: second.ms });
      mem.push({ empty1: empty1.mib, first: first.mib, empty2: empty2.mib, second: second.mib });
    }
    report.note(
      `${ROUNDS} rounds; the data server maps ${replaced} replaced shared libraries; ${proofs} content proofs kept after a first run`,
    );
    const fig = (label: string, xs: number[], unit: string) => report.figure(`${label} (median)`, median(xs), unit);
    fig('status, empty home', [...rows.map((r) => r.empty1), ...rows.map((r) => r.empty2)], 'ms');
    fig(
      'status, first run after the reinstall',
      rows.map((r) => r.first),
      'ms',
    );
    fig(
      'status, second run after the reinstall',
      rows.map((r) => r.second),
      'ms',
    );
    fig('peak RSS, empty home', [...mem.map((r) => r.empty1), ...mem.map((r) => r.empty2)], 'MiB');
    fig(
      'peak RSS, first run after the reinstall',
      mem.map((r) => r.first),
      'MiB',
    );
    fig(
      'peak RSS, second run after the reinstall',
      mem.map((r) => r.second),
      'MiB',
    );
    const ratio = (label: string, xs: number[]) =>
      report.ratio(`${label} (median of per-pair ratios)`, median(xs), { max: 2 });
    ratio(
      'status time, first run after a same-version reinstall / empty home',
      rows.map((r) => r.first / r.empty1),
    );
    ratio(
      'status peak RSS, first run after a same-version reinstall / empty home',
      mem.map((r) => r.first / r.empty1),
    );
    ratio(
      'status time, second run (kept proofs) / empty home',
      rows.map((r) => r.second / r.empty2),
    );
    ratio(
      'status peak RSS, second run (kept proofs) / empty home',
      mem.map((r) => r.second / r.empty2),
    );
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
