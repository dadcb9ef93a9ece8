/**
 * What sharing saves after real use, side by side in one run: five client sessions of each of four
 * servers from the registries (two Node from npm: `@modelcontextprotocol/server-memory` and
 * `server-everything`; two Python from PyPI: `mcp-server-time` and mempalace, a server over a
 * chromadb palace), in two setups running at once:
 * - unmanaged: each client session spawns its own copy of its server (20 server processes);
 * - shared: each client session runs `run --on-conflict share --name N --share-listen ADDR -- SERVER`
 *   (4 share hosts, each with its HTTP front, 4 servers, 20 relays).
 * Both get the same traffic, each unmanaged client paired with its shared twin: `tools/list` and a
 * cheap `tools/call`, in turn, one request per client every INTERVAL_MS, for
 * MCP_LIFEGUARD_BENCH_SHARE_MINUTES (default 10), then a quiet time (MCP_LIFEGUARD_BENCH_QUIET_S,
 * default 60). Then PSS (/proc/PID/smaps_rollup) is summed over every process each setup runs
 * (servers and what they start, share hosts, relays), five samples a second apart, interleaved, the
 * median of each sum: the ratio shared / unmanaged, and per server, what one more client costs
 * side by side (unmanaged: one copy of the server; shared: one relay for a stdio client, and what
 * HTTP_MORE HTTP clients joining each share host's front add, per client). The SDK clients live in
 * the bench's own process and are counted in neither setup.
 * Each setup's and server's processes carry a marker in their environment, inherited by every
 * descendant. Servers reach nothing but loopback: mempalace's embedder is a loopback endpoint (it is
 * not asked: the traffic reads), chromadb's telemetry is off. The Python servers run in venvs copied
 * from the tests' per-machine templates (test/support/venv.ts), whose wheelhouses are downloaded once.
 * Linux (/proc).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort } from '../src/guard/http/upstream';
import { mempalaceHome, mempalaceVenv, startEmbeddings } from '../test/support/mempalace';
import { PYTHON } from '../test/support/run';
import { copyTree, pypiWheelhouse } from '../test/support/toolCache';
import { templateVenv } from '../test/support/venv';
import { markedProcesses, type Proc } from './support';
import type { BenchReport } from './run';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const mcp = path.join(root, 'node_modules', '@modelcontextprotocol');
const CLIENTS = 5;
const MINUTES = Number(process.env.MCP_LIFEGUARD_BENCH_SHARE_MINUTES) || 10;
const QUIET_MS = (Number(process.env.MCP_LIFEGUARD_BENCH_QUIET_S) || 60) * 1000;
/** Between two requests of one client: 40 clients make 20 requests a second in all, a bounded load. */
const INTERVAL_MS = 2000;
const TIME_VERSION = '2026.8.18';
/** How many HTTP clients join each shared server at once when one is priced. */
const HTTP_MORE = 10;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = (kib: number) => kib / 1024;
const loads = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** A server as its clients are configured: its command (args may name a per-copy data folder) and the cheap call it gets. */
interface Server {
  name: string;
  command: string;
  args(copy: string): string[];
  env: Record<string, string>;
  call: { name: string; arguments: Record<string, unknown> };
}

type Setup = 'unmanaged' | 'shared';
const SETUPS: readonly Setup[] = ['unmanaged', 'shared'];

interface Session {
  setup: Setup;
  server: Server;
  client: Client;
  requests: number;
  failures: number;
}

type Sample = Map<string, Proc[]>;

/** Five samples a second apart of every setup's processes for every server (by marker), both setups in each. */
async function sampled(servers: Server[], markerOf: (setup: Setup, server: Server) => string): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < 5; i++) {
    const sample: Sample = new Map();
    for (const server of servers)
      for (const setup of SETUPS) sample.set(markerOf(setup, server), markedProcesses(markerOf(setup, server), cli));
    samples.push(sample);
    await sleep(1000);
  }
  return samples;
}

/** The PSS (KiB) of `procs`, or of those of one kind. */
const pss = (procs: Proc[], kind?: Proc['kind']) =>
  procs.filter((p) => kind === undefined || p.kind === kind).reduce((s, p) => s + p.pssKiB, 0);

/** The median over samples of what `pick` sums in each, in MiB. */
const settled = (samples: Sample[], pick: (sample: Sample) => number) => MiB(median(samples.map(pick)));

