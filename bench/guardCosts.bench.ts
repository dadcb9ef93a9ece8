/**
 * What the guard and the CLI cost a user who runs many servers, measured side by side in one run
 * (issue 29's table; targets in docs/benchmarks.md):
 * - the guard's PSS next to a bare Node pipe's (support.ts BARE_PIPE), server-memory under each,
 *   after one call (a figure: the target, after 25,000 calls, is in guard.bench.ts);
 * - cold start to the `initialize` answer, through the guard vs direct, 12 interleaved pairs
 *   (adds <= 150 ms, medians);
 * - `mcp-lifeguard --help` peak RSS (<= 50 MB) and, for reference, `--version` and bare node;
 * - `status --json` as a whole process at ~1,000 processes vs `node` running `ps` (<= 1.5x);
 * - what loading each bundle costs (time and memory to require it, nothing run).
 * Linux (/proc, ps). The SSE throughput of the HTTP front is in http.bench.ts.
 */
import { ChildProcess, execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { SourceMap, SourceMapPayload } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BARE_PIPE, killGroups, measuredRun, processCount, ownMemory, startExtraProcesses } from './support';
import type { BenchReport } from './run';

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const memoryServer = path.join(root, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');
const PAIRS = 12;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pssOf(pid: number | null): number {
  const m = pid ? ownMemory(pid) : undefined;
  if (m === undefined) throw new Error(`no PSS for pid ${pid}`);
  return m.pss;
}

/** Spawns `args` with the SDK client and times spawn to the initialize answer. */
async function coldStart(
  args: string[],
  env: Record<string, string>,
): Promise<{ ms: number; client: Client; transport: StdioClientTransport }> {
  const transport = new StdioClientTransport({ command: process.execPath, args, env, stderr: 'ignore' });
  const client = new Client({ name: 'guard-costs-bench', version: '1.0.0' });
  const t0 = process.hrtime.bigint();
  await client.connect(transport);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, client, transport };
}

/** Peak RSS (MiB) of one node process running `code`. */
async function peakRss(code: string, argv: string[]): Promise<number> {
  return (await measuredRun(code, argv)).mib;
}

