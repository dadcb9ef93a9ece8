/**
 * What `run --on-conflict share` saves and costs, measured side by side in one run (issue 30):
 * - memory of 4 clients x 3 servers: unmanaged (each client spawns its own copy of each server:
 *   12 server processes) against shared (`run --on-conflict share --name N` for each: 3 share
 *   hosts, 3 servers, 12 relays). RSS is summed over every process of each setup: each setup's
 *   processes carry a marker in their environment (inherited by every descendant), and the bench
 *   reads /proc/PID/status VmRSS of each process that has it. The SDK clients themselves live in
 *   the bench's own process and are counted in neither;
 * - the same 4 x 3 with the share host's HTTP front (`--share-listen`): one client of each server
 *   speaks stdio (a relay), the other three name the front's URL (no relay): PSS against unmanaged
 *   (a figure: on servers this small the ratio is set by the Node processes around them and moves
 *   with V8's timing); then every server is restarted and every client calls once in its session;
 * - what one more client costs, side by side: unmanaged, a copy of each server; shared through a
 *   relay, after a quiet minute, the PSS the setup gains when one more stdio client joins each
 *   server (median of three joins, each against the mean of before and after it), against that
 *   client's relay's own PSS (target: at most one relay, 1.1x for the measurement's noise); shared
 *   with the HTTP front, the PSS it gains when HTTP_MORE more HTTP clients join each, per client
 *   (target: nothing, at most 1 MiB per server for the noise);
 * - the added round trip: `tools/call read_graph` on server-memory through a share relay, and
 *   through the HTTP front, each against a client of its own copy of the same server, interleaved, medians.
 * Real servers (server-memory, server-everything, the share fixture server), the real SDK client,
 * the built CLI. Linux (/proc).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort } from '../src/guard/http/upstream';
import { markedProcesses, type Proc } from './support';
import type { BenchReport } from './run';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const mcp = path.join(root, 'node_modules', '@modelcontextprotocol');
const SERVERS: Record<string, string[]> = {
  memory: [path.join(mcp, 'server-memory', 'dist', 'index.js')],
  everything: [path.join(mcp, 'server-everything', 'dist', 'index.js'), 'stdio'],
  fixture: [path.join(root, 'test', 'fixtures', 'guard', 'share-server.mjs')],
};
const CLIENTS = 5;
/** In the setup with the HTTP front, how many of the CLIENTS speak stdio (and so need a relay); the rest name a URL. */
const STDIO_CLIENTS = 1;
const CALLS = 200;
/** Calls through one share host's HTTP front before its memory is read again: a host that has worked. */
const BUSY_CALLS = 3000;
/** How long a setup stays without calls before one more client is priced (MCP_LIFEGUARD_BENCH_QUIET_S, default a minute). */
const QUIET_MS = (Number(process.env.MCP_LIFEGUARD_BENCH_QUIET_S) || 60) * 1000;
/** How many times one more client joins and leaves: the median of the gains is the figure. */
const ROUNDS_MORE = 3;
/** How many more HTTP clients join each server at once when an HTTP client is priced. */
const HTTP_MORE = 10;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every live process of one setup (its marker in the environment), classed by its command line. */
const processesWith = (marker: string): Proc[] => markedProcesses(marker, cli);

const MiB = (kib: number) => kib / 1024;

async function connect(args: string[], env: Record<string, string>, name: string): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args, env, stderr: 'ignore' });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** The HTTP clients' transports: a client that is done ends its session (DELETE), as closeAll does. */
const httpTransports = new WeakMap<Client, StreamableHTTPClientTransport>();

async function connectHttp(url: string, name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  httpTransports.set(client, transport);
  await client.connect(transport);
  return client;
}

