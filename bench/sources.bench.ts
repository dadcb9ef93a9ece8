/**
 * Config scanning on hostile input: a snapshot's config side (every source read, parsed,
 * normalised and the whole result redacted; no process table, no versions) on a fixture home.
 * 1. a VS Code mcp.json in which every server is defined twice: 1.2 MB, the largest size that is
 *    parsed (just under MAX_CONFIG_BYTES), and 10 MB (refused unread);
 *    Also the largest Continue YAML (1 MiB limit) and Codex TOML (5 MiB) files that are parsed;
 * 2. 20,000 servers with one env value each (20,000 secrets to mask in every string);
 * 3. a normal Claude Desktop config scanned alone, and again while the largest parsed file of (1)
 *    sits in another source: the delay one pathological file adds to the others.
 * Target: any config of 10 MB or less is scanned in under 2 s, absolute (each figure is a median).
 * MCP_LIFEGUARD_BENCH_ROUNDS sets the rounds (default 5).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostEnv } from '../src/core/hostEnv';
import { takeSnapshot } from '../src/core/snapshot';
import { MAX_YAML_BYTES } from '../src/core/sources/continueYaml';
import { MAX_CONFIG_BYTES } from '../src/core/sources/readConfigFile';
import { duplicateKeyConfig, serversWithEnv } from '../test/support/bigConfigs';
import type { BenchReport } from './run';

const ROUNDS = Number(process.env.MCP_LIFEGUARD_BENCH_ROUNDS) || 5;
const MB = 1024 * 1024;

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** `head` then `item(0)`, `item(1)`... until the text reaches `bytes`. */
function fill(head: string, item: (i: number) => string, bytes: number): string {
  const parts = [head];
  for (let i = 0, length = head.length; ; i++) {
    const next = item(i);
    if (length + next.length > bytes) break;
    parts.push(next);
    length += next.length;
  }
  return parts.join('');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Milliseconds for one snapshot of the configs under `home`; also checks the expected server count came out. */
async function scanMs(home: string, expectServers?: number): Promise<number> {
  const host: HostEnv = { home, platform: 'linux', env: { HOME: home, MCP_LIFEGUARD_HOME: path.join(home, 'lg') } };
  const start = process.hrtime.bigint();
  const snap = await takeSnapshot({ host, workspaceFolders: [], readProcessTable: async () => ({ state: 'ok', processes: [], method: 'procfs' }), readLocks: async () => [], versions: false });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (expectServers !== undefined && snap.servers.length !== expectServers) {
    throw new Error(`expected ${expectServers} servers, found ${snap.servers.length} (${snap.diagnostics.map((d) => d.message).slice(0, 3).join('; ')})`);
  }
  return ms;
}

async function timed(home: string, expectServers?: number): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) runs.push(await scanMs(home, expectServers));
  return median(runs);
}

const vscodeMcp = (home: string) => path.join(home, '.config', 'Code', 'User', 'mcp.json');
const claudeDesktop = (home: string) => path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
const NORMAL = JSON.stringify({ mcpServers: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`s${i}`, { command: 'npx', args: ['-y', `@scope/server-${i}`], env: { API_KEY: `key-${i}-abcdefgh` } }])) });

export async function run(report: BenchReport): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-sources-'));
  try {
    report.note(`${ROUNDS} rounds per figure, median; config files over ${(MAX_CONFIG_BYTES / MB).toFixed(1)} MiB are refused unread`);
    // 1.2 MB: the file that once took 21-28 s; just under the size limit: the largest file that is parsed; 10 MB: refused.
    const sizes = [{ label: '1.2 MB', bytes: 1.2 * MB }, { label: 'largest parsed', bytes: MAX_CONFIG_BYTES - 1024 }, { label: '10 MB', bytes: 10 * MB }];
    for (const { label, bytes } of sizes) {
      const home = path.join(root, `dup-${bytes}`);
      const cfg = duplicateKeyConfig(Math.round(bytes) - 1024);
      write(vscodeMcp(home), cfg.text);
      const ms = await timed(home);
      report.ratio(`${label} mcp.json (${(cfg.text.length / MB).toFixed(2)} MiB, ${cfg.definitions} definitions of ${cfg.names} names), seconds`, ms / 1000, { max: 2 });
    }

    // The other formats at their largest: Continue YAML just under its own limit, Codex TOML just under the general one.
    const yamlHome = path.join(root, 'yaml');
    write(path.join(yamlHome, '.continue', 'config.yaml'), fill('mcpServers:\n', (i) => `  - name: s${i}\n    command: x${i}\n`, MAX_YAML_BYTES - 1024));
    report.ratio('largest parsed Continue config.yaml (1 MiB), seconds', (await timed(yamlHome)) / 1000, { max: 2 });
    const tomlHome = path.join(root, 'toml');
    write(path.join(tomlHome, '.codex', 'config.toml'), fill('', (i) => `[mcp_servers.s${i}]\ncommand = "x${i}"\n`, MAX_CONFIG_BYTES - 1024));
    report.ratio('largest parsed Codex config.toml (5 MiB), seconds', (await timed(tomlHome)) / 1000, { max: 2 });

    const envHome = path.join(root, 'env');
    write(claudeDesktop(envHome), serversWithEnv(20_000));
    report.ratio('20,000 servers with one env value each, seconds', (await timed(envHome, 20_000)) / 1000, { max: 2 });

    const normalHome = path.join(root, 'normal');
    write(claudeDesktop(normalHome), NORMAL);
    const withBad = path.join(root, 'normal-and-bad');
    write(claudeDesktop(withBad), NORMAL);
    write(vscodeMcp(withBad), duplicateKeyConfig(MAX_CONFIG_BYTES - 2048).text);
    const alone = await timed(normalHome, 5);
    const beside = await timed(withBad);
    report.figure('normal Claude Desktop config alone', alone, 'ms');
    report.figure('the same, with the largest parsed duplicate-key mcp.json in another source', beside, 'ms');
    report.figure('ratio with / without the pathological file', beside / alone, 'x');
    report.ratio('delay the pathological file adds to the other sources, seconds', (beside - alone) / 1000, { max: 2 });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
