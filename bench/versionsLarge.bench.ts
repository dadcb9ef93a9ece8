/**
 * Version resolution of one Python server in a large environment against one in a small one,
 * side by side: mempalace's MCP server from PyPI in a venv (85 distributions, thousands of files)
 * and the fixture server in a venv of its own (one dependency). Each is a real running process
 * configured in its own workspace; each round takes, for both, a snapshot without versions, one
 * with versions cached by mtime (a refresh) and one with a cold cache (the first look).
 * Reported as ratios large / small: no absolute target, the question is how the cost grows.
 * Skipped when the mempalace wheelhouse is not cached (the bench never downloads).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostEnv } from '../src/core/base/hostEnv';
import { liveMachine } from '../src/core/machine/live';
import { Engine, EngineOptions } from '../src/core/snapshot';
import { CLOCK_SLACK_MS } from '../src/core/versions/clockSlack';
import { fixtureVenv } from '../test/integration/versions/support';
import { mempalaceVenv, mempalaceWheelhouseCached } from '../test/support/mempalace';
import type { BenchReport } from './run';
import { killGroups } from './support';

const ROUNDS = 31;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A workspace whose `.mcp.json` configures one server, and that server running (stdin held open). */
function configured(
  root: string,
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { projectDir: string; child: ChildProcess } {
  const projectDir = path.join(root, `project-${name}`);
  fs.mkdirSync(projectDir, { recursive: true });
  fs.writeFileSync(path.join(projectDir, '.mcp.json'), JSON.stringify({ mcpServers: { [name]: { command, args } } }));
  const child = spawn(command, args, { cwd: projectDir, env, stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  return { projectDir, child };
}

export async function run(report: BenchReport): Promise<void> {
  if (process.platform !== 'linux') {
    report.note('skipped: the mempalace venv is set up for Linux only');
    return;
  }
  if (!mempalaceWheelhouseCached()) {
    report.note(
      'skipped: the mempalace wheelhouse is not cached (run test/integration/versions/mempalace.test.ts once to fill it)',
    );
    return;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-large-'));
  const children: ChildProcess[] = [];
  try {
    const large = await mempalaceVenv(path.join(root, 'large'));
    const small = await fixtureVenv(path.join(root, 'small'));
    await small.pip('lgdemo-server==1.0.0', 'lgdemo-dep==1.0.0');
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const env = { PATH: process.env.PATH, HOME: home, MCP_LIFEGUARD_HOME: path.join(root, 'lg') };
    const host: HostEnv = { home, platform: process.platform, env };
    // Installed well before the servers start, so a refresh never has to read /proc/<pid>/maps.
    await new Promise((r) => setTimeout(r, CLOCK_SLACK_MS + 1000));
    const sides = {
      large: configured(root, 'mempalace', large.mcpBin, ['--palace', path.join(home, 'palace')], env),
      small: configured(root, 'lgdemo', small.py, ['-m', 'lgdemo_server'], env),
    };
    children.push(sides.large.child, sides.small.child);

    // No registry, no docker, and no server asked for its serverInfo (a live machine without that question).
    const options: EngineOptions = { registry: false, docker: false };
    const newEngine = () => new Engine(liveMachine(host), options);
    // Each side's refreshing engine: a cached run is that engine again; a cold run is a new engine.
    const warm = { large: newEngine(), small: newEngine() };
    const figures = {
      large: { plain: [] as number[], cached: [] as number[], cold: [] as number[] },
      small: { plain: [] as number[], cached: [] as number[], cold: [] as number[] },
    };
    const time = async (into: number[], f: () => Promise<unknown>) => {
      const t0 = process.hrtime.bigint();
      await f();
      into.push(Number(process.hrtime.bigint() - t0) / 1e6);
    };
    for (const side of ['large', 'small'] as const) {
      const base = { workspaceFolders: [sides[side].projectDir] };
      // Wait until the server is up, matched and judged.
      let snap = await warm[side].snapshot(base);
      for (let i = 0; i < 100 && snap.servers[0]?.instances[0]?.versions?.verdict.state !== 'current'; i++) {
        await new Promise((r) => setTimeout(r, 300));
        snap = await warm[side].snapshot(base);
      }
      const inst = snap.servers[0]?.instances[0];
      const installed = inst?.versions?.installed;
      const closure = installed?.state === 'installed' ? Object.keys(installed.environment?.packages ?? {}).length : 0;
      report.note(
        `${side}: ${snap.servers[0]?.name}, ${installed?.state === 'installed' ? `${installed.name} ${installed.version}` : installed?.state}, ${closure} distributions in its closure, verdict ${inst?.versions?.verdict.state}`,
      );
    }
    // The six snapshots of a round run in a shuffled order: a cold resolution leaves garbage whose
    // collection lands on whatever runs next, and a fixed order would put it on one side every time.
    const kinds = { plain: false, cached: true, cold: true } as const;
    for (let r = 0; r < ROUNDS; r++) {
      const tasks = (['large', 'small'] as const).flatMap((side) =>
        (['plain', 'cached', 'cold'] as const).map((kind) => ({ side, kind })),
      );
      for (let i = tasks.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [tasks[i], tasks[j]] = [tasks[j], tasks[i]];
      }
      for (const { side, kind } of tasks) {
        const request = { workspaceFolders: [sides[side].projectDir], versions: kinds[kind] };
        const engine = kind === 'cold' ? newEngine() : warm[side];
        await time(figures[side][kind], () => engine.snapshot(request));
      }
    }
    const added = (side: 'large' | 'small', kind: 'cached' | 'cold') =>
      median(figures[side][kind].map((c, i) => c - figures[side].plain[i]));
    for (const side of ['large', 'small'] as const) {
      report.figure(`${side}: snapshot without versions (median)`, median(figures[side].plain), 'ms');
      report.figure(`${side}: added by versions, cached (median of paired differences)`, added(side, 'cached'), 'ms');
      report.figure(`${side}: added by versions, cold cache (median of paired differences)`, added(side, 'cold'), 'ms');
    }
    report.figure(
      'large / small: added by versions, cached',
      added('large', 'cached') / Math.max(0.001, added('small', 'cached')),
      'x',
    );
    report.figure(
      'large / small: added by versions, cold cache',
      added('large', 'cold') / Math.max(0.001, added('small', 'cold')),
      'x',
    );
  } finally {
    killGroups(children);
    fs.rmSync(root, { recursive: true, force: true });
  }
}
