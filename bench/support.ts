import { ChildProcess, spawn } from 'node:child_process';
import * as os from 'node:os';

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

/** The note each bench ends with: how busy the machine was, so a figure can be read against it. */
export function loadNote(): string {
  return `load average at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores`;
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
 * Runs `code` in a fresh `node -e` with `argv` as its process.argv: its exit code, wall time (ms) and
 * peak RSS (MiB, that process's own as it exits: PEAK_KIB).
 */
export function measuredRun(
  code: string,
  argv: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; ms: number; mib: number }> {
  const probe = `process.on('exit',()=>require('fs').writeSync(3,String(${PEAK_KIB})));process.argv=[process.argv[0],...${JSON.stringify(argv)}];${code}`;
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', probe], { ...opts, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    let out = '';
    child.stdio[3]?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (exit) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!out) reject(new Error(`no rusage from ${argv.join(' ')}`));
      else resolve({ code: exit, ms, mib: Number(out) / 1024 });
    });
  });
}
