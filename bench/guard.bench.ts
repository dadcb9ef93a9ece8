/**
 * The guard's overhead, side by side in one run: a real SDK client talks to a tiny SDK server
 * (test/fixtures/guard/tiny-server.mjs) directly, through `node dist/cli.js run`, and through a bare
 * Node pipe (support.ts BARE_PIPE), the guard's like for like: every ping and call goes to all three,
 * so the guard's memory is compared with a Node process in between that relayed the same traffic.
 * A fourth path, a client of a shared server (`run --on-conflict share`: a relay, the server and its
 * judgement in the share host), relays the same traffic: what a process in front of the server
 * holds when the engine runs elsewhere, and what that elsewhere holds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { BenchReport } from './run';
import { BARE_PIPE, OwnMemory, ownMemory } from './support';

const root = path.resolve(__dirname, '..');
const tinyServer = path.join(root, 'test', 'fixtures', 'guard', 'tiny-server.mjs');
const cli = path.join(root, 'dist', 'cli.js');

const PINGS = 10_000;
const CALLS = 10_000;
/** How many tools/call the busy guard has answered when its memory is read. */
const BUSY_CALLS = 25_000;
const BLOCK = 1_000;
const BIG_BYTES = 8 * 1024 * 1024;
const BIG_ROUNDS = 20;

interface Side {
  client: Client;
  transport: StdioClientTransport;
}

