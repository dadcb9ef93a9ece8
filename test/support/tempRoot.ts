import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appeared, checkLeftovers, ListedProcess, leftoverProcesses } from './leftovers';
import { pollCost } from './poll';
import { removeTempDirs } from './temp';

/**
 * A mocha root-hook plugin: the whole run gets one private temp folder (TMPDIR points at it, for
 * the tests and every process they start). Whatever is left in it at the end fails the run, named
 * by prefix, and is removed either way: every test cleans up after itself, and the machine keeps
 * nothing. The system temp folder is listed before and after too; what appeared there is named
 * (not failed on: other programs on the machine write there as well).
 */
const systemTemp = os.tmpdir();
const systemBefore = new Set(listing(systemTemp) ?? []);
const runTemp = fs.mkdtempSync(path.join(systemTemp, 'lg-test-'));
process.env.TMPDIR = runTemp;
// Installed packages name their MCP Registry entry (server-memory's mcpName): nothing a test starts
// asks the official registry. A closed loopback port answers at once; the registry tests run their own.
process.env.MCP_LIFEGUARD_MCP_REGISTRY ??= 'http://127.0.0.1:9';

function listing(dir: string): string[] | undefined {
  try {
    return fs.readdirSync(dir);
  } catch {
    return undefined;
  }
}

/** This user's processes, from /proc (Linux: where the suite's real processes run); none elsewhere. */
function processList(): ListedProcess[] {
  if (process.platform !== 'linux') return [];
  const uid = process.getuid?.();
  return (listing('/proc') ?? []).flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    try {
      if (fs.statSync(`/proc/${name}`).uid !== uid) return [];
      return [{ pid: Number(name), cmdline: fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ') }];
    } catch {
      return []; // gone meanwhile
    }
  });
}

export const mochaHooks = {
  afterAll(this: Mocha.Context): void {
    // Removing a run's npm caches and venvs takes a while on a busy machine.
    this.timeout(300_000);
    // A process a test left is ended (its command line names this run's own folder) and named: one
    // holding the runner's pipe would keep mocha from exiting, hanging the run instead of failing it.
    const running = leftoverProcesses(processList(), runTemp, process.pid);
    for (const p of running) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removeTempDirs();
    const left = checkLeftovers(listing(runTemp) ?? []);
    fs.rmSync(runTemp, { recursive: true, force: true });
    const outside = appeared(systemBefore, listing(systemTemp) ?? []);
    if (outside.length > 0)
      process.stdout.write(
        `temp: appeared in ${systemTemp} during the run (by this run or another program): ${outside.join(', ')}\n`,
      );
    process.stdout.write(`polls: ${pollCost.checks} checks, ${Math.round(pollCost.ms / 1000)} s in them\n`);
    if (running.length > 0)
      process.stdout.write(
        `processes: ${running.length} left running by tests (now ended): ${running
          .map((p) => `${p.pid} ${p.cmdline.slice(0, 160)}`)
          .join('; ')}\n`,
      );
    if (left.state === 'left') {
      throw new Error(
        `${left.count} temp entr${left.count === 1 ? 'y' : 'ies'} left behind by tests (now removed): ${left.names}`,
      );
    }
  },
};
