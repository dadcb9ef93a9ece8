import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import { isAlive, signal } from '../../support/liveness';
import { waitUntil } from '../../support/poll';

/**
 * Every process the suite starts carries MARKER_ENV=<session id> in its environment, which its
 * children inherit (code-server's extension host, the MCP servers it or the extension starts,
 * Chromium's helpers). Teardown kills each started process group, then sweeps /proc for anything
 * still carrying the marker, so nothing the suite started can outlive it unnoticed.
 */
export const MARKER_ENV = 'MCP_LIFEGUARD_E2E_SESSION';

/** A process's command line and its parent's, as the process table has them (uv names the pin it runs: `uv tool uvx pkg@1.2.3`), '' once gone. */
export function commandLines(pid: number): string {
  try {
    const own = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ');
    const ppid = Number(/\)\s+\S+\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/stat`, 'latin1'))![1]);
    return `${own}\n${fs.readFileSync(`/proc/${ppid}/cmdline`, 'latin1').split('\0').join(' ')}`;
  } catch {
    return '';
  }
}

export interface ProcInfo {
  pid: number;
  command: string;
}

/** Live processes whose environment carries `MARKER_ENV=<id>` (Linux /proc). */
export function processesMarked(id: string): ProcInfo[] {
  const needle = `${MARKER_ENV}=${id}`;
  const out: ProcInfo[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!env.includes(needle)) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
      if (/\) Z /.test(stat)) continue; // a zombie is already dead; its parent reaps it
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      out.push({ pid, command });
    } catch {
      // Gone between readdir and read, or not ours to read: either way not a survivor we own.
    }
  }
  return out;
}

/** The processes one test session started, and their teardown. */
export class ProcessScope {
  readonly groups = new Set<number>();
  readonly children: ChildProcess[] = [];
  private readonly onExit = () => this.killNowSync();

  constructor(readonly id: string) {
    process.on('exit', this.onExit);
  }

  /** The environment for a process of this session: `base` plus the marker. */
  env(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return { ...base, [MARKER_ENV]: this.id };
  }

  /** Starts a process in its own process group, marked as this session's. */
  spawn(command: string, args: readonly string[], options: SpawnOptions & { env: NodeJS.ProcessEnv }): ChildProcess {
    const child = spawn(command, args, { ...options, env: this.env(options.env), detached: true });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    this.groups.add(child.pid);
    this.children.push(child);
    return child;
  }

  /** Adopts a pid started elsewhere (e.g. the browser) so teardown kills its group too. */
  adopt(pid: number): void {
    this.groups.add(pid);
  }

  private signalAll(sig: NodeJS.Signals): void {
    for (const g of this.groups) signal(-g, sig);
    for (const p of processesMarked(this.id)) signal(p.pid, sig);
  }

  private killNowSync(): void {
    this.signalAll('SIGKILL');
  }

  private allGone(): boolean {
    return [...this.groups].every((g) => !isAlive(g)) && processesMarked(this.id).length === 0;
  }

  /**
   * TERM every group and every marked process, KILL what is left after a grace period, and return
   * whatever still runs after that (the caller fails on it: the suite must leave nothing behind).
   */
  async teardown(graceMs = 5000): Promise<ProcInfo[]> {
    this.signalAll('SIGTERM');
    if (!(await waitUntil(() => this.allGone(), graceMs))) {
      this.signalAll('SIGKILL');
      await waitUntil(() => this.allGone(), 10000);
    }
    process.off('exit', this.onExit);
    return processesMarked(this.id);
  }
}

/** The pids whose parent is `pid` (Linux /proc). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/**
 * The caller's environment without what belongs to its editor, npm run, XDG layout, TypeScript
 * loader or MCP Lifeguard: what every process an e2e scenario starts inherits (code-server, the
 * browser, the fixture's servers), so nothing of the machine running the tests leaks into them.
 */
export function callerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(VSCODE_|ELECTRON_|npm_|XDG_|MCP_LIFEGUARD_|NODE_OPTIONS$|TS_NODE|TSX)/.test(k)) env[k] = v;
  return env;
}