/** The share host of the server named `name` (`run --share-host`, started by its relay): its pid, from /proc (Linux). */
function shareHostPid(name: string): number | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.includes('--share-host') && argv.includes(name)) return Number(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

async function connect(args: string[], env: Record<string, string>): Promise<Side> {
  const transport = new StdioClientTransport({ command: process.execPath, args, env, stderr: 'ignore' });
  const client = new Client({ name: 'guard-bench', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

async function pingBlock(side: Side, n: number, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await side.client.ping();
    into.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}

/** `tools/call` of the tiny server's read-only `echo`: the path the guard's stale gate watches (ping is not). */
async function callBlock(side: Side, n: number, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await side.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    into.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}

async function bigCall(side: Side): Promise<number> {
  const t0 = process.hrtime.bigint();
  const result = await side.client.callTool({ name: 'big', arguments: { bytes: BIG_BYTES } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const text = (result.content as Array<{ text: string }>)[0].text;
  if (text.length !== BIG_BYTES) throw new Error(`big result of ${text.length} bytes, expected ${BIG_BYTES}`);
  return ms;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/** User + system CPU time of a process in ms (Linux /proc; 100 ticks per second). */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined; // not Linux
  }
}

function rssMiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined; // not Linux
  }
}

/** Two seconds after the last call, five samples 200 ms apart: each pid's own memory, medians, or undefined off Linux. */
async function settledMemory(pids: Array<number | null | undefined>): Promise<OwnMemory[] | undefined> {
  await new Promise((r) => setTimeout(r, 2000));
  const samples: OwnMemory[][] = pids.map(() => []);
  for (let i = 0; i < 5; i++) {
    for (const [k, pid] of pids.entries()) {
      const m = pid ? ownMemory(pid) : undefined;
      if (m === undefined) return undefined;
      samples[k].push(m);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return samples.map((xs) => ({
    rss: median(xs.map((x) => x.rss)),
    pss: median(xs.map((x) => x.pss)),
    anon: median(xs.map((x) => x.anon)),
  }));
}

export async function run(report: BenchReport): Promise<void> {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: npm run bench builds it first`);
  const home = fs.mkdtempSync('/tmp/lgb-');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const direct = await connect([tinyServer], env);
  const guarded = await connect([cli, 'run', '--name', 'bench-tiny', '--', process.execPath, tinyServer], {
    ...env,
    MCP_LIFEGUARD_HOME: home,
  });
  const piped = await connect(['-e', BARE_PIPE, process.execPath, tinyServer], env);
  const shareHome = fs.mkdtempSync('/tmp/lgb-share-');
  // Named apart from any other run's, so its share host is told from theirs.
  const sharedName = `bench-shared-${process.pid}`;
  const shared = await connect(
    [cli, 'run', '--on-conflict', 'share', '--name', sharedName, '--', process.execPath, tinyServer],
    { ...env, MCP_LIFEGUARD_HOME: shareHome },
  );
  try {
    await guarded.client.ping();
    await piped.client.ping();
    const rssIdle = guarded.transport.pid ? rssMiB(guarded.transport.pid) : undefined;
    if (rssIdle !== undefined) report.figure('guard RSS idle, after the handshake', rssIdle, 'MiB');
    // Warm both paths (JIT, buffers) before measuring.
    await pingBlock(direct, 500, []);
    await pingBlock(guarded, 500, []);
    await pingBlock(piped, 500, []);
    await pingBlock(shared, 500, []);

    // Alternating blocks, so drift in machine load hits both sides alike.
    const directMs: number[] = [];
    const guardMs: number[] = [];
    const pipeMs: number[] = [];
    const sharedMs: number[] = [];
    for (let done = 0; done < PINGS; done += BLOCK) {
      await pingBlock(direct, BLOCK, directMs);
      await pingBlock(guarded, BLOCK, guardMs);
      await pingBlock(piped, BLOCK, pipeMs);
      await pingBlock(shared, BLOCK, sharedMs);
    }
    directMs.sort((a, b) => a - b);
    guardMs.sort((a, b) => a - b);
    pipeMs.sort((a, b) => a - b);
    report.figure(`ping round trip direct p50 (${PINGS} requests)`, quantile(directMs, 0.5), 'ms');
    report.figure('ping round trip direct p99', quantile(directMs, 0.99), 'ms');
    report.figure(`ping round trip through the guard p50 (${PINGS} requests)`, quantile(guardMs, 0.5), 'ms');
    report.figure('ping round trip through the guard p99', quantile(guardMs, 0.99), 'ms');
    report.ratio('ping p50 added by the guard (ms)', quantile(guardMs, 0.5) - quantile(directMs, 0.5), { max: 0.2 });
    report.figure('ping p99 added by the guard', quantile(guardMs, 0.99) - quantile(directMs, 0.99), 'ms');
    report.figure('ping p50 added by a bare Node pipe', quantile(pipeMs, 0.5) - quantile(directMs, 0.5), 'ms');
    sharedMs.sort((a, b) => a - b);
    report.figure(
      'ping p50 added by a shared server (relay and host)',
      quantile(sharedMs, 0.5) - quantile(directMs, 0.5),
      'ms',
    );
    const rssAfterPings = guarded.transport.pid ? rssMiB(guarded.transport.pid) : undefined;
    if (rssAfterPings !== undefined) report.figure('guard RSS after the pings', rssAfterPings, 'MiB');

    // tools/call, which under the default `--when-stale annotate` asks the stale gate each time.
    await callBlock(direct, 500, []);
    await callBlock(guarded, 500, []);
    await callBlock(piped, 500, []);
    await callBlock(shared, 500, []);
    const directCalls: number[] = [];
    const guardCalls: number[] = [];
    const pipeCalls: number[] = [];
    const sharedCalls: number[] = [];
    for (let done = 0; done < CALLS; done += BLOCK) {
      await callBlock(direct, BLOCK, directCalls);
      await callBlock(guarded, BLOCK, guardCalls);
      await callBlock(piped, BLOCK, pipeCalls);
      await callBlock(shared, BLOCK, sharedCalls);
    }
    directCalls.sort((a, b) => a - b);
    guardCalls.sort((a, b) => a - b);
    pipeCalls.sort((a, b) => a - b);
    report.figure(`tools/call round trip direct p50 (${CALLS} calls)`, quantile(directCalls, 0.5), 'ms');
    report.figure(`tools/call round trip through the guard p50 (${CALLS} calls)`, quantile(guardCalls, 0.5), 'ms');
    report.ratio('tools/call p50 added by the guard (ms)', quantile(guardCalls, 0.5) - quantile(directCalls, 0.5), {
      max: 0.2,
    });
    report.figure('tools/call p99 added by the guard', quantile(guardCalls, 0.99) - quantile(directCalls, 0.99), 'ms');
    report.figure(
      'tools/call p50 added by a bare Node pipe',
      quantile(pipeCalls, 0.5) - quantile(directCalls, 0.5),
      'ms',
    );
    sharedCalls.sort((a, b) => a - b);
    report.figure(
      'tools/call p50 added by a shared server (relay and host)',
      quantile(sharedCalls, 0.5) - quantile(directCalls, 0.5),
      'ms',
    );
    // A busy guard's memory next to the pipe's, each after the same BUSY_CALLS calls (one call says
    // little: a per-call cost grows with them). PSS, each process's own (not its server's): the node
    // binary's pages, shared by both, are counted once between them rather than whole in each.
    for (let done = CALLS + 500; done < BUSY_CALLS; done += BLOCK) {
      const n = Math.min(BLOCK, BUSY_CALLS - done);
      await callBlock(guarded, n, []);
      await callBlock(piped, n, []);
      await callBlock(shared, n, []);
    }
    const hostPid = shareHostPid(sharedName);
    const busy = await settledMemory([
      guarded.transport.pid,
      piped.transport.pid,
      shared.transport.pid,
      ...(hostPid ? [hostPid] : []),
    ]);
    if (busy) {
      const [g, p, relay, host] = busy;
      for (const [who, m] of [
        ['guard', g],
        ['bare Node pipe', p],
      ] as const) {
        report.figure(`${who} RSS after ${BUSY_CALLS} tools/call (median of 5)`, m.rss, 'MiB');
        report.figure(`${who} PSS after ${BUSY_CALLS} tools/call (median of 5)`, m.pss, 'MiB');
        report.figure(`${who} anonymous memory after ${BUSY_CALLS} tools/call (median of 5)`, m.anon, 'MiB');
      }
      report.figure(`guard / bare Node pipe RSS after ${BUSY_CALLS} tools/call`, g.rss / p.rss, 'x');
      report.ratio(`guard PSS / bare Node pipe PSS after ${BUSY_CALLS} tools/call`, g.pss / p.pss, { max: 1.25 });
      // The engine elsewhere: the relay judges nothing; the share host holds the server's judgement.
      report.figure(`shared server: relay PSS after ${BUSY_CALLS} tools/call (median of 5)`, relay.pss, 'MiB');
      report.figure(`shared server: relay PSS / bare Node pipe PSS`, relay.pss / p.pss, 'x');
      if (host) {
        report.figure(`shared server: share host PSS after ${BUSY_CALLS} tools/call (median of 5)`, host.pss, 'MiB');
        report.figure(
          `shared server: (relay + share host) PSS / bare Node pipe PSS`,
          (relay.pss + host.pss) / p.pss,
          'x',
        );
      } else report.note('shared server: its share host was not found');
    } else report.note('guard PSS: not measured on this platform');

    await bigCall(direct);
    await bigCall(guarded);
    const directBig: number[] = [];
    const guardBig: number[] = [];
    const guardPid = guarded.transport.pid ?? undefined;
    const cpuBefore = guardPid ? cpuMs(guardPid) : undefined;
    for (let i = 0; i < BIG_ROUNDS; i++) {
      directBig.push(await bigCall(direct));
      guardBig.push(await bigCall(guarded));
    }
    const cpuAfter = guardPid ? cpuMs(guardPid) : undefined;
    if (cpuBefore !== undefined && cpuAfter !== undefined)
      report.figure('guard CPU time per 8 MiB result', (cpuAfter - cpuBefore) / BIG_ROUNDS, 'ms');
    const mibPerS = (ms: number) => BIG_BYTES / 1024 / 1024 / (ms / 1000);
    report.figure(`8 MiB tool result direct (median of ${BIG_ROUNDS})`, mibPerS(median(directBig)), 'MiB/s');
    report.figure(`8 MiB tool result through the guard (median of ${BIG_ROUNDS})`, mibPerS(median(guardBig)), 'MiB/s');
    report.figure(`8 MiB tool result direct (best of ${BIG_ROUNDS})`, mibPerS(Math.min(...directBig)), 'MiB/s');
    report.figure(
      `8 MiB tool result through the guard (best of ${BIG_ROUNDS})`,
      mibPerS(Math.min(...guardBig)),
      'MiB/s',
    );
    // Each round runs direct then guarded back to back, so the two see the same machine load; the
    // median of the per-round ratios is robust to the rounds that other work disturbed.
    const pairRatios = directBig.map((d, i) => d / guardBig[i]);
    report.ratio('8 MiB throughput, guard / direct (median of per-round ratios)', median(pairRatios), { min: 0.9 });

    const rss = guarded.transport.pid ? rssMiB(guarded.transport.pid) : undefined;
    if (rss !== undefined) report.figure('guard RSS after the 8 MiB results', rss, 'MiB');
    else report.note('guard RSS: not measured on this platform');
  } finally {
    await direct.client.close();
    await guarded.client.close();
    await piped.client.close();
    await shared.client.close();
    fs.rmSync(home, { recursive: true, force: true });
    // The share host ends once its last client left; its folder goes after it.
    const hostLeft = shareHostPid(sharedName);
    for (let i = 0; i < 50 && hostLeft !== undefined && fs.existsSync(`/proc/${hostLeft}`); i++)
      await new Promise((r) => setTimeout(r, 200));
    if (hostLeft !== undefined && fs.existsSync(`/proc/${hostLeft}`)) process.kill(hostLeft, 'SIGKILL');
    fs.rmSync(shareHome, { recursive: true, force: true });
  }
}
