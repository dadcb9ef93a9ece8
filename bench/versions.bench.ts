/**
 * Version resolution's cost on a refresh: 50 configured servers, all running, half npm packages
 * (bins in a node_modules tree of 120 packages) and half Python console scripts (venvs of 40
 * distributions each). The same snapshot is taken without versions (the processes snapshot), with
 * resolutions cached by mtime (a refresh), and with a cold cache (the first one).
 * Target: the cached refresh adds no more than 10% to the processes snapshot.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostEnv } from '../src/core/base/hostEnv';
import { liveMachine } from '../src/core/machine/live';
import { Engine, EngineOptions } from '../src/core/snapshot';
import { CLOCK_SLACK_MS } from '../src/core/versions/clockSlack';
import { resolutionCache } from '../src/core/versions/kept';
import type { BenchReport } from './run';
import { killGroups } from './support';

const SERVERS = 50;
const ROUNDS = 31;

function write(file: string, text: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode });
}

/**
 * Each server's executable is a copy of `sleep` placed where a package's bin would be, so 50
 * running "servers" cost almost nothing and each process's argv names its configured command.
 */
const SLEEP = ['/bin/sleep', '/usr/bin/sleep'].find((f) => fs.existsSync(f));

function executable(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(SLEEP!, file);
  fs.chmodSync(file, 0o755);
}

function npmTree(root: string, servers: number): string[] {
  const nm = path.join(root, 'node_modules');
  const packages: Record<string, unknown> = { '': { name: 'tree' } };
  for (let d = 0; d < 120; d++) {
    write(path.join(nm, `dep-${d}`, 'package.json'), JSON.stringify({ name: `dep-${d}`, version: `1.${d}.0` }));
    packages[`node_modules/dep-${d}`] = { version: `1.${d}.0` };
  }
  const bins: string[] = [];
  for (let i = 0; i < servers; i++) {
    const name = `mcp-bench-${i}`;
    write(
      path.join(nm, name, 'package.json'),
      JSON.stringify({ name, version: '2.0.0', bin: { [name]: 'dist/index.js' } }),
    );
    executable(path.join(nm, name, 'dist', 'index.js'));
    fs.mkdirSync(path.join(nm, '.bin'), { recursive: true });
    fs.symlinkSync(path.join('..', name, 'dist', 'index.js'), path.join(nm, '.bin', name));
    packages[`node_modules/${name}`] = { version: '2.0.0' };
    bins.push(path.join(nm, '.bin', name));
  }
  write(path.join(nm, '.package-lock.json'), JSON.stringify({ name: 'tree', lockfileVersion: 3, packages }));
  return bins;
}

