/**
 * A watched upgrade: how long after a real `npm install` of a new version has returned the verdict
 * of the server still running the old one is given (stale), as the extension sees it. A real
 * server-memory runs from a project's `node_modules`; the snapshots are taken as the extension's
 * refresh manager takes them: a watcher on the installed package's folder (and its parent, which
 * sees the folder replaced) asks for a refresh, debounced 300 ms (the extension's RefreshQueue),
 * the poll comes every 5 s, and every SETTLING_RECHECK_MS while a verdict is settling; the
 * resolution cache stays warm between looks. Each round installs the old version (not measured),
 * starts the server, waits for its verdict, then upgrades with real npm and times from npm's exit
 * to the first stale verdict. Target: at most 1.5 s, median. Needs the npm registry (network);
 * MCP_LIFEGUARD_BENCH_ROUNDS sets the rounds (default 5).
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostEnv } from '../src/core/base/hostEnv';
import type { Snapshot } from '../src/core/base/model';
import { Engine, engineMachine } from '../src/core/snapshot';
import { settling, SETTLING_RECHECK_MS } from '../src/core/snapshot/settle';
import { RefreshQueue } from '../src/extension/refreshQueue';
import type { BenchReport } from './run';
import { killGroups } from './support';

const ROUNDS = Number(process.env.MCP_LIFEGUARD_BENCH_ROUNDS) || 5;
const PKG = '@modelcontextprotocol/server-memory';
const OLD = '2026.7.4';
const NEW = '2026.8.31';
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The extension's defaults: its refresh debounce and its poll. */
const DEBOUNCE_MS = 300;
const POLL_MS = 5000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function npm(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(NPM, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, _out, stderr) =>
      err ? reject(new Error(`npm ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(),
    ),
  );
}

type Verdict = NonNullable<Snapshot['servers'][number]['instances'][number]['versions']>['verdict'];

/** Snapshots as the extension's refresh manager takes them, until stopped; `onLook` sees each one. */
function watchLikeTheExtension(
  take: () => Promise<Snapshot>,
  folders: string[],
  onLook: (s: Snapshot) => void,
): { stop(): void } {
  let poll: NodeJS.Timeout | undefined;
  let stopped = false;
  const queue = new RefreshQueue(
    async () => {
      const s = await take();
      onLook(s);
      clearTimeout(poll);
      if (!stopped) poll = setTimeout(() => queue.soon(), settling(s) ? SETTLING_RECHECK_MS : POLL_MS);
    },
    (err) => console.error(err),
    DEBOUNCE_MS,
  );
  const watchers = folders.map((f) => fs.watch(f, () => queue.soon()));
  void queue.now();
  return {
    stop() {
      stopped = true;
      clearTimeout(poll);
      queue.close();
      watchers.forEach((w) => w.close());
    },
  };
}

export async function run(report: BenchReport): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-upgrade-'));
  const children: ChildProcess[] = [];
  try {
    const prefix = path.join(root, 'prefix');
    const env = {
      ...process.env,
      npm_config_cache: path.join(root, 'npm-cache'),
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };
    const bin = path.join(prefix, 'node_modules', '.bin', 'mcp-server-memory');
    const projectDir = path.join(root, 'project');
    fs.mkdirSync(projectDir);
    const serverEnv = { MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') };
    fs.writeFileSync(
      path.join(projectDir, '.mcp.json'),
      JSON.stringify({ mcpServers: { memory: { command: bin, args: [], env: serverEnv } } }),
    );
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    fs.mkdirSync(path.join(root, 'lg'), { mode: 0o700 });
    const host: HostEnv = {
      home,
      platform: process.platform,
      env: { PATH: process.env.PATH, HOME: home, MCP_LIFEGUARD_HOME: path.join(root, 'lg') },
    };
    // One engine for the whole run, as the extension holds one: its cache stays warm between looks.
    const engine = new Engine(engineMachine(host), { registry: false, docker: false });
    const take = () => engine.snapshot({ workspaceFolders: [projectDir] });
    const location = path.join(prefix, 'node_modules', PKG);

    const latencies: number[] = [];
    const installs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await npm(['install', '--prefix', prefix, `${PKG}@${OLD}`], env);
      const server = spawn(bin, [], {
        env: { ...process.env, ...serverEnv },
        stdio: ['pipe', 'ignore', 'ignore'],
        detached: true,
      });
      children.push(server);
      let verdict: Verdict | undefined;
      let staleAt: number | undefined;
      const watch = watchLikeTheExtension(take, [location, path.dirname(location)], (s) => {
        const i = s.servers.find((x) => x.name === 'memory')?.instances.find((x) => x.pid === server.pid);
        verdict = i?.versions?.verdict;
        if (verdict?.state === 'stale' && staleAt === undefined) staleAt = Date.now();
      });
      try {
        // The server seen at the old version, its files older than its start (as after any install).
        const seenBy = Date.now() + 60_000;
        while (verdict?.state !== 'current' && Date.now() < seenBy) await new Promise((r) => setTimeout(r, 100));
        if (verdict?.state !== 'current')
          throw new Error(`the server was not seen current: ${JSON.stringify(verdict)}`);
        const t0 = Date.now();
        await npm(['install', '--prefix', prefix, `${PKG}@${NEW}`], env);
        const exit = Date.now();
        installs.push(exit - t0);
        const by = exit + 30_000;
        while (staleAt === undefined && Date.now() < by) await new Promise((r) => setTimeout(r, 20));
        if (staleAt === undefined) throw new Error(`no stale verdict within 30 s: ${JSON.stringify(verdict)}`);
        latencies.push(Math.max(0, staleAt - exit));
      } finally {
        watch.stop();
        killGroups([server]);
      }
    }
    report.note(
      `${ROUNDS} rounds; npm install took ${(median(installs) / 1000).toFixed(1)} s (median); load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores; latencies ${latencies.map((l) => `${l} ms`).join(', ')}`,
    );
    report.figure('npm install returned -> stale verdict, median', median(latencies), 'ms');
    report.figure('npm install returned -> stale verdict, worst', Math.max(...latencies), 'ms');
    report.ratio('watched upgrade, installer gone -> verdict, seconds (median)', median(latencies) / 1000, {
      max: 1.5,
    });
  } finally {
    killGroups(children);
    fs.rmSync(root, { recursive: true, force: true });
  }
}