/** Time and memory to load one bundle (required, nothing run: its `runCli` is not called). */
async function loadCost(file: string): Promise<{ ms: number; mib: number }> {
  const code = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(JSON.stringify({ms:Number(process.hrtime.bigint()-t)/1e6,mib:process.memoryUsage().rss/1048576}))`;
  const { stdout } = await execFileAsync(process.execPath, ['-e', code]);
  return JSON.parse(stdout) as { ms: number; mib: number };
}

/**
 * What a bundle evaluates when it is loaded, by package or source folder: the minified bytes of the
 * modules reachable from `entry` by static imports (a dynamic `import()` or a `require` call in
 * src/ is a deliberate lazy load, not followed). The largest are what loading costs; load time and
 * memory per bundle are measured below.
 */
export async function eagerBytes(entry: string): Promise<Array<[string, number]>> {
  const r = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    write: false,
    metafile: true,
    mainFields: ['module', 'main'],
    outfile: path.join(os.tmpdir(), 'lg-eager.js'),
    logLevel: 'silent',
  });
  const inputs = r.metafile.inputs;
  const out = Object.values(r.metafile.outputs)[0].inputs;
  const start = Object.keys(inputs).find((k) => path.resolve(root, k) === path.join(root, entry));
  const seen = new Set<string>();
  const stack = start ? [start] : [];
  while (stack.length) {
    const f = stack.pop() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    // A CommonJS package's own requires load with it; in src/ a require is a deliberate lazy load.
    for (const i of inputs[f]?.imports ?? [])
      if (
        !i.external &&
        (i.kind === 'import-statement' || (i.kind === 'require-call' && f.startsWith('node_modules/')))
      )
        stack.push(i.path);
  }
  const groups = new Map<string, number>();
  for (const f of seen) {
    // The build bundles package.json for its version alone (scripts/build.mjs).
    if (f === 'package.json') continue;
    const parts = f.split('/');
    const key = f.startsWith('node_modules/')
      ? parts.slice(0, parts[1].startsWith('@') ? 3 : 2).join('/')
      : parts.slice(0, Math.min(3, parts.length)).join('/');
    groups.set(key, (groups.get(key) ?? 0) + (out[f]?.bytesInOutput ?? 0));
  }
  return [...groups].sort((a, b) => b[1] - a[1]);
}

/** A source file's group: its package (node_modules), else its folder under src/ (as eagerBytes). */
function sourceGroup(source: string): string {
  const parts = source.replace(/\\/g, '/').split('/');
  const nm = parts.lastIndexOf('node_modules');
  if (nm >= 0) return parts.slice(nm, nm + (parts[nm + 1]?.startsWith('@') ? 3 : 2)).join('/');
  const src = parts.indexOf('src');
  return src >= 0 ? parts.slice(src, src + 3).join('/') : source;
}

/**
 * What a built bundle holds, by package or source folder: its bytes, each given to the source its
 * source map names for it. Node reads and compiles a whole bundle when it is required (a module
 * the sources require lazily is in it too, wrapped, parsed but not run), so for the guard this,
 * not eagerBytes of its entry (which bundles without the build's plugins: the HTTP guard, which the
 * build leaves out, counted), is what each start loads.
 */
export function bundleBytes(file: string): Array<[string, number]> {
  const map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload);
  const groups = new Map<string, number>();
  for (const [line, text] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    for (let column = 0; column < text.length; column++) {
      const entry = map.findEntry(line, column);
      const key = 'originalSource' in entry ? sourceGroup(entry.originalSource) : '(no source)';
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
  }
  return [...groups].sort((a, b) => b[1] - a[1]);
}

async function wholeMs(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = process.hrtime.bigint();
  await execFileAsync(process.execPath, args, { env, maxBuffer: 256 * 1024 * 1024 });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function run(report: BenchReport): Promise<void> {
  if (process.platform !== 'linux') {
    report.note('this bench reads /proc and runs ps: run it on Linux');
    return;
  }
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: npm run bench builds it first`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-costs-'));
  fs.chmodSync(home, 0o700);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const guardEnv = {
    ...env,
    MCP_LIFEGUARD_HOME: path.join(home, 'lg'),
    MEMORY_FILE_PATH: path.join(home, 'memory.jsonl'),
  };
  const children: ChildProcess[] = [];
  try {
    // What each bundle costs to load.
    for (const b of ['cli-guard.js', 'cli-commands.js']) {
      const costs = [];
      for (let i = 0; i < 5; i++) costs.push(await loadCost(path.join(root, 'dist', b)));
      report.figure(`load dist/${b}: time (median of 5)`, median(costs.map((c) => c.ms)), 'ms');
      report.figure(`load dist/${b}: RSS after (median of 5)`, median(costs.map((c) => c.mib)), 'MiB');
    }

    const guardBundle = bundleBytes(path.join(root, 'dist', 'cli-guard.js'));
    report.figure(
      'dist/cli-guard.js: bytes read and compiled at load',
      guardBundle.reduce((n, [, b]) => n + b, 0),
      'B',
    );
    report.note(
      `  largest: ${guardBundle
        .slice(0, 8)
        .map(([k, b]) => `${k} ${(b / 1024).toFixed(0)} KB`)
        .join(', ')}`,
    );
    for (const entry of ['src/cli/run.ts']) {
      const groups = await eagerBytes(entry);
      const total = groups.reduce((n, [, b]) => n + b, 0);
      report.figure(`${entry}: bytes evaluated at load`, total, 'B');
      report.note(
        `  largest: ${groups
          .slice(0, 8)
          .map(([k, b]) => `${k} ${(b / 1024).toFixed(0)} KB`)
          .join(', ')}`,
      );
    }

    // Cold start to initialize, interleaved pairs.
    const direct: number[] = [];
    const guarded: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const d = await coldStart([memoryServer], guardEnv);
      direct.push(d.ms);
      await d.client.close();
      const g = await coldStart(
        [cli, 'run', '--name', `bench-cold-${i}`, '--', process.execPath, memoryServer],
        guardEnv,
      );
      guarded.push(g.ms);
      await g.client.close();
    }
    report.figure(`cold start to initialize, direct (median of ${PAIRS})`, median(direct), 'ms');
    report.figure(`cold start to initialize, through the guard (median of ${PAIRS})`, median(guarded), 'ms');
    report.ratio('cold start added by the guard, ms (difference of medians)', median(guarded) - median(direct), {
      max: 150,
    });

    // The guard's memory next to a bare Node pipe's, server-memory under each, after the same call.
    const g = await coldStart([cli, 'run', '--name', 'bench-rss', '--', process.execPath, memoryServer], guardEnv);
    const p = await coldStart(['-e', BARE_PIPE, process.execPath, memoryServer], guardEnv);
    try {
      await g.client.callTool({ name: 'read_graph', arguments: {} });
      await p.client.callTool({ name: 'read_graph', arguments: {} });
      await sleep(2000);
      const guardPss: number[] = [];
      const pipePss: number[] = [];
      for (let i = 0; i < 5; i++) {
        guardPss.push(pssOf(g.transport.pid));
        pipePss.push(pssOf(p.transport.pid));
        await sleep(200);
      }
      report.figure('guard PSS, server-memory under it, after one call', median(guardPss), 'MiB');
      report.figure('bare Node pipe PSS, server-memory under it, after the same call', median(pipePss), 'MiB');
      report.figure('guard PSS / bare Node pipe PSS after one call', median(guardPss) / median(pipePss), 'x');
    } finally {
      await g.client.close();
      await p.client.close();
    }

    // --help peak RSS.
    const helpPeak: number[] = [];
    const versionPeak: number[] = [];
    const barePeak: number[] = [];
    for (let i = 0; i < 5; i++) {
      helpPeak.push(await peakRss(`require(${JSON.stringify(cli)})`, [cli, '--help']));
      versionPeak.push(await peakRss(`require(${JSON.stringify(cli)})`, [cli, '--version']));
      barePeak.push(await peakRss('', ['-e']));
    }
    report.figure('bare node peak RSS', median(barePeak), 'MiB');
    report.figure('--version peak RSS', median(versionPeak), 'MiB');
    report.ratio('--help peak RSS, MiB', median(helpPeak), { max: 50 });

    // status --json as a whole process vs node running ps, at ~1,000 processes.
    const extra = Math.max(0, 1000 - processCount());
    const group = await startExtraProcesses(extra);
    children.push(group);
    const statusEnv = { ...env, HOME: home, MCP_LIFEGUARD_HOME: path.join(home, 'lg') };
    const psScript = `require('child_process').execFile('ps',['-e','-o','pid=,ppid=,uid=,rss=,lstart=,args='],{maxBuffer:1<<26},(e,o)=>{if(e)throw e;process.stdout.write(o)})`;
    await wholeMs([cli, 'status', '--json', '--workspace', home], statusEnv);
    const statusMs: number[] = [];
    const psMs: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < 12; i++) {
      const p = await wholeMs(['-e', psScript], statusEnv);
      const s = await wholeMs([cli, 'status', '--json', '--workspace', home], statusEnv);
      psMs.push(p);
      statusMs.push(s);
      ratios.push(s / p);
    }
    report.figure(`processes in the table`, processCount(), '');
    report.figure('node + ps, whole process (median of 12)', median(psMs), 'ms');
    report.figure('status --json, whole process (median of 12)', median(statusMs), 'ms');
    report.ratio('status --json / node + ps at ~1,000 processes (median of per-pair ratios)', median(ratios), {
      max: 1.5,
    });
  } finally {
    killGroups(children.filter((c) => c.spawnargs[0] === 'sh'));
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  }
}