function venvs(root: string, servers: number): string[] {
  const scripts: string[] = [];
  for (let i = 0; i < servers; i++) {
    const venv = path.join(root, `venv-${i}`);
    write(path.join(venv, 'pyvenv.cfg'), 'home = /usr/bin\n');
    const sp = path.join(venv, 'lib', 'python3.11', 'site-packages');
    for (let d = 0; d < 40; d++)
      write(path.join(sp, `dep${d}-0.${d}.1.dist-info`, 'METADATA'), `Name: dep${d}\nVersion: 0.${d}.1\n`);
    const name = `pybench${i}`;
    write(
      path.join(sp, `${name}-1.${i}.0.dist-info`, 'METADATA'),
      `Metadata-Version: 2.1\nName: ${name}\nVersion: 1.${i}.0\n`,
    );
    write(
      path.join(sp, `${name}-1.${i}.0.dist-info`, 'entry_points.txt'),
      `[console_scripts]\n${name} = ${name}:main\n`,
    );
    executable(path.join(venv, 'bin', name));
    scripts.push(path.join(venv, 'bin', name));
  }
  return scripts;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function run(report: BenchReport): Promise<void> {
  if (process.platform === 'win32' || !SLEEP) {
    report.note('skipped: needs a `sleep` executable to copy (not on Windows)');
    return;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-versions-'));
  const commands = [...npmTree(path.join(root, 'npm'), SERVERS / 2), ...venvs(path.join(root, 'py'), SERVERS / 2)];
  const projectDir = path.join(root, 'project');
  const mcpServers: Record<string, unknown> = {};
  commands.forEach((c, i) => (mcpServers[`s${i}`] = { command: c, args: ['100000'] }));
  write(path.join(projectDir, '.mcp.json'), JSON.stringify({ mcpServers }));
  const home = path.join(root, 'home');
  fs.mkdirSync(home);
  const host: HostEnv = {
    home,
    platform: process.platform,
    env: { PATH: process.env.PATH, HOME: home, MCP_LIFEGUARD_HOME: path.join(root, 'lg') },
  };

  // Packages are installed well before their servers start: let the file times fall clearly behind
  // the start times (within the clocks' slack, every refresh would also read /proc/<pid>/maps).
  await new Promise((r) => setTimeout(r, CLOCK_SLACK_MS + 1000));
  const children: ChildProcess[] = commands.map((c) =>
    spawn(c, ['100000'], { cwd: projectDir, stdio: 'ignore', detached: true }),
  );
  try {
    const base = { workspaceFolders: [projectDir] };
    // No registry, no docker, and no server asked for its serverInfo (a live machine without that question).
    const options: EngineOptions = { registry: false, docker: false };
    const newEngine = () => new Engine(liveMachine(host), options);
    // The refreshing engine: a warm run is this engine again; a cold run is a new engine.
    const warm = newEngine();
    // Wait until every server is up and matched.
    for (let i = 0; i < 100; i++) {
      const s = await warm.snapshot({ ...base, versions: false });
      if (s.servers.every((x) => x.instances.length > 0)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const first = await warm.snapshot(base);
    const stale = first.servers.flatMap((s) => s.instances).filter((i) => i.versions?.verdict.state === 'stale').length;
    const resolved = first.servers.filter((s) => s.installed?.state === 'installed').length;
    report.note(
      `${first.servers.length} servers, ${first.servers.reduce((n, s) => n + s.instances.length, 0)} running instances, ${resolved} resolved, ${stale} stale`,
    );

    const plain: number[] = [];
    const cached: number[] = [];
    const cold: number[] = [];
    const time = async (into: number[], f: () => Promise<unknown>) => {
      const t0 = process.hrtime.bigint();
      await f();
      into.push(Number(process.hrtime.bigint() - t0) / 1e6);
    };
    for (let r = 0; r < ROUNDS; r++) {
      await time(plain, () => warm.snapshot({ ...base, versions: false }));
      await time(cached, () => warm.snapshot(base));
      const engine = newEngine();
      await time(cold, () => engine.snapshot(base));
    }
    // Paired per round (the three snapshots of a round run back to back), so machine load drifting
    // between rounds does not land on one side.
    const addedCached = cached.map((c, i) => c - plain[i]);
    const addedCold = cold.map((c, i) => c - plain[i]);
    report.figure('snapshot without versions (median)', median(plain), 'ms');
    report.figure('snapshot with versions, cached (median)', median(cached), 'ms');
    report.figure('snapshot with versions, cold cache (median)', median(cold), 'ms');
    report.figure('added by versions, cached (median of paired differences)', median(addedCached), 'ms');
    report.figure('added by versions, cold cache (median of paired differences)', median(addedCold), 'ms');
    const resolutions = resolutionCache(warm.machine, warm.cache);
    report.figure('cache hits per miss over the run', resolutions.hits / Math.max(1, resolutions.misses), '');
    report.ratio('cached versions: added share of the snapshot time', median(addedCached) / median(plain), {
      max: 0.1,
    });
  } finally {
    killGroups(children);
    fs.rmSync(root, { recursive: true, force: true });
  }
}
