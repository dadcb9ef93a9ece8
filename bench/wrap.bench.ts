/**
 * `wrap` on one file of thousands of entries of one server (Claude Desktop's config, `mem-0`...
 * `mem-N`, the same command: `wrap mem-0` rewrites them all in one plan). Each entry was once
 * parsed for anew, file-wide, by the editor and again by the diff's redaction: 1,000 entries took
 * 28 s and 11,000 over 200 s, where `status` on the same file takes seconds.
 * 1. in process: the config scan of the file (first scan), the plan (every entry's edit in one
 *    parse, checked by one more), the diff with every line redacted, and the write (the one config
 *    writer, its settle time included);
 * 2. the built CLI on the same home: `wrap mem-0 --json` (the plan and its diff, nothing written)
 *    beside `status --json`, one after the other in each round.
 * Targets, as ratios (each figure a median): linear in the entries (the plan and its diff cost at
 * most 1.5x as much per entry at 11,000 entries as at 1,000; a pass over the file per entry made it
 * 11x), and the CLI's `wrap` within 3x its `status` at 11,000 entries (it reads what `status` reads,
 * then rewrites, checks, diffs and redacts a file that grows to three times its size).
 * MCP_LIFEGUARD_BENCH_ROUNDS sets the rounds (default 3).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planConfigEdits, redactedDiff } from '../src/cli/commands/wrap';
import type { HostEnv } from '../src/core/base/hostEnv';
import { readConfigForEdit, writeConfigFile } from '../src/core/configEdit/configWriter';
import { scanSources } from '../src/core/sources/scan';
import { sameServerEntries } from '../test/support/bigConfigs';
import { cliPath } from '../test/support/repo';
import type { BenchReport } from './run';
import { liveFs } from '../src/core/machine/liveFs';

const ROUNDS = Number(process.env.MCP_LIFEGUARD_BENCH_ROUNDS) || 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function ms(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

interface Round {
  scan: number;
  plan: number;
  diff: number;
  write: number;
}

async function round(home: string, file: string, count: number): Promise<Round> {
  const host: HostEnv = { home, platform: 'linux', env: { HOME: home } };
  // No parse cache: every round parses the file, as one `wrap` run does.
  let t = process.hrtime.bigint();
  const scan = await scanSources({ fs: liveFs, host, workspaceFolders: [] });
  const scanMs = ms(t);
  t = process.hrtime.bigint();
  const plan = planConfigEdits({
    verb: 'wrap',
    target: 'mem-0',
    share: false,
    servers: scan.servers,
    launcher: path.join(home, 'bin', 'mcp-lifeguard'),
    read: readConfigForEdit,
    refusal: () => undefined,
  });
  const planMs = ms(t);
  if ('error' in plan || plan.files.length !== 1 || plan.files[0].entries.length !== count)
    throw new Error(
      `expected one file of ${count} entries: ${JSON.stringify('error' in plan ? plan : plan.left.slice(0, 3))}`,
    );
  t = process.hrtime.bigint();
  const diff = redactedDiff(plan.files[0], scan.secrets, scan.servers);
  const diffMs = ms(t);
  if (!diff.includes('mem-0')) throw new Error('no diff');
  const before = fs.readFileSync(file);
  t = process.hrtime.bigint();
  const why = await writeConfigFile(plan.files[0].read, plan.files[0].afterBytes, { platform: process.platform });
  const writeMs = ms(t);
  if (why !== undefined) throw new Error(why);
  fs.writeFileSync(file, before);
  return { scan: scanMs, plan: planMs, diff: diffMs, write: writeMs };
}

/** Wall time of one run of the built CLI with HOME at `home`. */
function cli(home: string, args: string[]): number {
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, [cliPath, ...args], {
    env: { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: path.join(home, 'lg') },
    stdio: ['ignore', 'ignore', 'ignore'],
    maxBuffer: 256 * 1024 * 1024,
  });
  return ms(t);
}

export async function run(report: BenchReport): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-wrap-'));
  try {
    report.note(
      `${ROUNDS} rounds per figure, median; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores`,
    );
    const perEntry = new Map<number, number>();
    for (const count of [1_000, 11_000]) {
      const home = path.join(root, `h${count}`);
      const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, sameServerEntries(count, '/opt/lg-bench/server'));
      const rounds: Round[] = [];
      for (let i = 0; i < ROUNDS; i++) rounds.push(await round(home, file, count));
      const label = count.toLocaleString('en-US');
      const scan = median(rounds.map((r) => r.scan));
      report.figure(`${label} entries: config scan (first)`, scan, 'ms');
      report.figure(
        `${label} entries: plan (one parse of the file, one check)`,
        median(rounds.map((r) => r.plan)),
        'ms',
      );
      report.figure(`${label} entries: diff, every line redacted`, median(rounds.map((r) => r.diff)), 'ms');
      report.figure(`${label} entries: write (settle time included)`, median(rounds.map((r) => r.write)), 'ms');
      perEntry.set(count, median(rounds.map((r) => (r.plan + r.diff) / count)));
      const wrap: number[] = [];
      const status: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        status.push(cli(home, ['status', '--json']));
        wrap.push(cli(home, ['wrap', 'mem-0', '--json']));
      }
      report.figure(`${label} entries: built CLI status --json`, median(status), 'ms');
      report.figure(`${label} entries: built CLI wrap mem-0 --json`, median(wrap), 'ms');
      if (count === 11_000)
        report.ratio(`${label} entries: built CLI wrap / status`, median(wrap) / median(status), { max: 3 });
    }
    report.ratio(
      'plan and diff per entry, 11,000 entries / 1,000 entries (linear: 1)',
      perEntry.get(11_000)! / perEntry.get(1_000)!,
      { max: 1.5 },
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
