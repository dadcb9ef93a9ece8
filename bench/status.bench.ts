/**
 * The whole `status` at the scale users have: 1,000 configured servers with ~1,000 processes in the
 * table. The snapshot as the CLI takes it (config scan, this machine's process table and matching,
 * versions with a cold resolution cache, the redaction), then its text and JSON renderings. Each
 * server is `node /opt/srv/N/index.js` with one env value: one interpreter found on PATH a thousand
 * times, a script that is not there, a secret to mask. Registry checks are off (they run in the
 * background and never delay a snapshot). Figures only (each a median): the whole process's target,
 * against `node` running `ps` at ~1,000 processes, is in guardCosts.bench.ts. Linux (/proc).
 * MCP_LIFEGUARD_BENCH_ROUNDS sets the rounds (default 3).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatStatus } from '../src/cli/format/status';
import type { HostEnv } from '../src/core/base/hostEnv';
import { takeSnapshot } from '../src/core/snapshot';
import { serversWithEnv } from '../test/support/bigConfigs';
import type { BenchReport } from './run';
import { killGroups, processCount, startExtraProcesses } from './support';

const ROUNDS = Number(process.env.MCP_LIFEGUARD_BENCH_ROUNDS) || 3;
const SERVERS = 1_000;
const PROCESSES = 1_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Round {
  snapshot: number;
  text: number;
  json: number;
}

async function round(home: string, servers: number): Promise<Round> {
  // This machine's PATH: the interpreter is looked up the way the CLI would look it up.
  const host: HostEnv = {
    home,
    platform: process.platform,
    env: { PATH: process.env.PATH, HOME: home, MCP_LIFEGUARD_HOME: path.join(home, 'lg') },
  };
  const t0 = process.hrtime.bigint();
  // An engine of its own, as one `status` run has: nothing cached from an earlier round.
  const snap = await takeSnapshot({ host, workspaceFolders: [], engine: { registry: false } });
  const t1 = process.hrtime.bigint();
  const text = formatStatus(snap);
  const t2 = process.hrtime.bigint();
  const json = JSON.stringify(snap, null, 2);
  const t3 = process.hrtime.bigint();
  if (snap.servers.length !== servers || !text || !json)
    throw new Error(`expected ${servers} servers, found ${snap.servers.length}`);
  if (snap.servers.some((s) => s.installed === undefined))
    throw new Error('a server has no installed side: versions did not run');
  return { snapshot: Number(t1 - t0) / 1e6, text: Number(t2 - t1) / 1e6, json: Number(t3 - t2) / 1e6 };
}

export async function run(report: BenchReport): Promise<void> {
  if (process.platform !== 'linux') {
    report.note('this bench fills the process table through /proc: run it on Linux');
    return;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-status-'));
  const extra = await startExtraProcesses(Math.max(0, PROCESSES - processCount()));
  try {
    report.note(`${ROUNDS} rounds per figure, median; ${processCount()} processes in the table`);
    const home = path.join(root, 'home');
    const file = path.join(home, '.config', 'Code', 'User', 'mcp.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, serversWithEnv(SERVERS, 'servers'));
    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await round(home, SERVERS));
    const label = `${SERVERS.toLocaleString('en-US')} servers`;
    report.figure(`${label}: snapshot with versions`, median(rounds.map((r) => r.snapshot)), 'ms');
    report.figure(`${label}: text rendering`, median(rounds.map((r) => r.text)), 'ms');
    report.figure(`${label}: JSON rendering`, median(rounds.map((r) => r.json)), 'ms');
  } finally {
    killGroups([extra]);
    fs.rmSync(root, { recursive: true, force: true });
  }
}