export async function run(report: BenchReport): Promise<void> {
  if (process.platform !== 'linux') {
    report.note('this bench reads /proc: run it on Linux');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-share-use-bench-'));
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) base[k] = v;
  const markerOf = (setup: Setup, server: Server) => `LG_SHARE_USE_BENCH=${setup}-${server.name}-${process.pid}`;
  const sessions: Session[] = [];
  const embeddings = await startEmbeddings();
  const httpClients: Array<{ client: Client; transport: StreamableHTTPClientTransport }> = [];
  /** A client that is done ends its HTTP session (DELETE), as a client that closes cleanly does. */
  const closeHttp = async () => {
    for (const { client, transport } of httpClients.splice(0)) {
      await transport.terminateSession().catch(() => undefined);
      await client.close().catch(() => undefined);
    }
  };
  const closeAll = async () => {
    await closeHttp();
    await Promise.all(sessions.splice(0).map((s) => s.client.close().catch(() => undefined)));
  };
  let servers: Server[] = [];
  try {
    const timeWheels = await pypiWheelhouse(PYTHON, `mcp-server-time-${TIME_VERSION}`, [
      `mcp-server-time==${TIME_VERSION}`,
    ]);
    const timePy = await templateVenv(path.join(dir, 'time', 'venv'), {
      requirements: [`mcp-server-time==${TIME_VERSION}`],
      findLinks: [timeWheels],
    });
    const mp = await mempalaceVenv(path.join(dir, 'mempalace'));
    const pyHome = mempalaceHome(path.join(dir, 'home'), embeddings.url);
    // A palace with one drawer in it, as a user's holds (on a palace with none the status answers
    // without opening chromadb): filed once by a server of its own, then copied for each copy of mempalace.
    const seed = path.join(dir, 'palace-seed');
    const seeder = new Client({ name: 'seed', version: '1.0.0' });
    await seeder.connect(
      new StdioClientTransport({
        command: mp.mcpBin,
        args: ['--palace', seed],
        env: { ...base, ...pyHome, ANONYMIZED_TELEMETRY: 'False' },
        stderr: 'ignore',
      }),
    );
    const filed = await seeder.callTool({
      name: 'mempalace_add_drawer',
      arguments: { wing: 'bench', room: 'share', content: 'one server for every client' },
    });
    await seeder.close();
    if (filed.isError) throw new Error(`mempalace did not file the seed drawer: ${JSON.stringify(filed.content)}`);
    for (const copy of ['shared', ...Array.from({ length: CLIENTS }, (_, c) => `unmanaged-${c}`)])
      await copyTree(seed, path.join(dir, `palace-${copy}`));
    servers = [
      {
        name: 'memory',
        command: process.execPath,
        args: () => [path.join(mcp, 'server-memory', 'dist', 'index.js')],
        env: {},
        call: { name: 'read_graph', arguments: {} },
      },
      {
        name: 'everything',
        command: process.execPath,
        args: () => [path.join(mcp, 'server-everything', 'dist', 'index.js'), 'stdio'],
        env: {},
        call: { name: 'echo', arguments: { message: 'lg' } },
      },
      {
        name: 'time',
        command: timePy,
        args: () => ['-m', 'mcp_server_time', '--local-timezone', 'UTC'],
        env: pyHome,
        call: { name: 'get_current_time', arguments: { timezone: 'UTC' } },
      },
      {
        // Each unmanaged copy gets a palace of its own: copies of one server share no lock.
        name: 'mempalace',
        command: mp.mcpBin,
        args: (copy) => ['--palace', path.join(dir, `palace-${copy}`)],
        env: { ...pyHome, ANONYMIZED_TELEMETRY: 'False' },
        call: { name: 'mempalace_status', arguments: {} },
      },
    ];
    const envOf = (setup: Setup, server: Server): Record<string, string> => {
      const [key, value] = markerOf(setup, server).split('=');
      return {
        ...base,
        ...server.env,
        [key]: value,
        MCP_LIFEGUARD_HOME: path.join(dir, 'lg'),
        MEMORY_FILE_PATH: path.join(dir, `memory-${setup}.jsonl`),
      };
    };
    // Each share host serves HTTP clients too (`--share-listen`), for the price of one of them below.
    const ports = new Map<Server, number>();
    for (const server of servers) ports.set(server, await freePort());
    const connect = async (setup: Setup, server: Server, c: number): Promise<void> => {
      const [command, args] =
        setup === 'unmanaged'
          ? [server.command, server.args(`unmanaged-${c}`)]
          : [
              process.execPath,
              [
                cli,
                'run',
                '--on-conflict',
                'share',
                '--name',
                server.name,
                '--share-listen',
                `127.0.0.1:${ports.get(server)}`,
                '--',
                server.command,
                ...server.args('shared'),
              ],
            ];
      const transport = new StdioClientTransport({ command, args, env: envOf(setup, server), stderr: 'ignore' });
      const client = new Client({ name: `${setup}-${c}`, version: '1.0.0' });
      await client.connect(transport);
      sessions.push({ setup, server, client, requests: 0, failures: 0 });
    };
    // The clients start one after the other, as a user's do, both setups in turn.
    for (let c = 0; c < CLIENTS; c++)
      for (const server of servers) for (const setup of SETUPS) await connect(setup, server, c);
    report.note(`${sessions.length} client sessions connected; load average ${loads()}`);

    // The traffic: each unmanaged client and its shared twin send the same request at the same time.
    const twins = sessions.filter((s) => s.setup === 'unmanaged').map((u, i) => [u, sessions[2 * i + 1]]);
    const end = Date.now() + MINUTES * 60_000;
    const request = async (s: Session, n: number) => {
      s.requests++;
      const ok = await (n % 2 === 0 ? s.client.listTools() : s.client.callTool(s.server.call)).then(
        (answer) => !('isError' in answer && answer.isError === true),
        () => false,
      );
      if (!ok) s.failures++;
    };
    await Promise.all(
      twins.map(async (pair, i) => {
        // Spread over the interval, so the requests do not all arrive at once.
        await sleep((INTERVAL_MS * i) / twins.length);
        for (let n = 0; Date.now() < end; n++) {
          const t0 = Date.now();
          await Promise.all(pair.map((s) => request(s, n)));
          await sleep(Math.max(0, INTERVAL_MS - (Date.now() - t0)));
        }
      }),
    );
    for (const setup of SETUPS) {
      const of = sessions.filter((s) => s.setup === setup);
      report.figure(
        `${setup}: requests in ${MINUTES} min (${of.reduce((n, s) => n + s.failures, 0)} failed)`,
        of.reduce((n, s) => n + s.requests, 0),
        '',
      );
    }
    report.note(`traffic done; load average ${loads()}; quiet for ${QUIET_MS / 1000} s`);
    await sleep(QUIET_MS);

    const samples = await sampled(servers, markerOf);
    const total = (setup: Setup, kind?: Proc['kind']) =>
      settled(samples, (sample) =>
        servers.reduce((s, server) => s + pss(sample.get(markerOf(setup, server))!, kind), 0),
      );
    const last = samples[samples.length - 1];
    const count = (setup: Setup, kind: Proc['kind']) =>
      servers.reduce((n, server) => n + last.get(markerOf(setup, server))!.filter((p) => p.kind === kind).length, 0);

    report.figure(`unmanaged: ${count('unmanaged', 'server')} server processes, PSS summed`, total('unmanaged'), 'MiB');
    report.figure(
      `shared: ${count('shared', 'share host')} share hosts + ${count('shared', 'server')} server processes + ${count('shared', 'relay')} relays, PSS summed`,
      total('shared'),
      'MiB',
    );
    report.figure('shared: the share hosts', total('shared', 'share host'), 'MiB');
    report.figure('shared: the servers', total('shared', 'server'), 'MiB');
    report.figure('shared: the relays', total('shared', 'relay'), 'MiB');
    report.figure(
      `shared / unmanaged PSS, ${CLIENTS} clients x ${servers.length} servers, after ${MINUTES} min of traffic and ${QUIET_MS / 1000} s quiet`,
      total('shared') / total('unmanaged'),
      'x',
    );
    // One more HTTP client of each shared server, through its share host's front: HTTP_MORE join
    // each at once and the gain is divided among them (a host's heap grows a MiB or two when clients
    // come and go at all, one or twenty alike), against the mean of the setup just before and after.
    const sharedOf = (of: Sample[], server: Server) =>
      settled(of, (sample) => pss(sample.get(markerOf('shared', server))!));
    const beforeHttp = await sampled(servers, markerOf);
    for (const server of servers)
      for (let c = 0; c < HTTP_MORE; c++) {
        const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${ports.get(server)}/mcp`));
        const client = new Client({ name: `shared-http-${c}`, version: '1.0.0' });
        httpClients.push({ client, transport });
        await client.connect(transport);
        await client.listTools();
      }
    await sleep(2000);
    const withHttp = await sampled(servers, markerOf);
    await closeHttp();
    await sleep(2000);
    const afterHttp = await sampled(servers, markerOf);

    // One more client of a server, side by side: unmanaged, one more copy of it (the mean of the
    // five); shared, one more relay (the mean of its five), or a session in its share host for an
    // HTTP client. The share host and server are paid once.
    report.note(
      'one more client of each server, PSS: unmanaged (a copy of the server) | shared, stdio (a relay) | ratio | shared, HTTP (a session)',
    );
    for (const server of servers) {
      const copy = settled(samples, (sample) => pss(sample.get(markerOf('unmanaged', server))!) / CLIENTS);
      const relay = settled(samples, (sample) => pss(sample.get(markerOf('shared', server))!, 'relay') / CLIENTS);
      const once = settled(
        samples,
        (sample) =>
          pss(sample.get(markerOf('shared', server))!) - pss(sample.get(markerOf('shared', server))!, 'relay'),
      );
      const http =
        (sharedOf(withHttp, server) - (sharedOf(beforeHttp, server) + sharedOf(afterHttp, server)) / 2) / HTTP_MORE;
      report.note(
        `  ${server.name}: ${copy.toFixed(1)} MiB | ${relay.toFixed(1)} MiB | ${(relay / copy).toFixed(3)}x | ${http.toFixed(2)} MiB (shared once: share host + server ${once.toFixed(1)} MiB)`,
      );
    }
  } finally {
    await closeAll();
    const left = () =>
      servers.flatMap((server) => SETUPS.flatMap((setup) => markedProcesses(markerOf(setup, server), cli)));
    const deadline = Date.now() + 20_000;
    while (left().length > 0 && Date.now() < deadline) await sleep(200);
    const stray = left();
    if (stray.length > 0) {
      report.note(
        `processes still running 20 s after their clients closed, ended: ${stray.map((p) => p.pid).join(' ')}`,
      );
      // Read again just before: only processes that still carry this run's marker.
      for (const p of left()) process.kill(p.pid, 'SIGKILL');
    }
    await embeddings.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
