import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

/** How many processes the machine's table holds now (Linux /proc). */
export function processCount(): number {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
}

/**
 * Starts `n` sleeping processes in one detached group (end it with killGroups) and waits until the
 * table holds them: a process table of the size a bench measures at.
 */
export async function startExtraProcesses(n: number): Promise<ChildProcess> {
  const before = processCount();
  const group = spawn('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do sleep 3600 & i=$((i+1)); done; wait`], {
    detached: true,
    stdio: 'ignore',
  });
  const deadline = Date.now() + 120_000;
  while (processCount() < before + n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return group;
}

/** Ends the process groups a bench started (each child spawned `detached`, so its pid is its group). */
export function killGroups(children: readonly ChildProcess[]): void {
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** How busy the machine is now (the 1, 5 and 15 minute load averages), so a figure can be read against it. */
export function loadNote(when: 'start' | 'end' = 'end'): string {
  return `load average at the ${when}: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores`;
}

/**
 * A bare Node pipe: `node -e BARE_PIPE CMD ARGS...` spawns CMD and relays stdin to its stdin and its
 * stdout to stdout, nothing else. What a client of a stdio server gets with one Node process in
 * between and no guard: the guard's like for like.
 */
export const BARE_PIPE =
  "const c=require('child_process').spawn(process.argv[1],process.argv.slice(2),{stdio:['pipe','pipe','inherit']});" +
  'process.stdin.pipe(c.stdin);c.stdout.pipe(process.stdout);' +
  "c.on('exit',(code)=>process.exit(code??1));process.on('SIGTERM',()=>{c.kill();process.exit(0)})";

/** One process's own memory in MiB (its children not included). */
export interface OwnMemory {
  rss: number;
  /** Proportional set size: pages shared with other processes (the node binary's) divided among them. */
  pss: number;
  /** Its anonymous memory's share (heaps, stacks, compiled code): what is its own. */
  anon: number;
}

/** A process's own memory from `/proc/PID/smaps_rollup`, or undefined off Linux. */
export function ownMemory(pid: number): OwnMemory | undefined {
  try {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN) / 1024;
    return { rss: field('Rss'), pss: field('Pss'), anon: field('Pss_Anon') };
  } catch {
    return undefined; // not Linux
  }
}

/**
 * What the probe writes as its process exits: its peak RSS in KiB. On Linux the high-water mark of
 * its own memory (`VmHWM`), not getrusage's `maxRSS`: Node starts a child by fork then exec, and
 * Linux carries the high-water mark of the forked copy of the parent across the exec into the
 * child's `maxRSS`, so a child of a 240 MiB bench reported about 200 MiB however small it stayed.
 */
const PEAK_KIB =
  "(process.platform==='linux'?Number(/^VmHWM:\\s+(\\d+)/m.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1]):process.resourceUsage().maxRSS)";

/**
 * Runs `code` in a fresh `node -e` with `argv` as its process.argv: its exit code, wall time (ms),
 * peak RSS (MiB, that process's own as it exits: PEAK_KIB) and CPU time (ms, user and system of all
 * its threads as it exits: what a busy machine slows but does not charge to it).
 */
export function measuredRun(
  code: string,
  argv: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; ms: number; mib: number; cpuMs: number }> {
  const cpu = '((u)=>(u.user+u.system)/1000)(process.cpuUsage())';
  const probe = `process.on('exit',()=>require('fs').writeSync(3,${PEAK_KIB}+' '+${cpu}));process.argv=[process.argv[0],...${JSON.stringify(argv)}];${code}`;
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', probe], { ...opts, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    let out = '';
    child.stdio[3]?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (exit) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!out) reject(new Error(`no rusage from ${argv.join(' ')}`));
      else {
        const [kib, cpuMs] = out.split(' ').map(Number);
        resolve({ code: exit, ms, mib: kib / 1024, cpuMs });
      }
    });
  });
}

/** One process of a bench's setup, classed by what it runs, with its memory in KiB. */
export interface Proc {
  pid: number;
  kind: 'share host' | 'relay' | 'server';
  cmdline: string;
  rssKiB: number;
  /** Proportional set size: pages shared with other processes (the node binary's text) counted once over all of them. */
  pssKiB: number;
  /** Anonymous memory of this process alone (heaps, stacks): what one more such process adds for sure. */
  anonKiB: number;
}

/**
 * Every live process whose environment holds `marker` (`NAME=value`, inherited by every
 * descendant of the process it was given to), with its memory (Linux /proc). `cli` is the built
 * CLI's path: a process running `cli run` is a relay, one with `--share-host` a share host, any
 * other a server (or a process a server started).
 */
export function markedProcesses(marker: string, cli: string): Proc[] {
  const out: Proc[] = [];
  for (const name of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!`\0${fs.readFileSync(`/proc/${name}/environ`, 'utf8')}`.includes(`\0${marker}\0`)) continue;
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${name}/status`, 'utf8'));
      if (!rss) continue;
      const rollup = fs.readFileSync(`/proc/${name}/smaps_rollup`, 'utf8');
      const pss = /^Pss:\s+(\d+) kB/m.exec(rollup);
      const anon = /^Pss_Anon:\s+(\d+) kB/m.exec(rollup) ?? /^Anonymous:\s+(\d+) kB/m.exec(rollup);
      const kind = cmdline.includes('\0--share-host')
        ? 'share host'
        : cmdline.includes(`${cli}\0run`)
          ? 'relay'
          : 'server';
      out.push({
        pid: Number(name),
        kind,
        cmdline,
        rssKiB: Number(rss[1]),
        pssKiB: pss ? Number(pss[1]) : Number(rss[1]),
        anonKiB: anon ? Number(anon[1]) : Number(rss[1]),
      });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