/** Waits until the share front at `url` answers (any HTTP answer). */
async function frontUp(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answered = await fetch(url, { method: 'GET' }).then(
      () => true,
      () => false,
    );
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for the share front at ${url}`);
    await sleep(100);
  }
}

type Sums = Record<'rss' | 'pss' | 'anon', number>;

/** One call on each client, then settles and sums memory, five samples a second apart: the median of each sum. */
async function settledMemory(clients: Client[], marker: string): Promise<{ total: Sums; procs: Proc[] }> {
  await Promise.all(clients.map((c) => c.listTools()));
  await sleep(2000);
  const samples: Sums[] = [];
  let procs: Proc[] = [];
  for (let i = 0; i < 5; i++) {
    procs = processesWith(marker);
    samples.push({
      rss: procs.reduce((s, p) => s + p.rssKiB, 0),
      pss: procs.reduce((s, p) => s + p.pssKiB, 0),
      anon: procs.reduce((s, p) => s + p.anonKiB, 0),
    });
    await sleep(1000);
  }
  const of = (k: keyof Sums) => median(samples.map((x) => x[k]));
  return { total: { rss: of('rss'), pss: of('pss'), anon: of('anon') }, procs };
}

function sumBy(procs: Proc[], kind: Proc['kind']): { n: number; mib: number; pssMib: number; anonMib: number } {
  const of = procs.filter((p) => p.kind === kind);
  return {
    n: of.length,
    mib: MiB(of.reduce((s, p) => s + p.rssKiB, 0)),
    pssMib: MiB(of.reduce((s, p) => s + p.pssKiB, 0)),
    anonMib: MiB(of.reduce((s, p) => s + p.anonKiB, 0)),
  };
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * What the clients `join` starts add to a settled setup of `clients`: after QUIET_MS without calls,
 * ROUNDS_MORE times, the setup's PSS with them against the mean of its PSS just before they joined
 * and after they left again (what the rest of the setup sheds or gains meanwhile, V8 returning pages
 * on its own schedule, cancels), the median of those gains; and the processes of the last round.
 */
async function gainOf(
  clients: Client[],
  marker: string,
  closeAll: (list: Client[]) => Promise<void>,
  join: () => Promise<Client[]>,
): Promise<{ gainKiB: number; procs: Proc[] }> {
  await sleep(QUIET_MS);
  let before = await settledMemory(clients, marker);
  const gains: number[] = [];
  let procs: Proc[] = [];
  for (let i = 0; i < ROUNDS_MORE; i++) {
    const more = await join();
    const withMore = await settledMemory([...clients, ...more], marker);
    procs = withMore.procs;
    await closeAll(more);
    await until('the added clients gone', () => processesWith(marker).length === before.procs.length, 15_000);
    const after = await settledMemory(clients, marker);
    gains.push(withMore.total.pss - (before.total.pss + after.total.pss) / 2);
    before = after;
  }
  return { gainKiB: median(gains), procs };
}

/** p50 of CALLS `read_graph` calls on each client, interleaved (after 20 each to warm up). */
async function interleaved(a: Client, b: Client): Promise<[number, number]> {
  const call = async (c: Client) => {
    const t0 = process.hrtime.bigint();
    await c.callTool({ name: 'read_graph', arguments: {} });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (let i = 0; i < 20; i++) {
    await call(a);
    await call(b);
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    ta.push(await call(a));
    tb.push(await call(b));
  }
  return [median(ta), median(tb)];
}

export async function run(report: BenchReport): Promise<void> {
  if (process.platform !== 'linux') {
    report.note('this bench reads /proc: run it on Linux');
    return;
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-share-bench-'));
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) base[k] = v;
  const unmanagedMarker = `LG_SHARE_BENCH=unmanaged-${process.pid}`;
  const sharedMarker = `LG_SHARE_BENCH=shared-${process.pid}`;
  const httpMarker = `LG_SHARE_BENCH=http-${process.pid}`;
  const envOf = (marker: string, memFile: string) => ({
    ...base,
    [marker.split('=')[0]]: marker.split('=')[1],
    MCP_LIFEGUARD_HOME: path.join(home, 'lg'),
    MEMORY_FILE_PATH: path.join(home, memFile),
    SHARE_FIXTURE_LOG: path.join(home, 'fixture.log'),
  });
  const clients: Client[] = [];
  /** Clients outside the setups (the direct one of the round trips). */
  const others: Client[] = [];
  const closeAll = async (list: Client[]) => {
    for (const c of list.splice(0)) {
      await httpTransports
        .get(c)
        ?.terminateSession()
        .catch(() => undefined);
      await c.close().catch(() => undefined);
    }
  };
  try {
    // Unmanaged: every client spawns its own copy of every server.
    const unmanagedEnv = envOf(unmanagedMarker, 'unmanaged.jsonl');
    for (let c = 0; c < CLIENTS; c++)
      for (const server of Object.values(SERVERS)) clients.push(await connect(server, unmanagedEnv, `unmanaged-${c}`));
    const unmanaged = await settledMemory(clients, unmanagedMarker);
    await closeAll(clients);
    await until('the unmanaged servers gone', () => processesWith(unmanagedMarker).length === 0, 15_000);

    // Shared through relays: every client runs `run --on-conflict share` for each server.
    const sharedEnv = envOf(sharedMarker, 'shared.jsonl');
    for (let c = 0; c < CLIENTS; c++)
      for (const [name, server] of Object.entries(SERVERS))
        clients.push(
          await connect(
            [cli, 'run', '--on-conflict', 'share', '--name', name, '--', process.execPath, ...server],
            sharedEnv,
            `shared-${c}`,
          ),
        );
    const shared = await settledMemory(clients, sharedMarker);

    const u = sumBy(unmanaged.procs, 'server');
    report.figure(`unmanaged: ${u.n} server processes, RSS summed (median of 5)`, MiB(unmanaged.total.rss), 'MiB');
    const hosts = sumBy(shared.procs, 'share host');
    const servers = sumBy(shared.procs, 'server');
    const relays = sumBy(shared.procs, 'relay');
    report.figure(
      `shared: ${hosts.n} share hosts + ${servers.n} servers + ${relays.n} relays, RSS summed (median of 5)`,
      MiB(shared.total.rss),
      'MiB',
    );
    report.figure(`shared: the ${hosts.n} share hosts`, hosts.mib, 'MiB');
    report.figure(`shared: the ${servers.n} servers`, servers.mib, 'MiB');
    report.figure(
      `shared: the ${relays.n} relays (${(relays.mib / Math.max(1, relays.n)).toFixed(1)} MiB each)`,
      relays.mib,
      'MiB',
    );
    report.figure('shared / unmanaged RSS', shared.total.rss / unmanaged.total.rss, 'x');
    // RSS counts the node binary's text once per process; the machine holds it once. PSS shares it
    // out, anonymous memory leaves it out: what the setups really cost the machine.
    report.figure('unmanaged: PSS summed', MiB(unmanaged.total.pss), 'MiB');
    report.figure('shared through relays only: PSS summed', MiB(shared.total.pss), 'MiB');
    report.figure('shared through relays only / unmanaged PSS', shared.total.pss / unmanaged.total.pss, 'x');
    report.figure('unmanaged: anonymous memory summed', MiB(unmanaged.total.anon), 'MiB');
    report.figure('shared: anonymous memory summed', MiB(shared.total.anon), 'MiB');
    report.figure('shared / unmanaged anonymous memory', shared.total.anon / unmanaged.total.anon, 'x');
    report.figure('unmanaged: anonymous memory of one server copy (mean)', u.anonMib / Math.max(1, u.n), 'MiB');
    report.figure(`shared: anonymous memory of the ${hosts.n} share hosts`, hosts.anonMib, 'MiB');
    report.figure(`shared: anonymous memory of the ${servers.n} servers`, servers.anonMib, 'MiB');
    report.figure(
      `shared: anonymous memory of one relay (mean of ${relays.n})`,
      relays.anonMib / Math.max(1, relays.n),
      'MiB',
    );

    // One more client, priced: unmanaged it is one more copy of each server; shared, one more relay
    // for each (the share host should add nothing of its own).
    const serverCount = Object.keys(SERVERS).length;
    report.figure('one more client, unmanaged: one server copy, PSS (mean)', u.pssMib / Math.max(1, u.n), 'MiB');
    const stdio = await gainOf(clients, sharedMarker, closeAll, async () => {
      const more: Client[] = [];
      for (const [name, server] of Object.entries(SERVERS))
        more.push(
          await connect(
            [cli, 'run', '--on-conflict', 'share', '--name', name, '--', process.execPath, ...server],
            sharedEnv,
            `shared-${CLIENTS}`,
          ),
        );
      return more;
    });
    const known = new Set(shared.procs.map((p) => p.pid));
    const newRelays = stdio.procs.filter((p) => p.kind === 'relay' && !known.has(p.pid));
    const stdioAdded = MiB(stdio.gainKiB) / serverCount;
    const relayPss = MiB(newRelays.reduce((sum, p) => sum + p.pssKiB, 0)) / Math.max(1, newRelays.length);
    report.figure(
      `one more stdio client of each shared server: PSS the setup gains, per server (${CLIENTS} -> ${CLIENTS + 1} clients)`,
      stdioAdded,
      'MiB',
    );
    report.figure(`one more stdio client: its relay's own PSS (mean of ${newRelays.length})`, relayPss, 'MiB');
    report.ratio("one more stdio client of a shared server: PSS gained / its relay's PSS", stdioAdded / relayPss, {
      max: 1.1,
    });

    // The relay's added round trip: the shared memory client vs a client of its own copy, interleaved.
    const direct = await connect(SERVERS.memory, envOf(unmanagedMarker, 'direct.jsonl'), 'direct');
    others.push(direct);
    const viaRelay = clients[0];
    const [d, r] = await interleaved(direct, viaRelay);
    report.figure(`tools/call read_graph, direct to server-memory (p50 of ${CALLS})`, d, 'ms');
    report.figure(`tools/call read_graph, through the share relay and host (p50 of ${CALLS})`, r, 'ms');
    report.figure('round trip added by sharing through a relay (difference of the p50s)', r - d, 'ms');
    await closeAll(clients);
    await until('the shared servers gone', () => processesWith(sharedMarker).length === 0, 15_000);

    // Shared with the HTTP front: per server, STDIO_CLIENTS clients through a relay (the first
    // starts the share host with --share-listen), the others name the front's URL: no relay for them.
    const httpEnv = envOf(httpMarker, 'http.jsonl');
    const urls: Record<string, string> = {};
    for (const [name, server] of Object.entries(SERVERS)) {
      const port = await freePort();
      urls[name] = `http://127.0.0.1:${port}/mcp`;
      for (let c = 0; c < STDIO_CLIENTS; c++)
        clients.push(
          await connect(
            [cli, 'run', '--on-conflict', 'share', '--name', name, '--share-listen', `127.0.0.1:${port}`, '--'].concat(
              process.execPath,
              server,
            ),
            httpEnv,
            `front-stdio-${c}`,
          ),
        );
      await frontUp(urls[name]);
      for (let c = STDIO_CLIENTS; c < CLIENTS; c++) clients.push(await connectHttp(urls[name], `front-http-${c}`));
    }
    const viaFront = await settledMemory(clients, httpMarker);
    const fHosts = sumBy(viaFront.procs, 'share host');
    const fServers = sumBy(viaFront.procs, 'server');
    const fRelays = sumBy(viaFront.procs, 'relay');
    const mix = `${STDIO_CLIENTS} stdio + ${CLIENTS - STDIO_CLIENTS} HTTP clients`;
    report.figure(
      `shared with the HTTP front (${mix} per server): ${fHosts.n} share hosts + ${fServers.n} servers + ${fRelays.n} relays, PSS summed`,
      MiB(viaFront.total.pss),
      'MiB',
    );
    report.figure(`shared with the HTTP front: anonymous memory of the ${fHosts.n} share hosts`, fHosts.anonMib, 'MiB');
    report.figure(
      `shared with the HTTP front / unmanaged PSS, ${CLIENTS} clients x ${Object.keys(SERVERS).length} servers (${mix})`,
      viaFront.total.pss / unmanaged.total.pss,
      'x',
    );

    // More HTTP clients of each server: a session each in its share host, no process. HTTP_MORE of
    // them at once, the gain divided among them: a share host's heap grows by a MiB or two whenever
    // clients come and go at all (one session or twenty alike), which one client alone would carry.
    const http = await gainOf(clients, httpMarker, closeAll, async () => {
      const more: Client[] = [];
      for (const name of Object.keys(SERVERS))
        for (let c = 0; c < HTTP_MORE; c++) more.push(await connectHttp(urls[name], `front-http-${CLIENTS + c}`));
      return more;
    });
    const httpGain = MiB(http.gainKiB) / Object.keys(SERVERS).length;
    report.figure(
      `${HTTP_MORE} more HTTP clients of each shared server: PSS the setup gains, per server (${CLIENTS} -> ${CLIENTS + HTTP_MORE} clients)`,
      httpGain,
      'MiB',
    );
    report.ratio(
      `one more HTTP client of a shared server: PSS the setup gains, MiB per server (the above / ${HTTP_MORE})`,
      httpGain / HTTP_MORE,
      { max: 1 },
    );

    // Every client's session across a restart of every server: one call each after it, no reconnect.
    for (const name of Object.keys(SERVERS)) {
      const restarted = spawnSync(process.execPath, [cli, 'restart', name], { env: httpEnv, encoding: 'utf8' });
      if (restarted.status !== 0) throw new Error(`restart ${name} failed: ${restarted.stderr}`);
    }
    const answered = await Promise.all(
      clients.map((c) =>
        c.listTools().then(
          () => 1,
          () => 0,
        ),
      ),
    );
    report.ratio(
      `clients answered in their own session after a restart of every server (${answered.length})`,
      answered.reduce((a: number, b) => a + b, 0) / answered.length,
      { min: 1 },
    );

    // The front's added round trip, as the relay's above.
    const viaHttp = clients[Object.keys(SERVERS).indexOf('memory') * CLIENTS + STDIO_CLIENTS];
    const [d2, h] = await interleaved(direct, viaHttp);
    report.figure(`tools/call read_graph, through the share host's HTTP front (p50 of ${CALLS})`, h, 'ms');
    report.figure('round trip added by sharing over HTTP (difference of the p50s)', h - d2, 'ms');

    // A host that has worked: memory's, after BUSY_CALLS calls in all through its front.
    const memoryHost = (procs: Proc[]) =>
      procs.find((p) => p.kind === 'share host' && p.cmdline.includes('\0--name\0memory\0'));
    const hostBefore = memoryHost(viaFront.procs);
    for (let i = 20 + CALLS; i < BUSY_CALLS; i++) await viaHttp.callTool({ name: 'read_graph', arguments: {} });
    await sleep(2000);
    const hostAfter = memoryHost(processesWith(httpMarker));
    if (hostBefore && hostAfter) {
      report.figure(
        "anonymous memory of the memory server's share host, settled after one call",
        MiB(hostBefore.anonKiB),
        'MiB',
      );
      report.figure(
        `anonymous memory of the memory server's share host, after ${BUSY_CALLS} calls through its front`,
        MiB(hostAfter.anonKiB),
        'MiB',
      );
    }
  } finally {
    await closeAll(clients);
    await closeAll(others);
    await until(
      'every process of the bench gone',
      () =>
        processesWith(unmanagedMarker).length +
          processesWith(sharedMarker).length +
          processesWith(httpMarker).length ===
        0,
      20_000,
    ).catch((err: Error) =>
      report.note(
        `${err.message}: ${[...processesWith(sharedMarker), ...processesWith(httpMarker)].map((p) => p.pid).join(' ')}`,
      ),
    );
    fs.rmSync(home, { recursive: true, force: true });
  }
}
