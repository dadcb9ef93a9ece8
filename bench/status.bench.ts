/**
 * The whole `status` on a config of thousands of servers: the snapshot as the CLI takes it (config
 * scan, this machine's process table and matching, versions with a cold resolution cache, the
 * redaction), then its text and JSON renderings. Each server is `node /opt/srv/N/index.js` with one
 * env value: one interpreter found on PATH thousands of times, a script that is not there, a secret
 * to mask. Registry checks are off (they run in the background and never delay a snapshot).
 * Target: 20,000 servers in under 2 s, absolute (each figure is a median).
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

const ROUNDS = Number(process.env.MCP_LIFEGUARD_BENCH_ROUNDS) || 3;

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
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-status-'));
  try {
    report.note(
      `${ROUNDS} rounds per figure, median; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores`,
    );
    for (const servers of [5_000, 20_000]) {
      const home = path.join(root, `h${servers}`);
      const file = path.join(home, '.config', 'Code', 'User', 'mcp.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, serversWithEnv(servers, 'servers'));
      const rounds: Round[] = [];
      for (let i = 0; i < ROUNDS; i++) rounds.push(await round(home, servers));
      const label = servers.toLocaleString('en-US');
      report.figure(`${label} servers: snapshot with versions`, median(rounds.map((r) => r.snapshot)), 'ms');
      report.figure(`${label} servers: text rendering`, median(rounds.map((r) => r.text)), 'ms');
      report.figure(`${label} servers: JSON rendering`, median(rounds.map((r) => r.json)), 'ms');
      if (servers === 20_000)
        report.ratio(
          `${label} servers: snapshot with versions and text rendering, seconds`,
          median(rounds.map((r) => r.snapshot + r.text)) / 1000,
          { max: 2 },
        );
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
